"""The usage snapshot: a cache of past days' additive figures, one row per institution and day.

It may make a figure faster, never different. A day is read from its snapshot only when the snapshot
was taken (`snapshot_days`) and nothing of that day changed since: every change to a past day's
records marks the (day, institution) stale in the same transaction (app/stats/changes.py), and a stale
pair is read live. `refresh` (the scheduler's job, every 10 minutes) retakes every stale day however
old, plus yesterday; it is idempotent. Today, and days never snapshotted, are always read live.
"""
from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa

from models import db
from models.organization import Organization
from models.stats import EVERY_INSTITUTION, SnapshotDay, StaleDay, UsageSnapshot
from models.timeutil import days_between, local_today

from .metrics import BASE, add_base, live_base
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
    days = due(now)
    for day in days:
        take(day, now)
    return days


def backfill(first, last, now):
    for day in days_between(first, last):
        take(day, now)


def _snapshot_key(group_by):
    if group_by == "institution":
        return UsageSnapshot.institution_id
    if group_by == "district":
        return Organization.district_code
    return sa.literal("all")


def _from_snapshots(scope, run, group_by):
    """The snapshot rows of a run of days, leaving out the (day, institution) pairs marked stale."""
    key = _snapshot_key(group_by)
    stale = sa.exists().where(StaleDay.day == UsageSnapshot.day, StaleDay.institution_id == UsageSnapshot.institution_id)
    stmt = (sa.select(key.label("key"), *[sa.func.sum(getattr(UsageSnapshot, f)).label(f) for f in BASE])
            .join(Organization, Organization.id == UsageSnapshot.institution_id)
            .where(UsageSnapshot.day >= run.first, UsageSnapshot.day <= run.last,
                   scope.institution_filter(UsageSnapshot.institution_id), ~stale)
            .group_by(key))
    return {row.key: {f: getattr(row, f) or 0 for f in BASE} for row in db.session.execute(stmt)}


def cached_base(scope, period, group_by, today):
    """The additive figures of a period: snapshot rows where they are true, the records elsewhere."""
    covered = set(db.session.scalars(sa.select(SnapshotDay.day).where(
        SnapshotDay.day >= period.first, SnapshotDay.day <= period.last, SnapshotDay.day < today)))
    stale = defaultdict(set)
    for day, institution_id in db.session.execute(sa.select(StaleDay.day, StaleDay.institution_id).where(
            StaleDay.day >= period.first, StaleDay.day <= period.last)):
        stale[day].add(institution_id)
    whole = {day for day, ids in stale.items() if EVERY_INSTITUTION in ids}
    cached = covered - whole
    days = list(days_between(period.first, period.last))
    total = {}
    for run in runs(d for d in days if d in cached):
        add_base(total, _from_snapshots(scope, run, group_by))
    for run in runs(d for d in days if d not in cached):
        add_base(total, live_base(scope, run, group_by))
    for institutions, run in _stale_runs(scope, {d: stale[d] for d in cached if d in stale}):
        add_base(total, live_base(Scope(institutions, scope.category), run, group_by))
    return total


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
