"""The one entry point for statistics: pages, the API, the 附件4 table and the exports call these.

Every function takes a scope (scope.py), a period and `now`, and gives the same numbers whoever
asks, because there is no other way to ask. The additive parts come from the snapshot cache where it
is true (snapshot.py) and from the records elsewhere (metrics.py); distinct counts (enterprises) and
the review average always come from the records. `live=True` skips the cache (the recount).
"""
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta
from functools import partial

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import Category, District, Organization, db
from models.errors import Forbidden, ValidationError
from models.instrument import Instrument
from models.reference import INDUSTRY_LABELS
from models.timeutil import local_today

from ..settlement.figures import settlement_by_district, settlement_figures
from . import metrics, snapshot, table
from .metrics import EMPTY, GROUPS, NATIONAL_BENCHMARK_HOURS, add_base, combine
from .scope import Period

__all__ = ["GROUPS", "NATIONAL_BENCHMARK_HOURS", "figures", "summary", "rows", "trend", "instrument_rows",
           "named_rows", "district_rows", "industries", "money", "money_by_district", "pilot_table",
           "pilot_table_xlsx", "pilot_table_csv", "districts", "set_targets", "one_reading"]

_reading = ContextVar("stats_reading", default=None)


@contextmanager
def one_reading():
    """Figures asked for inside share the parts they read from the records (today, the days after it,
    days never snapshotted, stale institutions): each is counted once, per institution, in pieces cut
    at month ends (_pieces), and regrouped for every figure that needs it. A page that shows the year,
    its districts and its months reads today once instead of three times. For one page's reading:
    nothing may change the records inside it."""
    token = _reading.set({})
    try:
        yield
    finally:
        _reading.reset(token)


def _live(scope, period, group_by, fields=metrics.BASE, today=None):
    """metrics.live_base, or inside one_reading the shared parts regrouped: the same figures."""
    shared = _reading.get()
    if shared is None or scope.category or today is None:
        return metrics.live_base(scope, period, group_by, fields)
    total = {}
    for piece in _pieces(period, today):
        if (scope, piece, fields) not in shared:
            shared[(scope, piece, fields)] = metrics.live_base(scope, piece, "institution", fields)
        add_base(total, _regroup(shared[(scope, piece, fields)], group_by, shared))
    return total


def _pieces(period, today):
    """The period cut at the ends of months up to today's, where a month's figures (the trend) and the
    year's meet; after today's month in one piece, as only longer periods read it."""
    after = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    pieces = list(Period(period.first, min(period.last, after - timedelta(days=1))).months()) if period.first < after else []
    if period.last >= after:
        pieces.append(Period(max(period.first, after), period.last))
    return pieces


def _regroup(by_institution, group_by, shared):
    if group_by == "institution":
        return by_institution
    if group_by == "district":
        known = shared.setdefault("district_of", {})
        missing = set(by_institution) - set(known)
        if missing:
            known.update(db.session.execute(sa.select(Organization.id, Organization.district_code).where(
                Organization.id.in_(missing))).all())
        key = known.__getitem__
    else:
        def key(_institution):
            return "all"
    total = {}
    for institution_id, values in by_institution.items():
        add_base(total, {key(institution_id): values})
    return total


def _base(scope, period, group_by, now, live):
    if live or now is None or scope.category or group_by not in snapshot.CACHED_GROUPS:
        return metrics.live_base(scope, period, group_by)
    today = local_today(now)
    return snapshot.cached_base(scope, period, group_by, today, partial(_live, today=today))


def figures(scope, period, group_by=None, now=None, live=False):
    """{group key: figures}; group_by None gives one group, "all"."""
    base = _base(scope, period, group_by, now, live)
    served = metrics.enterprises(scope, period, group_by)
    return {k: combine(base.get(k), served.get(k, 0)) for k in set(base) | set(served)}


def summary(scope, period, now=None, live=False):
    result = dict(figures(scope, period, None, now, live).get("all", EMPTY))
    result["satisfaction"], result["reviews"] = metrics.satisfaction(scope, period)
    return result


