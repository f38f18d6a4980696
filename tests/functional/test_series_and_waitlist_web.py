"""Recurring bookings and the waitlist on the pages: 重复 with its preview, the series page, waiting and claiming."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from models import Booking, BookingSeries, Closure, Notification, WaitlistEntry, db
from models.timeutil import at_local

TUESDAY = "2026-03-03"


@pytest.fixture
def lab(world, create_instrument, now):
    world.instrument = create_instrument(world.institution_a, requires_approval=False, name="盐雾试验箱",
                                         max_future_bookings_per_org=20)
    db.session.add(Closure(instrument_id=world.instrument.id, start_at=at_local(date(2026, 3, 10), 0),
                           end_at=at_local(date(2026, 3, 11), 0), kind="maintenance", created_at=now))
    db.session.commit()
    return world


def page(response):
    return response.get_data(as_text=True)


FORM = {"start": f"{TUESDAY}T10:00", "end": f"{TUESDAY}T11:00", "service_mode": "self_operated", "purpose": "例行",
        "repeat": "weekly", "repeat_interval": "1", "repeat_count": "4", "week": "2026-03-02"}


def test_choosing_repeat_shows_the_preview_with_the_skipped_date_and_books_nothing(sign_in, lab):
    response = sign_in(lab.sme_a).post(f"/instruments/{lab.instrument.id}/bookings", data=FORM)
    html = page(response)
    assert response.status_code == 200 and "将预约 3 次" in html and "将跳过 1 次" in html
    assert "2026-03-10 10:00" in html and "停机" in html and "确认预约这 3 次" in html
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


def test_confirming_the_preview_books_the_series_and_lands_on_its_page(sign_in, lab):
    client = sign_in(lab.sme_a)
    response = client.post(f"/instruments/{lab.instrument.id}/series", data=FORM)
    series = db.session.scalar(sa.select(BookingSeries))
    assert response.status_code == 302 and response.location.endswith(f"/series/{series.id}")
    html = page(client.get(response.location))
    assert "3 次已预约，1 次未能预约" in html and "每 1 周" in html and "共 4 次" in html
    assert html.count('data-status="confirmed"') == 3
    kinds = db.session.scalars(sa.select(Notification.kind)).all()
    assert sorted(kinds) == ["series_confirmed", "series_created"]


def test_each_occurrence_has_its_own_page_linking_to_the_series(sign_in, lab):
    client = sign_in(lab.sme_a)
    client.post(f"/instruments/{lab.instrument.id}/series", data=FORM)
    booking = db.session.scalars(sa.select(Booking).order_by(Booking.start_at)).first()
    assert 'data-testid="series-link"' in page(client.get(f"/bookings/{booking.id}"))


def test_cancelling_the_series_from_a_date_on_its_page(sign_in, lab):
    client = sign_in(lab.sme_a)
    client.post(f"/instruments/{lab.instrument.id}/series", data=FORM)
    series = db.session.scalar(sa.select(BookingSeries))
    response = client.post(f"/series/{series.id}/cancel", data={"since": "2026-03-17", "reason": "项目暂停"})
    assert "已取消 2 次预约" in page(client.get(response.location))
    statuses = db.session.scalars(sa.select(Booking.status).order_by(Booking.start_at)).all()
    assert statuses == ["confirmed", "cancelled", "cancelled"]


def test_a_bad_rule_goes_back_to_the_week_with_the_choices_kept(sign_in, lab):
    client = sign_in(lab.sme_a)
    response = client.post(f"/instruments/{lab.instrument.id}/bookings", data=dict(FORM, repeat_count="53"))
    assert response.status_code == 302 and "repeat_count=53" in response.location
    html = page(client.get(response.location))
    assert "重复次数应为 2 到 52 的整数" in html and 'value="53"' in html


def test_another_enterprise_does_not_see_the_series(sign_in, lab):
    sign_in(lab.sme_a).post(f"/instruments/{lab.instrument.id}/series", data=FORM)
    series = db.session.scalar(sa.select(BookingSeries))
    assert sign_in(lab.sme_b).get(f"/series/{series.id}").status_code == 404


# The waitlist ------------------------------------------------------------------------------------

@pytest.fixture
def taken(lab, create_booking):
    lab.booking = create_booking(lab.instrument, lab.enterprise_b, start=at_local(date(2026, 3, 3), 600),
                                 created_by=lab.sme_b)
    return lab


def test_joining_from_the_week_view_and_claiming_from_the_waitlist_page(app, sign_in, taken, now):
    client = sign_in(taken.sme_a)
    response = client.post(f"/instruments/{taken.instrument.id}/waitlist",
                           data={"start": f"{TUESDAY}T10:00", "end": f"{TUESDAY}T11:00", "week": "2026-03-02"})
    assert response.status_code == 302 and response.location.endswith("/waitlist")
    assert "已加入候补" in page(client.get(response.location))
    entry = db.session.scalar(sa.select(WaitlistEntry))
    sign_in(taken.sme_b).post(f"/bookings/{taken.booking.id}/cancel", data={"reason": "改期"})
    client = sign_in(taken.sme_a)
    html = page(client.get("/waitlist"))
    assert "该时段已空出，请在 2026-03-02 10:00 前确认" in html and f'data-testid="claim-{entry.id}"' in html
    claimed = client.post(f"/waitlist/{entry.id}/claim")
    booking = db.session.scalar(sa.select(Booking).where(Booking.organization_id == taken.enterprise_a.id))
    assert claimed.location.endswith(f"/bookings/{booking.id}") and booking.status == "confirmed"
    assert "已确认候补时段" in page(client.get(claimed.location))


def test_joining_a_free_interval_from_the_page_says_to_book_it(sign_in, taken):
    client = sign_in(taken.sme_a)
    response = client.post(f"/instruments/{taken.instrument.id}/waitlist",
                           data={"start": f"{TUESDAY}T14:00", "end": f"{TUESDAY}T15:00"})
    assert "start=2026-03-03T14:00" in response.location
    assert "无需候补" in page(client.get(response.location))


def test_the_offer_notification_leads_to_the_waitlist(sign_in, taken):
    client = sign_in(taken.sme_a)
    client.post(f"/instruments/{taken.instrument.id}/waitlist", data={"start": f"{TUESDAY}T10:00",
                                                                      "end": f"{TUESDAY}T11:00"})
    sign_in(taken.sme_b).post(f"/bookings/{taken.booking.id}/cancel", data={})
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == "waitlist_offered"))
    opened = sign_in(taken.sme_a).post(f"/notifications/{note.id}/open")
    assert opened.location.endswith("/waitlist")


def test_leaving_the_line_from_the_page(sign_in, taken):
    client = sign_in(taken.sme_a)
    client.post(f"/instruments/{taken.instrument.id}/waitlist", data={"start": f"{TUESDAY}T10:00",
                                                                      "end": f"{TUESDAY}T11:00"})
    entry = db.session.scalar(sa.select(WaitlistEntry))
    assert "已退出候补" in page(client.get(client.post(f"/waitlist/{entry.id}/leave").location))
    assert db.session.get(WaitlistEntry, entry.id).status == "cancelled"


def test_the_enterprise_sees_why_its_booking_needs_approval_and_the_institution_sees_the_record(
        sign_in, lab, create_booking, now):
    for days in (60, 30, 3):
        create_booking(lab.instrument, lab.enterprise_a, start=now - timedelta(days=days), status="no_show",
                       created_by=lab.sme_a)
    client = sign_in(lab.sme_a)
    assert 'data-testid="credit-notice"' in page(client.get(f"/instruments/{lab.instrument.id}"))
    response = client.post(f"/instruments/{lab.instrument.id}/bookings", data={
        "start": f"{TUESDAY}T10:00", "end": f"{TUESDAY}T11:00", "service_mode": "self_operated"})
    html = page(client.get(response.location))
    assert "待审批" in html and "爽约 3 次" in html and "需经机构审批" in html
    staff_view = page(sign_in(lab.lab_a).get(response.location))
    assert 'data-testid="credit-record"' in staff_view and "该企业爽约 3 次" in staff_view


def test_each_occurrence_has_its_own_ics_and_the_feed_shows_every_one(app, sign_in, api, lab):
    client = sign_in(lab.sme_a)
    client.post(f"/instruments/{lab.instrument.id}/series", data=FORM)
    ids = db.session.scalars(sa.select(Booking.id).order_by(Booking.start_at)).all()
    for booking_id in ids:
        (event,) = Calendar.from_ical(client.get(f"/bookings/{booking_id}.ics").data).walk("VEVENT")
        assert str(event["UID"]) == f"booking-{booking_id}@localhost" and "RRULE" not in event
    url = api(lab.sme_a).get("/calendar/feed").get_json()["url"]
    feed = Calendar.from_ical(app.test_client().get(url.removeprefix("http://localhost")).data)
    assert sorted(str(e["UID"]) for e in feed.walk("VEVENT")) == sorted(f"booking-{i}@localhost" for i in ids)
