"""Bookings and availability."""
from datetime import timedelta

from flask import g, jsonify, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import defaultload, lazyload, load_only

from models import Organization, User, db
from models.base import commit_keeping_loaded
from models.booking import ACTIONS, STATES, Booking
from models.errors import NotFound, ValidationError
from models.instrument import Instrument
from models.timeutil import at_local, iso_local, local_today

from .. import clock
from ..availability.services import free_and_busy
from ..booking import services as bookings
from ..formtools import read_day, read_instants
from ..policy import get_in_scope, parse_id, scoped
from ..sqlite import reads_first
from . import responses
from .base import actor, bp, created, declared_body, hyphenated, json_body, listing, reason_of, unhyphenated
from .declare import Body, Choice, Ident, Instant, Query, QueryDay, QueryInt, Ref, Text, operation

MAX_WINDOW_DAYS = 62
# The calendar needs a few of the instrument's own columns (availability.timeline's rules, the opening hours'
# owner): not the record's other ~45, nor a join to its institution and category.
CALENDAR_ONLY = (lazyload(Instrument.institution), lazyload(Instrument.category), load_only(
    Instrument.id, Instrument.institution_id, Instrument.status, Instrument.offers_self_operated,
    Instrument.offers_assisted, Instrument.calibration_valid_until, Instrument.slot_minutes, Instrument.min_minutes,
    Instrument.max_minutes, Instrument.lead_minutes, Instrument.max_advance_days, Instrument.buffer_minutes,
    Instrument.custom_hours, Instrument.open_on_holidays))


# A booking needs the instrument's rules and its institution (the answer, who is told), not its category nor the
# institution's district: two joins and two objects fewer on every booking.
BOOKING_NEEDS = (lazyload(Instrument.category), defaultload(Instrument.institution).lazyload(Organization.district))


def money(amount):
    return None if amount is None else {"amount": f"{amount:.2f}", "currency": "CNY"}


def booking_json(booking, viewer=None):
    now = clock.now()
    return {
        "id": booking.id, "instrument_id": booking.instrument_id, "instrument_name": booking.instrument.name,
        "institution": {"id": booking.instrument.institution_id, "name": booking.instrument.institution.name},
        "organization": {"id": booking.organization_id, "name": booking.organization.name},
        "start": iso_local(booking.start_at), "end": iso_local(booking.end_at), "status": booking.status,
        "purpose": booking.purpose, "service_mode": booking.service_mode, "price": money(booking.price_amount),
        "charge": money(booking.charge_amount), "actual_start": iso_local(booking.actual_start),
        "actual_end": iso_local(booking.actual_end), "late_cancellation": booking.late_cancellation,
        "staff_booked": booking.staff_booked, "status_reason": booking.status_reason, "series_id": booking.series_id,
        "created_at": iso_local(booking.created_at),
        "actions": [a for a in ACTIONS if booking.can(a, viewer, now)],
    }


def _date_arg(name, fields, default=None):
    return read_day(request.args, name, fields, default)


@bp.get("/instruments/<instrument_id>/availability")
@operation("可预约时间 · free and busy time (at most 62 days)", query=Query(**{"from": QueryDay(), "to": QueryDay()}), public=True, response=responses.AVAILABILITY)
def availability(instrument_id):
    instrument = get_in_scope(Instrument, instrument_id, g.actor, options=CALENDAR_ONLY)
    now = clock.now()
    fields = {}
    first = _date_arg("from", fields, local_today(now))
    last = _date_arg("to", fields, first + timedelta(days=6) if first else None)
    if not fields and last < first:
        fields["to"] = _l("结束日期不能早于开始日期。")
    if not fields and (last - first).days + 1 > MAX_WINDOW_DAYS:
        fields["to"] = _l("一次最多查询 %(n)s 天。", n=MAX_WINDOW_DAYS)
    if fields:
        raise ValidationError(fields=fields)
    staff = g.actor is not None and g.actor.is_staff_of(instrument.institution_id)
    free, busy = free_and_busy(instrument, at_local(first), at_local(last + timedelta(days=1)), now, staff=staff)
    return jsonify(instrument_id=instrument.id, **{"from": first.isoformat(), "to": last.isoformat()},
                   free=[{"start": iso_local(s.start), "end": iso_local(s.end)} for s in free],
                   busy=[{"start": iso_local(s.start), "end": iso_local(s.end), "kind": s.label} for s in busy])


