"""What the scheduler does to bookings. Each job takes `now` and is idempotent.

Rows are claimed with a conditional UPDATE: state changes go through Booking.transition(),
whose version column makes the ORM write `UPDATE … WHERE id = ? AND version = ?`; a row
another process changed first fails that WHERE and is skipped. Reminders claim with
`UPDATE … SET reminded_24h_at = now WHERE id = ? AND reminded_24h_at IS NULL`. A re-run, or a
second scheduler, therefore never acts twice.
"""
from datetime import timedelta

import sqlalchemy as sa

from models import db
from models.booking import Booking

from ..claims import each_claimed
from ..qualifications import services as qualifications
from ..settlement.charges import record_booking
from ..waitlist.offers import offer_freed_time
from .services import tell_customer, tell_institution

REMINDERS = (("reminded_24h_at", timedelta(hours=24)), ("reminded_1h_at", timedelta(hours=1)))


def _due(status, condition):
    return sa.select(Booking).where(Booking.status == status, condition).order_by(Booking.id)


def expire_pending(now):
    """Requests nobody decided before their start expire; what is left of their time goes to the waitlist."""
    def act(booking):
        booking.transition("expired", actor=None, now=now)
        tell_customer(booking, "booking_expired")
        offer_freed_time(booking.instrument, now)

    return each_claimed(_due("pending", Booking.start_at <= now), act)


def mark_no_shows(now, grace_minutes):
    """Confirmed bookings not checked in by start + grace become no-shows."""
    def act(booking):
        booking.transition("no_show", actor=None, now=now)
        tell_customer(booking, "booking_no_show")

    return each_claimed(_due("confirmed", Booking.start_at <= now - timedelta(minutes=grace_minutes)), act)


def close_overdue_checkins(now, overdue_minutes):
    """Nobody checked out: complete at the booked end and ask the staff to check the times."""
    def act(booking):
        booking.transition("completed", actor=None, now=now, action="auto_closed")
        booking.actual_end = max(booking.end_at, booking.actual_start or booking.end_at)
        booking.auto_closed = True
        booking.charge_amount = booking.charge_for_actual_use()
        qualifications.record_use(booking, now)
        record_booking(booking, now)
        tell_institution(booking, "booking_auto_closed")

    return each_claimed(_due("checked_in", Booking.end_at <= now - timedelta(minutes=overdue_minutes)), act)


def send_reminders(now):
    """24 h and 1 h before the start, once each."""
    sent = 0
    for column, ahead in REMINDERS:
        flag = getattr(Booking, column)
        due = db.session.scalars(sa.select(Booking.id).where(
            Booking.status == "confirmed", flag.is_(None), Booking.start_at > now,
            Booking.start_at <= now + ahead).order_by(Booking.id)).all()
        for booking_id in due:
            claimed = db.session.execute(sa.update(Booking).where(Booking.id == booking_id, flag.is_(None))
                                         .values({column: now}).execution_options(synchronize_session=False))
            if claimed.rowcount != 1:
                continue
            booking = db.session.get(Booking, booking_id)
            tell_customer(booking, "booking_reminder")
            sent += 1
    return sent
