"""The usage snapshot: a cache of past days' additive figures, one row per institution and day.

It may make a figure faster, never different. A day is read from its snapshot only when the snapshot
was taken (`snapshot_days`) and nothing of that day changed since: every change to a past day's
records marks the (day, institution) stale in the same transaction (app/stats/changes.py), and a stale
pair is read live. `refresh` (the scheduler's job, every 10 minutes) retakes every stale day however
old, plus yesterday; it is idempotent. Days never snapshotted are read live.

Today and later days have no snapshot, but their open hours can be known ahead (they follow opening hours,
the calendar, maintenance closures and the instruments): the job keeps them in open_hours_ahead up to the
end of the year, and changes mark those days stale the same way. So the year's figures read the records
only for what happens from today on (bookings, closures for internal use), not the open hours of 10,000
instruments over the rest of the year.
"""
from collections import defaultdict
from datetime import date, timedelta

import sqlalchemy as sa

from models import db
from models.organization import Organization
from models.stats import EVERY_INSTITUTION, AheadDay, OpenHoursAhead, SnapshotDay, StaleDay, UsageSnapshot
from models.timeutil import days_between, local_today

from . import openhours
from .metrics import BASE, HAPPENED, OPEN, add_base, live_base
from .scope import Period, Scope

# Groupings the institution-level snapshot can answer (instrument and category ones are always live).
CACHED_GROUPS = (None, "institution", "district", "month")


def take(day, now):
    """Replace the snapshot of one day: idempotent, whatever ran before. The day's stale marks go
    first, so a change committed while the day is being retaken either is seen by it or marks again."""
    db.session.execute(sa.delete(StaleDay).where(StaleDay.day == day))
    db.session.execute(sa.delete(UsageSnapshot).where(UsageSnapshot.day == day))
    rows = live_base(Scope(None), Period(day, day), "institution")
    for institution_id, values in rows.items():
        if not any(values[f] for f in BASE):
            continue
        # Hours kept as the records give them (not rounded), so that sums equal the recount's.
        db.session.add(UsageSnapshot(day=day, institution_id=institution_id,
                                     service_count=values["bookings_completed"] + values["orders_reported"]
                                     + values["trainings_completed"],
                                     **values))
    marker = db.session.get(SnapshotDay, day)
    if marker is None:
        db.session.add(SnapshotDay(day=day, taken_at=now))
    else:
        marker.taken_at = now
    db.session.flush()
    return len(rows)


# A run retakes at most this many stale days (the most recent first); the rest stay stale, and so are
# read live, until the next run ten minutes later. Keeps one run short after a change that touches a
# whole year (an institution's opening hours).
MOST_DAYS_PER_RUN = 60


def due(now):
    """The days the job retakes: stale days before today, however old, and yesterday."""
    today = local_today(now)
    stale = db.session.scalars(sa.select(StaleDay.day).where(StaleDay.day < today).distinct()
                               .order_by(StaleDay.day.desc()).limit(MOST_DAYS_PER_RUN)).all()
    return sorted(set(stale) | {today - timedelta(days=1)})


def refresh(now):
    """The job: retake the due days, then keep the open hours ahead. Returns the days retaken."""
    days = due(now)
    for day in days:
        take(day, now)
    keep_ahead(now)
    return days


def backfill(first, last, now):
    for day in days_between(first, last):
        take(day, now)
    keep_ahead(now)


# Open hours ahead ---------------------------------------------------------------------------------------

def keep_ahead(now):
    """Keep the open hours of today to 31 December: the days not kept yet, and the (day, institution) pairs
    marked stale since; days before today are dropped (their snapshot or the records count). Idempotent."""
    today = local_today(now)
    last = date(today.year, 12, 31)
    db.session.execute(sa.delete(OpenHoursAhead).where(OpenHoursAhead.day < today))
    db.session.execute(sa.delete(AheadDay).where(AheadDay.day < today))
    stale = _stale_marks(Period(today, last))
    kept = _readable(AheadDay, Period(today, last), today, stale)
    for run in runs(d for d in days_between(today, last) if d not in kept):
        take_ahead(run, now)
    for institutions, run in _stale_runs(Scope(None), {d: ids for d, ids in stale.items() if d in kept}):
        take_ahead(run, now, institutions)
    db.session.flush()


def take_ahead(days, now, institutions=None):
    """Replace the open hours kept for a run of days: every institution's (the days are then kept), or
    only those of `institutions`. Stale marks go first, as in `take`."""
    which = Scope(None if institutions is None else frozenset(institutions))
    in_run = sa.and_(StaleDay.day.between(days.first, days.last),
                     sa.true() if institutions is None else StaleDay.institution_id.in_(institutions))
    db.session.execute(sa.delete(StaleDay).where(in_run))
    db.session.execute(sa.delete(OpenHoursAhead).where(OpenHoursAhead.day.between(days.first, days.last),
                                                       which.institution_filter(OpenHoursAhead.institution_id)))
    rows = [{"day": day, "institution_id": institution_id, "open_hours": hours}
            for (day, institution_id), hours in openhours.by_day(which, days).items()]
    if rows:
        db.session.execute(sa.insert(OpenHoursAhead), rows)
    if institutions is None:
        db.session.execute(sa.delete(AheadDay).where(AheadDay.day.between(days.first, days.last)))
        db.session.execute(sa.insert(AheadDay), [{"day": day, "taken_at": now}
                                                 for day in days_between(days.first, days.last)])


# Reading ---------------------------------------------------------------------------------------------------

