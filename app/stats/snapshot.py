"""The nightly usage snapshot and the trends the dashboards draw from it.

History comes from snapshots (one row per institution per day, rewritten for the last week each
night so late corrections land); days never snapshotted (before the platform ran its first night,
or not yet backfilled with `flask stats backfill`) and today are computed live, so a trend is
always complete.
"""
from datetime import timedelta

import sqlalchemy as sa

from models import db
from models.stats import SnapshotDay, UsageSnapshot
from models.timeutil import days_between, local_today

from .metrics import figures
from .scope import Period, Scope

FIELDS = ("service_count", "bookings_completed", "orders_reported", "no_shows", "external_hours", "internal_hours",
          "open_hours", "revenue")
REWRITE_DAYS = 7


def take(day, now):
    """Replace the snapshot of one day: idempotent, whatever ran before."""
    db.session.execute(sa.delete(UsageSnapshot).where(UsageSnapshot.day == day))
    rows = figures(Scope(None), Period(day, day), "institution")
    for institution_id, values in rows.items():
        if not any(values[f] for f in FIELDS):
            continue
        db.session.add(UsageSnapshot(day=day, institution_id=institution_id, **{f: values[f] for f in FIELDS}))
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


def _from_snapshots(scope, days):
    stmt = (sa.select(sa.func.sum(UsageSnapshot.service_count), sa.func.sum(UsageSnapshot.external_hours),
                      sa.func.sum(UsageSnapshot.internal_hours))
            .where(UsageSnapshot.day.in_(days), scope.institution_filter(UsageSnapshot.institution_id)))
    services, external, internal = db.session.execute(stmt).one()
    return int(services or 0), float(external or 0) + float(internal or 0)


def _runs(days):
    """Consecutive runs of days, as Periods."""
    runs, start, previous = [], None, None
    for day in sorted(days):
        if start is None or day != previous + timedelta(days=1):
            if start is not None:
                runs.append(Period(start, previous))
            start = day
        previous = day
    if start is not None:
        runs.append(Period(start, previous))
    return runs


def trend(scope, year, now):
    """[(month 'YYYY-MM', services, effective hours)] up to this month: snapshots where taken, else live."""
    today = local_today(now)
    covered = set(db.session.scalars(sa.select(SnapshotDay.day).where(
        SnapshotDay.day >= Period.year(year).first, SnapshotDay.day < today)))
    out = []
    for month in Period.year(year).months():
        if month.first > today:
            break
        days = list(days_between(month.first, min(month.last, today)))
        snapped = [d for d in days if d in covered]
        services, hours = _from_snapshots(scope, snapped) if snapped else (0, 0.0)
        for run in _runs(d for d in days if d not in covered):
            live = figures(scope, run).get("all")
            if live:
                services, hours = services + live["service_count"], hours + live["effective_hours"]
        out.append((month.first.strftime("%Y-%m"), services, round(hours, 2)))
    return out
