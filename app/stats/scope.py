"""What a figure covers: a period (Shanghai calendar days) and a set of institutions/instruments."""
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import Organization, db
from models.errors import Forbidden, NotFound, ValidationError
from models.pilot import Pilot, pilot_institutions
from models.timeutil import at_local


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    @property
    def start(self):
        return at_local(self.first)

    @property
    def end(self):
        return at_local(self.last + timedelta(days=1))

    @property
    def days(self):
        return (self.last - self.first).days + 1

    @classmethod
    def year(cls, year):
        return cls(date(year, 1, 1), date(year, 12, 31))

    def months(self):
        month = date(self.first.year, self.first.month, 1)
        while month <= self.last:
            following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
            yield Period(max(month, self.first), min(following - timedelta(days=1), self.last))
            month = following


@dataclass(frozen=True)
class Scope:
    """institutions: ids, or None for every institution; category: a code prefix ('01' or '0101')."""

    institutions: frozenset | None = None
    category: str = ""
    label: str = field(default="", compare=False)

    def institution_filter(self, column):
        return sa.true() if self.institutions is None else column.in_(self.institutions)


def district_scope(code):
    ids = db.session.scalars(sa.select(Organization.id).where(
        Organization.kind == "institution", Organization.district_code == code)).all()
    return Scope(frozenset(ids), label=code)


def pilot_scope(pilot):
    ids = db.session.scalars(sa.select(pilot_institutions.c.institution_id).where(
        pilot_institutions.c.pilot_id == pilot.id)).all()
    return Scope(frozenset(ids), label=f"pilot:{pilot.id}")


def scope_for(actor, district=None, institution_id=None, pilot_id=None, category=""):
    """The scope an actor asked for, or 403/404. Enterprises never see statistics."""
    if actor is None or actor.role in ("enterprise", "admin"):
        raise Forbidden(_l("统计数据仅向技术机构和市场监管部门开放。"))
    category = "".join(ch for ch in (category or "") if ch.isdigit())[:6].rstrip("0")
    if len(category) % 2:
        category += "0"
    if actor.is_institution_staff:
        if district or pilot_id or (institution_id and int(institution_id) != actor.organization_id):
            raise Forbidden()
        return Scope(frozenset({actor.organization_id}), category, label=f"institution:{actor.organization_id}")
    if actor.is_district and district and district != actor.district_code:
        raise Forbidden(_l("区市场监管局只能查看本区的统计。"))
    if pilot_id:
        pilot = db.session.get(Pilot, pilot_id)
        if pilot is None or (actor.is_district and pilot.district_code != actor.district_code):
            raise NotFound()
        scope = pilot_scope(pilot)
    elif institution_id:
        org = db.session.get(Organization, institution_id)
        if org is None or org.kind != "institution" or (actor.is_district and org.district_code != actor.district_code):
            raise NotFound()
        scope = Scope(frozenset({org.id}), label=f"institution:{org.id}")
    elif actor.is_district or district:
        scope = district_scope(district or actor.district_code)
    else:
        scope = Scope(None, label="city")
    return Scope(scope.institutions, category, scope.label)


def parse_year(value, today):
    if value in (None, ""):
        return today.year
    try:
        year = int(value)
    except ValueError:
        raise ValidationError(fields={"year": _l("年份应为四位数字，如 2026。")}) from None
    if not 2000 <= year <= today.year + 1:
        raise ValidationError(fields={"year": _l("年份应在 2000 到 %(y)s 之间。", y=today.year + 1)})
    return year
