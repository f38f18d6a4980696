"""Charges: one per completed booking or order, the enterprise's adjustment requests, payment.

A charge is never deleted. What changes its amount is an adjustment request the institution
approves; both amounts stay in the request and in the audit trail. An amount adjusted to zero
waives the charge.
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import audit, db
from models.booking import Booking
from models.errors import Conflict, ValidationError
from models.instrument import Instrument
from models.money import ZERO, cents, decimal_text, money
from models.order import ServiceOrder
from models.settlement import AdjustmentRequest, Charge
from models.timeutil import local_today

from ..notify.services import notify, notify_organization
from . import vouchers


def _charge_of(**link):
    return db.session.scalar(sa.select(Charge).filter_by(**link))


def _create(source, amount, now, **fields):
    charge = Charge(source=source, original_amount=amount, amount=amount, voucher_amount=ZERO, status="open",
                    created_at=now, updated_at=now, **fields)
    db.session.add(charge)
    db.session.flush()
    audit.record(charge, "charged", at=now, to_state="open", details={"amount": decimal_text(amount)})
    return charge


def record_booking(booking, now):
    """The completed booking's charge: actual use rounded up to the slot, at least one slot, SME discount applied."""
    existing = _charge_of(booking_id=booking.id)
    if existing is not None:
        return existing
    instrument = booking.instrument
    one_slot = instrument.price_for(booking.organization, instrument.slot_minutes)
    used = booking.charge_amount if booking.charge_amount is not None else booking.charge_for_actual_use()
    booking.charge_amount = max(used, one_slot)
    return _create("booking", booking.charge_amount, now, booking=booking, institution_id=instrument.institution_id,
                   organization_id=booking.organization_id, instrument_id=instrument.id)


def record_order(order, now):
    """The completed order's charge: its quote."""
    existing = _charge_of(order_id=order.id)
    if existing is not None:
        return existing
    return _create("order", cents(order.quote_amount or 0), now, order=order, institution_id=order.institution_id,
                   organization_id=order.organization_id, instrument_id=order.instrument_id)


def backfill():
    """Charges for completed services written without the services (the demo's year of history, in bulk):
    a booking its recorded charge (else its price), an order its quote; made when the service ended."""
    ended = sa.func.coalesce(Booking.actual_end, Booking.end_at)
    amount = sa.func.coalesce(Booking.charge_amount, Booking.price_amount)
    bookings = sa.select(sa.literal("booking"), Booking.id, Instrument.institution_id, Booking.organization_id,
                         Booking.instrument_id, amount, amount, ended, ended, sa.literal(1)).join(
        Instrument, Instrument.id == Booking.instrument_id).where(
        Booking.status == "completed", ~sa.exists().where(Charge.booking_id == Booking.id))
    done = sa.func.coalesce(ServiceOrder.completed_at, ServiceOrder.updated_at)
    quote = sa.func.coalesce(ServiceOrder.quote_amount, 0)
    orders = sa.select(sa.literal("order"), ServiceOrder.id, ServiceOrder.institution_id,
                       ServiceOrder.organization_id, ServiceOrder.instrument_id, quote, quote, done, done,
                       sa.literal(1)).where(
        ServiceOrder.status == "completed", ~sa.exists().where(Charge.order_id == ServiceOrder.id))
    made = 0
    for link, select in (("booking_id", bookings), ("order_id", orders)):
        columns = ["source", link, "institution_id", "organization_id", "instrument_id", "original_amount", "amount",
                   "created_at", "updated_at", "version"]
        made += db.session.execute(sa.insert(Charge).from_select(columns, select)).rowcount
    return made


def _payload(charge, **extra):
    return {"charge_id": charge.id, "organization": charge.organization.name, "institution": charge.institution.name,
            **extra}


# Adjustment requests ------------------------------------------------------------------------

def pending_adjustment(charge):
    return db.session.scalar(sa.select(AdjustmentRequest).where(
        AdjustmentRequest.charge_id == charge.id, AdjustmentRequest.status == "pending"))


