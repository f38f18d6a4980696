"""Who sees which charges, vouchers and requests; registered with app/policy.py.

Charges and invoice requests: the enterprise its own, the institution its own, a district bureau
those of the institutions and the enterprises of its district (read only), the city all.
Vouchers: the enterprise its own, a district bureau those held by its district's enterprises
(whoever issued them), the city all; institutions see a voucher only through the charges it paid.
"""
import sqlalchemy as sa

from models import Organization
from models.settlement import AdjustmentRequest, Charge, InvoiceRequest
from models.voucher import Voucher

from ..policy import scope_rule


def organizations_in(district_code):
    return sa.select(Organization.id).where(Organization.district_code == district_code)


def _parties(actor, stmt, institution_column, organization_column):
    if actor is None:
        return stmt.where(sa.false())
    if actor.role in ("admin", "city"):
        return stmt
    if actor.role == "enterprise":
        return stmt.where(organization_column == actor.organization_id)
    if actor.role == "institution":
        return stmt.where(institution_column == actor.organization_id)
    local = organizations_in(actor.district_code)
    return stmt.where(sa.or_(institution_column.in_(local), organization_column.in_(local)))


@scope_rule(Charge)
def _charges(actor, stmt):
    return _parties(actor, stmt, Charge.institution_id, Charge.organization_id)


@scope_rule(InvoiceRequest)
def _invoice_requests(actor, stmt):
    return _parties(actor, stmt, InvoiceRequest.institution_id, InvoiceRequest.organization_id)


@scope_rule(AdjustmentRequest)
def _adjustment_requests(actor, stmt):
    visible = _charges(actor, sa.select(Charge.id))
    return stmt.where(AdjustmentRequest.charge_id.in_(visible))


@scope_rule(Voucher)
def _vouchers(actor, stmt):
    if actor is None or actor.role == "institution":
        return stmt.where(sa.false())
    if actor.role in ("admin", "city"):
        return stmt
    if actor.role == "enterprise":
        return stmt.where(Voucher.organization_id == actor.organization_id)
    return stmt.where(Voucher.organization_id.in_(organizations_in(actor.district_code)))