def trend(scope, period, now=None, live=False):
    """[(month 'YYYY-MM', figures)] of the period's months up to today: the web's chart and table and the
    API's monthly rows. Each month's figures are exactly `figures(scope, month)`; the months' snapshot rows
    are read in one query and their distinct enterprises counted in one pass."""
    today = local_today(now) if now is not None else period.last
    months = [month for month in period.months() if month.first <= today]
    if not months:
        return []
    served = metrics.enterprises(scope, Period(months[0].first, months[-1].last), "month")
    if live or now is None or scope.category:
        bases = {month.first.strftime("%Y-%m"): metrics.live_base(scope, month, None).get("all") for month in months}
    else:
        bases = snapshot.cached_months(scope, months, today, partial(_live, today=today))
    return [(label, combine(bases[label], served.get(label, 0)))
            for label in (month.first.strftime("%Y-%m") for month in months)]


def _labels(group_by, keys):
    if group_by == "instrument":
        return dict(db.session.execute(sa.select(Instrument.id, Instrument.name).where(Instrument.id.in_(keys))).all())
    if group_by == "institution":
        return dict(db.session.execute(sa.select(Organization.id, Organization.name).where(
            Organization.id.in_(keys))).all())
    if group_by == "district":
        return {d.code: str(d.label) for d in db.session.scalars(sa.select(District))}
    if group_by == "category":
        return {c.code[:2]: c.name for c in db.session.scalars(sa.select(Category).where(Category.parent_code.is_(None)))}
    return {}


def rows(scope, period, group_by, now=None):
    """[{"key", "label", figures…}] for a grouping, the busiest first; months in order."""
    if group_by == "month":
        return [dict(values, key=month, label=month) for month, values in trend(scope, period, now)]
    found = figures(scope, period, group_by, now)
    labels = _labels(group_by, list(found))
    return sorted((dict(values, key=k, label=labels.get(k, str(k))) for k, values in found.items()),
                  key=lambda r: (-r["effective_hours"], str(r["label"])))


def named_rows(scope, period, group_by, now=None):
    """(label, figures) for a grouping, the most services first (the dashboards' top tables)."""
    found = rows(scope, period, group_by, now)
    return [(r["label"], r) for r in sorted(found, key=lambda r: (-r["service_count"], str(r["label"])))]


def instrument_rows(scope, period, now=None):
    """Per instrument, with the effective hours scaled to a year (the national benchmark's unit)."""
    scale = 365 / period.days
    found = rows(scope, period, "instrument", now)
    return [dict(r, id=r["key"], name=r["label"], annual_effective=round(r["effective_hours"] * scale, 1))
            for r in found]


def districts():
    """The 18 reporting units in their order."""
    return db.session.scalars(sa.select(District).order_by(District.position)).all()


def set_targets(actor, values):
    """The city's yearly enterprise targets, {'target-<code>': 'N'}; an empty value keeps the target."""
    if actor is None or not actor.is_city:
        raise Forbidden()
    for district in districts():
        value = (values.get(f"target-{district.code}") or "").strip()
        if value:
            if not value.isdigit() or not 0 < int(value) <= 100000:
                raise ValidationError(fields={f"target-{district.code}": _l("目标应为正整数。")})
            district.enterprise_target = int(value)


def district_rows(scope, period, now=None):
    """(district, figures) for every reporting unit in its order, zeros where nothing happened."""
    found = figures(scope, period, "district", now)
    return [(d, found.get(d.code, EMPTY)) for d in districts()]


def industries(scope, period, top=8):
    """[(industry label, enterprises)] over the enterprises served (服务市场主体数量's set)."""
    counts = Counter({code: n for code, n in metrics.industries(scope, period).items()})
    return [(str(INDUSTRY_LABELS.get(code, code or "—")), n) for code, n in counts.most_common(top)]


def money(scope, period):
    return settlement_figures(scope, period)


def money_by_district(scope, period):
    return settlement_by_district(scope, period)


def pilot_table(year, district=None, accepted_only=False):
    """The 附件4 table with its pilots' statuses, the 合计 row and the pilots that share institutions."""
    return table.build(year, district, accepted_only)


def pilot_table_xlsx(year, district, actor, now, accepted_only=False):
    org = actor.organization
    filler = table.filler_line(org.name if org else "", actor.name or actor.email,
                               actor.phone or (org.contact_phone if org else ""), local_today(now))
    return table.xlsx(table.build(year, district, accepted_only), table.title(year, district), filler)


def pilot_table_csv(year, district, accepted_only=False):
    return table.csv_bytes(table.build(year, district, accepted_only))
