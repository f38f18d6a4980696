"""Availability: the ONE function that decides whether instrument time is free.

timeline() labels every moment of a window, from one query for the closures and holds together and the
working-day calendar (kept per process), with a single sorted sweep over the resulting intervals (timelines()
reads the same for many instruments at once, in the same queries, and hands each its share):

    free = opening hours on open days − closures − active holds (each extended by the buffer)
           − time after calibration expiry − the past

The booking write (obstacle), the availability API (free_and_busy) and the week view
(week_grid) all read it. Labels, in the order a booking is checked (each its own error):
not_bookable, calibration, holiday, outside_hours, closure, booking, order_work, training, buffer, past.
"""
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from models import db
from models.base import built_once
from models.instrument import Closure, Instrument, weekly_hours, weekly_hours_of
from models.occupancy import Occupancy, active_and_overlapping
from models.timeutil import at_local, day_end, days_between, local
from models.workday import special_days

from ..sqlite import become_writer

PRIORITY = ["not_bookable", "calibration", "holiday", "outside_hours", "closure", "booking", "order_work",
            "training", "buffer", "past"]
CLOSED = {"not_bookable", "calibration", "holiday", "outside_hours", "closure"}
TAKEN = {"booking", "order_work", "training", "buffer"}
_OPEN = "open"


@dataclass(frozen=True)
class Segment:
    start: object
    end: object
    label: str  # "free" or one of PRIORITY

    @property
    def free(self):
        return self.label == "free"


def grid_offset(instrument, week=None):
    """Slots are aligned to the instrument's opening minute, not to the hour: the minute (modulo the slot)
    its earliest opening starts. Opening at 08:30 with 60-minute slots, slots start at 08:30, 09:30 …"""
    week = weekly_hours(instrument) if week is None else week
    return min(start for _day, start, _end in week) % instrument.slot_minutes if week else 0


def lock_instrument(instrument):
    """Serialise changes to one instrument's calendar: bookings, so the per-organisation limit is exact, and
    waitlist offers, so none is made twice. On PostgreSQL the instrument's row lock; on SQLite the write lock,
    taken now if the transaction began as a reader (app/sqlite.py). What must be exact is read after this."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        become_writer(connection)
        return
    db.session.execute(_row_lock_of(), {"id": instrument.id})


@built_once
def _row_lock_of():
    return sa.select(Instrument.id).where(Instrument.id == sa.bindparam("id")).with_for_update()


def week_by_day(week):
    """[(weekday, start, end)] → {weekday: [(start, end)]}."""
    by_day = {}
    for weekday, start, end in week:
        by_day.setdefault(weekday, []).append((start, end))
    return by_day


def spans_of_day(by_day, day, special_kind, open_on_holidays):
    """Opening spans (minutes from local midnight) on one calendar day, by the working-day calendar.

    Public holidays are closed unless the instrument opens on holidays; a 调休 make-up day with
    no hours of its own keeps the hours of the first working day of the week.
    """
    if special_kind == "holiday" and not open_on_holidays:
        return None  # closed for the holiday
    spans = by_day.get(day.isoweekday(), [])
    if special_kind == "workday" and not open_on_holidays and not spans and by_day:
        spans = by_day[min(by_day)]
    return spans


@dataclass(frozen=True)
class Known:
    """What timeline() reads from the database about one instrument's window: the working-day calendar's special
    days, the closures and the active holds (each with .id, .start_at, .blocks_until, .kind)."""
    special: dict
    closures: list
    holds: list


def _days(start, end):
    return local(start).date(), local(end - timedelta(microseconds=1)).date()


CLOSURE = "closure"  # the kind _closures_and_holds_of() gives a closure's rows


def _known_of(instruments, start, end):
    """{instrument id: Known} for [start, end): the calendar, then the closures and the active holds of all of them in
    one statement; each instrument's holds as far as its own buffer reaches either side."""
    special = special_days(*_days(start, end))
    widest = timedelta(minutes=max(i.buffer_minutes for i in instruments))
    closures, holds = defaultdict(list), defaultdict(list)
    for row in db.session.execute(_closures_and_holds_of(), {
            "ids": [i.id for i in instruments], "start": start, "end": end,
            "hold_start": start - widest, "hold_end": end + widest}):
        if row.kind == CLOSURE:
            closures[row.instrument_id].append((row.start_at, row.blocks_until))
        else:
            holds[row.instrument_id].append(row)
    known = {}
    for instrument in instruments:
        buffer = timedelta(minutes=instrument.buffer_minutes)
        own = [h for h in holds[instrument.id] if h.start_at < end + buffer and h.blocks_until > start - buffer]
        known[instrument.id] = Known(special, closures[instrument.id], own)
    return known


