"""iCalendar (RFC 5545/7986): a .ics per booking, subscription feeds, closures from .ics files.

UIDs are stable per booking (booking-<id>@<domain>), SEQUENCE is the booking's change counter,
DTSTAMP its last change, and cancelled, rejected or expired bookings stay in feeds with
STATUS:CANCELLED so subscribed calendars remove them. Times are written in UTC.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import Alarm, Calendar, Event

from models import audit, db
from models.booking import Booking
from models.errors import ValidationError
from models.instrument import Closure, Instrument
from models.occupancy import Occupancy
from models.order import ServiceOrder
from models.qualification import TrainingRequest, TrainingSession

from ..catalog.services import check_closure_kind, refuse_closures_over_bookings
from ..policy import require_publisher
from .importing import IMPORT_MAX_EVENTS

PRODID = "-//QI-Share//Instrument Sharing Platform//ZH"
FEED_PAST_DAYS = 90
STATUS = {"pending": "TENTATIVE", "cancelled": "CANCELLED", "rejected": "CANCELLED", "expired": "CANCELLED"}


def _calendar(name, uid):
    calendar = Calendar.new(name=name, prodid=PRODID, refresh_interval=timedelta(hours=1), uid=uid)
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
    calendar.add("X-PUBLISHED-TTL", timedelta(hours=1))
    calendar.add("CALSCALE", "GREGORIAN")
    return calendar


def booking_event(booking, domain, url=None, with_customer=False):
    instrument = booking.instrument
    summary = instrument.name + (f" · {booking.organization.name}" if with_customer else "")
    description = "\n".join(filter(None, [instrument.institution.name, booking.purpose, url]))
    event = Event.new(
        uid=f"booking-{booking.id}@{domain}", start=booking.start_at, end=booking.end_at, summary=summary,
        sequence=booking.sequence, stamp=booking.updated_at, status=STATUS.get(booking.status, "CONFIRMED"),
        location=instrument.location or instrument.institution.address, description=description, url=url,
        created=booking.created_at)
    if booking.status in ("pending", "confirmed"):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", timedelta(hours=-1))
        alarm.add("description", _("一小时后开始：%(name)s", name=instrument.name))
        event.add_component(alarm)
    return event


def work_event(hold, domain):
    order = db.session.get(ServiceOrder, hold.order_id)
    return Event.new(
        uid=f"order-work-{hold.id}@{domain}", start=hold.start_at, end=hold.end_at,
        summary=f"{hold.instrument.name} · {_('委托检测')} {order.number} · {order.organization.name}",
        sequence=0, stamp=hold.created_at, status="CONFIRMED" if hold.active else "CANCELLED",
        location=hold.instrument.location, description=order.title)


def training_event(session, domain):
    """A training session: the institution's calendar and each attendee's organisation's."""
    return Event.new(
        uid=f"training-{session.id}@{domain}", start=session.start_at, end=session.end_at,
        summary=f"{session.instrument.name} · {_('上机培训')}", sequence=len(session.attendees), stamp=session.created_at,
        status="CANCELLED" if session.status == "cancelled" else "CONFIRMED",
        location=session.instrument.location or session.instrument.institution.address,
        description=session.instrument.institution.name)


def training_ics(session, domain):
    calendar = _calendar(_("上机培训"), f"training-{session.id}-calendar@{domain}")
    calendar.add_component(training_event(session, domain))
    return calendar.to_ical()


def _trainings(user, since):
    """Training sessions the feed shows: on the institution's instruments, or with the organisation's people."""
    stmt = sa.select(TrainingSession).where(TrainingSession.end_at > since)
    if user.is_institution_staff:
        stmt = stmt.join(Instrument, Instrument.id == TrainingSession.instrument_id).where(
            Instrument.institution_id == user.organization_id)
    else:
        stmt = stmt.where(TrainingSession.attendees.any(TrainingRequest.organization_id == user.organization_id))
    return db.session.scalars(stmt.order_by(TrainingSession.start_at)).all()


def booking_ics(booking, domain, url):
    calendar = _calendar(_("仪器预约"), f"booking-{booking.id}-calendar@{domain}")
    calendar.add_component(booking_event(booking, domain, url))
    return calendar.to_ical()


def feed_ics(user, now, domain, url_for_booking):
    """The user's subscription: their organisation's bookings, or their institution's calendar."""
    since = now - timedelta(days=FEED_PAST_DAYS)
    if user.is_institution_staff:
        name = _("%(org)s · 仪器日历", org=user.organization.name)
        instruments = sa.select(Instrument.id).where(Instrument.institution_id == user.organization_id)
        bookings = sa.select(Booking).where(Booking.instrument_id.in_(instruments), Booking.end_at > since)
        work = db.session.scalars(sa.select(Occupancy).where(
            Occupancy.kind == "order_work", Occupancy.instrument_id.in_(instruments), Occupancy.end_at > since)).all()
    else:
        name = _("%(org)s · 仪器预约", org=user.organization.name)
        bookings = sa.select(Booking).where(Booking.organization_id == user.organization_id, Booking.end_at > since)
        work = []
    calendar = _calendar(name, f"feed-{user.id}@{domain}")
    for booking in db.session.scalars(bookings.order_by(Booking.start_at)):
        calendar.add_component(booking_event(booking, domain, url_for_booking(booking),
                                             with_customer=user.is_institution_staff))
    for hold in work:
        calendar.add_component(work_event(hold, domain))
    for session in _trainings(user, since):
        calendar.add_component(training_event(session, domain))
    return calendar.to_ical()


def rotate_feed(user, now):
    """A new feed URL: the old one stops working (the token includes feed_version)."""
    user.feed_version += 1
    audit.record(user, "calendar_feed_rotated", actor=user, at=now)


# Importing closures (the file is read by .importing) ------------------------------------

def import_closures(actor, instrument, occurrences, kind, now):
    """All or nothing: refused whole if any occurrence falls on an active booking."""
    require_publisher(actor, instrument.institution_id)
    check_closure_kind(kind)
    if len(occurrences) > IMPORT_MAX_EVENTS or any(not now < end or start >= end for start, end, _r in occurrences):
        raise ValidationError(fields={"file": _l("预览数据无效，请重新上传文件。")})
    refuse_closures_over_bookings(instrument, [(start, end) for start, end, _reason in occurrences])
    for start, end, reason in occurrences:
        db.session.add(Closure(instrument_id=instrument.id, start_at=start, end_at=end, kind=kind, reason=reason,
                               source="ics", created_by_id=actor.id, created_at=now))
    audit.record(instrument, "closures_imported", actor=actor, at=now, details={"count": len(occurrences)})
    return len(occurrences)
