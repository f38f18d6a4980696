"""The national exchange: an institution's instrument records, service records and what they still lack.

Who may: the institution's staff for their own institution; a district bureau for the institutions of its
district; the city for any. Services take actor and now and never see a request.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import Booking, Instrument, Organization, Review, ServiceOrder, User, db
from models.errors import Forbidden, NotFound, ValidationError
from models.timeutil import at_local, hours

from ..policy import require_statistics_reader
from ..qualifications.training import completed_sessions
from . import nrii

MAX_PERIOD_DAYS = 366


def yearly_hours(institution_id, year):
    """{instrument id: (runMachine, serviceMachine)}: the year's effective and external hours per instrument from
    the statistics service, so the national record equals the dashboards.

    The exchange's ONE call into app/stats, through its one entry point (live: a recount)."""
    from ..stats import services as stats
    from ..stats.scope import Period, Scope

    found = stats.figures(Scope(frozenset({institution_id})), Period.year(year), "instrument", live=True)
    return {k: (round(v["effective_hours"], 1), round(v["external_hours"], 1)) for k, v in found.items()}


def institution_for(actor, institution_id):
    """The institution whose records the actor asked for (staff: their own when none is named)."""
    require_statistics_reader(actor)
    if institution_id is None:
        if not actor.is_institution_staff:
            raise ValidationError(fields={"institution_id": _l("请指定机构（institution_id）。")})
        institution_id = actor.organization_id
    org = db.session.get(Organization, institution_id)
    if org is None or org.kind != "institution":
        raise NotFound()
    if actor.is_institution_staff and org.id != actor.organization_id:
        raise Forbidden()
    if actor.is_district and org.district_code != actor.district_code:
        raise NotFound()
    return org


@dataclass
class Context:
    """What a record needs beyond its row: the year's hours and the platform's address."""

    base_url: str = ""
    year_hours: dict = field(default_factory=dict)

    def page_url(self, instrument):
        return f"{self.base_url}/instruments/{instrument.id}" if self.base_url else ""

    def hours(self, instrument):
        return self.year_hours.get(instrument.id, (0.0, 0.0))


def _instruments(institution):
    return db.session.scalars(sa.select(Instrument).where(Instrument.institution_id == institution.id)
                              .order_by(Instrument.internal_code, Instrument.id)).all()


def instrument_records(institution, year, base_url):
    """[(instrument, context)] of an institution, with the year's hours from the statistics."""
    context = Context(base_url, yearly_hours(institution.id, year))
    return [(instrument, context) for instrument in _instruments(institution)], context


def missing_of(instruments):
    """{instrument id: the titles of the national fields it lacks}, for the console's completeness badges."""
    titles = {f.national: f.title for f in nrii.INSTRUMENT_FIELDS}
    context = Context("-", {})
    return {i.id: [titles[name] for name in nrii.missing(i, context)] for i in instruments}


def check(institution, base_url):
    """[(instrument, [national fields it lacks])]: what the check endpoint and the console's badges show.
    The hours come from the statistics and the service URL defaults to our page, so they never lack."""
    context = Context(base_url or "-", {})
    return [(instrument, nrii.missing(instrument, context)) for instrument in _instruments(institution)]


# Service records ------------------------------------------------------------------------------

@dataclass
class Service:
    record_id: str
    way: str  # self_operated | assisted | training | order
    instrument: Instrument
    start: object
    end: object
    amount: str
    fee: Decimal
    content: str
    applicant: User
    applicant_org: Organization
    score: int | None = None

    @property
    def applicant_org_id(self):
        return self.applicant_org.id


def parse_period(first, last, today):
    """The period asked for: YYYY-MM-DD dates, at most a year; default the last full month."""
    fields = {}
    try:
        first = date.fromisoformat(first) if first else None
    except ValueError:
        fields["from"] = _l("日期格式应为 YYYY-MM-DD。")
    try:
        last = date.fromisoformat(last) if last else None
    except ValueError:
        fields["to"] = _l("日期格式应为 YYYY-MM-DD。")
    if fields:
        raise ValidationError(fields=fields)
    if first is None and last is None:
        last = today.replace(day=1) - timedelta(days=1)
        first = last.replace(day=1)
    first, last = first or last.replace(day=1), last or today
    if last < first or (last - first).days >= MAX_PERIOD_DAYS:
        raise ValidationError(fields={"to": _l("结束日期应不早于开始日期，且期间不超过一年。")})
    return first, last


def service_records(institution, first, last):
    """One record per completed booking and completed order that ended in [first, last] (Shanghai days), and per
    enterprise trained in a completed session that started in it, in time order."""
    start, end = at_local(first), at_local(last + timedelta(days=1))
    records = _bookings(institution, start, end) + _orders(institution, start, end) + _trainings(institution, start, end)
    return sorted(records, key=lambda r: (r.end, r.record_id))


def _scores(column, ids):
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(column, Review.score).where(column.in_(ids))).all())


def _bookings(institution, start, end):
    rows = db.session.execute(
        sa.select(Booking, User).join(User, User.id == Booking.created_by_id)
        .join(Instrument, Instrument.id == Booking.instrument_id)
        .where(Instrument.institution_id == institution.id, Booking.status == "completed",
               Booking.actual_end >= start, Booking.actual_end < end)).unique().all()
    scores = _scores(Review.booking_id, [b.id for b, _u in rows])
    return [Service(f"B{b.id}", b.service_mode, b.instrument, b.actual_start, b.actual_end,
                    f"{hours(b.actual_end - b.actual_start):.2f}", b.charge_amount if b.charge_amount is not None
                    else b.price_amount, b.purpose or b.instrument.service_content, user, b.organization,
                    scores.get(b.id)) for b, user in rows]


def _orders(institution, start, end):
    rows = db.session.execute(
        sa.select(ServiceOrder, User).join(User, User.id == ServiceOrder.created_by_id)
        .where(ServiceOrder.institution_id == institution.id, ServiceOrder.status == "completed",
               ServiceOrder.instrument_id.is_not(None),
               ServiceOrder.completed_at >= start, ServiceOrder.completed_at < end)).unique().all()
    scores = _scores(Review.order_id, [o.id for o, _u in rows])
    return [Service(f"O{o.id}", "order", o.instrument, o.sample_received_at or o.created_at, o.completed_at,
                    str(o.sample_quantity), o.quote_amount or Decimal(0),
                    "；".join([o.title] + [item.name for item in o.items]), user, o.organization, scores.get(o.id))
            for o, user in rows]


def _trainings(institution, start, end):
    """One record per completed session and trained enterprise, as the statistics count trainings."""
    records = []
    for session in completed_sessions(institution.id, start, end):
        by_org = {}
        for attendee in session.attendees:
            if attendee.status in ("passed", "failed"):
                by_org.setdefault(attendee.organization_id, attendee)
        records += [Service(f"T{session.id}-{org_id}", "training", session.instrument, session.start_at,
                            session.end_at, f"{session.hours:.2f}", Decimal(0), "上机培训", first.user,
                            first.organization) for org_id, first in by_org.items()]
    return records