@built_once
def _closures_and_holds_of():
    """Rows (instrument_id, id, kind, start_at, blocks_until) of the window's closures — id NULL, kind 'closure',
    blocking until their end — and of the active holds in the wider window the buffers need; one round trip."""
    ids = sa.bindparam("ids", expanding=True)
    closures = sa.select(Closure.instrument_id, sa.cast(sa.null(), sa.Integer).label("id"),
                         sa.literal_column(f"'{CLOSURE}'").label("kind"), Closure.start_at,
                         Closure.end_at.label("blocks_until")).where(
        Closure.instrument_id.in_(ids), Closure.start_at < sa.bindparam("end"), Closure.end_at > sa.bindparam("start"))
    holds = sa.select(Occupancy.instrument_id, Occupancy.id, Occupancy.kind, Occupancy.start_at,
                      Occupancy.blocks_until).where(
        *active_and_overlapping(ids, sa.bindparam("hold_start"), sa.bindparam("hold_end")))
    return sa.union_all(closures, holds)


def _day_spans(instrument, first, last, special, week=None):
    """Open intervals and whole-day holidays between two local dates."""
    by_day = week_by_day(weekly_hours(instrument) if week is None else week)
    open_spans, holidays = [], []
    for day in days_between(first, last):
        spans = spans_of_day(by_day, day, special.get(day), instrument.open_on_holidays)
        if spans is None:
            holidays.append((at_local(day), at_local(day, 1440)))
            continue
        open_spans.extend((at_local(day, s), at_local(day, e)) for s, e in spans)
    return open_spans, holidays


def timeline(instrument, start, end, now, *, staff=False, ignore_hold_id=None, week=None, known=None):
    """Label [start, end) for booking `instrument`; a list of adjacent Segments. `week`: the instrument's
    weekly_hours() when the caller has just read them (the week view), so they are not read twice; `known`:
    what timelines() read for many instruments at once (otherwise read here)."""
    if start >= end:
        return []
    buffer = timedelta(minutes=instrument.buffer_minutes)
    by_week = week if week is not None else weekly_hours(instrument)
    known = _known_of([instrument], start, end)[instrument.id] if known is None else known
    intervals = []  # (start, end, label)
    open_spans, holidays = _day_spans(instrument, *_days(start, end), known.special, by_week)
    intervals += [(s, e, _OPEN) for s, e in open_spans]
    intervals += [(s, e, "holiday") for s, e in holidays]
    if instrument.status != "active" or not instrument.bookable_modes:
        intervals.append((start, end, "not_bookable"))
    if instrument.calibration_valid_until is None:
        intervals.append((start, end, "calibration"))
    else:
        intervals.append((day_end(instrument.calibration_valid_until), end, "calibration"))
    intervals += [(s, e, "closure") for s, e in known.closures]
    for hold in known.holds:
        if hold.id == ignore_hold_id:
            continue
        intervals.append((hold.start_at, hold.blocks_until, hold.kind))
        if buffer:
            # A new booking must end `buffer` before a hold starts, or its own buffer overlaps it.
            intervals.append((hold.start_at - buffer, hold.start_at, "buffer"))
    if not staff:
        intervals.append((start, now + timedelta(minutes=instrument.lead_minutes), "past"))
    return _sweep(intervals, start, end)


