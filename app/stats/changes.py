"""Marking snapshotted days stale when their records change, in the same transaction as the change.

`mark_stale(session, instrument_or_institution, day_from, day_to)` marks the days of that range that
have a snapshot, and the days whose open hours are kept ahead (one INSERT … SELECT from snapshot_days,
one from ahead_days; days without either are read live anyway). `None` stands for every institution
(the holiday calendar).

Which days a change touches is decided here once, for every service: a session hook looks at what a
flush writes (new, changed and deleted bookings, order work, closures, orders, charges, training,
instruments, opening hours and calendar days) and marks the days those records count on, before and
after the change. A service that changes statistics through a bulk statement (opening hours are
replaced with DELETE) calls `mark_stale` itself.

What counts where (metrics.py): a booking on its booked start day (counts, no-shows, revenue) and on
the days of its actual use (hours); order work, closures and training on the days they span; an order
on the day its report was issued; a charge on its booking's or order's day; an instrument's opening
hours, status and dates on every day since it began.

Open hours are also kept for today and the days after it (open_hours_ahead): what they depend on — opening
hours, the calendar, maintenance/calibration closures, an instrument's dates and status, a new instrument —
marks future days too. Nothing else touches them, so a new booking (almost always in the future) still
reads nothing here.
"""
from datetime import date

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.base import UTCDateTime, utcnow
from models.booking import Booking
from models.instrument import Closure, Instrument, OpeningHours
from models.occupancy import Occupancy
from models.order import ServiceOrder
from models.organization import Organization
from models.qualification import TrainingRequest, TrainingSession
from models.settlement import Charge
from models.stats import EVERY_INSTITUTION, AheadDay, SnapshotDay, StaleDay
from models.timeutil import local
from models.workday import CalendarDay

from .. import clock

EVER = date(2000, 1, 1)
_stale = StaleDay.__table__
_days = SnapshotDay.__table__
_ahead_days = AheadDay.__table__


def _institution_id(subject):
    if subject is None:
        return EVERY_INSTITUTION
    if isinstance(subject, Instrument):
        return subject.institution_id
    if isinstance(subject, Organization):
        return subject.id
    return int(subject)


def mark_stale(session, instrument_or_institution, day_from, day_to):
    """Mark the snapshotted days in [day_from, day_to] stale for the institution (or every one)."""
    if day_from is None or day_to is None or day_to < day_from:
        return
    for days in (_days, _ahead_days):
        _insert(session.connection(), _institution_id(instrument_or_institution), day_from, day_to, days)


def _insert(connection, institution_id, day_from, day_to, days=_days):
    """Mark the days of `days` (snapshot_days or ahead_days) in [day_from, day_to] for the institution."""
    select = (sa.select(days.c.day, sa.literal(institution_id, sa.Integer), sa.literal(utcnow(), UTCDateTime))
              .where(days.c.day.between(day_from, day_to)))
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(_stale).from_select(["day", "institution_id", "marked_at"], select)
    connection.execute(stmt.on_conflict_do_nothing(index_elements=["day", "institution_id"]))


def _day(instant):
    return local(instant).date() if instant is not None else None


def _values(obj, name):
    """The attribute's value now and before this flush (both when it changed)."""
    history = sa.inspect(obj).attrs[name].history
    values = list(history.added or ()) + list(history.deleted or ()) + list(history.unchanged or ())
    return [v for v in values if v is not None]


def _changed(obj, names):
    """New, about to be deleted, or one of `names` changed in this flush."""
    state = sa.inspect(obj)
    if state.pending or state.deleted or (state.session is not None and obj in state.session.deleted):
        return True
    return any(state.attrs[n].history.has_changes() for n in names)


def _span(obj, *names):
    days = [_day(v) for n in names for v in _values(obj, n)]
    return (min(days), max(days)) if days else None


class _Marks:
    def __init__(self, session, today):
        self.session = session
        self.today = today
        self.ranges = set()  # (institution, first, last): snapshotted days to mark
        self.ahead = set()  # the same for days whose open hours are kept ahead
        self._institutions = {}

    def instrument(self, obj, instrument_id=None):
        instrument_id = instrument_id or getattr(obj, "instrument_id", None)
        if instrument_id is None:
            loaded = obj.__dict__.get("instrument")
            return loaded.institution_id if loaded is not None else None
        if instrument_id not in self._institutions:
            self._institutions[instrument_id] = self.session.connection().execute(
                sa.select(Instrument.institution_id).where(Instrument.id == instrument_id)).scalar()
        return self._institutions[instrument_id]

    def add(self, institution, span, ahead=None):
        """Mark `span` (first day, last day) where it reaches into the past, and, for a change to open hours,
        the days kept ahead in `ahead` (a span too: ahead_days holds only today and later, whatever the
        clock). `institution`: an id, or a function that finds it — called only when something is marked
        (today and later never have a snapshot, so a new booking reads nothing here)."""
        past = span is not None and span[0] < self.today
        if not past and ahead is None:
            return
        institution_id = institution() if callable(institution) else institution
        if institution_id is None:
            return
        if past:
            self.ranges.add((institution_id, span[0], span[1]))
        if ahead is not None:
            self.ahead.add((institution_id, ahead[0], ahead[1]))

    def day_of(self, stmt):
        value = self.session.connection().execute(stmt).scalar()
        return _day(value)


