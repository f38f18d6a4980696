"""The statistics of DESIGN.md, by SQL aggregation, for any period and scope.

服务次数 service_count      completed bookings starting in the period + orders whose report was issued in it
                               + enterprises trained in completed training sessions starting in it (one
                               service of kind training per session and enterprise)
服务市场主体数量 enterprises_served   distinct enterprises with at least one counted service
对外服务机时 external_hours   actual hours of completed bookings + instrument time logged on orders
                               + hours of completed training sessions (their trainees are enterprises),
                               each clipped to the period (bookings that cross its edge count in part)
有效工作机时 effective_hours  external hours + internal-use closures (clipped)
共享率 sharing_rate           external / effective
utilisation                   effective / open hours (opening hours on open days − maintenance and
                               calibration closures)
no_show_rate                  no-shows / (completed + no-shows), bookings starting in the period
revenue                       the settlement's charge lines (after approved adjustments) of the completed
                               bookings and reported orders counted here; a booking without a charge line
                               counts its recorded charge or price, an order not yet completed its quote;
                               a stored amount that is not a finite number counts as 0
satisfaction                  average review score given in the period
"""
import math
from decimal import Decimal

import sqlalchemy as sa

from models import db
from models.base import UTCDateTime
from models.booking import ACTUAL_TIME_SLACK, Booking
from models.instrument import Closure, Instrument
from models.occupancy import LONGEST_HOLD, Occupancy
from models.order import Review, ServiceOrder
from models.organization import Organization
from models.qualification import LONGEST_SESSION, TrainingRequest, TrainingSession
from models.settlement import Charge

from . import openhours
from .sql import clipped_hours, finite, instant

GROUPS = ("instrument", "institution", "district", "category", "month")
NATIONAL_BENCHMARK_HOURS = 1200  # effective hours a year of a "fully used" large instrument


def _key(group_by, table=Instrument):
    if group_by == "instrument":
        return Instrument.id
    if group_by == "institution":
        return ServiceOrder.institution_id if table is ServiceOrder else Instrument.institution_id
    if group_by == "district":
        return Organization.district_code
    if group_by == "category":
        return sa.func.substr(Instrument.category_code, 1, 2)
    return sa.literal("all")


def _instrument_filter(scope):
    conditions = [scope.institution_filter(Instrument.institution_id)]
    if scope.category:
        conditions.append(Instrument.category_code.like(scope.category + "%"))
    return sa.and_(*conditions)


# Groupings read from the instrument (its id, institution or category) and from its institution (district).
BY_INSTRUMENT = ("instrument", "institution", "district", "category")


def _via_instrument(stmt, instrument_column, scope, group_by):
    """Join what the scope and the grouping read: the instrument (institution, category), its institution
    (district). Both joins follow non-null foreign keys, so they never drop a row: the city's figures read
    the records alone (at city scale the two joins were most of the year's distinct-enterprise count)."""
    if scope.institutions is not None or scope.category or group_by in BY_INSTRUMENT:
        stmt = stmt.join(Instrument, Instrument.id == instrument_column)
    if group_by == "district":
        stmt = stmt.join(Organization, Organization.id == Instrument.institution_id)
    return stmt


def _bookings(scope, period, group_by):
    completed, key = Booking.status == "completed", _key(group_by)
    stmt = _via_instrument(sa.select(
        key.label("key"),
        sa.func.sum(sa.case((completed, 1), else_=0)).label("completed"),
        sa.func.sum(sa.case((Booking.status == "no_show", 1), else_=0)).label("no_shows"),
        sa.func.sum(sa.case((completed, finite(sa.func.coalesce(Charge.amount, Booking.charge_amount,
                                                                 Booking.price_amount))),
                            else_=0)).label("revenue"),
    ), Booking.instrument_id, scope, group_by).outerjoin(Charge, Charge.booking_id == Booking.id).where(
        _instrument_filter(scope), Booking.status.in_(("completed", "no_show")),
        Booking.start_at >= instant(period.start, "p_start"), Booking.start_at < instant(period.end, "p_end"))
    return {row.key: row for row in db.session.execute(stmt.group_by(key))}