def adjustments_of(charge):
    return db.session.scalars(sa.select(AdjustmentRequest).where(AdjustmentRequest.charge_id == charge.id)
                              .order_by(AdjustmentRequest.created_at, AdjustmentRequest.id)).all()


def _check_adjustment(charge, amount, reason):
    fields = {}
    if amount is None or amount < 0:
        fields["amount"] = _l("请填写调整后的金额（不能为负数）。")
    elif amount > charge.amount:
        fields["amount"] = _l("调整后的金额不能高于原金额 %(amount)s。", amount=money(charge.amount))
    elif amount == charge.amount:
        fields["amount"] = _l("调整后的金额与原金额相同。")
    if not (reason or "").strip():
        fields["reason"] = _l("请说明申请调整的原因。")
    elif len(reason) > 500:
        fields["reason"] = _l("原因最多 500 字。")
    if fields:
        raise ValidationError(fields=fields)


def request_adjustment(actor, charge, amount, reason, now):
    """The enterprise disputes an open charge: the amount it thinks right, and why."""
    charge.require("request_adjustment", actor, now)
    _check_adjustment(charge, amount, reason)
    if pending_adjustment(charge) is not None:
        raise Conflict(_l("这笔费用已有一个待处理的调整申请，请等待机构处理。"))
    request = AdjustmentRequest(charge=charge, requested_by=actor, amount_before=charge.amount, amount=cents(amount),
                                reason=reason.strip(), status="pending", created_at=now)
    db.session.add(request)
    db.session.flush()
    audit.record(charge, "adjustment_requested", actor=actor, at=now, reason=reason.strip(),
                 details={"request_id": request.id, "from": decimal_text(charge.amount), "to": decimal_text(amount)})
    notify_organization(charge.institution_id, "adjustment_requested", **_payload(
        charge, amount_before=decimal_text(charge.amount), amount=decimal_text(amount), reason=request.reason))
    return request


def approve_adjustment(actor, request, now):
    """The institution agrees: the charge takes the new amount (zero waives it); the voucher gives back its excess."""
    charge = vouchers.locked(Charge, request.charge_id)
    request.require("approve", actor, now)
    request.transition("approved", actor=actor, now=now)
    before, charge.amount, charge.updated_at = charge.amount, request.amount, now
    if charge.booking is not None:
        charge.booking.charge_amount = charge.amount  # the booking's page and its statistics show what is owed
    vouchers.give_back_excess(charge, actor, now)
    audit.record(charge, "adjusted", actor=actor, at=now, reason=request.reason,
                 details={"request_id": request.id, "from": decimal_text(before), "to": decimal_text(charge.amount)})
    if charge.amount == 0:
        charge.invoice_request = None
        charge.transition("waived", actor=actor, now=now)
    notify(request.requested_by, "adjustment_approved", **_payload(
        charge, amount_before=decimal_text(before), amount=decimal_text(charge.amount)))


def reject_adjustment(actor, request, reason, now):
    request.require("reject", actor, now)
    if not (reason or "").strip():
        raise ValidationError(fields={"reason": _l("请说明不同意调整的原因。")})
    if len(reason) > 500:
        raise ValidationError(fields={"reason": _l("原因最多 500 字。")})
    request.transition("rejected", actor=actor, now=now, reason=reason.strip())
    notify(request.requested_by, "adjustment_rejected", **_payload(request.charge, reason=reason.strip()))


# Payment -----------------------------------------------------------------------------------

def mark_paid(actor, charge, paid_on, now):
    """The institution records the enterprise's payment of an invoiced charge."""
    charge.require("mark_paid", actor, now)
    if paid_on is None or paid_on > local_today(now):
        raise ValidationError(fields={"paid_on": _l("请填写付款日期（不能晚于今天）。")})
    charge.transition("paid", actor=actor, now=now, action="paid")
    charge.paid_on = paid_on
