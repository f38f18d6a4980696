"""Booking instrument time: the checks, the write that never double-books, the transitions.

Checks run in this order, each with its own error: bookable → interval → duration →
lead time → days ahead → calibration → opening hours/open day → closures → conflicts →
per-organisation limit. The guarantee against double booking is the database's: the
exclusion constraint on PostgreSQL (its violation becomes 409), one BEGIN IMMEDIATE
transaction on SQLite. On PostgreSQL the instrument row is also locked, so the per-
organisation limit is exact under concurrency too.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from models import audit, db
from models.base import built_once
from models.booking import ACTIVE, ACTUAL_TIME_SLACK, LONGEST_BOOKING, Booking
from models.errors import (
    CalibrationExpired,
    Closed,
    Forbidden,
    InvalidTransition,
    NotBookable,
    PolicyViolation,
    SlotUnavailable,
    ValidationError,
)
from models.instrument import weekly_hours
from models.occupancy import Occupancy
from models.timeutil import local, minutes_of_day

from ..availability.services import TAKEN, grid_offset, lock_instrument, obstacle
from ..notify.services import active_members, notify, notify_organization
from ..qualifications import services as qualifications
from ..settlement.charges import record_booking
from ..waitlist.offers import offer_freed_time
from . import credit

EXCLUSION_VIOLATION = "23P01"


def _on_grid(instant, slot, offset):
    """On a slot boundary: slots start at the instrument's opening minute (grid_offset), every `slot` minutes."""
    moment = local(instant)
    return moment.second == 0 and moment.microsecond == 0 and (minutes_of_day(instant) - offset) % slot == 0


def _grid_examples(slot, offset):
    first = 9 * 60 + (offset - 9 * 60) % slot
    return ", ".join(f"{m // 60 % 24:02d}:{m % 60:02d}" for m in (first, first + slot))


STAFF_LOOKBACK = timedelta(days=366)  # staff record past use on behalf of an enterprise, within a year


def check_rules(instrument, start, end, now, staff, week=None):
    """Checks 1–5, which need no other bookings. `week`: the instrument's weekly_hours(), if read already."""
    if instrument.status != "active" or not instrument.bookable_modes:
        raise NotBookable()
    if start >= end:
        raise ValidationError(fields={"end": _l("结束时间应晚于开始时间。")})
    slot, offset = instrument.slot_minutes, grid_offset(instrument, week)
    off_grid = {name: _l("预约须按 %(n)s 分钟对齐（如 %(times)s）。", n=slot, times=_grid_examples(slot, offset))
                for name, instant in (("start", start), ("end", end)) if not _on_grid(instant, slot, offset)}
    if off_grid:
        raise ValidationError(fields=off_grid)
    minutes = (end - start) / timedelta(minutes=1)
    if minutes < instrument.min_minutes:
        raise PolicyViolation(_l("单次预约至少 %(n)s 分钟，请延长预约时段。", n=instrument.min_minutes))
    longest = min(instrument.max_minutes, LONGEST_BOOKING / timedelta(minutes=1))
    if minutes > longest:
        raise PolicyViolation(_l("单次预约最多 %(n)s 分钟，请缩短或分次预约。", n=int(longest)))
    if staff:
        if start < now - STAFF_LOOKBACK:
            raise PolicyViolation(_l("代企业登记的预约最多回溯 %(n)s 天。", n=STAFF_LOOKBACK.days))
        return
    if start < now:
        raise PolicyViolation(_l("不能预约已经过去的时间，请选择之后的时段。"))
    if start < now + timedelta(minutes=instrument.lead_minutes):
        raise PolicyViolation(_l("须至少提前 %(n)s 分钟预约，请选择更晚的时段。", n=instrument.lead_minutes))
    if start >= now + timedelta(days=instrument.max_advance_days):
        raise PolicyViolation(_l("最多只能提前 %(n)s 天预约，请选择更近的时段。", n=instrument.max_advance_days))


