"""Every role's journey through the real product, in Chromium (issue 8, journeys 1-4 and 6)."""
import io
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from app.booking import services as bookings
from app.demo.accounts import organization, user
from app.demo.bookings import first_free_slot
from app.orders.report_pdf import ReportContent, render
from models import Instrument, db, utcnow
from models.timeutil import at_local, local, local_today
from models.uscc import check_character

from .conftest import accept_dialogs, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def instrument(code):
    return db.session.scalar(sa.select(Instrument).where(Instrument.internal_code == code))


def first_free_cell(page):
    """A free cell of the week view, moving to next week when this one has none left."""
    for _ in range(3):
        cells = page.locator("td.free button")
        if cells.count():
            return cells.first
        page.click("[data-testid=next-week]")
    pytest.fail("no free time in three weeks")


def register_sme(page):
    email = f"sme-{uuid.uuid4().hex[:8]}@example.com"
    first17 = "91310115MA1" + uuid.uuid4().hex[:6].upper().translate(str.maketrans("IOSVZ", "12345"))
    good = first17 + check_character(first17)
    bad = first17 + ("0" if good[-1] != "0" else "1")
    page.goto("/auth/register")
    page.fill("#email", email)
    page.fill("#name", "张工")
    page.fill("#password", "a-long-password")
    page.fill("#password_confirm", "a-long-password")
    page.fill("#organization-name", "上海新来精密部件有限公司")
    page.select_option("#organization-size", "small")
    page.fill("#organization-uscc", bad)
    page.select_option("#organization-district_code", "310115")
    page.select_option("#organization-industry", "C")
    page.click("main form button[type=submit]")
    expect(page.locator("#organization-uscc-error")).to_contain_text("校验位")
    expect(page.locator("#organization-name")).to_have_value("上海新来精密部件有限公司")  # the input is kept
    page.fill("#organization-uscc", good)
    page.fill("#password", "a-long-password")
    page.fill("#password_confirm", "a-long-password")
    page.click("main form button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("注册成功")
    return email


def test_journey_1_a_new_sme_registers_finds_books_downloads_and_cancels(open_page):
    page = accept_dialogs(open_page())
    register_sme(page)
    shot(page, "01-home")
    page.fill("#home-q", "盐雾")
    page.press("#home-q", "Enter")
    expect(page.locator("[data-testid=result-count]")).to_contain_text("台仪器")
    shot(page, "02-search")
    page.locator("[data-testid=instrument-card]", has_text="盐雾试验箱").locator("a").first.click()
    expect(page.locator("h1")).to_have_text("盐雾试验箱")
    first_free_cell(page).click()
    expect(page.locator("[data-testid=booking-price]")).to_contain_text("¥")
    shot(page, "03-week-view")
    page.click("[data-testid=book-button]")
    expect(page.locator(".alert-success")).to_contain_text("预约成功")
    page.goto("/bookings")
    upcoming = page.locator("[data-testid=upcoming]")
    expect(upcoming).to_contain_text("盐雾试验箱")
    expect(upcoming).to_contain_text(re.compile("前可免费取消|现在取消将记为逾期取消"))  # by how near it is
    shot(page, "04-my-bookings")
    with page.expect_download() as download:
        upcoming.locator("[data-testid^=ics-]").first.click()
    event = Calendar.from_ical(Path(download.value.path()).read_bytes()).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "盐雾试验箱" and str(event["STATUS"]) == "CONFIRMED"
    upcoming.locator("[data-testid^=cancel-]").first.click()
    expect(page.locator(".alert-success")).to_contain_text("预约已取消")
    expect(page.locator("[data-testid=upcoming]")).to_have_count(0)


@pytest.fixture
def lab2_day(live_app):
    """A pending request to approve and a walk-in in progress to check in, on lab2's instruments."""
    now = utcnow()
    with live_app.app_context():
        staff, customer = user("lab2"), user("sme2")
        raman = instrument("MJ-007")
        day = local_today(now) + timedelta(days=3)
        start, end = (first_free_slot(raman, day, 60, at_local(day))
                      or first_free_slot(raman, day + timedelta(days=1), 60, now))
        pending = bookings.book(customer, raman, start, end, now)
        chamber = instrument("MJ-001")
        hour = local(now).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
        walk_in = bookings.book(staff, chamber, hour, hour + timedelta(hours=1), now,
                                organization=organization("sme2"))  # began an hour ago; nobody checked it in
        db.session.commit()
        return pending.id, walk_in.id, hour.strftime("%Y-%m-%dT%H:%M")


def spreadsheet_with_one_bad_row(tmp_path):
    from app.catalog.spreadsheet import HEADERS

    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    good = {"仪器名称": "台式扫描电镜", "内部编码": "NEW-01", "分类编码": "010400", "有效期至": "2027-06-30"}
    bad = {"仪器名称": "未知类别仪器", "内部编码": "NEW-02", "分类编码": "999999"}
    for row in (good, bad):
        sheet.append([row.get(h, "") for h in HEADERS])
    path = tmp_path / "instruments.xlsx"
    book.save(path)
    return path


def test_journey_2_an_institution_approves_checks_in_and_out_closes_and_imports(open_page, lab2_day, tmp_path):
    pending_id, walk_in_id, began = lab2_day
    page = sign_in(accept_dialogs(open_page()), "lab2@demo.local")
    page.goto("/console/bookings/pending")
    shot(page, "05-approval-queue")
    page.click(f"[data-testid=approve-{pending_id}]")
    expect(page.locator(".alert-success")).to_contain_text("已批准该预约")
    # The walk-in's own day: it began an hour ago, which between 00:00 and 01:00 in Shanghai is yesterday.
    page.goto(f"/console/today?day={began[:10]}")
    expect(page.locator("[data-testid=today]")).to_contain_text("盐雾试验箱")
    shot(page, "06-today")
    page.goto(f"/bookings/{walk_in_id}")  # the staff enter when the walk-in actually began
    page.fill("#check-in-at", began)
    page.click("[data-testid=check-in-at]")
    expect(page.locator(".alert-success")).to_contain_text("已签到")
    page.click(f"[data-testid=check_out-{walk_in_id}]")
    expect(page.locator(".alert-success")).to_contain_text("已签退")
    expect(page.locator("[data-testid=audit-trail]")).to_contain_text("签退")
    page.goto("/console/instruments")
    page.locator("tr", has_text="MJ-012").get_by_role("link", name="停机").click()
    later = local_today(utcnow()) + timedelta(days=40)
    page.fill("#start", f"{later.isoformat()}T10:00")
    page.fill("#end", f"{later.isoformat()}T12:00")
    page.select_option("#kind", "maintenance")
    page.fill("#reason", "更换物镜")
    page.click("[data-testid=add-closure]")
    expect(page.locator(".alert-success")).to_contain_text("停机时段已添加")
    expect(page.locator("table")).to_contain_text("更换物镜")
    page.goto("/console/import")
    page.set_input_files("#file", str(spreadsheet_with_one_bad_row(tmp_path)))
    page.click("#import-form button[type=submit]")
    page.wait_for_url(re.compile(r"/console/import/\d+$"))
    expect(page.locator("[data-testid=import-errors-summary]")).to_contain_text("发现 1 处问题")
    expect(page.locator("[data-testid=import-errors]")).to_contain_text("分类编码")
    expect(page.locator("[data-testid=import-errors] td").first).to_have_text("3")
    shot(page, "07-import-errors")


def test_journey_3_a_test_order_from_request_to_review(open_page, tmp_path):
    sme = accept_dialogs(sign_in(open_page(), "sme@demo.local"))
    sme.goto("/orders/new")
    sme.select_option("#institution_id", label="上海浦江计量测试技术研究院（演示）（浦东新区）")
    sme.fill("#title", "电池外壳盐雾试验（浏览器）")
    sme.fill("#sample-name", "铝合金外壳")
    sme.fill("#sample-quantity", "3")
    sme.fill("#items-0-name", "中性盐雾试验 96h")
    sme.fill("#items-0-standard", "GB/T 10125-2021")
    sme.fill("#items-1-name", "腐蚀后外观评级")
    sme.fill("#items-1-standard", "GB/T 6461-2002")
    sme.click("[data-testid=submit-order]")
    expect(sme.locator("[data-testid=next-step]")).to_contain_text("等待机构报价")
    order_url = sme.url

    lab = accept_dialogs(sign_in(open_page(), "lab@demo.local"))
    lab.goto(order_url)
    lab.fill("#amount", "1800")
    lab.fill("#turnaround_days", "7")
    lab.fill("#valid_until", (local_today(utcnow()) + timedelta(days=10)).isoformat())
    lab.click("[data-testid=send-quote]")
    expect(lab.locator("[data-testid=quote]")).to_contain_text("¥1,800.00")

    sme.reload()
    sme.click("[data-testid=accept-quote]")
    expect(sme.locator("[data-testid=next-step]")).to_contain_text("送样")

    lab.reload()
    lab.click("[data-testid=receive-sample]")
    expect(lab.locator("[data-testid=sample-no]")).to_contain_text("YP-")
    lab.click("[data-testid=start-testing]")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render(ReportContent(
        report_no="BG-BROWSER-1", order_number="WT", institution="上海浦江计量测试技术研究院（演示）",
        customer="上海晨光精密机械有限公司（演示）", customer_address="", sample_name="铝合金外壳", sample_model="",
        sample_no="YP", quantity="3 件", received_on="—", tested_on="—", issued_on="—",
        items=[("中性盐雾试验 96h", "GB/T 10125-2021", "无红锈", "符合")])))
    lab.fill("#report_no", "BG-BROWSER-1")
    lab.set_input_files("#report-file", str(pdf))
    lab.click("[data-testid=issue-report]")
    expect(lab.locator(".alert-success")).to_contain_text("报告 BG-BROWSER-1 已出具，已通知企业")
    shot(lab, "08-order-institution")

    sme.reload()
    with sme.expect_download() as download:
        sme.click("[data-testid=download-report]")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    sme.click("[data-testid=complete-order]")
    sme.check("#score-5")
    sme.fill("#comment", "周期短，报告规范。")
    sme.click("[data-testid=submit-review]")
    expect(sme.locator("[data-testid=review]")).to_contain_text("周期短，报告规范")
    shot(sme, "09-order-enterprise", full_page=True)


