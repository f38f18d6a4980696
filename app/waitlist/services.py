"""The waitlist (候补): join a taken interval, claim it when it is offered, or leave the line.

Joining checks the booking rules that need no other bookings (the interval must be one that could be
booked) and then that something holds the time: a free interval is refused (book it instead), and
so is time that is closed by rule (opening hours, holidays, calibration). A claim is an ordinary
booking through booking.services.book(), every rule applying; offers are made in waitlist/offers.py.
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from models import db
from models.errors import Conflict, Forbidden, SlotAvailable
from models.waitlist import LIVE, WaitlistEntry

from ..availability.services import TAKEN, lock_instrument, obstacle
from ..booking import services as bookings
from .offers import offer_freed_time

# What may hold the time an enterprise waits for: any hold (a booking, order work, training), a buffer, a closure.
WAITABLE = TAKEN | {"closure"}


def join(actor, instrument, start, end, now):
    if not actor.is_enterprise:
        raise Forbidden(_l("只有企业用户可以加入候补。"))
    bookings.check_rules(instrument, start, end, now, staff=False)
    reason = obstacle(instrument, start, end, now)
    if reason is None:
        raise SlotAvailable()
    if reason not in WAITABLE:
        bookings.check_calendar(instrument, start, end, now, staff=False)  # says why it is closed
    if _already_waiting(actor.organization_id, instrument.id, start, end):
        raise Conflict(_l("贵单位已在该时段的候补名单中，空出时会通知您。"))
    entry = WaitlistEntry(instrument=instrument, organization_id=actor.organization_id, user=actor, start_at=start,
                          end_at=end, status="waiting", created_at=now, updated_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:  # the same enterprise joining twice at the same moment
        raise Conflict(_l("贵单位已在该时段的候补名单中，空出时会通知您。")) from None
    return entry


def _already_waiting(organization_id, instrument_id, start, end):
    return db.session.scalar(sa.select(WaitlistEntry.id).where(
        WaitlistEntry.organization_id == organization_id, WaitlistEntry.instrument_id == instrument_id,
        WaitlistEntry.start_at == start, WaitlistEntry.end_at == end, WaitlistEntry.status.in_(LIVE))) is not None


def claim(actor, entry, now, *, purpose="", service_mode=None):
    """The offered time becomes an ordinary booking (409 when the offer has expired or the time is taken)."""
    entry.require("claim", actor, now)
    booking = bookings.book(actor, entry.instrument, entry.start_at, entry.end_at, now, purpose=purpose,
                            service_mode=service_mode)
    entry.transition("claimed", now)
    entry.booking_id = booking.id
    return booking


def leave(actor, entry, now):
    """Leave the line; an offer given up passes to the next in line at once."""
    entry.require("leave", actor, now)
    lock_instrument(entry.instrument)  # before the entry's row: the order offers take locks in
    entry.transition("cancelled", now)
    offer_freed_time(entry.instrument, now)
