"""Journey 7 (issue 15): an SME is refused self-operated use, asks for training, the lab schedules and
passes it, and the SME books self-operated time — in Chromium against the real product."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.availability.services import timeline
from models import Booking, Instrument, db, utcnow
from models.timeutil import at_local, local, local_today

from .conftest import accept_dialogs, shot, sign_in
from .test_journeys import first_free_cell, register_sme

pytestmark = [pytest.mark.browser, pytest.mark.committed]

CHAMBER = "MJ-003"  # 快速温变试验箱: self-operated use only, qualification required


def past_free_hour(instrument, now):
    """The latest free hour that has already ended: the lab records the session after the fact."""
    for back in range(14):
        day = local_today(now) - timedelta(days=back)
        segments = timeline(instrument, at_local(day), at_local(day + timedelta(days=1)), now, staff=True)
        for segment in reversed([s for s in segments if s.free]):
            end = local(min(segment.end, now)).replace(minute=0, second=0, microsecond=0)
            if end - timedelta(hours=1) >= segment.start:
                return ((end - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), end.strftime("%Y-%m-%dT%H:%M"))
    pytest.fail("no free past hour in two weeks")


def test_journey_7_an_sme_is_trained_before_it_operates_an_instrument_alone(open_page, live_app):
    with live_app.app_context():
        chamber = db.session.scalar(sa.select(Instrument).where(Instrument.internal_code == CHAMBER))
        chamber_id = chamber.id
        start, end = past_free_hour(chamber, utcnow())

    sme = accept_dialogs(open_page())
    register_sme(sme)
    sme.goto(f"/instruments/{chamber_id}")
    standing = sme.locator("[data-testid=qualification-standing]")
    expect(standing).to_contain_text("需先培训")
    expect(sme.locator("#booking-form")).to_have_count(0)  # no way to pick self-operated time
    shot(sme, "14-training-needed")
    sme.click("[data-testid=request-training]")
    sme.fill("#note", "新员工，需要独立完成温度循环试验。")
    sme.click("[data-testid=submit-training-request]")
    expect(sme.locator(".alert-success")).to_contain_text("培训申请已提交")
    expect(sme.locator("[data-testid=training-requested]")).to_be_visible()

    lab = accept_dialogs(sign_in(open_page(), "lab2@demo.local"))
    lab.goto("/console/training")
    expect(lab.locator('[data-testid="nav-count-qualifications.queue"]')).to_be_visible()
    group = lab.locator(f"[data-testid=training-group-{chamber_id}]")
    expect(group).to_contain_text("温度循环")
    group.locator("input[name=start]").fill(start)
    group.locator("input[name=end]").fill(end)
    shot(lab, "15-training-queue")
    group.locator(f"[data-testid=schedule-{chamber_id}]").click()
    expect(lab.locator(".alert-success")).to_contain_text("已安排培训")
    sessions = lab.locator("[data-testid=training-sessions]")
    sessions.locator("tr", has_text="新来精密").locator("[data-testid^=pass-]").click()
    expect(lab.locator(".alert-success")).to_contain_text("已登记培训通过")

    sme.reload()
    expect(standing).to_contain_text("您可独立上机")
    first_free_cell(sme).click()
    expect(sme.locator("#service_mode")).to_have_value("self_operated")
    sme.click("[data-testid=book-button]")
    expect(sme.locator(".alert-success")).to_contain_text("预约成功")
    with live_app.app_context():
        mode = db.session.scalar(sa.select(Booking.service_mode).where(Booking.instrument_id == chamber_id)
                                 .order_by(Booking.id.desc()))
    assert mode == "self_operated"