def _clipped(scope, period, group_by, start, end, instrument_column, *conditions):
    low, high = instant(period.start, "c_start"), instant(period.end, "c_end")
    key = _key(group_by)
    stmt = _via_instrument(sa.select(key.label("key"), sa.func.sum(clipped_hours(start, end, low, high)).label("h")),
                           instrument_column, scope, group_by).where(_instrument_filter(scope), start < high, end > low,
                                                                     *conditions)
    return {row.key: row.h or 0.0 for row in db.session.execute(stmt.group_by(key))}


def _booked_near(period):
    """Bookings whose actual time can touch the period, by the indexed booked start: actual times lie
    within ACTUAL_TIME_SLACK of the booked span, which is at most LONGEST_HOLD long."""
    return sa.and_(Booking.start_at < instant(period.end + ACTUAL_TIME_SLACK, "b_high"),
                   Booking.start_at > instant(period.start - LONGEST_HOLD - ACTUAL_TIME_SLACK, "b_low"))


def _order_joins(stmt, scope, group_by):
    """The orders of the scope, joined to what the grouping reads: an order counts for its institution,
    and for an instrument or category only when it names an instrument."""
    stmt = stmt.where(scope.institution_filter(ServiceOrder.institution_id))
    if group_by == "district":
        stmt = stmt.join(Organization, Organization.id == ServiceOrder.institution_id)
    if scope.category or group_by in ("instrument", "category"):
        stmt = (stmt.join(Instrument, Instrument.id == ServiceOrder.instrument_id)
                .where(ServiceOrder.instrument_id.is_not(None)))
    if scope.category:
        stmt = stmt.where(Instrument.category_code.like(scope.category + "%"))
    return stmt


def _orders(scope, period, key, group_by):
    stmt = _order_joins(sa.select(key.label("key"), sa.func.count(ServiceOrder.id).label("n"),
                                  sa.func.sum(finite(sa.func.coalesce(Charge.amount, ServiceOrder.quote_amount, 0)))
                                  .label("revenue")).select_from(ServiceOrder), scope, group_by)
    stmt = stmt.outerjoin(Charge, Charge.order_id == ServiceOrder.id).where(
        ServiceOrder.report_issued_at >= instant(period.start, "o_start"),
        ServiceOrder.report_issued_at < instant(period.end, "o_end"))
    return {row.key: row for row in db.session.execute(stmt.group_by(key))}


def trained(first, last, *names):
    """(session, instrument, enterprise) of every enterprise trained in a completed session starting in
    [first, last): each is one service of kind training (one per enterprise, like a booking's)."""
    low, high = instant(first, names[0] if names else "t_start"), instant(last, names[1] if names else "t_end")
    return (sa.select(TrainingSession.id.label("session_id"), TrainingSession.instrument_id.label("instrument_id"),
                      TrainingRequest.organization_id.label("org"), TrainingSession.start_at.label("start_at"))
            .join(TrainingRequest, TrainingRequest.session_id == TrainingSession.id)
            .where(TrainingSession.status == "completed", TrainingRequest.status.in_(("passed", "failed")),
                   TrainingSession.start_at >= low, TrainingSession.start_at < high).distinct().subquery())


def _trainings(scope, period, group_by):
    pairs = trained(period.start, period.end)
    key = _key(group_by)
    stmt = _via_instrument(sa.select(key.label("key"), sa.func.count().label("n")).select_from(pairs),
                           pairs.c.instrument_id, scope, group_by).where(_instrument_filter(scope))
    return {row.key: int(row.n) for row in db.session.execute(stmt.group_by(key))}


def _month_of(column, period):
    """'YYYY-MM' of an instant inside the period: the first of its months that ends after it."""
    return sa.case(*[(column < sa.literal(month.end, UTCDateTime), month.first.strftime("%Y-%m"))
                     for month in period.months()], else_=None)


