"""Open hours: opening hours on open days, minus maintenance and calibration closures.

Computed once per distinct week (an institution's default or an instrument's own) and holiday
rule, over the period's days, with the same day rule the availability function uses; closures
are subtracted only where they overlap opening time.

Open hours exist only while the instrument does: from the day it was created on the platform (or
commissioned, when later) and on the days it was `active`. Its status history is its audit trail
(created / updated / status records that moved it from one status to another): a change made on a
day applies from that day on, so the day an instrument is retired has no open hours and the day it
is re-activated has. An instrument without a recorded change had its present status all along.
"""
from bisect import bisect_left
from collections import Counter, defaultdict
from datetime import timedelta
from itertools import accumulate
from typing import NamedTuple

import sqlalchemy as sa

from models import db
from models.audit import AuditRecord
from models.instrument import DEFAULT_WEEK, Closure, Instrument, OpeningHours
from models.organization import Organization
from models.timeutil import at_local, days_between, local
from models.workday import special_days

from ..availability.services import spans_of_day, week_by_day


def _weeks(instruments):
    institution_ids = {row.institution_id for row in instruments}
    custom_ids = {row.id for row in instruments if row.custom_hours}
    rows = db.session.execute(sa.select(OpeningHours).where(sa.or_(
        OpeningHours.institution_id.in_(institution_ids), OpeningHours.instrument_id.in_(custom_ids)))).scalars()
    weeks = defaultdict(list)
    for row in rows:
        owner = ("instrument", row.instrument_id) if row.instrument_id else ("institution", row.institution_id)
        weeks[owner].append((row.weekday, row.start_minute, row.end_minute))
    return weeks


def _owner(row):
    return ("instrument", row.id) if row.custom_hours else ("institution", row.institution_id)


def _day_minutes(by_day, day, kind, open_on_holidays):
    spans = spans_of_day(by_day, day, kind, open_on_holidays)
    return spans or []


def active_spans(rows, last, chosen=None):
    """{instrument id: [(first day, last day)]} of the days each instrument was active, up to `last`.
    `chosen`: a select of the rows' ids, read in the database rather than sent as a list of ids."""
    ids = chosen if chosen is not None else [row.id for row in rows]
    changes = defaultdict(list)
    for object_id, at, from_state, to_state in db.session.execute(
            sa.select(AuditRecord.object_id, AuditRecord.at, AuditRecord.from_state, AuditRecord.to_state)
            .where(AuditRecord.object_type == "instruments", AuditRecord.object_id.in_(ids),
                   AuditRecord.from_state.is_not(None), AuditRecord.to_state.is_not(None),
                   AuditRecord.from_state != AuditRecord.to_state)
            .order_by(AuditRecord.object_id, AuditRecord.at, AuditRecord.id)):
        changes[object_id].append((local(at).date(), from_state, to_state))
    spans = {}
    for row in rows:
        begin = local(row.created_at).date()
        if row.commissioned_on and row.commissioned_on > begin:
            begin = row.commissioned_on
        moves = changes.get(row.id, [])
        state = moves[0][1] if moves else row.status
        marks = [(begin, state)] + [(max(day, begin), to) for day, _from, to in moves]
        out = []
        for index, (day, status) in enumerate(marks):
            until = marks[index + 1][0] - timedelta(days=1) if index + 1 < len(marks) else last
            if status == "active" and day <= until:
                if out and out[-1][1] >= day - timedelta(days=1):
                    out[-1] = (out[-1][0], max(out[-1][1], until))
                else:
                    out.append((day, until))
        spans[row.id] = out
    return spans


def _hours_over(prefix, days, spans):
    """Open hours of the days in `spans`, from the running totals of the period's days."""
    total = 0.0
    for first, last in spans:
        low, high = bisect_left(days, first), bisect_left(days, last + timedelta(days=1))
        if high > low:
            total += prefix[high] - prefix[low]
    return total


class _Plan(NamedTuple):
    """What the open hours of a scope's instruments in a period are computed from."""

    instruments: list  # rows of the instruments active on some day up to the period's end
    spans: dict  # {instrument id: [(first day, last day)] active}
    special: dict  # {day: 'holiday' | 'workday'}
    days: list  # the period's days
    daily: dict  # {(owner of the week, open on holidays): (week by weekday, [open hours of each day])}
    chosen: object  # a select of the scope's instrument ids

    def week(self, row):
        return self.daily[_week_key(row)]


def _week_key(row):
    return _owner(row), row.open_on_holidays


def _plan(scope, period):
    # The scope's instruments as a select: the audit records and closures of up to 10,000 instruments
    # are found by it, not by a list of their ids (a 10,000-parameter IN list costs ~170 ms to plan).
    chosen = sa.select(Instrument.id).where(scope.institution_filter(Instrument.institution_id))
    if scope.category:
        chosen = chosen.where(Instrument.category_code.like(scope.category + "%"))
    stmt = (sa.select(Instrument.id, Instrument.institution_id, Instrument.custom_hours, Instrument.open_on_holidays,
                      Instrument.status, Instrument.created_at, Instrument.commissioned_on)
            .where(Instrument.id.in_(chosen)))
    instruments = db.session.execute(stmt).all()
    spans = active_spans(instruments, period.last, chosen) if instruments else {}
    instruments = [row for row in instruments if spans[row.id]]
    if not instruments:
        return None
    weeks = _weeks(instruments)
    special = special_days(period.first, period.last)
    days = list(days_between(period.first, period.last))
    daily = {}
    for row in instruments:
        if _week_key(row) not in daily:
            by_day = week_by_day(weeks.get(_owner(row)) or ([] if row.custom_hours else DEFAULT_WEEK))
            daily[_week_key(row)] = (by_day, [sum(e - s for s, e in _day_minutes(by_day, day, special.get(day),
                                                                                 row.open_on_holidays)) / 60
                                              for day in days])
    return _Plan(instruments, spans, special, days, daily, chosen)