def _key_of(group_by, kept):
    if group_by == "institution":
        return kept.institution_id
    if group_by == "district":
        return Organization.district_code
    return sa.literal("all")


def _month_key(months):
    """A function of a kept table giving 'YYYY-MM' of its day, for consecutive months."""
    def key(kept):
        return sa.case(*[(kept.day <= month.last, month.first.strftime("%Y-%m")) for month in months], else_=None)
    return key


def _from_kept(kept, fields, scope, day_runs, key):
    """The rows of a kept table (usage_snapshots: every field; open_hours_ahead: open hours) for runs of days,
    summed per key in one query, leaving out the (day, institution) pairs marked stale."""
    if not day_runs:
        return {}
    by_district = key == "district"
    key = key(kept) if callable(key) else _key_of(key, kept)
    stale = sa.exists().where(StaleDay.day == kept.day, StaleDay.institution_id == kept.institution_id)
    stmt = sa.select(key.label("key"), *[sa.func.sum(getattr(kept, f)).label(f) for f in fields]).select_from(kept)
    if by_district:  # the only grouping the institution's row does not hold
        stmt = stmt.join(Organization, Organization.id == kept.institution_id)
    stmt = stmt.where(sa.or_(*[kept.day.between(run.first, run.last) for run in day_runs]),
                      scope.institution_filter(kept.institution_id), ~stale).group_by(key)
    return {row.key: {f: (getattr(row, f) or 0) if f in fields else 0 for f in BASE}
            for row in db.session.execute(stmt)}


def _stale_marks(period):
    """{day: institutions marked stale} in the period."""
    stale = defaultdict(set)
    for day, institution_id in db.session.execute(sa.select(StaleDay.day, StaleDay.institution_id).where(
            StaleDay.day >= period.first, StaleDay.day <= period.last)):
        stale[day].add(institution_id)
    return stale


def _readable(days, period, today, stale):
    """The days of `days` (snapshot_days before today, ahead_days from today on) in the period that can be
    read: not marked stale for every institution."""
    on_time = days.day < today if days is SnapshotDay else days.day >= today
    covered = set(db.session.scalars(sa.select(days.day).where(
        days.day >= period.first, days.day <= period.last, on_time)))
    return {day for day in covered if EVERY_INSTITUTION not in stale.get(day, ())}


class _Kept:
    """What the caches hold for a period: snapshotted days (every figure) and days with open hours kept
    ahead (open hours only), with the stale marks of both."""

    def __init__(self, period, today):
        self.stale = _stale_marks(period)
        self.snapshotted = _readable(SnapshotDay, period, today, self.stale)
        self.ahead = _readable(AheadDay, period, today, self.stale)

    def read(self, scope, key):
        total = _from_kept(UsageSnapshot, BASE, scope, runs(self.snapshotted), key)
        return add_base(total, _from_kept(OpenHoursAhead, OPEN, scope, runs(self.ahead), key))

    def live_parts(self, scope, period):
        """(scope, run of days, fields) to read from the records in the period: every field of the days
        without a cache and of the institutions marked stale on snapshotted days; what happens on the days
        with open hours ahead, and the open hours of the institutions marked stale on them."""
        days = list(days_between(period.first, period.last))
        kept = self.snapshotted | self.ahead
        parts = [(scope, run, BASE) for run in runs(d for d in days if d not in kept)]
        parts += [(scope, run, HAPPENED) for run in runs(d for d in days if d in self.ahead)]
        for kept, fields in ((self.snapshotted, BASE), (self.ahead, OPEN)):
            parts += [(Scope(institutions, scope.category), run, fields) for institutions, run in
                      _stale_runs(scope, {d: self.stale[d] for d in days if d in kept and d in self.stale})]
        return parts


def cached_base(scope, period, group_by, today, live=live_base):
    """The additive figures of a period: the caches where they are true, the records elsewhere
    (`live(scope, period, group_by, fields)`, metrics.live_base unless the caller shares its live parts)."""
    kept = _Kept(period, today)
    total = kept.read(scope, group_by)
    for part_scope, run, fields in kept.live_parts(scope, period):
        add_base(total, live(part_scope, run, group_by, fields))
    return total


def cached_months(scope, months, today, live=live_base):
    """{'YYYY-MM': additive figures, or None} of consecutive months, each exactly `cached_base` of the
    month: the months' cached rows in one query per cache grouped by month, the records for the rest month
    by month."""
    kept = _Kept(Period(months[0].first, months[-1].last), today)
    from_cache = kept.read(scope, _month_key(months))
    out = {}
    for month in months:
        label = month.first.strftime("%Y-%m")
        total = {"all": from_cache[label]} if label in from_cache else {}
        for part_scope, run, fields in kept.live_parts(scope, month):
            add_base(total, live(part_scope, run, None, fields))
        out[label] = total.get("all")
    return out


def _stale_runs(scope, stale):
    """(institutions, run of days) for the stale pairs of cached days: consecutive days with the same
    institutions read together."""
    by_set = defaultdict(list)
    for day, ids in stale.items():
        ids = frozenset(ids if scope.institutions is None else ids & scope.institutions)
        if ids:
            by_set[ids].append(day)
    return [(ids, run) for ids, days in by_set.items() for run in runs(days)]


def runs(days):
    """Consecutive runs of days, as Periods."""
    out, start, previous = [], None, None
    for day in sorted(days):
        if start is None or day != previous + timedelta(days=1):
            if start is not None:
                out.append(Period(start, previous))
            start = day
        previous = day
    if start is not None:
        out.append(Period(start, previous))
    return out
