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


def _month_key(months):
    """'YYYY-MM' of a snapshot's day, for consecutive months."""
    return sa.case(*[(UsageSnapshot.day <= month.last, month.first.strftime("%Y-%m")) for month in months],
                   else_=None)


def _from_snapshots(scope, day_runs, key):
    """The snapshot rows of runs of days, summed per key in one query, leaving out the (day, institution)
    pairs marked stale."""
    if not day_runs:
        return {}
    stale = sa.exists().where(StaleDay.day == UsageSnapshot.day, StaleDay.institution_id == UsageSnapshot.institution_id)
    stmt = (sa.select(key.label("key"), *[sa.func.sum(getattr(UsageSnapshot, f)).label(f) for f in BASE])
            .join(Organization, Organization.id == UsageSnapshot.institution_id)
            .where(sa.or_(*[UsageSnapshot.day.between(run.first, run.last) for run in day_runs]),
                   scope.institution_filter(UsageSnapshot.institution_id), ~stale)
            .group_by(key))
    return {row.key: {f: getattr(row, f) or 0 for f in BASE} for row in db.session.execute(stmt)}


def _cache_state(period, today):
    """(days whose snapshot can be read, {day: institutions marked stale}) in the period."""
    covered = set(db.session.scalars(sa.select(SnapshotDay.day).where(
        SnapshotDay.day >= period.first, SnapshotDay.day <= period.last, SnapshotDay.day < today)))
    stale = defaultdict(set)
    for day, institution_id in db.session.execute(sa.select(StaleDay.day, StaleDay.institution_id).where(
            StaleDay.day >= period.first, StaleDay.day <= period.last)):
        stale[day].add(institution_id)
    whole = {day for day, ids in stale.items() if EVERY_INSTITUTION in ids}
    return covered - whole, stale


def _live_parts(scope, period, cached, stale):
    """(scope, run of days) to read from the records in the period: the days without a true snapshot
    (today, later days, days never taken), and the institutions marked stale on the others."""
    days = list(days_between(period.first, period.last))
    parts = [(scope, run) for run in runs(d for d in days if d not in cached)]
    parts += [(Scope(institutions, scope.category), run) for institutions, run in
              _stale_runs(scope, {d: stale[d] for d in days if d in cached and d in stale})]
    return parts


def cached_base(scope, period, group_by, today, live=live_base):
    """The additive figures of a period: snapshot rows where they are true, the records elsewhere
    (`live(scope, period, group_by)`, metrics.live_base unless the caller shares its live parts)."""
    cached, stale = _cache_state(period, today)
    total = _from_snapshots(scope, runs(cached), _snapshot_key(group_by))
    for part_scope, run in _live_parts(scope, period, cached, stale):
        add_base(total, live(part_scope, run, group_by))
    return total


def cached_months(scope, months, today, live=live_base):
    """{'YYYY-MM': additive figures, or None} of consecutive months, each exactly `cached_base` of the
    month: the months' snapshot rows in one query grouped by month, the records for the rest month by month."""
    cached, stale = _cache_state(Period(months[0].first, months[-1].last), today)
    from_snapshots = _from_snapshots(scope, runs(cached), _month_key(months))
    out = {}
    for month in months:
        label = month.first.strftime("%Y-%m")
        total = {"all": from_snapshots[label]} if label in from_snapshots else {}
        for part_scope, run in _live_parts(scope, month, cached, stale):
            add_base(total, live(part_scope, run, None))
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
