"""Instrument lists in Excel read back: the two-step import (the template and the export: workbook.py).

Import reads the whole file (.xlsx, or .csv in UTF-8 or GBK), validates every row with the
same form and domain rules as the web and the API, and reports every problem by row and
column. Nothing is written until a clean preview is confirmed; rows whose 内部编码 matches an
existing instrument update it, the others are created, all in one transaction.
"""
import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from models import audit, db
from models.errors import ValidationError
from models.importing import ImportBatch
from models.instrument import NRII_WORDS, Category, Instrument

from ..formtools import field_errors, formdata_from_json
from ..i18n import join_list
from ..policy import require_publisher
from .forms import InstrumentForm
from .services import FIELDS, _apply, category_codes, domain_errors, editable_payload, merged, planned_changes

MAX_ROWS = 5000
MAX_BLANK_RUN = 1000
MAX_ROWS_READ = MAX_ROWS + 2 * MAX_BLANK_RUN  # blank rows included
MAX_COLUMNS = 64
MAX_UNPACKED_BYTES = 25 * 1024 * 1024  # the largest honest file (5000 rows of every column) is well below
# (header, payload path, how to read the cell, width)
COLUMNS = [
    ("仪器名称", ("name",), "text", 24), ("英文名称", ("name_en",), "text", 24),
    ("内部编码", ("internal_code",), "text", 14), ("规格型号", ("model",), "text", 16),
    ("生产制造商", ("manufacturer",), "text", 18), ("产地国别", ("country_of_origin",), "text", 10),
    ("原值（万元）", ("original_value_wan",), "number", 12), ("启用日期", ("commissioned_on",), "date", 12),
    ("分类编码", ("category_code",), "category", 10), ("安放地址", ("location",), "text", 24),
    ("主要技术指标", ("specs",), "text", 36), ("主要功能", ("functions",), "text", 30),
    ("服务内容", ("service_content",), "text", 24), ("对外开放共享规定", ("sharing_rules",), "text", 30),
    ("测量范围", ("metrology", "measurement_range"), "text", 18),
    ("准确度等级/不确定度", ("metrology", "accuracy"), "text", 18),
    ("溯源方式", ("metrology", "traceability"), "traceability", 10),
    ("证书编号", ("metrology", "certificate_no"), "text", 16),
    ("检定/校准日期", ("metrology", "certified_on"), "date", 14),
    ("有效期至", ("metrology", "valid_until"), "date", 12),
    ("检定/校准机构", ("metrology", "certifying_body"), "text", 20),
    ("收费标准（元/小时）", ("hourly_rate",), "number", 12),
    ("中小企业优惠（%）", ("sme_discount_percent",), "number", 12),
    ("服务方式", ("service_modes",), "modes", 20),
    ("联系人", ("contact", "name"), "text", 10), ("联系电话", ("contact", "phone"), "text", 14),
    ("联系邮箱", ("contact", "email"), "text", 20), ("状态", ("status",), "status", 8),
]
# Operator qualification (上机资格) -----------------------------------------------------------
COLUMNS += [
    ("自主上机须取得资格", ("rules", "requires_qualification"), "yesno", 12),
    ("资格失效天数", ("rules", "qualification_lapse_days"), "integer", 12),
]
# The national record (NRII) ------------------------------------------------------------------
COLUMNS += [
    ("归属类型", ("nrii", "ownership_type"), "nrii", 14), ("仪器来源", ("nrii", "acquisition"), "nrii", 10),
    ("海关监管", ("nrii", "customs_supervised"), "yesno", 10), ("通用/专用", ("nrii", "usage_type"), "nrii", 10),
    ("学科领域", ("nrii", "subject_area"), "text", 16), ("主要成果", ("nrii", "achievements"), "text", 30),
    ("资金来源", ("nrii", "funding_source"), "nrii", 10), ("共享模式", ("nrii", "share_mode"), "nrii", 10),
    ("服务网址", ("nrii", "service_url"), "text", 24), ("邮编", ("nrii", "postcode"), "text", 8),
]
YES_NO = {"是": True, "否": False}
# ------------------------------------------------------------------------------------------
HEADERS = [c[0] for c in COLUMNS]
SHEETS = {"instructions": "填写说明", "codes": "分类编码"}  # the template's reference sheets
REQUIRED = {"仪器名称", "内部编码", "分类编码"}
HEADER_OF_PATH = {".".join(path): header for header, path, *_ in COLUMNS}
HEADER_OF_ATTR = {attr: HEADER_OF_PATH[".".join(path)] for path, attr in FIELDS if ".".join(path) in HEADER_OF_PATH}
HEADER_OF_ATTR["service_modes"] = "服务方式"
TRACEABILITY_WORDS = {"检定": "verification", "校准": "calibration", "自校": "self_calibration"}
MODE_WORDS = {"占用共享": "self_operated", "技术共享": "assisted", "代检代测": "test_by_proxy",
              "实验外包": "outsourced_testing"}
