"""Open hours: opening hours on open days, minus maintenance and calibration closures.

Computed once per distinct week (an institution's default or an instrument's own) and holiday
rule, over the period's days, with the same day rule the availability function uses; closures
are subtracted only where they overlap opening time. Active instruments only.
"""
from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa

from models import db
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


def by_instrument(scope, period):
    """{instrument id: open hours in the period}."""
    stmt = (sa.select(Instrument.id, Instrument.institution_id, Instrument.custom_hours, Instrument.open_on_holidays)
            .where(Instrument.status == "active", scope.institution_filter(Instrument.institution_id)))
    if scope.category:
        stmt = stmt.where(Instrument.category_code.like(scope.category + "%"))
    instruments = db.session.execute(stmt).all()
    if not instruments:
        return {}
    weeks = _weeks(instruments)
    special = special_days(period.first, period.last)
    days = list(days_between(period.first, period.last))
    totals = {}
    result = {}
    for row in instruments:
        owner = _owner(row)
        week = weeks.get(owner) or ([] if row.custom_hours else DEFAULT_WEEK)
        cache_key = (owner, row.open_on_holidays)
        if cache_key not in totals:
            by_day = week_by_day(week)
            totals[cache_key] = (by_day, sum(e - s for day in days
                                             for s, e in _day_minutes(by_day, day, special.get(day),
                                                                      row.open_on_holidays)) / 60)
        result[row.id] = totals[cache_key][1]
    _subtract_closures(result, {row.id: (totals[(_owner(row), row.open_on_holidays)][0], row.open_on_holidays)
                                for row in instruments}, period, special, stmt.with_only_columns(Instrument.id))
    return result


def _subtract_closures(result, weeks_by_instrument, period, special, instrument_ids):
    closures = db.session.execute(sa.select(Closure.instrument_id, Closure.start_at, Closure.end_at).where(
        Closure.instrument_id.in_(instrument_ids), Closure.kind.in_(("maintenance", "calibration")),
        Closure.start_at < period.end, Closure.end_at > period.start)).all()
    for instrument_id, start, end in closures:
        by_day, open_on_holidays = weeks_by_instrument[instrument_id]
        start, end = max(start, period.start), min(end, period.end)
        lost = timedelta(0)
        for day in days_between(local(start).date(), local(end - timedelta(microseconds=1)).date()):
            for s, e in _day_minutes(by_day, day, special.get(day), open_on_holidays):
                overlap = min(end, at_local(day, e)) - max(start, at_local(day, s))
                if overlap > timedelta(0):
                    lost += overlap
        result[instrument_id] = max(0.0, result[instrument_id] - lost.total_seconds() / 3600)


def by_group(scope, period, group_by):
    per_instrument = by_instrument(scope, period)
    if not per_instrument:
        return {}
    if group_by == "instrument":
        return per_instrument
    if group_by is None or group_by == "month":
        return {"all": sum(per_instrument.values())}
    column = {"institution": Instrument.institution_id, "district": Organization.district_code,
              "category": sa.func.substr(Instrument.category_code, 1, 2)}[group_by]
    keys = dict(db.session.execute(sa.select(Instrument.id, column).join(
        Organization, Organization.id == Instrument.institution_id).where(Instrument.id.in_(list(per_instrument)))).all())
    grouped = defaultdict(float)
    for instrument_id, hours in per_instrument.items():
        grouped[keys[instrument_id]] += hours
    return dict(grouped)