def _services(scope, period, group_by):
    """(key, enterprise) of every counted service: bookings, orders and training together."""
    booking_key, order_key = _key(group_by), _key(group_by, ServiceOrder)
    if group_by == "month":
        booking_key, order_key = _month_of(Booking.start_at, period), _month_of(ServiceOrder.report_issued_at, period)
    booked = _via_instrument(sa.select(booking_key.label("key"), Booking.organization_id.label("org")),
                             Booking.instrument_id, scope, group_by).where(
        _instrument_filter(scope), Booking.status == "completed",
        Booking.start_at >= instant(period.start, "e_start"), Booking.start_at < instant(period.end, "e_end"))
    ordered = _order_joins(sa.select(order_key.label("key"), ServiceOrder.organization_id.label("org"))
                           .select_from(ServiceOrder), scope, group_by).where(ServiceOrder.report_issued_at >= instant(period.start, "f_start"),
                                                  ServiceOrder.report_issued_at < instant(period.end, "f_end"))
    pairs = trained(period.start, period.end, "g_start", "g_end")
    training_key = _month_of(pairs.c.start_at, period) if group_by == "month" else booking_key
    training = _via_instrument(sa.select(training_key.label("key"), pairs.c.org.label("org")).select_from(pairs),
                               pairs.c.instrument_id, scope, group_by).where(_instrument_filter(scope))
    return sa.union_all(booked, ordered, training).subquery()


def enterprises(scope, period, group_by=None):
    """COUNT(DISTINCT enterprise) over bookings, orders and training together, per group ('month': per
    calendar month of the period, in one pass)."""
    services = _services(scope, period, group_by)
    # DISTINCT in a subquery, then count: PostgreSQL hashes the (key, enterprise) pairs, where COUNT(DISTINCT)
    # sorts them (at city scale ~290k rows, a sort that spilled to disk).
    pairs = sa.select(services.c.key, services.c.org).distinct().subquery()
    stmt = sa.select(pairs.c.key, sa.func.count()).group_by(pairs.c.key)
    return dict(db.session.execute(stmt).all())


def industries(scope, period):
    """{industry code: enterprises} over the enterprises served (the same set as 服务市场主体数量)."""
    services = _services(scope, period, None)
    stmt = (sa.select(Organization.industry, sa.func.count(Organization.id))
            .where(Organization.id.in_(sa.select(services.c.org))).group_by(Organization.industry))
    return dict(db.session.execute(stmt).all())


def _satisfaction(scope, period):
    stmt = sa.select(sa.func.avg(Review.score), sa.func.count(Review.id)).where(
        scope.institution_filter(Review.institution_id),
        Review.created_at >= instant(period.start, "r_start"), Review.created_at < instant(period.end, "r_end"))
    average, count = db.session.execute(stmt).one()
    return (round(float(average), 2) if average is not None else None), count


# The additive parts of the figures: what a nightly snapshot stores per institution and day. HAPPENED is
# what the records say happened; OPEN the open hours, known ahead (the job keeps them for the days to come).
BASE = ("bookings_completed", "no_shows", "orders_reported", "trainings_completed", "revenue", "external_hours",
        "internal_hours", "open_hours")
OPEN = ("open_hours",)
HAPPENED = tuple(f for f in BASE if f not in OPEN)


def live_base(scope, period, group_by=None, fields=BASE):
    """{group key: {BASE field: value}} computed from the records: `fields` HAPPENED or OPEN computes only
    those (the others are 0)."""
    happened = _happened(scope, period, group_by) if fields != OPEN else {}
    open_hours = openhours.by_group(scope, period, group_by) if "open_hours" in fields else {}
    out = {}
    for k in set(happened) | set(open_hours):
        out[k] = happened.get(k) or {f: 0 for f in BASE}
        out[k]["open_hours"] = open_hours.get(k, 0.0)
    return out