def test_journey_4_a_district_submits_its_table_and_the_city_returns_it(open_page):
    district = accept_dialogs(sign_in(open_page(), "pudong@demo.local"))
    district.goto("/stats/")
    expect(district.locator("[data-testid=target-progress]")).to_be_visible()
    shot(district, "10-district-dashboard")
    district.goto("/stats/pilots")
    district.locator("[data-testid^=edit-pilot-]").first.click()
    district.fill("#basic_info", "依托张江科学城大型仪器资源，面向中小企业提供一站式检测服务（浏览器测试）。")
    district.click("[data-testid=save-pilot]")
    expect(district.locator(".alert-success")).to_contain_text("试点项目已保存")
    expect(district.locator("[data-testid=pilot-table]")).to_contain_text("浏览器测试")
    district.click("[data-testid=submit-table]")
    expect(district.locator("[data-testid=table-status]")).to_contain_text("已提交")
    with district.expect_download() as download:
        district.click("[data-testid=download-xlsx]")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet["A1"].value == "附件4"  # the official form: its label, the title, then the headers
    assert [c.value for c in sheet[3]][:3] == ["序号", "地区", "试点项目名称"] and sheet.max_row >= 5

    city = accept_dialogs(sign_in(open_page(), "city@demo.local"))
    city.goto("/stats/")
    expect(city.locator("[data-testid=districts]")).to_contain_text("浦东新区")
    shot(city, "11-city-dashboard")
    city.goto("/stats/pilots")
    city.fill("#comment-310115", "请补充“服务产业产品质量合格率提升情况”的数据来源")
    city.click("[data-testid=return-310115]")
    expect(city.locator(".alert-success")).to_contain_text("审核结果已发送")

    district.goto("/stats/pilots")
    expect(district.locator("[data-testid=review-comment]")).to_contain_text("数据来源")
    shot(district, "12-pilot-table", full_page=True)


def test_journey_6_the_sme_journey_fits_a_phone(open_page):
    page = accept_dialogs(open_page(375, 812))
    register_sme(page)

    def fits():
        wide = page.evaluate("""Array.from(document.querySelectorAll('body *')).filter(e =>
            e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-responsive'))
            .map(e => e.tagName + '.' + e.className)""")
        assert wide == [], f"wider than the phone on {page.url}: {wide[:5]}"
        return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    assert fits()
    page.click(".navbar-toggler")
    page.click("text=仪器目录")
    page.fill("#q", "盐雾")
    page.click("form[role=search] button[type=submit]")
    assert fits()
    page.locator("[data-testid=instrument-card]", has_text="盐雾试验箱").locator("a").first.click()
    assert fits()  # the week view scrolls inside its own box, not the page
    first_free_cell(page).click()
    expect(page.locator("[data-testid=booking-price]")).to_contain_text("¥")
    shot(page, "13-phone-week-view")
    page.click("[data-testid=book-button]")
    expect(page.locator(".alert-success")).to_contain_text("预约成功")
    assert fits()