BOOKING_FIELDS = ("status", "start_at", "actual_start", "actual_end", "charge_amount", "price_amount",
                  "organization_id", "instrument_id")
ORDER_FIELDS = ("status", "report_issued_at", "quote_amount", "institution_id", "organization_id", "instrument_id",
                "kind")
INSTRUMENT_FIELDS = ("status", "commissioned_on", "created_at", "custom_hours", "open_on_holidays", "institution_id")


def _booking(marks, obj):
    if _changed(obj, BOOKING_FIELDS):
        marks.add(lambda: marks.instrument(obj), _span(obj, "start_at", "actual_start", "actual_end"))


def _hold(marks, obj):
    if "order_work" in _values(obj, "kind") and _changed(obj, ("start_at", "end_at", "active", "instrument_id")):
        marks.add(lambda: marks.instrument(obj), _span(obj, "start_at", "end_at"))


def _closure(marks, obj):
    if _changed(obj, ("start_at", "end_at", "kind", "instrument_id")):
        span = _span(obj, "start_at", "end_at")
        takes_open_hours = bool({"maintenance", "calibration"} & set(_values(obj, "kind")))
        marks.add(lambda: marks.instrument(obj), span, ahead=span if takes_open_hours else None)


def _order(marks, obj):
    if _changed(obj, ORDER_FIELDS):
        span = _span(obj, "report_issued_at")
        for institution_id in set(_values(obj, "institution_id")):
            marks.add(institution_id, span)


def _charge(marks, obj):
    if not _changed(obj, ("amount",)):
        return
    if obj.booking_id:
        day = marks.day_of(sa.select(Booking.start_at).where(Booking.id == obj.booking_id))
    else:
        day = marks.day_of(sa.select(ServiceOrder.report_issued_at).where(ServiceOrder.id == obj.order_id))
    marks.add(obj.institution_id, (day, day) if day else None)


def _training(marks, obj):
    if _changed(obj, ("start_at", "end_at", "status", "instrument_id")):
        marks.add(lambda: marks.instrument(obj), _span(obj, "start_at", "end_at"))


def _trainee(marks, obj):
    if obj.session_id and _changed(obj, ("status", "session_id", "organization_id")):
        day = marks.day_of(sa.select(TrainingSession.start_at).where(TrainingSession.id == obj.session_id))
        marks.add(lambda: marks.instrument(obj), (day, day) if day else None)


def _instrument(marks, obj):
    """A new instrument has open hours from the day it began; a status change applies from the day it is
    made (its audit record is the history open hours read), so it touches no past day but every day kept
    ahead; the other fields apply to every day since the instrument began."""
    if sa.inspect(obj).pending:
        began = max(_day(obj.created_at) or marks.today, obj.commissioned_on or EVER)
        owner = obj.__dict__.get("institution")
        institution_id = obj.institution_id or (owner.id if owner is not None else None)
        # An institution created in the same flush has no id yet: every institution's days, until the job.
        marks.add(institution_id or EVERY_INSTITUTION, (began, date.max), ahead=(began, date.max))
        return
    if not _changed(obj, INSTRUMENT_FIELDS):
        return
    since = marks.today if not _changed(obj, INSTRUMENT_FIELDS[1:]) else EVER
    for institution_id in set(_values(obj, "institution_id")):
        marks.add(institution_id, (since, date.max), ahead=(EVER, date.max))


def _hours(marks, obj):
    if obj.institution_id:
        marks.add(obj.institution_id, (EVER, date.max), ahead=(EVER, date.max))
    else:
        marks.add(lambda: marks.instrument(obj), (EVER, date.max), ahead=(EVER, date.max))


def _calendar_day(marks, obj):
    for day in _values(obj, "day"):
        marks.add(EVERY_INSTITUTION, (day, day), ahead=(day, day))


HANDLERS = ((Booking, _booking), (Occupancy, _hold), (Closure, _closure), (ServiceOrder, _order), (Charge, _charge),
            (TrainingSession, _training), (TrainingRequest, _trainee), (Instrument, _instrument),
            (OpeningHours, _hours), (CalendarDay, _calendar_day))
WATCHED = tuple(kind for kind, _handler in HANDLERS)


def _before_flush(session, _context, _instances):
    objects = [obj for obj in (*session.new, *session.dirty, *session.deleted) if isinstance(obj, WATCHED)]
    if not objects:
        return
    # The connection is asked for only when something is marked: most flushes (a new booking ahead) mark nothing.
    marks = _Marks(session, local(clock.now()).date())
    for obj in objects:
        for kind, handler in HANDLERS:
            if isinstance(obj, kind):
                handler(marks, obj)
    for days, ranges in ((_days, marks.ranges), (_ahead_days, marks.ahead)):
        if ranges:  # none when only today and later changed, and not their open hours
            _mark(session.connection(), days, ranges)


def _mark(connection, days, ranges):
    first, last = connection.execute(sa.select(sa.func.min(days.c.day), sa.func.max(days.c.day))).one()
    if first is None:
        return  # nothing kept yet: every day is read live
    for institution_id, day_from, day_to in sorted(ranges):
        low, high = max(day_from, first), min(day_to, last)
        if low <= high:
            _insert(connection, institution_id, low, high, days)


def listen():
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)