def _happened(scope, period, group_by):
    bookings = _bookings(scope, period, group_by)
    booking_hours = _clipped(scope, period, group_by, Booking.actual_start, Booking.actual_end, Booking.instrument_id,
                             Booking.status == "completed", _booked_near(period))
    work_hours = _clipped(scope, period, group_by, Occupancy.start_at, Occupancy.end_at, Occupancy.instrument_id,
                          Occupancy.kind == "order_work", Occupancy.active.is_(True),
                          Occupancy.start_at > instant(period.start - LONGEST_HOLD, "w_low"))
    internal = _clipped(scope, period, group_by, Closure.start_at, Closure.end_at, Closure.instrument_id,
                        Closure.kind == "internal_use")
    orders = _orders(scope, period, _key(group_by, ServiceOrder), group_by)
    trainings = _trainings(scope, period, group_by)
    training_hours = _clipped(scope, period, group_by, TrainingSession.start_at, TrainingSession.end_at,
                              TrainingSession.instrument_id, TrainingSession.status == "completed",
                              TrainingSession.start_at > instant(period.start - LONGEST_SESSION, "s_low"))
    keys = (set(bookings) | set(booking_hours) | set(work_hours) | set(internal) | set(orders) | set(trainings)
            | set(training_hours))
    out = {}
    for k in keys:
        b, o = bookings.get(k), orders.get(k)
        out[k] = {
            "bookings_completed": int(b.completed or 0) if b else 0, "no_shows": int(b.no_shows or 0) if b else 0,
            "orders_reported": int(o.n) if o else 0, "trainings_completed": trainings.get(k, 0),
            "revenue": (Decimal(b.revenue or 0) if b else Decimal(0)) + (Decimal(o.revenue or 0) if o else Decimal(0)),
            "external_hours": booking_hours.get(k, 0.0) + work_hours.get(k, 0.0) + training_hours.get(k, 0.0),
            "internal_hours": internal.get(k, 0.0), "open_hours": 0.0}
    return out


def add_base(total, part):
    for k, values in part.items():
        into = total.setdefault(k, {f: 0 for f in BASE})
        for f in BASE:
            into[f] += values[f]
    return total


def figures(scope, period, group_by=None):
    """{group key: figures} for one period, counted from the records; group_by None gives one group, "all"."""
    base = live_base(scope, period, group_by)
    served = enterprises(scope, period, group_by)
    return {k: combine(base.get(k), served.get(k, 0)) for k in set(base) | set(served)}


def _hours(value):
    """Hours to 6 places first: sums of the same records in another order (the cache's days, the
    records' period) differ in the last bits of a float, never in the sixth place for times kept to
    the second, so every figure rounded from here is the same however it was added up."""
    value = float(value or 0)
    return round(value, 6) if math.isfinite(value) else 0.0


def _money(value):
    value = Decimal(value or 0) if not isinstance(value, Decimal) else value
    return value.quantize(Decimal("0.01")) if value.is_finite() else Decimal("0.00")


def combine(base, served):
    base = base or {f: 0 for f in BASE}
    completed, no_shows, reported = int(base["bookings_completed"]), int(base["no_shows"]), int(base["orders_reported"])
    trainings = int(base.get("trainings_completed", 0))
    external, internal, open_hours = (_hours(base["external_hours"]), _hours(base["internal_hours"]),
                                      _hours(base["open_hours"]))
    effective = round(external + internal, 6)
    return {
        "service_count": completed + reported + trainings, "enterprises_served": served,
        "bookings_completed": completed, "orders_reported": reported, "trainings_completed": trainings,
        "no_shows": no_shows,
        "external_hours": round(external, 2), "internal_hours": round(internal, 2),
        "effective_hours": round(effective, 2), "open_hours": round(open_hours, 2),
        "sharing_rate": round(external / effective, 4) if effective else None,
        "utilization": round(effective / open_hours, 4) if open_hours else None,
        "no_show_rate": round(no_shows / (completed + no_shows), 4) if completed + no_shows else None,
        "revenue": _money(base["revenue"]),
    }


EMPTY = combine(None, 0)


def satisfaction(scope, period):
    return _satisfaction(scope, period)
