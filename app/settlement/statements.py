"""Monthly statements (对账单): one enterprise × one institution × one calendar month in Shanghai.

A charge belongs to the month it was made in (when the service completed). The lines are what the
actor may see (app/settlement/scope.py); parties that never dealt with each other have no statement.
"""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from models import Organization, db
from models.errors import NotFound, ValidationError
from models.money import ZERO
from models.settlement import Charge
from models.timeutil import at_local

from ..policy import scoped


@dataclass
class Statement:
    month: date  # its first day
    institution: Organization
    organization: Organization
    lines: list = field(default_factory=list)

    @property
    def label(self):
        return self.month.strftime("%Y-%m")

    @property
    def total(self):
        return sum((c.amount for c in self.lines), ZERO)

    @property
    def voucher_total(self):
        return sum((c.voucher_amount for c in self.lines), ZERO)

    @property
    def net_total(self):
        return self.total - self.voucher_total


def parse_month(text, default):
    """YYYY-MM as the month's first day; `default` (a date) when empty."""
    if text in (None, ""):
        return date(default.year, default.month, 1)
    try:
        year, month = (int(part) for part in str(text).split("-"))
        first = date(year, month, 1)
    except ValueError:
        raise ValidationError(fields={"month": _l("月份格式应为 YYYY-MM，如 2026-03。")}) from None
    if not 2000 <= first.year <= 2099 or len(str(text)) != 7:
        raise ValidationError(fields={"month": _l("月份格式应为 YYYY-MM，如 2026-03。")})
    return first


def next_month(month):
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _in_month(stmt, month):
    return stmt.where(Charge.created_at >= at_local(month), Charge.created_at < at_local(next_month(month)))


def _party(organization_id, kind):
    found = db.session.get(Organization, organization_id) if organization_id else None
    if found is None or found.kind != kind:
        raise NotFound()
    return found


def _parties(actor, institution_id, organization_id):
    """The two parties: the actor's own organisation is implied; the other one must be named."""
    if actor.is_enterprise:
        if organization_id not in (None, actor.organization_id):
            raise NotFound()
        organization_id = actor.organization_id
    elif actor.is_institution_staff:
        if institution_id not in (None, actor.organization_id):
            raise NotFound()
        institution_id = actor.organization_id
    missing = {name: _l("请指定对账的另一方。") for name, value in (("institution_id", institution_id),
                                                                 ("organization_id", organization_id)) if not value}
    if missing:
        raise ValidationError(fields=missing)
    return _party(institution_id, "institution"), _party(organization_id, "enterprise")


def statement_for(actor, month, institution_id=None, organization_id=None):
    institution, organization = _parties(actor, institution_id, organization_id)
    between = scoped(Charge, actor).where(Charge.institution_id == institution.id,
                                          Charge.organization_id == organization.id)
    lines = db.session.scalars(_in_month(between, month).order_by(Charge.created_at, Charge.id)).all()
    if not lines and db.session.scalar(between.with_only_columns(Charge.id).limit(1)) is None:
        raise NotFound()  # they never dealt with each other, or not within the actor's sight
    return Statement(month, institution, organization, list(lines))


def statements_of_month(actor, month):
    """Every statement the actor can see for the month: an institution's customers, an enterprise's suppliers."""
    charges = db.session.scalars(_in_month(scoped(Charge, actor), month).order_by(Charge.created_at, Charge.id)).all()
    grouped = {}
    for charge in charges:
        key = (charge.institution_id, charge.organization_id)
        if key not in grouped:
            grouped[key] = Statement(month, charge.institution, charge.organization)
        grouped[key].lines.append(charge)
    return sorted(grouped.values(), key=lambda s: (s.institution.name, s.organization.name))

