"""Innovation vouchers: who may issue what, the yearly cap, spending, giving back, expiry and reminders."""
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.settlement import charges, vouchers
from models import Notification, db
from models.errors import Forbidden, InvalidTransition, NotFound, ValidationError, VoucherUnusable
from models.money import cents
from models.voucher import Voucher
from tests import factories
from tests.settlement import CAP, NOW, TODAY, charge_of, completed_booking, issue_voucher


def test_a_district_issues_a_voucher_to_an_enterprise_of_its_district_and_tells_it(world):
    voucher = issue_voucher(world, amount="1000.00", percent=50)
    assert (voucher.status, voucher.balance, voucher.issuer_id) == ("active", Decimal("1000.00"),
                                                                    world.district_a.organization_id)
    assert voucher.code.startswith("CXQ-2026-")
    assert db.session.scalar(sa.select(Notification.kind).where(Notification.recipient_id == world.sme_a.id)) == \
        "voucher_issued"


def test_a_district_cannot_issue_to_an_enterprise_of_another_district(world):
    with pytest.raises(NotFound):
        issue_voucher(world, organization=world.enterprise_b, by=world.district_a)


def test_the_city_issues_to_any_enterprise(world):
    assert issue_voucher(world, organization=world.enterprise_b, by=world.city).organization_id == world.enterprise_b.id


def test_enterprises_and_institutions_cannot_issue(world):
    for who in (world.sme_a, world.lab_a):
        with pytest.raises(Forbidden):
            issue_voucher(world, by=who)


@pytest.mark.parametrize("days,ok", [(92, True), (93, False)])
def test_validity_is_at_most_92_days(world, days, ok):
    if ok:
        assert (issue_voucher(world, days=days).valid_until - TODAY).days == 91
    else:
        with pytest.raises(ValidationError) as refused:
            issue_voucher(world, days=days)
        assert "valid_until" in refused.value.fields


@pytest.mark.parametrize("change,field", [
    ({"amount": Decimal("0")}, "amount"), ({"amount": Decimal("-5")}, "amount"), ({"subsidy_percent": 0}, "subsidy_percent"),
    ({"subsidy_percent": 101}, "subsidy_percent"), ({"valid_from": TODAY - timedelta(days=1)}, "valid_from"),
    ({"programme": ""}, "programme"),
])
def test_bad_voucher_terms_are_field_errors(world, change, field):
    data = {"amount": Decimal("100"), "subsidy_percent": 50, "valid_from": TODAY,
            "valid_until": TODAY + timedelta(days=10), "programme": "创新券"}
    with pytest.raises(ValidationError) as refused:
        vouchers.issue(world.district_a, world.enterprise_a, dict(data, **change), NOW, CAP)
    assert field in refused.value.fields


def test_the_yearly_cap_counts_every_voucher_of_the_enterprise_that_year_but_only_what_was_spent_of_revoked_ones(world):
    issue_voucher(world, amount="200000.00")
    revoked = issue_voucher(world, amount="100000.00", by=world.city)
    with pytest.raises(VoucherUnusable) as refused:
        issue_voucher(world, amount="0.01")
    assert "amount" in refused.value.fields and "¥300,000.00" in str(refused.value.message)
    vouchers.revoke(world.city, revoked, "企业放弃", NOW)
    assert issue_voucher(world, amount="100000.00").amount == Decimal("100000.00")


def test_only_the_issuing_bureau_or_the_city_revokes(world):
    voucher = issue_voucher(world)
    with pytest.raises(Forbidden):
        vouchers.revoke(world.district_b, voucher, "x", NOW)
    with pytest.raises(Forbidden):
        vouchers.revoke(world.sme_a, voucher, "x", NOW)
    vouchers.revoke(world.district_a, voucher, "资格复核未通过", NOW)
    assert voucher.status == "revoked"


# Spending ------------------------------------------------------------------------------------

def test_a_voucher_pays_its_percentage_of_the_charge(world):
    voucher = issue_voucher(world, amount="1000.00", percent=50)
    charge = vouchers.apply(world.sme_a, charge_of(completed_booking(world, 60)), voucher.id, NOW)  # ¥480.00
    assert (charge.voucher_amount, charge.net_amount, voucher.balance) == (
        Decimal("240.00"), Decimal("240.00"), Decimal("760.00"))
    assert db.session.scalar(sa.select(Notification.kind).where(Notification.recipient_id == world.lab_a.id)
                             .order_by(Notification.id.desc()).limit(1)) == "voucher_applied"


def test_a_voucher_pays_no_more_than_its_balance_and_is_then_used_up(world):
    voucher = issue_voucher(world, amount="100.00", percent=80)
    charge = vouchers.apply(world.sme_a, charge_of(completed_booking(world, 60)), voucher.id, NOW)
    assert (charge.voucher_amount, voucher.balance, voucher.status) == (Decimal("100.00"), Decimal("0.00"), "used_up")