def check_calendar(instrument, start, end, now, staff, ignore_hold_id=None, week=None):
    """Checks 6–9, from the one availability function."""
    reason = obstacle(instrument, start, end, now, staff=staff, ignore_hold_id=ignore_hold_id, week=week)
    if reason == "not_bookable":
        raise NotBookable()
    if reason == "calibration":
        until = instrument.calibration_valid_until
        if until is None:
            raise CalibrationExpired(_l("该仪器没有有效的检定/校准证书，暂不能预约。"))
        raise CalibrationExpired(_l("该仪器的检定/校准证书于 %(date)s 到期，预约须在此之前结束。",
                                    date=until.isoformat()))
    if reason == "holiday":
        raise Closed(_l("所选日期为法定节假日，仪器不开放，请选择工作日。"))
    if reason == "outside_hours":
        raise Closed(_l("所选时段超出开放时间，请在开放时间内预约。"))
    if reason == "closure":
        raise Closed(_l("该仪器在所选时段停机（维护、校准等），请选择其他时段。"))
    if reason in TAKEN:
        raise SlotUnavailable()
    if reason == "past":  # within the lead time; check_rules reports it first for enterprises
        raise PolicyViolation(_l("须至少提前 %(n)s 分钟预约，请选择更晚的时段。", n=instrument.lead_minutes))


def future_bookings_of(organization_id, instrument_id, now):
    return db.session.scalar(_future_bookings_of(), {"organization_id": organization_id,
                                                     "instrument_id": instrument_id, "now": now})


@built_once
def _future_bookings_of():
    return sa.select(sa.func.count(Booking.id)).where(
        Booking.organization_id == sa.bindparam("organization_id"), Booking.instrument_id == sa.bindparam("instrument_id"),
        Booking.status.in_(ACTIVE), Booking.end_at > sa.bindparam("now"))


def _customer(actor, instrument, organization):
    if actor.is_staff_of(instrument.institution_id):
        if organization is None or organization.kind != "enterprise":
            raise ValidationError(fields={"organization_id": _l("请指定预约的企业。")})
        return organization, True
    if not actor.is_enterprise:
        raise Forbidden(_l("只有企业用户或仪器所属机构的人员可以预约。"))
    return actor.organization, False


def book(actor, instrument, start, end, now, *, purpose="", service_mode=None, organization=None, operator=None,
         series=None):
    """One booking, every rule checked. An occurrence of a series is announced with its series, not alone."""
    if service_mode is not None and not isinstance(service_mode, str):
        raise ValidationError(fields={"service_mode": _l("应为 self_operated 或 assisted。")})
    organization, staff = _customer(actor, instrument, organization)
    week = weekly_hours(instrument)  # read once, before the lock: opening hours are not what the lock guards
    check_rules(instrument, start, end, now, staff, week)
    mode = service_mode or (instrument.bookable_modes[0] if instrument.bookable_modes else None)
    if mode not in instrument.bookable_modes:
        raise ValidationError(fields={"service_mode": _l("该仪器提供的预约方式为：%(modes)s。",
                                                          modes=", ".join(instrument.bookable_modes))})
    operator = qualifications.require_operator(actor, instrument, mode, organization=organization, operator=operator,
                                               staff=staff, end=end, now=now)
    status = "confirmed" if staff or not _needs_approval(instrument, organization, now) else "pending"
    price = instrument.price_for(organization, int((end - start) / timedelta(minutes=1)))
    # Who hears of it (staff booking for an enterprise: its members; else the institution's staff), before the lock.
    audience = active_members(organization.id if staff else instrument.institution_id) if series is None else None
    # Up to here nothing depends on other bookings; from here on the calendar is ours alone (on SQLite the
    # write lock is taken only now, so other writers do not wait for the reads above).
    lock_instrument(instrument)
    check_calendar(instrument, start, end, now, staff, week=week)
    limit = instrument.max_future_bookings_per_org
    if not staff and future_bookings_of(organization.id, instrument.id, now) >= limit:
        raise PolicyViolation(_l("贵单位在该仪器上已有 %(n)s 个未完成的预约（上限 %(n)s 个），请完成或取消后再预约。",
                                 n=limit))
    hold = Occupancy.hold(instrument, start, end, now, "booking")
    booking = Booking(instrument=instrument, organization=organization, created_by=actor, occupancy=hold,
                      start_at=start, end_at=end, status=status, purpose=(purpose or "")[:500], service_mode=mode,
                      staff_booked=staff, price_amount=price,
                      series_id=series.id if series else None, created_at=now, updated_at=now, operator=operator)
    write_hold(hold, booking)
    audit.record(booking, "created", actor=actor, at=now, to_state=status,
                 details={"staff_booked": staff, "price": str(booking.price_amount),
                          "series_id": series.id if series else None})
    if series is None:
        _announce_new(booking, audience)
    return booking


