"""Accounts that run themselves and an order conversation, in Chromium: a forgotten password through the real
SMTP test server, a colleague invited, a test order's message with a file, a revised report."""
import re
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.auth.services import hash_password
from app.demo.accounts import organization
from app.orders.report_pdf import ReportContent, render
from models import ServiceOrder, User, db, utcnow
from scheduler.runner import run_job
from tests.factories import PDF
from tests.scheduler.conftest import SmtpServer

from .conftest import SERVER_SECRET, accept_dialogs, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]

NEW_PASSWORD = "violet-harbour-lantern"


@pytest.fixture
def mailbox(live_app, live_server):
    """A real SMTP server; deliver() runs the scheduler's outbox job against it and returns the messages."""
    server, saved = SmtpServer(), dict(live_app.config)
    server.start()
    # The scheduler signs account links with the web's secret key, as in production (one SECRET_KEY for both).
    live_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False, MAIL_USE_SSL=False,
                           MAIL_USERNAME="", MAIL_TIMEOUT=5, PUBLIC_BASE_URL=live_server, SECRET_KEY=SERVER_SECRET)

    def deliver():
        for _ in range(100):  # the demo's own notifications are in the outbox too, 100 a run
            if run_job(live_app, "deliver_outbox", now=utcnow()) == "nothing due":
                break
        return server.inbox.messages

    yield deliver
    server.stop()
    live_app.config.clear()
    live_app.config.update(saved)


def link_in(message, base):
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(re.escape(base) + r"(/\S+)", text).group(1)


@pytest.fixture
def member(live_app):
    """A member of the demo SME whose password is about to be forgotten."""
    email = f"forgetful-{uuid.uuid4().hex[:8]}@example.com"
    with live_app.app_context():
        db.session.add(User(email=email, name="健忘的同事", role="enterprise", organization=organization("sme"),
                            password_hash=hash_password("an-old-forgotten-password"), created_at=utcnow()))
        db.session.commit()
    return email


def test_a_forgotten_password_is_reset_through_the_mail(open_page, mailbox, live_server, member):
    page = accept_dialogs(open_page())
    page.goto("/auth/login")
    page.click("[data-testid=forgot-password]")
    page.fill("#email", member)
    page.click("[data-testid=send-reset]")
    expect(page.locator("[data-testid=reset-sent]")).to_contain_text(member)
    message = [m for m in mailbox() if m["To"] == member][-1]
    assert message["Subject"] == "[QI-Share] 重设密码"
    page.goto(link_in(message, live_server))
    page.fill("#password", NEW_PASSWORD)
    page.fill("#password_confirm", NEW_PASSWORD)
    page.click("[data-testid=set-password]")
    expect(page.locator(".alert-success")).to_contain_text("新密码已设置")
    shot(page, "18a-password-reset")
    again = open_page()
    sign_in(again, member, NEW_PASSWORD)
    expect(again.locator(".navbar")).to_contain_text("健忘的同事")
    page.goto(link_in(message, live_server))  # the link worked once
    expect(page.locator("[data-testid=link-gone]")).to_be_visible()


def test_a_colleague_is_invited_and_joins(open_page, mailbox, live_server):
    email = f"colleague-{uuid.uuid4().hex[:8]}@example.com"
    sme = accept_dialogs(sign_in(open_page(), "sme2@demo.local"))
    sme.goto("/organization/members")
    sme.fill("#email", email)
    sme.click("[data-testid=send-invitation]")
    expect(sme.locator(".alert-success")).to_contain_text(email)
    expect(sme.locator("[data-testid=invitations]")).to_contain_text(email)
    message = [m for m in mailbox() if m["To"] == email][-1]
    colleague = open_page()
    colleague.goto(link_in(message, live_server))
    expect(colleague.locator("h1")).to_contain_text("上海虹桥新材料科技有限公司")
    colleague.fill("#name", "新同事")
    colleague.fill("#password", NEW_PASSWORD)
    colleague.fill("#password_confirm", NEW_PASSWORD)
    colleague.click("[data-testid=accept-invitation]")
    expect(colleague.locator(".alert-success")).to_contain_text("欢迎加入")
    sme.goto("/organization/members")
    expect(sme.locator("[data-testid=members]")).to_contain_text("新同事")
    shot(sme, "18b-members")


def order_titled(live_app, title):
    with live_app.app_context():
        return db.session.scalar(sa.select(ServiceOrder.id).where(ServiceOrder.title == title))


def test_an_order_conversation_with_a_file_and_a_revised_report(open_page, live_app, tmp_path):
    accepted = order_titled(live_app, "不锈钢板材化学成分分析")  # sme → lab2, quote accepted
    sme = accept_dialogs(sign_in(open_page(), "sme@demo.local"))
    sme.goto(f"/orders/{accepted}")
    expect(sme.locator("[data-testid=next-step]")).to_contain_text("前将样品送至")
    expect(sme.locator("[data-testid=sample-delivery]")).to_contain_text("江川路800号")
    expect(sme.locator("[data-testid=contacts]")).to_contain_text("021-60000002")
    drawing = tmp_path / "取样位置图.pdf"
    drawing.write_bytes(PDF)
    sme.fill("#message-body", "取样位置见附图，请按图中 A、B 两点取样。")
    sme.set_input_files("#message-files", str(drawing))
    sme.click("[data-testid=send-message]")
    expect(sme.locator(".alert-success")).to_contain_text("留言已发送")
    sme.goto(f"/orders/{accepted}/label")
    expect(sme.locator("[data-testid=label-qr] svg")).to_be_visible()
    shot(sme, "18c-sample-label")

    lab2 = accept_dialogs(sign_in(open_page(), "lab2@demo.local"))
    lab2.goto(f"/orders/{accepted}")
    expect(lab2.locator("[data-testid=messages]")).to_contain_text("A、B 两点")
    expect(lab2.locator("[data-testid=next-step]")).to_contain_text("确认收样")
    with lab2.expect_download() as download:
        lab2.locator("[data-testid^=attachment-]").last.click()
    assert Path(download.value.path()).read_bytes() == PDF and download.value.suggested_filename == "取样位置图.pdf"
    shot(lab2, "18d-order-messages", full_page=True)

    completed = order_titled(live_app, "涂层成分与厚度检测")  # sme → lab, completed, already revised once
    lab = accept_dialogs(sign_in(open_page(), "lab@demo.local"))
    lab.goto(f"/orders/{completed}")
    lab.click("text=修订报告")
    revised = tmp_path / "revised.pdf"
    revised.write_bytes(render(ReportContent(
        report_no="BG-REVISED-2", order_number="WT", institution="上海浦江计量测试技术研究院（演示）",
        customer="上海晨光精密机械有限公司（演示）", customer_address="", sample_name="喷涂钢板", sample_model="SP-2",
        sample_no="YP", quantity="4 块", received_on="—", tested_on="—", issued_on="—",
        items=[("涂层厚度", "GB/T 13452.2-2008", "62 μm", "符合")])))
    lab.fill("#revision_reason", "更正涂层厚度的单位")
    lab.fill("#revised_no", "BG-REVISED-2")
    lab.set_input_files("#revised-file", str(revised))
    lab.click("[data-testid=revise-report]")
    expect(lab.locator(".alert-success")).to_contain_text("报告已修订为第 3 版")

    sme.goto(f"/orders/{completed}")
    expect(sme.locator("[data-testid=report-versions]")).to_contain_text("更正涂层厚度的单位")
    with sme.expect_download() as newest:
        sme.click("[data-testid=download-report]")
    assert Path(newest.value.path()).read_bytes() == revised.read_bytes()
