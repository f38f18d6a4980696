"""Charges, adjustment requests and payment (API.md "Charges, statements, invoices")."""
from flask import jsonify, request

from models import db
from models.money import decimal_text
from models.settlement import CHARGE_STATES, AdjustmentRequest, Charge
from models.timeutil import at_local, iso_local

from .. import clock
from ..policy import get_in_scope, scoped
from ..settlement import charges as settlement
from .base import actor, bp, created, declared_body, json_body, listing
from .declare import Body, Choice, Day, Money, Query, QueryDay, QueryInt, Text, operation
from .strict import Fields


def party(org):
    return {"id": org.id, "name": org.name}


def charge_json(charge):
    voucher = charge.voucher
    return {
        "id": charge.id, "source": charge.source, "source_id": charge.source_id, "description": charge.description,
        "institution": party(charge.institution), "organization": party(charge.organization),
        "amount": decimal_text(charge.amount), "original_amount": decimal_text(charge.original_amount),
        "voucher_amount": decimal_text(charge.voucher_amount), "net_amount": decimal_text(charge.net_amount),
        "voucher": None if voucher is None else {"id": voucher.id, "code": voucher.code},
        "status": charge.status, "invoice_request_id": charge.invoice_request_id,
        "paid_on": charge.paid_on.isoformat() if charge.paid_on else None, "created_at": iso_local(charge.created_at),
    }


def adjustment_json(adjustment):
    return {
        "id": adjustment.id, "charge_id": adjustment.charge_id, "status": adjustment.status,
        "amount_before": decimal_text(adjustment.amount_before), "amount": decimal_text(adjustment.amount),
        "reason": adjustment.reason, "decision_reason": adjustment.decision_reason,
        "created_at": iso_local(adjustment.created_at), "decided_at": iso_local(adjustment.decided_at),
        "charge": charge_json(adjustment.charge),
    }


@bp.get("/charges")
@operation("费用列表 · charges in scope", query=Query(status=Choice(CHARGE_STATES, required=False), institution_id=QueryInt(), organization_id=QueryInt(), **{"from": QueryDay(), "to": QueryDay()}), paged=True)
def list_charges():
    who, fields = actor(), Fields(request.args)
    status = request.args.get("status")
    if status:
        fields.choice("status", CHARGE_STATES)
    first, last = fields.day("from", required=False), fields.day("to", required=False)
    institution_id, organization_id = fields.query_ident("institution_id"), fields.query_ident("organization_id")
    fields.done()
    stmt = scoped(Charge, who)
    for column, value in ((Charge.status, status), (Charge.institution_id, institution_id),
                          (Charge.organization_id, organization_id)):
        if value:
            stmt = stmt.where(column == value)
    if first:
        stmt = stmt.where(Charge.created_at >= at_local(first))
    if last:
        stmt = stmt.where(Charge.created_at < at_local(last, 24 * 60))
    return listing(stmt.order_by(Charge.created_at.desc(), Charge.id.desc()), charge_json)


@bp.get("/charges/<charge_id>")
@operation("费用详情 · a charge")
def get_charge(charge_id):
    return jsonify(charge_json(get_in_scope(Charge, charge_id, actor())))


@bp.post("/charges/<charge_id>/adjustment-requests")
@operation("申请调整金额 · ask for an adjustment", body=Body(amount=Money(), reason=Text(500, required=True)), status=201)
def request_adjustment(charge_id):
    who = actor()
    charge = get_in_scope(Charge, charge_id, who)
    body = declared_body()
    adjustment = settlement.request_adjustment(who, charge, body["amount"], body["reason"], clock.now())
    db.session.commit()
    return created(adjustment_json(adjustment))


@bp.get("/adjustment-requests")
@operation("调整申请 · adjustment requests in scope", query=Query(status=Text(20)), paged=True)
def list_adjustments():
    who, fields = actor(), Fields(request.args)
    status = request.args.get("status")
    if status:
        fields.choice("status", ("pending", "approved", "rejected"))
    fields.done()
    stmt = scoped(AdjustmentRequest, who)
    if status:
        stmt = stmt.where(AdjustmentRequest.status == status)
    return listing(stmt.order_by(AdjustmentRequest.created_at.desc(), AdjustmentRequest.id.desc()), adjustment_json)


@bp.post("/adjustment-requests/<adjustment_id>/approve")
@operation("同意调整 · approve an adjustment")
def approve_adjustment(adjustment_id):
    who = actor()
    adjustment = get_in_scope(AdjustmentRequest, adjustment_id, who)
    json_body()
    settlement.approve_adjustment(who, adjustment, clock.now())
    db.session.commit()
    return jsonify(adjustment_json(adjustment))


@bp.post("/adjustment-requests/<adjustment_id>/reject")
@operation("驳回调整 · reject an adjustment", body=Body(reason=Text(500, required=True)))
def reject_adjustment(adjustment_id):
    who = actor()
    adjustment = get_in_scope(AdjustmentRequest, adjustment_id, who)
    settlement.reject_adjustment(who, adjustment, declared_body()["reason"], clock.now())
    db.session.commit()
    return jsonify(adjustment_json(adjustment))


@bp.post("/charges/<charge_id>/paid")
@operation("确认付款 · mark a charge paid", body=Body(paid_on=Day()))
def mark_paid(charge_id):
    who = actor()
    charge = get_in_scope(Charge, charge_id, who)
    settlement.mark_paid(who, charge, declared_body()["paid_on"], clock.now())
    db.session.commit()
    return jsonify(charge_json(charge))