STATUS_WORDS = {"在用": "active", "维修中": "maintenance", "维修": "maintenance", "已停用": "retired",
                "停用": "retired"}
WORD_OF = {**{v: k for k, v in TRACEABILITY_WORDS.items()}, **{v: k for k, v in MODE_WORDS.items()},
           "active": "在用", "maintenance": "维修中", "retired": "已停用"}
NRII_CODES = {name: {word: code for code, word in words.items()} for name, words in NRII_WORDS.items()}


class FileProblem(ValidationError):
    """A problem with the file as a whole (not one row)."""


# Reading ----------------------------------------------------------------------------------

def read_table(filename, data):
    """The file's header and rows as lists of cell values; FileProblem if it is unreadable."""
    if not data:
        raise FileProblem(_l("文件是空的，请下载模板填写后再上传。"))
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if b"\x00" in data[:4096]:
        raise FileProblem(_l("无法识别该文件，请上传 .xlsx 或 .csv（UTF-8 或 GBK 编码）文件。"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileProblem(_l("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV，或使用 .xlsx。"))
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0] if rows else [], rows[1:]


def _read_xlsx(data):
    """The first sheet's rows, read within bounds: a small file must not unpack into gigabytes
    (a zip bomb) or claim a million rows by one far-away cell."""
    from openpyxl import load_workbook

    _check_unpacked_size(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = _bounded_rows(book.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS))
        book.close()
    except FileProblem:
        raise
    except Exception:  # openpyxl (and defusedxml) raise many kinds of errors for damaged or hostile files
        raise FileProblem(_l("无法读取该 Excel 文件，请确认它是 .xlsx 格式且未损坏。")) from None
    return (rows[0] if rows else []), rows[1:]


def _check_unpacked_size(data):
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError):
        raise FileProblem(_l("无法读取该 Excel 文件，请确认它是 .xlsx 格式且未损坏。")) from None
    if len(entries) > 1000 or sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise FileProblem(_l("该 Excel 文件解压后过大，请删除多余的工作表、图片或格式后再上传。"))


def _bounded_rows(rows):
    """Rows until a long run of blank ones (formatting to the sheet's end, not data); refuse too many."""
    kept, blank_run, filled = [], 0, 0
    for row in rows:
        blank_run = 0 if any(cell_text(cell) for cell in row) else blank_run + 1
        if blank_run > MAX_BLANK_RUN:
            break
        filled += not blank_run
        kept.append(list(row))
        if filled > MAX_ROWS + 1 or len(kept) > MAX_ROWS_READ:  # + 1: the header
            raise FileProblem(_l("一次最多导入 %(n)d 行，请分批上传。", n=MAX_ROWS))
    return kept


def _header_map(header):
    names = [re.sub(r"[\s*＊]", "", str(h or "")) for h in header]
    missing = [h for h in HEADERS if h in REQUIRED and h not in names]
    unknown = [h for h in names if h and h not in HEADERS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(str(_l("缺少必需的列：%(cols)s", cols=join_list(missing))))
        if unknown:
            parts.append(str(_l("不认识的列：%(cols)s", cols=join_list(unknown))))
        raise FileProblem(_l("表头与模板不一致。%(detail)s。请使用下载的模板。", detail="；".join(parts)))
    return {name: index for index, name in enumerate(names) if name}


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(str(value)).normalize(), "f")
    return str(value).strip()


