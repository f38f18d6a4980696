"""Journey 7 in Chromium: a district issues a voucher, the SME's use is checked out, the SME pays part of the
charge with the voucher, downloads its statement and asks for an invoice; the lab issues it."""
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from app.booking import services as bookings
from app.demo.accounts import organization, user
from models import db, utcnow
from models.timeutil import local, local_today
from tests import factories

from .conftest import accept_dialogs, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


@pytest.fixture
def sme_in_the_lab(live_app):
    """The demo SME has been using an instrument of the demo lab for two hours; nobody has checked it out."""
    now = utcnow()
    with live_app.app_context():
        instrument = factories.create_instrument(organization("lab"), name="浏览器测试用万能材料试验机",
                                                 slot_minutes=60, min_minutes=60)
        start = local(now).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
        booking = factories.create_booking(instrument, organization("sme"), start=start, minutes=60,
                                           status="confirmed", created_by=user("sme"))
        bookings.check_in(user("lab"), booking, now, at=start)
        db.session.commit()
        return booking.id, organization("sme").uscc, organization("lab").name


def test_journey_7_a_voucher_pays_part_of_a_charge_then_the_statement_and_the_invoice(open_page, sme_in_the_lab):
    booking_id, sme_uscc, lab_name = sme_in_the_lab
    today = local_today(utcnow())

    district = accept_dialogs(sign_in(open_page(), "pudong@demo.local"))
    district.goto("/settlement/vouchers")
    district.fill("#uscc", sme_uscc)
    district.fill("#amount", "3000")
    district.fill("#subsidy_percent", "50")
    district.fill("#valid_from", today.isoformat())
    district.fill("#valid_until", (today + timedelta(days=29)).isoformat())
    district.fill("#programme", "浏览器测试创新券")
    district.click("[data-testid=issue-voucher]")
    expect(district.locator(".alert-success")).to_contain_text("创新券已发放")
    row = district.locator("[data-testid=vouchers] tbody tr", has_text="浏览器测试创新券")
    code = row.locator("td").first.inner_text().strip()
    assert re.fullmatch(r"CXQ-\d{4}-[0-9A-Z]{6}", code)
    shot(district, "15-settlement-vouchers", full_page=True)

    lab = accept_dialogs(sign_in(open_page(), "lab@demo.local"))
    lab.goto(f"/bookings/{booking_id}")
    lab.click(f"[data-testid=check_out-{booking_id}]")
    expect(lab.locator(".alert-success")).to_contain_text("已签退")
    expect(lab.locator("[data-testid=charge-card]")).to_contain_text("¥")

    sme = accept_dialogs(sign_in(open_page(), "sme@demo.local"))
    sme.goto(f"/bookings/{booking_id}")
    sme.locator("[data-testid=charge-card] a").click()
    charge_id = int(re.search(r"/settlement/charges/(\d+)", sme.url).group(1))
    voucher = sme.locator("#voucher_id option", has_text=code).get_attribute("value")
    sme.select_option("#voucher_id", voucher)
    sme.click("[data-testid=apply-voucher]")
    expect(sme.locator(".alert-success")).to_contain_text("已使用创新券")
    amount = sme.locator("[data-testid=amount]").inner_text()
    expect(sme.locator("[data-testid=voucher-amount]")).to_contain_text(code)
    shot(sme, "14-settlement-charge")

    sme.goto("/settlement/statements")
    statement = sme.locator("[data-testid=statements] tr", has_text=lab_name)
    with sme.expect_download() as download:
        statement.locator("[data-testid=statement-pdf]").click()
    text = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes())).pages[0].extract_text()
    cells = "".join(text.split())  # a table cell may wrap anywhere, even inside a voucher code
    assert "服务费用对账单" in text and sme_uscc in text and amount in cells and code in cells

    sme.goto("/settlement/?status=open")
    sme.check(f"#pick-{charge_id}")
    sme.fill("#email", "finance@example.com")
    sme.select_option("#kind", "special")
    shot(sme, "16-settlement-charges", full_page=True)
    sme.click("[data-testid=request-invoice]")
    expect(sme.locator(".alert-success")).to_contain_text("开票申请已提交")

    lab.goto("/settlement/invoices?status=requested")
    request = lab.locator("section[data-testid^=invoice-]", has=lab.locator(f"a[href='/settlement/charges/{charge_id}']"))
    request.locator("input[name=invoice_no]").fill("26312000000099990001")
    request.locator("[data-testid=issue-invoice]").click()
    expect(lab.locator(".alert-success")).to_contain_text("发票已登记")

    sme.goto(f"/settlement/charges/{charge_id}")
    expect(sme.locator("h1 [data-status]")).to_have_text("已开票")
    expect(sme.locator("[data-testid=amounts]")).to_contain_text("26312000000099990001")
