"""National exchange (NRII): instrument and service records, the completeness check, the import."""
import io

import sqlalchemy as sa
from flask import current_app, g, jsonify, request, send_file
from flask_babel import lazy_gettext as _l

from models import ImportBatch, db
from models.errors import NotFound, PayloadTooLarge, ValidationError
from models.timeutil import local_today

from .. import clock
from ..catalog import spreadsheet
from ..exchange import importing, nrii
from ..exchange import services as exchange
from ..exchange.workbook import national_workbook
from ..policy import parse_id, require_publisher
from ..stats.scope import parse_year
from .base import actor, bp
from .declare import FILE, XLSX, Query, QueryDay, QueryInt, operation


def _institution():
    raw = request.args.get("institution_id")
    return exchange.institution_for(actor(), parse_id(raw) if raw else None)


def _base_url():
    return current_app.config.get("PUBLIC_BASE_URL") or request.host_url.rstrip("/")


def _xlsx(data, name):
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


def _instrument_rows():
    institution = _institution()
    today = local_today(clock.now())
    year = parse_year(request.args.get("year") or str(today.year - 1), today)  # the last full year by default
    rows, _context = exchange.instrument_records(institution, year, _base_url())
    return institution, year, rows


@bp.get("/exchange/nrii/instruments.json")
@operation("国家平台仪器记录 · NRII instrument records (JSON)", query=Query(institution_id=QueryInt(), year=QueryInt(2000, 2099)))
def nrii_instruments_json():
    institution, year, rows = _instrument_rows()
    return jsonify(institution_id=institution.id, year=year,
                   items=[nrii.record(nrii.INSTRUMENT_FIELDS, i, c) for i, c in rows])


@bp.get("/exchange/nrii/instruments.xlsx")
@operation("国家平台仪器记录 Excel · NRII instrument records (.xlsx)", query=Query(institution_id=QueryInt(), year=QueryInt(2000, 2099)), returns=XLSX)
def nrii_instruments_xlsx():
    institution, year, rows = _instrument_rows()
    return _xlsx(national_workbook("instruments", nrii.INSTRUMENT_FIELDS, rows), f"nrii-instruments-{year}.xlsx")


def _service_rows():
    institution = _institution()
    first, last = exchange.parse_period(request.args.get("from"), request.args.get("to"), local_today(clock.now()))
    return institution, first, last, [(s, None) for s in exchange.service_records(institution, first, last)]


@bp.get("/exchange/nrii/service-records.json")
@operation("国家平台服务记录 · NRII service records (JSON)", query=Query(institution_id=QueryInt(), **{"from": QueryDay(), "to": QueryDay()}))
def nrii_services_json():
    institution, first, last, rows = _service_rows()
    return jsonify(institution_id=institution.id, **{"from": first.isoformat(), "to": last.isoformat()},
                   items=[nrii.record(nrii.SERVICE_FIELDS, s, c) for s, c in rows])


@bp.get("/exchange/nrii/service-records.xlsx")
@operation("国家平台服务记录 Excel · NRII service records (.xlsx)", query=Query(institution_id=QueryInt(), **{"from": QueryDay(), "to": QueryDay()}), returns=XLSX)
def nrii_services_xlsx():
    _institution_, first, last, rows = _service_rows()
    return _xlsx(national_workbook("service-records", nrii.SERVICE_FIELDS, rows),
                 f"nrii-service-records-{first.isoformat()}-{last.isoformat()}.xlsx")


@bp.get("/exchange/nrii/check")
@operation("国家平台完整性检查 · what each instrument still lacks", query=Query(institution_id=QueryInt()))
def nrii_check():
    found = exchange.check(_institution(), _base_url())
    return jsonify(instruments=[{"id": i.id, "name": i.name, "internal_code": i.internal_code, "missing": missing}
                                for i, missing in found])


def batch_json(batch):
    unchanged = len(batch.rows) - batch.create_count - batch.update_count
    return {"batch": batch.id, "status": batch.status, "rows": len(batch.rows), "create": batch.create_count,
            "update": batch.update_count, "unchanged": unchanged, "errors": batch.errors,
            "changes": [{"row": r["row"], "internal_code": r["payload"].get("internal_code"), "action": r.get("action"),
                         "changes": [{"field": f, "old": old, "new": new} for f, old, new in r.get("changes", [])]}
                        for r in batch.rows if r.get("action") != "unchanged"]}


@bp.post("/exchange/nrii/instruments/import")
@operation("导入国家平台仪器文件 · import an NRII instrument file (preview)", status=201, multipart={"file": FILE})
def nrii_import():
    limit = current_app.config["IMPORT_MAX_BYTES"]
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError(fields={"file": _l("请选择要上传的 .xlsx 文件。")})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge()
    batch = importing.stage(actor(), upload.filename, data, clock.now(), _base_url())
    db.session.commit()
    return jsonify(batch_json(batch)), 201


@bp.post("/exchange/nrii/instruments/import/<batch_id>/confirm")
@operation("确认导入 · confirm an NRII import")
def nrii_import_confirm(batch_id):
    require_publisher(actor())
    batch = db.session.scalar(sa.select(ImportBatch).where(
        ImportBatch.id == parse_id(batch_id), ImportBatch.institution_id == g.actor.organization_id))
    if batch is None:
        raise NotFound()
    created_n, updated_n = spreadsheet.commit_batch(g.actor, batch, clock.now())
    db.session.commit()
    return jsonify(batch=batch.id, created=created_n, updated=updated_n)
