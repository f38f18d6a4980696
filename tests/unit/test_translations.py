"""Every user-facing string has an English translation (msgids are the Chinese text)."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def test_every_string_in_the_code_is_translated_to_english(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "--no-location", "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as fh:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    with (ROOT / "translations/en/LC_MESSAGES/messages.po").open("rb") as fh:
        english = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in read_po(fh, locale="en") if m.id}
    untranslated = sorted(w for w in wanted if w not in english or not english[w].string or english[w].fuzzy)
    assert untranslated == []