def _needs_approval(instrument, organization, now):
    """The instrument's rule, or the enterprise's no-show record with its institution (booking/credit.py)."""
    return instrument.requires_approval or credit.on_probation(organization.id, instrument.institution_id, now)


def write_hold(*rows):
    """Write a new calendar hold, and the rows that come with it, in a savepoint of the caller's transaction.

    On PostgreSQL the exclusion constraint has the last word on overlaps: its violation undoes only
    these rows and becomes SlotUnavailable; whether the rest of the transaction stands is the caller's call.
    SQLite has no such constraint: there the caller's immediate transaction, which checked the calendar, is
    what excludes overlaps, nothing here can become SlotUnavailable, and the rows are simply flushed (a
    savepoint would cost two statements under every writer's lock and undo nothing anyone continues after).
    """
    if db.session.connection().dialect.name == "sqlite":
        db.session.add_all(rows)
        db.session.flush()
        return
    try:
        with db.session.begin_nested():
            db.session.add_all(rows)
    except IntegrityError as error:
        if getattr(error.orig, "sqlstate", None) == EXCLUSION_VIOLATION:
            raise SlotUnavailable() from None
        raise


def _payload(booking):
    start, end = local(booking.start_at), local(booking.end_at)
    return {"booking_id": booking.id, "instrument": booking.instrument.name,
            "start": start.strftime("%Y-%m-%d %H:%M"),
            "end": end.strftime("%H:%M" if end.date() == start.date() else "%Y-%m-%d %H:%M"),
            "organization": booking.organization.name}


def tell_customer(booking, kind, members=None, **extra):
    if booking.staff_booked or not booking.created_by.is_enterprise:
        notify_organization(booking.organization_id, kind, members=members, **_payload(booking), **extra)
    else:
        notify(booking.created_by, kind, **_payload(booking), **extra)


def tell_institution(booking, kind, exclude=None, members=None, **extra):
    notify_organization(booking.instrument.institution_id, kind, exclude=exclude, members=members,
                        **_payload(booking), **extra)


def _announce_new(booking, audience):
    """`audience`: the customer's members when staff booked for it, else the institution's staff."""
    if booking.staff_booked:
        tell_customer(booking, "booking_made_for_you", members=audience)
    elif booking.status == "pending":
        tell_institution(booking, "booking_requested", members=audience)
        tell_customer(booking, "booking_received")
    else:
        tell_institution(booking, "booking_created", members=audience)
        tell_customer(booking, "booking_confirmed")


# Transitions: each asks the booking's guard first (403 may never, 409 not now) -------------

def approve(actor, booking, now):
    booking.require("approve", actor, now)
    # Approving is re-checking: the calendar may have changed since the request.
    check_calendar(booking.instrument, booking.start_at, booking.end_at, now, staff=True,
                   ignore_hold_id=booking.occupancy_id)
    booking.transition("confirmed", actor=actor, now=now, action="approved")
    tell_customer(booking, "booking_approved")


def reject(actor, booking, reason, now):
    booking.require("reject", actor, now)
    booking.transition("rejected", actor=actor, now=now, reason=reason or "")
    tell_customer(booking, "booking_rejected", reason=reason or "")
    offer_freed_time(booking.instrument, now)


