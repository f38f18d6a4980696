"""Every .ics parsed back with icalendar and recurring-ical-events and checked field by field."""
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import recurring_ical_events
import sqlalchemy as sa
from icalendar import Calendar

from app.booking import services as bookings
from app.orders import services as orders
from models import Closure, db
from models.timeutil import at_local

TUESDAY = date(2026, 3, 3)


def parse(response):
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


@pytest.fixture
def booked(world, create_instrument, now):
    world.instrument = create_instrument(world.institution_a, name="原子吸收光谱仪", location="张衡路 1000 号 3 号楼",
                                         requires_approval=True)
    world.booking = bookings.book(world.sme_a, world.instrument, at_local(TUESDAY, 600), at_local(TUESDAY, 690), now)
    db.session.commit()
    return world


def event_of(calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def test_a_booking_ics_carries_every_field(sign_in, booked):
    calendar = parse(sign_in(booked.sme_a).get(f"/bookings/{booked.booking.id}.ics"))
    event = event_of(calendar)
    assert event["DTSTART"].dt == datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    assert event["DTEND"].dt == datetime(2026, 3, 3, 3, 30, tzinfo=UTC)
    assert str(event["SUMMARY"]) == "原子吸收光谱仪" and str(event["LOCATION"]) == "张衡路 1000 号 3 号楼"
    assert str(event["UID"]) == f"booking-{booked.booking.id}@localhost"
    assert event["SEQUENCE"] == 0 and str(event["STATUS"]) == "TENTATIVE"
    assert "DTSTAMP" in event
    (alarm,) = event.walk("VALARM")
    assert alarm["TRIGGER"].dt == timedelta(hours=-1)
    assert calendar["PRODID"] and calendar["VERSION"] == "2.0"


def test_the_uid_stays_and_the_sequence_rises_with_each_change(sign_in, api, booked):
    url = f"/bookings/{booked.booking.id}.ics"
    first = event_of(parse(sign_in(booked.sme_a).get(url)))
    api(booked.lab_a).post(f"/bookings/{booked.booking.id}/approve")
    approved = event_of(parse(sign_in(booked.sme_a).get(url)))
    api(booked.sme_a).post(f"/bookings/{booked.booking.id}/cancel", json={"reason": "改期"})
    cancelled = event_of(parse(sign_in(booked.sme_a).get(url)))
    assert first["UID"] == approved["UID"] == cancelled["UID"]
    assert (first["SEQUENCE"], approved["SEQUENCE"], cancelled["SEQUENCE"]) == (0, 1, 2)
    assert (str(approved["STATUS"]), str(cancelled["STATUS"])) == ("CONFIRMED", "CANCELLED")
    assert not cancelled.walk("VALARM")


def test_the_api_serves_the_same_ics_and_only_in_scope(api, booked):
    response = api(booked.sme_a).get(f"/bookings/{booked.booking.id}/ics")
    assert "attachment" in response.headers["Content-Disposition"]
    assert event_of(parse(response))["DTSTART"].dt == datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    assert api(booked.sme_b).get(f"/bookings/{booked.booking.id}/ics").status_code == 404


def feed(client, api, user):
    url = api(user).get("/calendar/feed").get_json()["url"]
    path = url.split("localhost", 1)[1]
    return url, path, client.get(path)


def test_an_enterprise_feed_holds_its_organisations_bookings(client, api, booked, create_user, create_booking, now):
    colleague = create_user("enterprise", booked.enterprise_a)
    create_booking(booked.instrument, booked.enterprise_b, start=at_local(TUESDAY, 840))  # someone else's
    _url, _path, response = feed(client, api, colleague)
    calendar = parse(response)
    assert str(calendar["X-WR-CALNAME"]).endswith("仪器预约") and str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"])
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    occurrences = recurring_ical_events.of(calendar).between(datetime(2026, 3, 1), datetime(2026, 3, 31))
    assert [str(e["UID"]) for e in occurrences] == [f"booking-{booked.booking.id}@localhost"]


def test_an_institution_feed_names_customers_and_includes_order_work(client, api, booked, now):
    order = orders.submit(booked.sme_b, {"kind": "test_by_proxy", "institution_id": booked.institution_a.id,
                                         "title": "成分分析", "items": [{"name": "a"}],
                                         "sample": {"name": "s", "quantity": 1, "unit": "件", "disposal": "return"}},
                          now)
    orders.quote(booked.lab_a, order, 100, 3, TUESDAY, "", now)
    orders.accept(booked.sme_b, order, now)
    orders.receive_sample(booked.lab_a, order, now)
    orders.log_work(booked.lab_a, order, booked.instrument.id, at_local(TUESDAY, 780), at_local(TUESDAY, 840),
                    at_local(TUESDAY, 900))  # logged once done
    db.session.commit()
    events = parse(feed(client, api, booked.lab_a)[2]).walk("VEVENT")
    summaries = {str(e["SUMMARY"]) for e in events}
    assert summaries == {"原子吸收光谱仪 · 甲精密机械", f"原子吸收光谱仪 · 委托检测 {order.number} · 乙新材料"}


def test_the_feed_needs_only_its_secret_and_rotating_kills_the_old_one(client, api, booked):
    old_url, old_path, response = feed(client, api, booked.sme_a)
    assert response.status_code == 200
    new_url = api(booked.sme_a).post("/calendar/feed/rotate").get_json()["url"]
    assert new_url != old_url
    assert client.get(old_path).status_code == 404
    assert client.get(new_url.split("localhost", 1)[1]).status_code == 200
    assert client.get(old_path.replace(old_path.rsplit("/", 1)[1], "0" * 40 + ".ics")).status_code == 404


def test_the_calendar_page_shows_the_url_and_rotates(sign_in, booked):
    client = sign_in(booked.sme_a)
    html = client.get("/calendar").get_data(as_text=True)
    assert "/calendar/feed/" in html and "Outlook" in html and "钉钉" in html
    client.post("/calendar/rotate")
    assert client.get("/calendar").get_data(as_text=True) != html


ICS_WEEKLY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:weekly-maintenance@test
DTSTART;TZID=Asia/Shanghai:20260303T080000
DTEND;TZID=Asia/Shanghai:20260303T090000
RRULE:FREQ=WEEKLY;COUNT=6
EXDATE;TZID=Asia/Shanghai:20260317T080000
SUMMARY:每周保养
END:VEVENT
BEGIN:VEVENT
UID:annual-calibration@test
DTSTART;VALUE=DATE:20260320
DTEND;VALUE=DATE:20260321
SUMMARY:年度检定
END:VEVENT
END:VCALENDAR
""".encode()


def upload(api, user, instrument, data, kind="maintenance"):
    return api(user).post(f"/instruments/{instrument.id}/closures/import",
                          data={"file": (io.BytesIO(data), "closures.ics"), "kind": kind},
                          content_type="multipart/form-data")


def test_an_ics_with_rrule_and_exdate_becomes_closures(api, booked):
    response = upload(api, booked.lab_a, booked.instrument, ICS_WEEKLY)
    assert response.status_code == 201 and response.get_json() == {"created": 6}  # 5 weekly + 1 all-day
    starts = db.session.scalars(sa.select(Closure.start_at).order_by(Closure.start_at)).all()
    assert at_local(date(2026, 3, 17), 480) not in starts  # the EXDATE
    assert at_local(date(2026, 3, 20), 0) in starts  # the all-day event, local midnight
    assert db.session.scalars(sa.select(Closure.source)).all() == ["ics"] * 6


def test_a_rule_without_end_is_expanded_one_year_only(api, booked):
    endless = ICS_WEEKLY.replace(b"RRULE:FREQ=WEEKLY;COUNT=6", b"RRULE:FREQ=WEEKLY")
    created = upload(api, booked.lab_a, booked.instrument, endless).get_json()["created"]
    assert 50 <= created <= 54


@pytest.mark.parametrize("data,message", [
    (b"this is not a calendar", "无法读取"),
    (b"BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n", "没有日程"),
    (ICS_WEEKLY.replace(b"DTEND;TZID=Asia/Shanghai:20260303T090000\n", b""), "缺少结束时间"),
    (b"", "无法读取"),
])
def test_bad_ics_files_are_refused_and_nothing_is_imported(api, booked, data, message):
    response = upload(api, booked.lab_a, booked.instrument, data)
    assert response.status_code == 422
    assert message in str(response.get_json()["error"])
    assert db.session.scalar(sa.select(sa.func.count(Closure.id))) == 0


def test_a_huge_ics_is_413(app, api, booked):
    response = upload(api, booked.lab_a, booked.instrument, b"X" * (app.config["ICS_MAX_BYTES"] + 10))
    assert response.status_code == 413


def test_an_import_over_a_booking_is_refused_whole(api, booked, now):
    clash = ICS_WEEKLY.replace(b"DTSTART;TZID=Asia/Shanghai:20260303T080000",
                               b"DTSTART;TZID=Asia/Shanghai:20260303T100000").replace(
        b"DTEND;TZID=Asia/Shanghai:20260303T090000", b"DTEND;TZID=Asia/Shanghai:20260303T110000")
    response = upload(api, booked.lab_a, booked.instrument, clash)
    assert response.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count(Closure.id))) == 0


def test_importing_on_the_page_previews_before_saving(sign_in, booked):
    client = sign_in(booked.lab_a)
    url = f"/console/instruments/{booked.instrument.id}/closures/import"
    preview = client.post(url, data={"file": (io.BytesIO(ICS_WEEKLY), "c.ics"), "kind": "calibration"},
                          content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    assert "将新增 6 个停机时段" in html and "年度检定" in html
    assert db.session.scalar(sa.select(sa.func.count(Closure.id))) == 0
    items = re.search(r'name="items" value="([^"]+)"', html).group(1).replace("&#34;", '"')
    client.post(url, data={"confirmed": "1", "kind": "calibration", "items": items})
    assert set(db.session.scalars(sa.select(Closure.kind))) == {"calibration"}
    assert db.session.scalar(sa.select(sa.func.count(Closure.id))) == 6
