"""Charges: made on completion, never more than one per service; adjustments; invoices; payment."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.booking import jobs as booking_jobs
from app.settlement import charges, invoices
from models import AuditRecord, Notification, db
from models.errors import Conflict, Forbidden, InvalidTransition, ValidationError
from models.settlement import Charge
from models.uscc import taxpayer_number_error
from tests import factories
from tests.settlement import NOW, TODAY, charge_of, completed_booking, completed_order, lab_instrument


@pytest.mark.parametrize("minutes_used,expected", [
    (45, "480.00"),   # rounded up to 60 min: 1 h × 600 × (1 − 20 %)
    (60, "480.00"),
    (61, "720.00"),   # 90 min
    (30, "240.00"),   # one 30-minute slot (less is not a service: check-out refuses it)
])
def test_a_completed_booking_is_charged_its_actual_use_rounded_up_to_the_slot_with_the_sme_discount(
        world, minutes_used, expected):
    booking = completed_booking(world, minutes_used=minutes_used)
    charge = charge_of(booking)
    assert (charge.amount, charge.original_amount, charge.status) == (Decimal(expected), Decimal(expected), "open")
    assert (charge.source, charge.institution_id, charge.organization_id) == (
        "booking", world.institution_a.id, world.enterprise_a.id)
    assert booking.charge_amount == charge.amount


def test_a_large_enterprise_pays_the_full_rate(world):
    big = factories.create_user("enterprise", factories.create_org("enterprise", size="large"))
    assert charge_of(completed_booking(world, minutes_used=60, customer=big)).amount == Decimal("600.00")


def test_a_use_shorter_than_a_minute_is_still_charged_one_slot(world):
    instrument = lab_instrument(world)
    booking = factories.create_booking(instrument, world.enterprise_a, start=NOW - timedelta(hours=1),
                                       status="checked_in", actual_start=NOW - timedelta(hours=1),
                                       created_by=world.sme_a)
    booking.charge_amount = Decimal("0.00")
    charges.record_booking(booking, NOW)
    assert charge_of(booking).amount == Decimal("240.00")


def test_an_overdue_check_in_closed_by_the_scheduler_is_charged_once_however_often_the_job_runs(world):
    instrument = lab_instrument(world)
    start = NOW - timedelta(hours=4)
    booking = factories.create_booking(instrument, world.enterprise_a, start=start, minutes=60, status="checked_in",
                                       actual_start=start, created_by=world.sme_a)
    assert booking_jobs.close_overdue_checkins(NOW, 60) == 1
    assert booking_jobs.close_overdue_checkins(NOW, 60) == 0
    assert charge_of(booking).amount == Decimal("480.00")
    assert db.session.scalar(sa.select(sa.func.count(Charge.id)).where(Charge.booking_id == booking.id)) == 1


def test_recording_a_charge_twice_keeps_one(world):
    booking = completed_booking(world)
    assert charges.record_booking(booking, NOW) is charge_of(booking)


def test_a_completed_order_is_charged_its_quote(world, tmp_path):
    order = completed_order(world, amount="1125.00", upload_dir=str(tmp_path))
    charge = charge_of(order=order)
    assert (charge.source, charge.amount, charge.instrument_id) == ("order", Decimal("1125.00"), None)
    assert charge.description.startswith(order.number)


# Adjustments --------------------------------------------------------------------------------

@pytest.fixture
def charge(world):
    return charge_of(completed_booking(world, minutes_used=60))  # ¥480.00


def test_an_approved_adjustment_changes_the_amount_and_keeps_both_amounts(world, charge):
    request = charges.request_adjustment(world.sme_a, charge, Decimal("300.00"), "仪器中途故障半小时", NOW)
    charges.approve_adjustment(world.lab_a, request, NOW)
    assert (charge.amount, charge.original_amount, request.status) == (Decimal("300.00"), Decimal("480.00"), "approved")
    assert (request.amount_before, request.amount) == (Decimal("480.00"), Decimal("300.00"))
    assert charge.booking.charge_amount == Decimal("300.00")
    adjusted = db.session.scalar(sa.select(AuditRecord).where(AuditRecord.object_type == "charges",
                                                              AuditRecord.action == "adjusted"))
    assert adjusted.details["from"] == "480.00" and adjusted.details["to"] == "300.00"
    assert db.session.scalar(sa.select(Notification.kind).where(Notification.recipient_id == world.sme_a.id)
                             .order_by(Notification.id.desc()).limit(1)) == "adjustment_approved"


def test_an_adjustment_to_zero_waives_the_charge(world, charge):
    charges.approve_adjustment(world.lab_a, charges.request_adjustment(world.sme_a, charge, Decimal("0"), "未使用", NOW),
                               NOW)
    assert (charge.amount, charge.status) == (Decimal("0.00"), "waived")


def test_a_rejected_adjustment_leaves_the_amount_and_needs_a_reason(world, charge):
    request = charges.request_adjustment(world.sme_a, charge, Decimal("300.00"), "太贵", NOW)
    with pytest.raises(ValidationError):
        charges.reject_adjustment(world.lab_a, request, " ", NOW)
    charges.reject_adjustment(world.lab_a, request, "按实际使用时长计费", NOW)
    assert (charge.amount, request.status, request.decision_reason) == (Decimal("480.00"), "rejected", "按实际使用时长计费")


@pytest.mark.parametrize("amount,field", [(Decimal("480.01"), "amount"), (Decimal("480.00"), "amount"),
                                          (Decimal("-1"), "amount")])
def test_an_adjustment_above_or_equal_to_the_amount_or_negative_is_refused(world, charge, amount, field):
    with pytest.raises(ValidationError) as refused:
        charges.request_adjustment(world.sme_a, charge, amount, "理由", NOW)
    assert field in refused.value.fields


def test_a_second_pending_adjustment_is_a_conflict(world, charge):
    charges.request_adjustment(world.sme_a, charge, Decimal("300.00"), "理由", NOW)
    with pytest.raises(Conflict):
        charges.request_adjustment(world.sme_a, charge, Decimal("200.00"), "理由", NOW)


def test_only_the_enterprise_requests_and_only_the_institution_decides(world, charge):
    with pytest.raises(Forbidden):
        charges.request_adjustment(world.lab_a, charge, Decimal("300.00"), "理由", NOW)
    request = charges.request_adjustment(world.sme_a, charge, Decimal("300.00"), "理由", NOW)
    with pytest.raises(Forbidden):
        charges.approve_adjustment(world.sme_a, request, NOW)
    with pytest.raises(Forbidden):
        charges.approve_adjustment(world.lab_b, request, NOW)


# Invoices and payment ------------------------------------------------------------------------

INVOICE = {"title": "甲精密机械", "tax_no": "91110000600037341L", "kind": "special", "email": "fin@example.com"}


def test_an_invoice_request_then_its_issue_make_the_charges_invoiced_then_paid(world, charge):
    second = charge_of(completed_booking(world, minutes_used=30))
    request = invoices.request_invoice(world.sme_a, [charge.id, second.id], INVOICE, NOW)
    assert request.total == Decimal("720.00") and charge.invoice_request_id == request.id
    invoices.issue_invoice(world.lab_a, request, "26312000000012345678", TODAY, NOW)
    assert (request.status, charge.status, second.status) == ("issued", "invoiced", "invoiced")
    charges.mark_paid(world.lab_a, charge, TODAY, NOW)
    assert (charge.status, charge.paid_on) == ("paid", TODAY)
    kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.recipient_id == world.sme_a.id)).all()
    assert "invoice_issued" in kinds


def test_an_invoice_request_mixing_two_institutions_is_refused(world, charge):
    other = charge_of(completed_booking(world, instrument=factories.create_instrument(world.institution_b)))
    with pytest.raises(ValidationError) as refused:
        invoices.request_invoice(world.sme_a, [charge.id, other.id], INVOICE, NOW)
    assert "charge_ids" in refused.value.fields


def test_a_charge_already_in_a_request_cannot_be_requested_again(world, charge):
    invoices.request_invoice(world.sme_a, [charge.id], INVOICE, NOW)
    with pytest.raises(InvalidTransition):
        invoices.request_invoice(world.sme_a, [charge.id], INVOICE, NOW)


def test_another_enterprises_charge_cannot_be_invoiced(world, charge):
    with pytest.raises(ValidationError) as refused:
        invoices.request_invoice(world.sme_b, [charge.id], INVOICE, NOW)
    assert "charge_ids" in refused.value.fields


@pytest.mark.parametrize("change,field", [
    ({"tax_no": "91110000600037341A"}, "tax_no"), ({"tax_no": "12345"}, "tax_no"), ({"kind": "vat"}, "kind"),
    ({"email": "not-an-address"}, "email"), ({"title": ""}, "title"),
])
def test_invoice_details_are_validated(world, charge, change, field):
    with pytest.raises(ValidationError) as refused:
        invoices.request_invoice(world.sme_a, [charge.id], dict(INVOICE, **change), NOW)
    assert field in refused.value.fields


@pytest.mark.parametrize("code,ok", [
    ("91110000600037341L", True),     # a USCC
    ("91110000600037341A", False),    # its check character wrong
    ("11010519491231002X", True),     # an identity-card-based number (individual business)
    ("110105194912310021", False),    # identity check wrong, and no USCC either
    ("310115123456789", True),        # 15 characters
    ("31011512345678901234", True),   # 20 characters
    ("3101151234567890", False),      # 16
    ("31011512345678901a", False),
])
def test_a_taxpayer_number_is_a_uscc_or_a_15_18_or_20_character_number(code, ok):
    assert (taxpayer_number_error(code) is None) is ok


def test_payment_is_recorded_only_for_an_invoiced_charge_and_not_in_the_future(world, charge):
    with pytest.raises(InvalidTransition):
        charges.mark_paid(world.lab_a, charge, TODAY, NOW)
    request = invoices.request_invoice(world.sme_a, [charge.id], INVOICE, NOW)
    invoices.issue_invoice(world.lab_a, request, "12345678", TODAY, NOW)
    with pytest.raises(ValidationError):
        charges.mark_paid(world.lab_a, charge, date(2026, 3, 3), NOW)
