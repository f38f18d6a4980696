"""Translation chores for the English catalog (msgids are the Chinese text).

    python scripts/i18n.py missing            # untranslated or fuzzy msgids, as JSON
    python scripts/i18n.py fill mapping.json  # write {msgid: English} into translations/en
"""
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).resolve().parents[1] / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def load():
    with CATALOG.open("rb") as fh:
        return read_po(fh, locale="en")


def missing(catalog):
    out = []
    for message in catalog:
        if not message.id:
            continue
        text = message.string
        empty = not all(text) if isinstance(text, tuple) else not text
        if empty or message.fuzzy:
            out.append(message.id if isinstance(message.id, str) else list(message.id))
    return out


def fill(catalog, mapping):
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in mapping:
            value = mapping[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
    with CATALOG.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False, sort_output=True)


if __name__ == "__main__":
    cat = load()
    if sys.argv[1:2] == ["missing"]:
        print(json.dumps(missing(cat), ensure_ascii=False, indent=0))
    elif sys.argv[1:2] == ["fill"]:
        fill(cat, json.loads(Path(sys.argv[2]).read_text()))
        print(f"{len(missing(load()))} still missing")
    else:
        sys.exit(__doc__)