def timelines(instruments, start, end, now, weeks=None):
    """timeline() of each of many instruments over one window, for a customer: {instrument id: segments}. One
    query for the closures and holds of all of them, and the calendar (and their hours, unless `weeks` holds
    them); each instrument then gets exactly what it would have read alone (_known_of)."""
    if not instruments:
        return {}
    weeks = weekly_hours_of(instruments) if weeks is None else weeks
    known = _known_of(instruments, start, end)
    return {instrument.id: timeline(instrument, start, end, now, week=weeks[instrument.id], known=known[instrument.id])
            for instrument in instruments}


def _sweep(intervals, start, end):
    """One pass over sorted boundaries, counting which labels cover each stretch."""
    events = []
    for s, e, label in intervals:
        s, e = max(s, start), min(e, end)
        if s < e:
            events.append((s, 1, label))
            events.append((e, -1, label))
    events.sort(key=lambda ev: (ev[0], ev[1]))
    covering = dict.fromkeys(PRIORITY + [_OPEN], 0)
    segments, cursor, index = [], start, 0
    while cursor < end:
        while index < len(events) and events[index][0] <= cursor:
            covering[events[index][2]] += events[index][1]
            index += 1
        following = events[index][0] if index < len(events) else end
        label = next((lbl for lbl in PRIORITY if covering[lbl] > 0), None)
        if label is None:
            label = "free" if covering[_OPEN] > 0 else "outside_hours"
        if segments and segments[-1].label == label:
            segments[-1] = Segment(segments[-1].start, following, label)
        else:
            segments.append(Segment(cursor, following, label))
        cursor = following
    return segments


def obstacle(instrument, start, end, now, *, staff=False, ignore_hold_id=None, week=None):
    """The first reason [start, end) cannot be booked, in the order of the labels above; None when free."""
    labels = {seg.label for seg in timeline(instrument, start, end, now, staff=staff,
                                            ignore_hold_id=ignore_hold_id, week=week)}
    return next((label for label in PRIORITY if label in labels), None)


def free_and_busy(instrument, start, end, now, *, staff=False):
    """The API's view: free intervals and busy ones (booking/order_work/training/closure/holiday).

    Busy entries say what kind of thing holds the time, never whose booking it is.
    """
    free, busy = [], []
    for seg in timeline(instrument, start, end, now, staff=staff):
        if seg.free:
            free.append(seg)
        elif seg.label in ("booking", "order_work", "training", "closure", "holiday"):
            busy.append(seg)
    return free, busy


def next_free(instrument, now, days=14):
    """The first bookable start within `days` (the catalog card's “next free slot”); None when there is none."""
    return next_free_of([instrument], now, days)[instrument.id]


def next_free_of(instruments, now, days=14):
    """{instrument id: its first bookable start within `days`}: on the instrument's slot grid, with room for its
    shortest booking, as timeline() labels the time; None when there is none. The instruments' timelines are
    read together (timelines()), so a page of cards costs a handful of queries, not a handful per card."""
    today = local(now).date()
    bookable = [i for i in instruments if i.bookable(today)]
    weeks = weekly_hours_of(bookable) if bookable else {}
    segments = timelines(bookable, now, now + timedelta(days=days), now, weeks)
    found = dict.fromkeys((i.id for i in instruments), None)
    for instrument in bookable:
        found[instrument.id] = _first_start(instrument, segments[instrument.id], grid_offset(instrument, weeks[instrument.id]))
    return found


def _first_start(instrument, segments, offset):
    """The first start on the slot grid (anchored at `offset` minutes of each day) with room for the shortest
    booking in a free segment."""
    slot, need = timedelta(minutes=instrument.slot_minutes), timedelta(minutes=instrument.min_minutes)
    for segment in segments:
        if not segment.free:
            continue
        anchor = at_local(local(segment.start).date(), offset)
        candidate = anchor + math.ceil((segment.start - anchor) / slot) * slot
        if candidate + need <= segment.end:
            return candidate
    return None