@pytest.mark.parametrize("state", ["expired", "used_up", "revoked", "other_enterprise", "not_yet_valid", "unknown"])
def test_an_unusable_voucher_is_refused_with_voucher_unusable(world, state):
    voucher = issue_voucher(world, first=TODAY + timedelta(days=3) if state == "not_yet_valid" else TODAY)
    if state == "expired":
        voucher.valid_from, voucher.valid_until = TODAY - timedelta(days=10), TODAY - timedelta(days=1)
    elif state == "used_up":
        vouchers.apply(world.sme_a, charge_of(completed_booking(world, 600, day_offset=-2)), voucher.id, NOW)
    elif state == "revoked":
        vouchers.revoke(world.district_a, voucher, "撤销", NOW)
    elif state == "other_enterprise":
        voucher = issue_voucher(world, organization=world.enterprise_b, by=world.district_b)
    charge = charge_of(completed_booking(world, 60, day_offset=-1))
    with pytest.raises(VoucherUnusable):
        vouchers.apply(world.sme_a, charge, 999999 if state == "unknown" else voucher.id, NOW)
    assert charge.voucher_id is None


def test_a_charge_that_is_not_open_takes_no_voucher(world):
    voucher = issue_voucher(world)
    charge = charge_of(completed_booking(world, 60))
    charges.approve_adjustment(world.lab_a, charges.request_adjustment(world.sme_a, charge, Decimal(0), "免收", NOW),
                               NOW)
    with pytest.raises(InvalidTransition):
        vouchers.apply(world.sme_a, charge, voucher.id, NOW)


def test_a_charge_takes_one_voucher(world):
    first, second = issue_voucher(world), issue_voucher(world, by=world.city)
    charge = vouchers.apply(world.sme_a, charge_of(completed_booking(world, 60)), first.id, NOW)
    with pytest.raises(Exception) as refused:
        vouchers.apply(world.sme_a, charge, second.id, NOW)
    assert refused.value.status == 409


def test_an_adjustment_gives_back_what_the_voucher_paid_over_its_share_of_the_new_amount(world):
    voucher = issue_voucher(world, amount="1000.00", percent=50)
    charge = vouchers.apply(world.sme_a, charge_of(completed_booking(world, 60)), voucher.id, NOW)  # pays 240
    charges.approve_adjustment(world.lab_a, charges.request_adjustment(world.sme_a, charge, Decimal("300.00"), "故障",
                                                                       NOW), NOW)
    assert (charge.voucher_amount, charge.net_amount, voucher.balance) == (
        Decimal("150.00"), Decimal("150.00"), Decimal("850.00"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amount=st.integers(1, 5000), percent=st.integers(1, 100),
       charges_minutes=st.lists(st.sampled_from([30, 60, 90, 240]), min_size=1, max_size=5))
def test_whatever_the_charges_a_voucher_never_pays_more_than_its_amount(app, amount, percent, charges_minutes):
    with app.test_request_context():
        world = factories.World.build()
        voucher = issue_voucher(world, amount=str(amount), percent=percent)
        paid = Decimal(0)
        for n, minutes in enumerate(charges_minutes):
            charge = charge_of(completed_booking(world, minutes, day_offset=-1 - n))
            expected = min(voucher.balance, cents(charge.amount * percent / 100))
            try:
                vouchers.apply(world.sme_a, charge, voucher.id, NOW)
            except VoucherUnusable:
                assert voucher.balance == 0
                continue
            assert charge.voucher_amount == expected
            paid += charge.voucher_amount
        assert paid + voucher.balance == Decimal(amount) and voucher.balance >= 0
        db.session.rollback()


def test_the_best_voucher_is_the_one_that_pays_most(world):
    issue_voucher(world, amount="100.00", percent=100)
    best = issue_voucher(world, amount="1000.00", percent=30, by=world.city)
    voucher, share = vouchers.best_voucher(world.enterprise_a.id, Decimal("1000.00"), TODAY)
    assert (voucher.id, share) == (best.id, Decimal("300.00"))


# The scheduler ---------------------------------------------------------------------------------

def test_vouchers_past_their_last_day_expire_once(world):
    voucher = issue_voucher(world, days=5)
    later = NOW + timedelta(days=5)
    assert vouchers.expire(NOW) == 0
    assert vouchers.expire(later) == 1 and voucher.status == "expired"
    assert vouchers.expire(later) == 0


def test_a_reminder_goes_once_within_seven_days_of_the_last_day(world):
    voucher = issue_voucher(world, days=30)
    db.session.query(Notification).delete()
    assert vouchers.remind_expiring(NOW + timedelta(days=21)) == 0   # 8 days left
    assert vouchers.remind_expiring(NOW + timedelta(days=22)) == 1   # 7 days left
    assert vouchers.remind_expiring(NOW + timedelta(days=23)) == 0
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == "voucher_expiring"))
    assert note.recipient_id == world.sme_a.id and note.payload["code"] == voucher.code
    assert db.session.get(Voucher, voucher.id).reminded_at is not None