def _read_cell(kind, text):
    if kind == "date":
        return text.replace("/", "-").replace(".", "-") if re.match(r"^\d{4}[/.-]\d{1,2}[/.-]\d{1,2}$", text) else text
    if kind == "traceability":
        return TRACEABILITY_WORDS.get(text, text)
    if kind == "status":
        return STATUS_WORDS.get(text, text) if text else "active"
    if kind == "modes":
        return [MODE_WORDS.get(word, word) for word in re.split(r"[、,，;；/\s]+", text) if word]
    if kind == "yesno":
        return YES_NO.get(text, text) if text else None  # blank: keep the current value
    return text


def _category_code(text, names):
    """A category given by its code or by its name (“光谱仪器”, or “010100 光谱仪器” as the dropdown shows)."""
    code = text.split()[0] if text and text.split()[0].isdigit() else text
    return names.get(code, code)


def _row_payload(cells, columns, category_names=None):
    payload = {}
    for header, path, kind, _width in COLUMNS:
        if header not in columns:
            continue
        index = columns[header]
        text = cell_text(cells[index] if index < len(cells) else None)
        if kind == "category":
            value = _category_code(text, category_names or {})
        elif kind == "nrii":
            value = NRII_CODES[path[-1]].get(text, text)
        else:
            value = _read_cell(kind, text)
        if value is None:
            continue
        target = payload
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value
    return payload


# Validating -------------------------------------------------------------------------------

@dataclass
class Layout:
    """How a file's rows become instrument payloads: the catalog's own columns, or another layout (the national
    record, app/exchange/importing.py). `payload(cells, columns, category_names)` gives one row's changes;
    `column_of` names the column of a payload path in the file's words; `check(cells, columns)` adds the row's
    own problems ({path: message})."""

    header_map: Callable
    payload: Callable
    column_of: dict
    check: Callable = lambda cells, columns: {}


CATALOG = Layout(header_map=_header_map, payload=_row_payload, column_of=HEADER_OF_PATH)


def validate_file(institution_id, filename, data, layout=CATALOG):
    """Every row checked; returns (rows, errors) where errors are {row, column, message}."""
    header, raw_rows = read_table(filename, data)
    columns = layout.header_map(header)
    raw_rows = [(n, r) for n, r in enumerate(raw_rows, start=2) if any(cell_text(c) for c in r)]
    if not raw_rows:
        raise FileProblem(_l("文件中没有数据行。"))
    if len(raw_rows) > MAX_ROWS:
        raise FileProblem(_l("一次最多导入 %(n)d 行，请分批上传。", n=MAX_ROWS))
    existing = {i.internal_code: i for i in db.session.scalars(sa.select(Instrument).where(
        Instrument.institution_id == institution_id, Instrument.internal_code.is_not(None)))}
    known, names = category_codes(), category_names()
    seen, rows, errors = {}, [], []
    for row_no, cells in raw_rows:
        changes = layout.payload(cells, columns, names)
        code = changes.get("internal_code") or ""
        target = existing.get(code)
        payload = merged(editable_payload(target), changes)
        row_errors, form = _row_errors(payload, institution_id, target, known, existing)
        for path, message in layout.check(cells, columns).items():
            row_errors.setdefault(path, str(message))
        if not code:
            row_errors.setdefault("internal_code", str(_l("请填写内部编码（用于再次导入时更新该仪器）。")))
        elif code in seen:
            row_errors.setdefault("internal_code", str(_l("与第 %(row)d 行的内部编码重复。", row=seen[code])))
        seen.setdefault(code, row_no)
        for path, message in row_errors.items():
            errors.append({"row": row_no, "column": layout.column_of.get(path, ""), "message": message})
        action, planned = _plan(target, form.data) if not row_errors else ("create" if target is None else "update", [])
        rows.append({"row": row_no, "payload": payload, "instrument_id": target.id if target else None,
                     "action": action, "changes": planned})
    return rows, errors


def category_names():
    """{name: code} of every category, to read a category given by name."""
    return {name: code for code, name in db.session.execute(sa.select(Category.code, Category.name))}


def _plan(target, data):
    """What confirming this row will do: ("create" | "update" | "unchanged", [[column, old, new], ...])."""
    if target is None:
        return "create", []
    planned = [[HEADER_OF_ATTR.get(attr, attr), shown(attr, old), shown(attr, new)]
               for attr, old, new in planned_changes(target, data)]
    return ("update" if planned else "unchanged"), planned