def cancel(actor, booking, reason, now):
    withdraw(actor, booking, reason, now)
    if booking.is_staff(actor):
        tell_customer(booking, "booking_cancelled_by_institution", reason=reason or "")
    else:
        tell_institution(booking, "booking_cancelled", reason=reason or "")
    offer_freed_time(booking.instrument, now)


def withdraw(actor, booking, reason, now):
    """Cancel without telling anyone or offering the time: for callers that cancel several bookings and
    then say so once (a series, a closure). Late only when the customer cancels after the free window."""
    booking.require("cancel", actor, now)
    late = not booking.is_staff(actor) and booking.cancellation_is_late(now)
    booking.transition("cancelled", actor=actor, now=now, reason=reason or "")
    booking.late_cancellation = late


def _actual_time(booking, at, now, field):
    moment = at or now
    if moment > now + timedelta(minutes=5):
        raise ValidationError(fields={field: _l("实际时间不能晚于现在。")})
    if not booking.start_at - ACTUAL_TIME_SLACK <= moment <= booking.end_at + ACTUAL_TIME_SLACK:
        raise ValidationError(fields={field: _l("实际时间应在预约时段前后两天之内。")})
    return moment


CHECK_IN_OPENS = timedelta(minutes=30)


def check_in(actor, booking, now, at=None):
    """Check-in opens 30 minutes before the start. Staff entering the actual time of a booking that has
    already begun may give an earlier one (they saw the customer start early)."""
    booking.require("check_in", actor, now)
    opens = booking.start_at - CHECK_IN_OPENS
    if now < opens:
        raise InvalidTransition(_l("签到最早在开始前 30 分钟（%(t)s）开放。",
                                   t=local(opens).strftime("%Y-%m-%d %H:%M")))
    moment = _actual_time(booking, at, now, "at")
    if moment < opens and not (booking.is_staff(actor) and booking.start_at <= now):
        raise ValidationError(fields={"at": _l("签到时间不能早于开始前 30 分钟。")})
    booking.transition("checked_in", actor=actor, now=now, action="checked_in")
    booking.actual_start = moment


def check_out(actor, booking, now, at=None):
    booking.require("check_out", actor, now)
    moment = _actual_time(booking, at, now, "at")
    if moment < booking.actual_start:
        raise ValidationError(fields={"at": _l("结束时间应晚于签到时间。")})
    slot = booking.instrument.slot_minutes
    if moment - booking.actual_start < timedelta(minutes=slot):
        raise ValidationError(fields={"at": _l(
            "实际使用不足一个时段（%(n)s 分钟），不能签退：如果企业没有使用，请登记爽约；如果时间记错了，请更正签到或签退时间。",
            n=slot)})
    booking.transition("completed", actor=actor, now=now, action="checked_out")
    booking.actual_end = moment
    booking.charge_amount = booking.charge_for_actual_use()
    qualifications.record_use(booking, now)
    record_booking(booking, now)
    tell_customer(booking, "booking_completed")


def mark_no_show(actor, booking, now):
    booking.require("no_show", actor, now)
    booking.transition("no_show", actor=actor, now=now)
    tell_customer(booking, "booking_no_show")


# Each of the booking's ACTIONS by its name: what the web's and the API's action routes call.
STEPS = {
    "approve": lambda actor, booking, now, reason, at: approve(actor, booking, now),
    "reject": lambda actor, booking, now, reason, at: reject(actor, booking, reason, now),
    "cancel": lambda actor, booking, now, reason, at: cancel(actor, booking, reason, now),
    "check_in": lambda actor, booking, now, reason, at: check_in(actor, booking, now, at),
    "check_out": lambda actor, booking, now, reason, at: check_out(actor, booking, now, at),
    "no_show": lambda actor, booking, now, reason, at: mark_no_show(actor, booking, now),
}


def perform(actor, booking, action, now, *, reason="", at=None):
    STEPS[action](actor, booking, now, reason, at)
