"""A week of demo bookings in every state, made through the real services.

Each booking is made, decided and used at the moment it would have been (a shifted clock), so
the calendar rules, prices and audit trails are exactly what the platform would have produced.
"""
from datetime import timedelta

import sqlalchemy as sa

from models import db
from models.booking import Booking
from models.instrument import Instrument
from models.timeutil import at_local, local_today

from ..availability.services import grid_offset, obstacle, timeline
from ..booking import services
from .accounts import user

# (day offset from today, instrument code, minutes, customer, final state)
PLAN = [
    (-6, "PJ-008", 120, "sme", "completed"), (-6, "MJ-006", 60, "sme2", "completed"),
    (-5, "PJ-001", 90, "sme", "no_show"), (-5, "MJ-002", 240, "sme2", "completed"),
    (-4, "PJ-010", 60, "sme2", "cancelled_late"), (-4, "PJ-007", 60, "sme", "rejected"),
    (-3, "MJ-011", 120, "sme", "completed"), (-3, "PJ-006", 60, "sme2", "expired"),
    (-2, "PJ-002", 60, "sme", "completed"), (-1, "MJ-010", 90, "sme2", "completed"),
    (0, "MJ-002", 240, "sme2", "checked_in"), (0, "PJ-008", 120, "sme", "confirmed"),
    (1, "PJ-001", 60, "sme", "pending"), (1, "MJ-006", 60, "sme2", "confirmed"),
    (2, "PJ-006", 60, "sme", "pending"), (2, "PJ-010", 120, "sme2", "confirmed"),
    (3, "MJ-002", 240, "sme", "confirmed"), (4, "PJ-003", 60, "sme2", "cancelled"),
    (5, "MJ-007", 120, "sme", "pending"), (6, "PJ-014", 60, "sme2", "confirmed"),
]


def _instrument(code):
    return db.session.scalar(sa.select(Instrument).where(Instrument.internal_code == code))


def _working_day(today, offset):
    """Shift weekends away so the demo lands on open days; offsets keep their direction."""
    day = today + timedelta(days=offset)
    while day.isoweekday() > 5:
        day += timedelta(days=1 if offset >= 0 else -1)
    return day


def _aligned(instant, instrument, day):
    """The first slot boundary at or after `instant`: slots start at the instrument's opening minute."""
    step = timedelta(minutes=instrument.slot_minutes)
    offset = (instant - at_local(day, grid_offset(instrument))) % step
    return instant + (step - offset if offset else timedelta(0))


def first_free_slot(instrument, day, minutes, earliest):
    """The first free, on-grid stretch of `minutes` on `day`, from 09:00 and not before `earliest`."""
    low = _aligned(max(at_local(day, 9 * 60), earliest), instrument, day)
    length = timedelta(minutes=minutes)
    for segment in timeline(instrument, low, at_local(day + timedelta(days=1)), low, staff=True):
        start = _aligned(segment.start, instrument, day)
        if segment.free and start + length <= segment.end:
            return start, start + length
    return None


def _slot_around(instrument, now, minutes):
    """A stretch that started one slot ago, for a booking in use right now."""
    day = local_today(now)
    start = _aligned(now, instrument, day) - timedelta(minutes=2 * instrument.slot_minutes)
    end = start + timedelta(minutes=minutes)
    if obstacle(instrument, start, end, now, staff=True) is None:
        return start, end
    return None


def _make(row, today, now):
    offset, code, minutes, customer_key, final = row
    instrument = _instrument(code)
    if instrument is None or not instrument.bookable(today):
        return None
    customer, staff = user(customer_key), user("lab" if code.startswith("PJ") else "lab2")
    day = _working_day(today, offset)
    if final == "checked_in":
        slot = _slot_around(instrument, now, minutes)
    else:
        slot = first_free_slot(instrument, day, minutes, now if offset > 0 else at_local(day))
    if slot is None:
        return None
    start, end = slot
    booked_at = min(now - timedelta(hours=1), start - timedelta(days=2))
    booking = services.book(customer, instrument, start, end, booked_at, purpose=_purpose(instrument),
                            service_mode=instrument.bookable_modes[0])
    _play(booking, final, customer, staff, booked_at, now)
    return booking


def _play(booking, final, customer, staff, booked_at, now):
    """Move a booking to its demo state the way people and the scheduler would have."""
    decided = booked_at + timedelta(hours=2)
    if final in ("rejected", "expired", "pending") and booking.status != "pending":
        return  # the instrument confirms at once; keep it as it is
    if final == "rejected":
        services.reject(staff, booking, "该时段安排了内部比对试验，请改约其他时间。", decided)
        return
    if final == "expired":
        booking.transition("expired", actor=None, now=booking.start_at)
        return
    if final == "pending":
        return
    if booking.status == "pending":
        services.approve(staff, booking, decided)
    if final in ("cancelled", "cancelled_late"):
        before = timedelta(hours=3) if final == "cancelled_late" else timedelta(days=1)
        when = max(decided + timedelta(hours=1), min(now, booking.start_at - before))
        services.cancel(customer, booking, "样品未能按时送达。", when)
    elif final == "no_show":
        services.mark_no_show(staff, booking, booking.start_at + timedelta(minutes=40))
    elif final in ("checked_in", "completed"):
        arrived = booking.start_at + timedelta(minutes=5)
        services.check_in(staff, booking, arrived, at=arrived)
        if final == "completed":
            services.check_out(staff, booking, booking.end_at, at=booking.end_at - timedelta(minutes=10))


def _purpose(instrument):
    return f"送检样品 3 件，使用{instrument.name}完成检测。"


def load(now):
    if db.session.scalar(sa.select(sa.func.count(Booking.id))):
        return {"bookings": "kept"}
    today = local_today(now)
    made = [b for b in (_make(row, today, now) for row in PLAN) if b is not None]
    db.session.flush()
    return {"bookings": len(made)}
