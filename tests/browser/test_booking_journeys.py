"""Bookings people actually make (issue 16), in Chromium: a weekly series with one date skipped, a waitlist claim."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.availability.services import obstacle
from app.booking import services as bookings
from app.demo.accounts import user
from app.demo.bookings import first_free_slot
from models import Booking, Closure, Instrument, db, utcnow
from models.timeutil import at_local, local, local_today

from .conftest import accept_dialogs, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def instrument(code):
    return db.session.scalar(sa.select(Instrument).where(Instrument.internal_code == code))


def monday_of(day):
    return day - timedelta(days=day.weekday())


def three_weeks_free(machine, now):
    """A time free on a day and on the same weekday two weeks later: (start, end)."""
    for offset in range(3, 20):
        day = local_today(now) + timedelta(days=offset)
        slot = first_free_slot(machine, day, 60, now)
        if slot and obstacle(machine, slot[0] + timedelta(days=14), slot[1] + timedelta(days=14), now) is None:
            return slot
    pytest.fail("no time free two weeks apart")


@pytest.fixture
def repair_in_week_two(live_app):
    """The CMM is closed for repair on the second date of the series the SME will ask for."""
    now = utcnow()
    with live_app.app_context():
        machine = instrument("MJ-011")  # the SME holds an independent qualification on it
        start, end = three_weeks_free(machine, now)
        day = local(start).date() + timedelta(days=7)
        db.session.add(Closure(instrument_id=machine.id, start_at=at_local(day), end_at=at_local(day, 1440),
                               kind="maintenance", reason="更换压头", created_by_id=user("lab2").id, created_at=now))
        db.session.commit()
        return machine.id, local(start), local(end), day


def test_journey_booking_a_weekly_series_with_one_date_skipped(open_page, repair_in_week_two):
    machine_id, start, end, repair_day = repair_in_week_two
    page = accept_dialogs(sign_in(open_page(), "sme@demo.local"))
    page.goto(f"/instruments/{machine_id}?week={monday_of(start.date()).isoformat()}")
    page.fill("#start", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#end", end.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#repeat", "weekly")
    page.fill("#repeat_count", "3")
    expect(page.locator("[data-testid=book-button]")).to_have_text("预览重复预约")
    page.click("[data-testid=book-button]")
    expect(page.locator("h1")).to_have_text("预览重复预约")
    expect(page.locator("[data-testid=series-booked] li")).to_have_count(2)
    expect(page.locator("[data-testid=series-skipped]")).to_contain_text(repair_day.isoformat())
    expect(page.locator("[data-testid=series-skipped]")).to_contain_text("停机")
    shot(page, "14-series-preview")
    page.click("[data-testid=confirm-series]")
    expect(page.locator(".alert-success")).to_contain_text("2 次已预约，1 次未能预约")
    expect(page.locator("[data-testid=series-bookings] .list-group-item")).to_have_count(2)
    expect(page.locator("[data-testid=series-rule]")).to_contain_text("共 3 次")
    page.locator("[data-testid=series-bookings] a").first.click()
    expect(page.locator("[data-testid=series-link]")).to_be_visible()


@pytest.fixture
def taken_by_sme2(live_app):
    """An hour of the UV chamber that another enterprise holds."""
    now = utcnow()
    with live_app.app_context():
        chamber = instrument("MJ-005")
        day = local_today(now) + timedelta(days=3)
        start, end = first_free_slot(chamber, day, 60, now) or first_free_slot(chamber, day + timedelta(days=2), 60, now)
        booking = bookings.book(user("sme2"), chamber, start, end, now)
        db.session.commit()
        return chamber.id, booking.id, local(start)


def test_journey_waiting_for_taken_time_and_claiming_it(open_page, live_app, taken_by_sme2):
    chamber_id, booking_id, start = taken_by_sme2
    page = accept_dialogs(sign_in(open_page(), "sme@demo.local"))
    page.goto(f"/instruments/{chamber_id}?week={monday_of(start.date()).isoformat()}")
    page.click(f"button[data-busy][data-start='{start.strftime('%Y-%m-%dT%H:%M')}']")
    expect(page.locator("#booking-summary")).to_contain_text("可以加入候补")
    expect(page.locator("[data-testid=book-button]")).to_be_hidden()
    page.click("[data-testid=waitlist-button]")
    expect(page.locator(".alert-success")).to_contain_text("已加入候补")
    expect(page.locator("[data-testid=waitlist]")).to_contain_text("候补中")

    with live_app.app_context():  # the holder cancels: the first in line is offered the time at once
        bookings.cancel(user("sme2"), db.session.get(Booking, booking_id), "计划变更", utcnow())
        db.session.commit()

    page.goto("/notifications/")
    expect(page.locator("[data-testid=notification]").first).to_contain_text("候补时段空出来了")
    page.locator("[data-testid=notification]").first.click()
    expect(page.locator("[data-testid^=offer-]")).to_contain_text("该时段已空出")
    shot(page, "15-waitlist-offer")
    page.locator("[data-testid^=claim-]").first.click()
    expect(page.locator(".alert-success")).to_contain_text("已确认候补时段")
    expect(page.locator("h1")).to_contain_text("紫外老化试验箱")
