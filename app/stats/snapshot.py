"""The nightly usage snapshot, and the figures and trends read from it.

Past days' additive figures (service counts, hours, revenue, open hours) come from snapshots (one row per institution per day, rewritten for the last week each
night so late corrections land); days never snapshotted (before the platform ran its first night,
or not yet backfilled with `flask stats backfill`) and today are computed live, so a trend is
always complete.
"""
from datetime import timedelta

import sqlalchemy as sa

from models import db
from models.organization import Organization
from models.stats import SnapshotDay, UsageSnapshot
from models.timeutil import days_between, local_today

from .. import clock
from .metrics import BASE, add_base, combine, live_base
from .scope import Period, Scope

REWRITE_DAYS = 7


def take(day, now):
    """Replace the snapshot of one day: idempotent, whatever ran before."""
    db.session.execute(sa.delete(UsageSnapshot).where(UsageSnapshot.day == day))
    rows = live_base(Scope(None), Period(day, day), "institution")
    for institution_id, values in rows.items():
        if not any(values[f] for f in BASE):
            continue
        stored = {f: round(v, 4) if isinstance(v, float) else v for f, v in values.items()}  # no float noise
        db.session.add(UsageSnapshot(day=day, institution_id=institution_id,
                                     service_count=values["bookings_completed"] + values["orders_reported"]
                                     + values["trainings_completed"],
                                     **stored))
    marker = db.session.get(SnapshotDay, day)
    if marker is None:
        db.session.add(SnapshotDay(day=day, taken_at=now))
    else:
        marker.taken_at = now
    db.session.flush()
    return len(rows)


def nightly(now, days=REWRITE_DAYS):
    today = local_today(now)
    for day in days_between(today - timedelta(days=days), today - timedelta(days=1)):
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
    key = _snapshot_key(group_by)
    stmt = (sa.select(key.label("key"), *[sa.func.sum(getattr(UsageSnapshot, f)).label(f) for f in BASE])
            .join(Organization, Organization.id == UsageSnapshot.institution_id)
            .where(UsageSnapshot.day >= run.first, UsageSnapshot.day <= run.last,
                   scope.institution_filter(UsageSnapshot.institution_id))
            .group_by(key))
    return {row.key: {f: getattr(row, f) or 0 for f in BASE} for row in db.session.execute(stmt)}


def snapshot_base(scope, period, group_by=None):
    """The additive figures of a period: snapshot rows for the past days that have one, live for the rest."""
    today = local_today(clock.now())
    covered = set(db.session.scalars(sa.select(SnapshotDay.day).where(
        SnapshotDay.day >= period.first, SnapshotDay.day <= period.last, SnapshotDay.day < today)))
    days = list(days_between(period.first, period.last))
    total = {}
    for run in runs(d for d in days if d in covered):
        add_base(total, _from_snapshots(scope, run, group_by))
    for run in runs(d for d in days if d not in covered):
        add_base(total, live_base(scope, run, group_by))
    return total


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


def trend(scope, year, now):
    """[(month 'YYYY-MM', services, effective hours)] up to this month."""
    today = local_today(now)
    out = []
    for month in Period.year(year).months():
        if month.first > today:
            break
        base = snapshot_base(scope, Period(month.first, min(month.last, today))).get("all")
        figures = combine(base, 0)
        out.append((month.first.strftime("%Y-%m"), figures["service_count"], figures["effective_hours"]))
    return out