@bp.post("/bookings")
@operation("预约机时 · book instrument time", body=Body(instrument_id=Ref(), start=Instant(), end=Instant(), purpose=Text(500), service_mode=Choice(("self_operated", "assisted"), required=False), organization_id=Ident(required=False), operator_user_id=Ident(required=False)), status=201, response=responses.BOOKING)
@reads_first
def create_booking():
    who = actor()
    body = declared_body()  # typed first: 1.5 is not instrument 1
    instrument = get_in_scope(Instrument, body["instrument_id"], who, options=BOOKING_NEEDS)  # unknown (or "abc"): 404
    fields = {}
    organization = None
    if body["organization_id"] is not None:
        organization = db.session.get(Organization, body["organization_id"])
        if organization is None or organization.kind != "enterprise":
            fields["organization_id"] = _l("找不到该企业。")
    operator = _operator(body, fields)
    if fields:
        raise ValidationError(fields=fields)
    booking = bookings.book(who, instrument, body["start"], body["end"], clock.now(), purpose=body["purpose"],
                            service_mode=body["service_mode"], organization=organization, operator=operator)
    commit_keeping_loaded()  # the answer is built after the commit, from what we just wrote: no reload
    return created(booking_json(booking, who))


def _operator(body, fields):
    """`operator_user_id`: who operates the instrument when staff book on behalf (上机资格)."""
    value = body["operator_user_id"]  # an id, or None (declared)
    if value is None:
        return None
    operator = db.session.get(User, value)
    if operator is None:
        fields["operator_user_id"] = _l("找不到该用户。")
    return operator


@bp.get("/bookings")
@operation("预约列表 · bookings in the actor's scope", query=Query(status=Text(20), instrument_id=QueryInt(), **{"from": QueryDay(), "to": QueryDay()}), paged=True)
def list_bookings():
    who, fields = actor(), {}
    stmt = scoped(Booking, who)
    status = request.args.get("status")
    if status:
        if status not in STATES:
            fields["status"] = _l("状态应为 %(states)s 之一。", states=", ".join(STATES))
        stmt = stmt.where(Booking.status == status)
    if request.args.get("instrument_id"):
        try:
            stmt = stmt.where(Booking.instrument_id == parse_id(request.args["instrument_id"]))
        except NotFound:
            fields["instrument_id"] = _l("应为仪器编号（正整数）。")
    first, last = _date_arg("from", fields), _date_arg("to", fields)
    if fields:
        raise ValidationError(fields=fields)
    if first:
        stmt = stmt.where(Booking.end_at > at_local(first))
    if last:
        stmt = stmt.where(Booking.start_at < at_local(last + timedelta(days=1)))
    return listing(stmt.order_by(Booking.start_at.desc(), Booking.id.desc()), lambda b: booking_json(b, who))


@bp.get("/bookings/<booking_id>")
@operation("预约详情 · a booking", response=responses.BOOKING)
def get_booking(booking_id):
    who = actor()
    return jsonify(booking_json(get_in_scope(Booking, booking_id, who), who))


@bp.post(f"/bookings/<booking_id>/<any({hyphenated(ACTIONS)}):action>")
@operation("预约状态变更 · approve, reject, cancel, check in/out, no-show", body=Body(reason=Text(500), at=Instant(required=False)), response=responses.BOOKING)
def booking_action(booking_id, action):
    who = actor()
    booking = get_in_scope(Booking, booking_id, who)
    body = json_body()
    bookings.perform(who, booking, unhyphenated(action), clock.now(), reason=reason_of(body),
                     at=read_instants(body, "at", optional=True)[0])
    db.session.commit()
    return jsonify(booking_json(booking, who))
