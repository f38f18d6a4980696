"""National exchange (NRII): instrument and service records, the completeness check, the import."""
import io

from flask import current_app, jsonify, request, send_file

from models.timeutil import local_today

from .. import clock
from ..exchange import nrii
from ..exchange import services as exchange
from ..exchange.workbook import national_workbook
from ..policy import parse_id
from ..stats.scope import parse_year
from .base import actor, bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
def nrii_instruments_json():
    institution, year, rows = _instrument_rows()
    return jsonify(institution_id=institution.id, year=year,
                   items=[nrii.record(nrii.INSTRUMENT_FIELDS, i, c) for i, c in rows])


@bp.get("/exchange/nrii/instruments.xlsx")
def nrii_instruments_xlsx():
    institution, year, rows = _instrument_rows()
    return _xlsx(national_workbook("instruments", nrii.INSTRUMENT_FIELDS, rows), f"nrii-instruments-{year}.xlsx")


def _service_rows():
    institution = _institution()
    first, last = exchange.parse_period(request.args.get("from"), request.args.get("to"), local_today(clock.now()))
    return institution, first, last, [(s, None) for s in exchange.service_records(institution, first, last)]


@bp.get("/exchange/nrii/service-records.json")
def nrii_services_json():
    institution, first, last, rows = _service_rows()
    return jsonify(institution_id=institution.id, **{"from": first.isoformat(), "to": last.isoformat()},
                   items=[nrii.record(nrii.SERVICE_FIELDS, s, c) for s, c in rows])


@bp.get("/exchange/nrii/service-records.xlsx")
def nrii_services_xlsx():
    _institution_, first, last, rows = _service_rows()
    return _xlsx(national_workbook("service-records", nrii.SERVICE_FIELDS, rows),
                 f"nrii-service-records-{first.isoformat()}-{last.isoformat()}.xlsx")


@bp.get("/exchange/nrii/check")
def nrii_check():
    found = exchange.check(_institution(), _base_url())
    return jsonify(instruments=[{"id": i.id, "name": i.name, "internal_code": i.internal_code, "missing": missing}
                                for i, missing in found])