def by_instrument(scope, period):
    """{instrument id: open hours in the period}."""
    return _by_instrument(scope, period)[0]


def _by_instrument(scope, period):
    """({instrument id: open hours in the period}, {instrument id: its institution})."""
    plan = _plan(scope, period)
    if plan is None:
        return {}, {}
    prefixes = {key: list(accumulate(hours, initial=0.0)) for key, (_week, hours) in plan.daily.items()}
    result = {row.id: _hours_over(prefixes[_week_key(row)], plan.days, plan.spans[row.id]) for row in plan.instruments}
    for instrument_id, lost in _losses(plan, period).items():
        lost_hours = sum(lost.values(), timedelta(0)).total_seconds() / 3600
        result[instrument_id] = max(0.0, result[instrument_id] - lost_hours)
    return result, {row.id: row.institution_id for row in plan.instruments}


def by_day(scope, period):
    """{(day, institution id): open hours} for the days of the period with any: day by day what by_group
    gives for the period (the snapshot job keeps them for today and later days, open_hours_ahead).
    Instruments of an institution with the same week and active days are counted together."""
    plan = _plan(scope, period)
    if plan is None:
        return {}
    alike = Counter()
    for row in plan.instruments:
        for first, last in plan.spans[row.id]:
            low, high = bisect_left(plan.days, first), bisect_left(plan.days, last + timedelta(days=1))
            if high > low:
                alike[(row.institution_id, _week_key(row), low, high)] += 1
    totals = defaultdict(float)
    for (institution_id, key, low, high), count in alike.items():
        hours = plan.daily[key][1]
        for index in range(low, high):
            if hours[index]:
                totals[(plan.days[index], institution_id)] += count * hours[index]
    institution_of = {row.id: row.institution_id for row in plan.instruments}
    for instrument_id, lost in _losses(plan, period).items():
        for day, time in lost.items():
            totals[(day, institution_of[instrument_id])] -= time.total_seconds() / 3600
    return {key: hours for key, hours in totals.items() if _some(hours)}


def _merged(closures):
    """{instrument id: its closures' time as disjoint spans}: two closures over the same hour take it once
    (subtracting each would take it twice, and a day's figure then differs from the period's)."""
    spans = defaultdict(list)
    for instrument_id, start, end in sorted(closures, key=lambda c: (c[0], c[1])):
        mine = spans[instrument_id]
        if mine and start <= mine[-1][1]:
            mine[-1] = (mine[-1][0], max(mine[-1][1], end))
        else:
            mine.append((start, end))
    return spans


def _losses(plan, period):
    """{instrument id: {day: open time lost to maintenance and calibration closures}} in the period."""
    closures = db.session.execute(sa.select(Closure.instrument_id, Closure.start_at, Closure.end_at).where(
        Closure.instrument_id.in_(plan.chosen), Closure.kind.in_(("maintenance", "calibration")),
        Closure.start_at < period.end, Closure.end_at > period.start)).all()
    rows = {row.id: row for row in plan.instruments}
    losses = {}
    for instrument_id, spans in _merged(closures).items():
        if instrument_id not in rows:
            continue  # never active in the period: no open hours to lose
        row = rows[instrument_id]
        lost = losses.setdefault(instrument_id, defaultdict(timedelta))
        for start, end in spans:
            for day, time in _open_time_lost(plan.week(row)[0], row.open_on_holidays, plan.spans[instrument_id],
                                             plan.special, max(start, period.start), min(end, period.end)):
                lost[day] += time
    return losses


def _open_time_lost(by_day, open_on_holidays, spans, special, start, end):
    """(day, open time of the day inside [start, end)) for the active days the span covers."""
    for day in days_between(local(start).date(), local(end - timedelta(microseconds=1)).date()):
        if not any(first <= day <= last for first, last in spans):
            continue
        lost = timedelta(0)
        for s, e in _day_minutes(by_day, day, special.get(day), open_on_holidays):
            overlap = min(end, at_local(day, e)) - max(start, at_local(day, s))
            if overlap > timedelta(0):
                lost += overlap
        if lost:
            yield day, lost


NO_HOURS = 1e-9  # hours: float noise (a second is 2.8e-4)


def _some(hours):
    """More than float noise: an instrument, or an institution's day, with no open hours is not a row (the
    snapshot and the open hours kept ahead store no zero rows, so the records give none either)."""
    return abs(hours) > NO_HOURS


def by_group(scope, period, group_by):
    """{group key: open hours in the period}, for the groups with any."""
    per_instrument, institution_of = _by_instrument(scope, period)
    per_instrument = {instrument_id: hours for instrument_id, hours in per_instrument.items() if _some(hours)}
    if not per_instrument:
        return {}
    if group_by == "instrument":
        return per_instrument
    if group_by is None or group_by == "month":
        return {"all": sum(per_instrument.values())}
    if group_by == "institution":
        keys = institution_of
    else:
        column = {"district": Organization.district_code,
                  "category": sa.func.substr(Instrument.category_code, 1, 2)}[group_by]
        keys = dict(db.session.execute(sa.select(Instrument.id, column).join(
            Organization, Organization.id == Instrument.institution_id).where(
            Instrument.id.in_(list(per_instrument)))).all())
    grouped = defaultdict(float)
    for instrument_id, hours in per_instrument.items():
        grouped[keys[instrument_id]] += hours
    return dict(grouped)
