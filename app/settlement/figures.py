"""The money in the statistics: what was charged, what vouchers paid, what enterprises paid.

For a scope (app/stats/scope.py: institutions, optionally a category) and a period, over the charges
made in it (a charge is made when its service completes):
charges_total        the charges' amounts (after approved adjustments)
voucher_total        the innovation vouchers' share of them (科技创新券补贴)
net_total            charges_total − voucher_total: what the enterprises paid themselves
voucher_enterprises  enterprises that paid part of a charge with a voucher
"""
import sqlalchemy as sa

from models import Organization, db
from models.instrument import Instrument
from models.money import ZERO, cents
from models.settlement import Charge
from models.timeutil import at_local


def _totals(*columns):
    return (sa.func.coalesce(sa.func.sum(Charge.amount), 0).label("charges_total"),
            sa.func.coalesce(sa.func.sum(Charge.voucher_amount), 0).label("voucher_total"),
            sa.func.count(sa.distinct(sa.case((Charge.voucher_id.is_not(None), Charge.organization_id))))
            .label("voucher_enterprises"), *columns)


def _in(scope, period, stmt):
    stmt = stmt.where(Charge.created_at >= at_local(period.first), Charge.created_at < period.end,
                      scope.institution_filter(Charge.institution_id))
    if scope.category:
        stmt = stmt.where(Charge.instrument_id.in_(
            sa.select(Instrument.id).where(Instrument.category_code.like(scope.category + "%"))))
    return stmt


def _figures(row):
    charged, subsidy = cents(row.charges_total if row else ZERO), cents(row.voucher_total if row else ZERO)
    return {"charges_total": charged, "voucher_total": subsidy, "net_total": charged - subsidy,
            "voucher_enterprises": row.voucher_enterprises if row else 0}


def settlement_figures(scope, period):
    return _figures(db.session.execute(_in(scope, period, sa.select(*_totals()))).one())


def settlement_by_district(scope, period):
    """{district code: figures} by the institutions' districts (the city's comparison)."""
    district = Organization.district_code
    stmt = _in(scope, period, sa.select(*_totals(district.label("district")))
               .join(Organization, Organization.id == Charge.institution_id)).group_by(district)
    return {row.district: _figures(row) for row in db.session.execute(stmt)}