def shown(attr, value):
    """A value as the spreadsheet writes it, for the preview's “old → new”."""
    if attr == "service_modes":
        return "、".join(WORD_OF.get(m, m) for m in value or [])
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    if attr in NRII_WORDS:
        return NRII_WORDS[attr].get(value, value)
    return WORD_OF.get(value, value) if attr in ("traceability", "status") else ("" if value is None else str(value))


def _row_errors(payload, institution_id, target, known, existing):
    """Every problem of one row: the form's checks and the catalog's."""
    form = InstrumentForm(formdata=MultiDict(formdata_from_json(payload)), meta={"csrf": False})
    errors = {} if form.validate() else {k: str(v) for k, v in field_errors(form).items()}
    taken = {code: instrument.id for code, instrument in existing.items()}
    domain = domain_errors(form.data, institution_id, target.id if target else None, known, taken)
    for key, message in domain.items():
        errors.setdefault(key, str(message))
    return errors, form


def stage(actor, filename, data, now, layout=CATALOG):
    """Validate a file and keep the result for preview. Nothing is written to the catalog."""
    require_publisher(actor)
    rows, errors = validate_file(actor.organization_id, filename, data, layout)
    batch = ImportBatch(
        institution_id=actor.organization_id, created_by_id=actor.id, created_at=now,
        filename=(filename or "")[:200], status="invalid" if errors else "validated", rows=rows,
        errors=errors[:2000], error_count=len(errors),
        create_count=sum(1 for r in rows if r["action"] == "create"),
        update_count=sum(1 for r in rows if r["action"] == "update"),
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def commit_batch(actor, batch, now):
    """Write a clean batch: one transaction, every instrument audited."""
    require_publisher(actor, batch.institution_id)
    if batch.status != "validated":
        raise ValidationError(_l("该导入批次不能再次导入（已导入或存在错误）。"))
    # Re-check against the catalog as it is now: someone may have edited it since the preview.
    rows, errors = _revalidate(batch)
    if errors:
        raise ValidationError(_l("自预览以来目录已有变化，请重新上传文件。"))
    targets = {i.id: i for i in db.session.scalars(sa.select(Instrument).where(
        Instrument.id.in_([r["instrument_id"] for r in rows if r["instrument_id"]])))}
    created, updated = [], []
    for row in rows:
        if row.get("action") == "unchanged":
            continue
        form = InstrumentForm(formdata=MultiDict(formdata_from_json(row["payload"])), meta={"csrf": False})
        form.validate()
        if row["instrument_id"]:
            instrument = targets[row["instrument_id"]]
            if _apply(instrument, form.data):
                instrument.updated_at = now
                updated.append(instrument)
        else:
            instrument = Instrument(institution_id=batch.institution_id, created_at=now, updated_at=now)
            _apply(instrument, form.data)
            db.session.add(instrument)
            created.append(instrument)
    db.session.flush()
    for instrument in created:
        audit.record(instrument, "created", actor=actor, at=now, to_state=instrument.status,
                     details={"import_batch": batch.id})
    for instrument in updated:
        audit.record(instrument, "updated", actor=actor, at=now, details={"import_batch": batch.id})
    batch.status, batch.imported_at = "imported", now
    batch.create_count, batch.update_count = len(created), len(updated)
    return len(created), len(updated)


def _revalidate(batch):
    existing = {i.internal_code: i for i in db.session.scalars(sa.select(Instrument).where(
        Instrument.institution_id == batch.institution_id, Instrument.internal_code.is_not(None)))}
    known = category_codes()
    errors = []
    for row in batch.rows:
        code = row["payload"].get("internal_code")
        target = existing.get(code)
        if (target.id if target else None) != row["instrument_id"]:
            errors.append(row["row"])
            continue
        problems, form = _row_errors(row["payload"], batch.institution_id, target, known, existing)
        if problems or (row.get("action") and _plan(target, form.data) != (row["action"], row["changes"])):
            errors.append(row["row"])  # invalid now, or it would no longer do what the preview said
    return batch.rows, errors
