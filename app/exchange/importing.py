"""An instrument file in the national layout, imported through the catalog's two-step preview.

The header is the national field names (or their titles); each field of the mapping table whose `ours` is
a field of the instrument record is read back into it, enumerations by their national words. Figures the
platform computes (runMachine, serviceMachine) and the address's province/city/county are not read; a row
whose insCode names another institution is refused. Nothing is written before the preview is confirmed
(catalog.spreadsheet.commit_batch).
"""
import re

from flask_babel import lazy_gettext as _l

from ..catalog import spreadsheet
from ..catalog.services import FIELDS
from ..i18n import join_list
from ..policy import require_publisher
from . import nrii

PAYLOAD_PATHS = {".".join(path) for path, _attr in FIELDS}
IMPORTED = {f.national: f for f in nrii.INSTRUMENT_FIELDS if f.ours in PAYLOAD_PATHS or f.national == "address.street"}
EXTRA_STATUS = {"偶有故障": "active", "经常故障": "maintenance"}
COLUMN_OF = {("location" if f.national == "address.street" else f.ours): f.national for f in IMPORTED.values()}
COLUMN_OF["institution"] = "insCode"


def _target(field):
    return ("location",) if field.national == "address.street" else tuple(field.ours.split("."))


def _header_map(header):
    by_title = {f.title: f.national for f in nrii.INSTRUMENT_FIELDS}
    names = [by_title.get(str(h or "").strip(), str(h or "").strip()) for h in header]
    known = {f.national for f in nrii.INSTRUMENT_FIELDS}
    missing = [name for name in ("cname", "innerId", "instrCategory") if name not in names]
    unknown = [name for name in names if name and name not in known]
    if missing or unknown:
        parts = [str(_l("缺少必需的列：%(cols)s", cols=join_list(missing)))] if missing else []
        parts += [str(_l("不认识的列：%(cols)s", cols=join_list(unknown)))] if unknown else []
        raise spreadsheet.FileProblem(_l("表头不是国家平台的仪器记录格式。%(detail)s。", detail="；".join(parts)))
    return {name: index for index, name in enumerate(names) if name}


def _value(field, text, category_names, base_url):
    if field.national == "instrCategory":
        return spreadsheet._category_code(text, category_names)
    if field.national == "fee":
        number = re.match(r"\s*(\d+(?:\.\d+)?)", text)
        return number.group(1) if number else text  # "600.00 元/小时（中小企业 …）": the hourly rate
    if field.national == "serviceUrl" and base_url and text.startswith(base_url + "/instruments/"):
        return ""  # our own page, which the export writes when none was entered
    if field.national == "status":
        return {**{w: c for c, w in field.words.items()}, **EXTRA_STATUS}.get(text, text or "active")
    if field.words:
        return {w: c for c, w in field.words.items()}.get(text, text) if text else ("" if field.national != "instrSupervise" else None)
    return text


def national_layout(institution, base_url):
    def payload(cells, columns, category_names):
        changes = {}
        for name, index in columns.items():
            field = IMPORTED.get(name)
            if field is None:
                continue
            text = spreadsheet.cell_text(cells[index] if index < len(cells) else None)
            value = _value(field, text, category_names, base_url)
            if value is None:
                continue
            target = changes
            path = _target(field)
            for key in path[:-1]:
                target = target.setdefault(key, {})
            target[path[-1]] = value
        return changes

    def check(cells, columns):
        index = columns.get("insCode")
        code = spreadsheet.cell_text(cells[index] if index is not None and index < len(cells) else None)
        if code and code != institution.uscc:
            return {"institution": _l("所属单位代码 %(code)s 不是本机构的，只能导入本机构的仪器。", code=code)}
        return {}

    return spreadsheet.Layout(header_map=_header_map, payload=payload, column_of=COLUMN_OF, check=check)


def stage(actor, filename, data, now, base_url=""):
    """Validate a national-layout file and keep it for preview, exactly as the catalog import does."""
    require_publisher(actor)
    return spreadsheet.stage(actor, filename, data, now, national_layout(actor.organization, base_url))
