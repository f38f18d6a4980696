"""Recurring bookings: book a series (or preview it with dry_run), read it, cancel it from a date."""
from flask import jsonify
from flask_babel import lazy_gettext as _l

from models import Organization, db
from models.errors import NotFound, ValidationError
from models.instrument import Instrument
from models.series import BookingSeries
from models.timeutil import iso_local

from .. import clock
from ..booking import series as series_services
from ..booking.series import read_repeat
from ..formtools import read_instant
from ..policy import get_in_scope, parse_id
from .base import actor, bp, created, json_body, reason_of
from .bookings import booking_json, money
from .declare import Body, Choice, Day, Flag, Ident, Instant, Integer, Object, Ref, Text, operation


def _text(body, name, limit, fields, message):
    value = body.get(name)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        fields[name] = message
        return ""
    return value


def _organization(body, fields):
    """Staff booking on behalf name the enterprise; anyone else sends none."""
    if body.get("organization_id") is None:
        return None
    try:
        organization = db.session.get(Organization, parse_id(body["organization_id"]))
    except NotFound:
        organization = None
    if organization is None or organization.kind != "enterprise" or isinstance(body["organization_id"], bool):
        fields["organization_id"] = _l("找不到该企业。")
    return organization


def _series_request(body):
    fields = {}
    start, end = read_instant(body, "start", fields), read_instant(body, "end", fields)
    purpose = _text(body, "purpose", 500, fields, _l("用途说明最多 500 字。"))
    mode = body.get("service_mode")
    if mode is not None and not isinstance(mode, str):
        fields["service_mode"] = _l("使用方式应为文本。")
    dry_run = body.get("dry_run", False)
    if not isinstance(dry_run, bool):
        fields["dry_run"] = _l("应为 true 或 false。")
    organization, repeat = _organization(body, fields), None
    try:
        repeat = read_repeat(body.get("repeat"))
    except ValidationError as error:
        fields.update(error.fields)
    if not isinstance(body.get("repeat"), dict):
        fields = {"repeat": _l("请填写重复规则：freq、interval，以及 count 或 until。"), **fields}
    if fields:
        raise ValidationError(fields=fields)
    return start, end, purpose, mode, dry_run, organization, repeat


def planned_json(planned):
    return {"start": iso_local(planned.start), "end": iso_local(planned.end), "status": planned.status,
            "price": money(planned.price_amount)}


def skipped_json(skipped):
    return {"start": iso_local(skipped.start), "end": iso_local(skipped.end), "code": skipped.code,
            "message": skipped.message}


def series_json(series, viewer):
    return {"id": series.id, "instrument_id": series.instrument_id, "instrument_name": series.instrument.name,
            "organization": {"id": series.organization_id, "name": series.organization.name},
            "repeat": {"freq": series.freq, "interval": series.every, "count": series.count,
                       "until": series.until.isoformat() if series.until else None},
            "start": iso_local(series.start_at), "end": iso_local(series.end_at),
            "bookings": [booking_json(b, viewer) for b in series.bookings]}


@bp.post("/bookings/series")
@operation("周期预约 · book a recurring series", body=Body(instrument_id=Ref(), start=Instant(), end=Instant(), purpose=Text(500), service_mode=Choice(("self_operated", "assisted"), required=False), organization_id=Ident(required=False), dry_run=Flag(), repeat=Object(required=True, properties={"freq": Choice(("daily", "weekly")), "interval": Integer(1, 4, required=False), "count": Integer(2, 52, required=False), "until": Day(required=False)})), status=201)
def create_series():
    who, body = actor(), json_body()
    instrument = get_in_scope(Instrument, body.get("instrument_id"), who)
    start, end, purpose, mode, dry_run, organization, repeat = _series_request(body)
    outcome = series_services.book_series(who, instrument, start, end, repeat, clock.now(), purpose=purpose,
                                          service_mode=mode, organization=organization, dry_run=dry_run)
    answer = {"series_id": outcome.series.id if outcome.series else None,
              "created": [booking_json(p.booking, who) if p.booking else planned_json(p) for p in outcome.created],
              "skipped": [skipped_json(s) for s in outcome.skipped]}
    if dry_run:
        return jsonify(answer)
    db.session.commit()
    return created(answer)


@bp.get("/series/<series_id>")
@operation("周期预约详情 · a series")
def get_series(series_id):
    who = actor()
    return jsonify(series_json(get_in_scope(BookingSeries, series_id, who), who))


@bp.post("/series/<series_id>/cancel")
@operation("取消周期预约 · cancel a series from a date", body=Body(reason=Text(500), **{"from": Day(required=False)}))
def cancel_series(series_id):
    who = actor()
    series = get_in_scope(BookingSeries, series_id, who)
    body = json_body()
    since = None
    if body.get("from") is not None:
        since = series_services.read_date(body["from"])
        if since is None:
            raise ValidationError(fields={"from": _l("日期格式应为 YYYY-MM-DD。")})
    cancelled = series_services.cancel_series(who, series, reason_of(body), clock.now(), since=since)
    answer = dict(series_json(series, who), cancelled_booking_ids=[b.id for b in cancelled])
    db.session.commit()
    return jsonify(answer)
