"""The settlement pages for each role: what each sees, and the forms that change something."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.settlement import charges as charge_services
from app.settlement import vouchers
from models import db
from models.settlement import InvoiceRequest
from models.voucher import Voucher
from tests.settlement import NOW, charge_of, completed_booking, completed_order, issue_voucher


@pytest.fixture
def charged(world):
    return charge_of(completed_booking(world, minutes_used=60))  # ¥480.00


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_the_enterprise_sees_its_charges_with_one_way_of_writing_money(world, sign_in, charged):
    html = page(sign_in(world.sme_a), "/settlement/")
    assert "¥480.00" in html and "甲检测院" in html and "待结算" in html
    assert 'name="charge_ids"' in html  # it can pick the charge for an invoice


def test_the_institution_sees_its_charges_and_what_waits_for_it(world, sign_in, charged):
    charge_services.request_adjustment(world.sme_a, charged, Decimal("300.00"), "设备故障", NOW)
    db.session.commit()
    html = page(sign_in(world.lab_a), "/settlement/")
    assert "甲精密机械" in html and "1 个费用调整申请待处理" in html
    assert page(sign_in(world.lab_b), "/settlement/").count("data-testid=\"charge-") == 0


def test_a_district_reads_its_districts_charges_without_actions(world, sign_in, charged):
    html = page(sign_in(world.district_a), f"/settlement/charges/{charged.id}")
    assert "¥480.00" in html and "apply-voucher" not in html and "request-adjustment" not in html
    assert sign_in(world.district_b).get(f"/settlement/charges/{charged.id}").status_code == 404


def test_the_enterprise_applies_a_voucher_from_the_charge_page(world, sign_in, charged):
    voucher = issue_voucher(world, amount="1000.00", percent=50)
    client = sign_in(world.sme_a)
    html = page(client, f"/settlement/charges/{charged.id}")
    assert voucher.code in html and "抵扣 ¥240.00" in html
    done = client.post(f"/settlement/charges/{charged.id}/voucher", data={"voucher_id": voucher.id},
                       follow_redirects=True).get_data(as_text=True)
    assert "已使用创新券" in done and "¥240.00" in done
    assert db.session.get(Voucher, voucher.id).balance == Decimal("760.00")


def test_an_adjustment_above_the_amount_is_shown_as_an_error_on_the_page(world, sign_in, charged):
    html = sign_in(world.sme_a).post(f"/settlement/charges/{charged.id}/adjustments",
                                     data={"amount": "500", "reason": "太贵"}, follow_redirects=True
                                     ).get_data(as_text=True)
    assert "调整后的金额不能高于原金额 ¥480.00" in html


def test_the_institution_approves_an_adjustment_from_the_charge_page(world, sign_in, charged):
    client = sign_in(world.sme_a)
    client.post(f"/settlement/charges/{charged.id}/adjustments", data={"amount": "300", "reason": "设备故障"})
    request = charge_services.pending_adjustment(charged)
    lab = sign_in(world.lab_a)
    assert "由 ¥480.00 调整为 ¥300.00" in page(lab, f"/settlement/charges/{charged.id}")
    html = lab.post(f"/settlement/adjustments/{request.id}/approve", follow_redirects=True).get_data(as_text=True)
    assert "已同意调整" in html and "¥300.00" in html and "¥480.00" in html  # both amounts stay visible


def test_the_enterprise_requests_an_invoice_and_the_institution_issues_it(world, sign_in, charged):
    client = sign_in(world.sme_a)
    html = client.post("/settlement/invoices", data={"charge_ids": [charged.id], "title": "甲精密机械",
                                                    "tax_no": world.enterprise_a.uscc, "kind": "special",
                                                    "email": "fin@example.com"}, follow_redirects=True
                       ).get_data(as_text=True)
    assert "开票申请已提交" in html and "待开票" in html
    request = db.session.scalar(sa.select(InvoiceRequest))
    lab = sign_in(world.lab_a)
    html = lab.post(f"/settlement/invoices/{request.id}/issue", data={"invoice_no": "26312000000012345678",
                                                                     "issued_on": "2026-03-02"},
                    follow_redirects=True).get_data(as_text=True)
    assert "发票已登记" in html and "26312000000012345678" in html
    assert "已开票" in page(sign_in(world.sme_a), "/settlement/")


def test_a_bad_taxpayer_number_keeps_the_enterprise_on_its_charges(world, sign_in, charged):
    response = sign_in(world.sme_a).post("/settlement/invoices", data={
        "charge_ids": [charged.id], "title": "甲", "tax_no": "91110000600037341A", "kind": "normal",
        "email": "fin@example.com"}, follow_redirects=True)
    assert "校验位" in response.get_data(as_text=True)
    assert response.request.path == "/settlement/"


def test_a_district_issues_a_voucher_by_the_enterprises_uscc(world, sign_in):
    client = sign_in(world.district_a)
    html = client.post("/settlement/vouchers", data={
        "uscc": world.enterprise_a.uscc, "amount": "2000", "subsidy_percent": "40", "valid_from": "2026-03-02",
        "valid_until": "2026-05-31", "programme": "2026 年浦东新区科技创新券"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "创新券已发放" in html and "甲精密机械" in html and "¥2,000.00" in html


def test_a_district_cannot_issue_to_another_districts_enterprise_from_the_page(world, sign_in):
    html = sign_in(world.district_a).post("/settlement/vouchers", data={
        "uscc": world.enterprise_b.uscc, "amount": "2000", "subsidy_percent": "40", "valid_from": "2026-03-02",
        "valid_until": "2026-05-31", "programme": "x"}, follow_redirects=True).get_data(as_text=True)
    assert "本辖区内没有该统一社会信用代码的企业" in html
    assert db.session.scalar(sa.select(sa.func.count(Voucher.id))) == 0


def test_the_enterprise_sees_its_vouchers_and_the_bureau_its_redemptions(world, sign_in, charged):
    voucher = issue_voucher(world)
    vouchers.apply(world.sme_a, charged, voucher.id, NOW)
    db.session.commit()
    assert voucher.code in page(sign_in(world.sme_a), "/settlement/vouchers")
    html = page(sign_in(world.district_a), "/settlement/vouchers")
    assert "2026 年兑付记录" in html and "¥240.00" in html
    assert sign_in(world.lab_a).get("/settlement/vouchers").status_code == 403


def test_a_statement_page_has_totals_and_the_month_list_links_the_files(world, sign_in, charged):
    html = page(sign_in(world.sme_a), "/settlement/statements?month=2026-03")
    assert "甲检测院" in html and "statement-pdf" in html
    assert "¥480.00" in page(sign_in(world.lab_a), f"/settlement/statements/2026-03/{world.institution_a.id}/"
                                                    f"{world.enterprise_a.id}")
    assert sign_in(world.lab_a).get("/settlement/statements?month=2026-13").status_code == 422


def test_booking_and_order_pages_show_their_charge(world, sign_in, charged, app):
    assert "¥480.00" in page(sign_in(world.sme_a), f"/bookings/{charged.booking_id}")
    order = completed_order(world, amount="1125.00", upload_dir=app.config["UPLOAD_DIR"])
    html = page(sign_in(world.sme_a), f"/orders/{order.id}")
    assert 'data-testid="charge-card"' in html and "¥1,125.00" in html and "¥1125.00" not in html


def test_the_dashboards_show_charges_vouchers_and_net(world, sign_in, charged):
    vouchers.apply(world.sme_a, charged, issue_voucher(world).id, NOW)
    db.session.commit()
    for user in (world.lab_a, world.district_a, world.city):
        html = page(sign_in(user), "/stats/")
        assert 'data-testid="settlement-figures"' in html and "¥480.00" in html and "¥240.00" in html


def test_admins_have_no_settlement_pages(world, sign_in):
    assert sign_in(world.admin).get("/settlement/").status_code == 403


def test_a_confidential_orders_charge_shows_bureaus_its_number_only(world, sign_in, app):
    order = completed_order(world, upload_dir=app.config["UPLOAD_DIR"])
    order.confidential = True
    db.session.commit()
    html = page(sign_in(world.district_a), "/settlement/")
    assert order.number in html and order.title not in html
