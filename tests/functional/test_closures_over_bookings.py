"""A closure over bookings: refused naming them, or, when the institution asks, the bookings cancelled with notice."""
import io
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import Booking, Closure, Notification, db

TUESDAY = "2026-03-03"
BREAKDOWN = {"start": f"{TUESDAY}T08:00", "end": f"{TUESDAY}T18:00", "kind": "maintenance"}
ICS = f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:repair@test
DTSTART;TZID=Asia/Shanghai:{TUESDAY.replace('-', '')}T080000
DTEND;TZID=Asia/Shanghai:{TUESDAY.replace('-', '')}T180000
SUMMARY:Repair
END:VEVENT
END:VCALENDAR
""".encode()


@pytest.fixture
def lab(world, create_instrument, create_booking, now):
    world.instrument = create_instrument(world.institution_a, name="电子万能试验机")
    # 10:00 tomorrow: inside the 24-hour window, which would make a customer's cancellation late
    world.first = create_booking(world.instrument, world.enterprise_a, created_by=world.sme_a)
    world.second = create_booking(world.instrument, world.enterprise_b, start=world.first.end_at + timedelta(hours=2),
                                  created_by=world.sme_b)
    return world


def page(response):
    return response.get_data(as_text=True)


def closures():
    return db.session.scalar(sa.select(sa.func.count(Closure.id)))


def test_the_api_refuses_naming_the_bookings(api, lab):
    response = api(lab.lab_a).post(f"/instruments/{lab.instrument.id}/closures", json=BREAKDOWN)
    error = response.get_json()["error"]
    assert response.status_code == 409 and error["code"] == "bookings_affected"
    assert error["booking_ids"] == [lab.first.id, lab.second.id]
    assert closures() == 0


def test_the_api_cancels_them_with_the_reason_when_asked(api, lab):
    body = dict(BREAKDOWN, cancel_bookings=True, reason="主机故障，等待厂家维修")
    response = api(lab.lab_a).post(f"/instruments/{lab.instrument.id}/closures", json=body)
    assert response.status_code == 201
    answer = response.get_json()
    assert answer["cancelled_booking_ids"] == [lab.first.id, lab.second.id]
    assert answer["closure"]["kind"] == "maintenance" and answer["closure"]["reason"] == "主机故障，等待厂家维修"
    for booking in (lab.first, lab.second):
        booking = db.session.get(Booking, booking.id)
        assert booking.status == "cancelled" and not booking.late_cancellation
        assert booking.status_reason == "主机故障，等待厂家维修"
    notes = db.session.scalars(sa.select(Notification).where(Notification.kind == "booking_cancelled_for_closure")).all()
    assert sorted(n.recipient_id for n in notes) == sorted([lab.sme_a.id, lab.sme_b.id])
    assert {n.payload["reason"] for n in notes} == {"主机故障，等待厂家维修"}


def test_the_enterprise_is_told_why_with_a_link_to_book_again(api, sign_in, lab):
    api(lab.lab_a).post(f"/instruments/{lab.instrument.id}/closures",
                        json=dict(BREAKDOWN, cancel_bookings=True, reason="主机故障"))
    client = sign_in(lab.sme_a)
    assert "因停机安排" in page(client.get("/notifications/")) and "主机故障" in page(client.get("/notifications/"))
    note = db.session.scalar(sa.select(Notification).where(Notification.recipient_id == lab.sme_a.id))
    opened = client.post(f"/notifications/{note.id}/open")
    assert opened.location.endswith(f"/instruments/{lab.instrument.id}")  # the page to book again from


@pytest.mark.parametrize("body,field", [
    (dict(BREAKDOWN, cancel_bookings=True), "reason"),
    (dict(BREAKDOWN, cancel_bookings=True, reason="  "), "reason"),
    (dict(BREAKDOWN, cancel_bookings=True, reason=5), "reason"),
    (dict(BREAKDOWN, cancel_bookings="yes", reason="故障"), "cancel_bookings"),
])
def test_cancelling_needs_a_reason_and_a_real_yes(api, lab, body, field):
    response = api(lab.lab_a).post(f"/instruments/{lab.instrument.id}/closures", json=body)
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    assert db.session.get(Booking, lab.first.id).status == "confirmed" and closures() == 0


def test_another_institution_cannot_cancel_bookings_with_a_closure(api, lab):
    body = dict(BREAKDOWN, cancel_bookings=True, reason="故障")
    response = api(lab.lab_b).post(f"/instruments/{lab.instrument.id}/closures", json=body)
    assert response.status_code == 404
    assert db.session.get(Booking, lab.first.id).status == "confirmed"


def test_the_page_lists_the_bookings_with_enterprise_and_time_then_cancels_them(sign_in, lab):
    client = sign_in(lab.lab_a)
    url = f"/console/instruments/{lab.instrument.id}/closures"
    refused = client.post(url, data=dict(BREAKDOWN, reason="主机故障"))
    html = page(refused)
    assert refused.status_code == 409 and 'data-testid="affected-bookings"' in html
    assert "甲精密机械" in html and "乙新材料" in html and "2026-03-03 10:00" in html
    assert "取消这些预约并通知企业" in html
    done = client.post(url, data=dict(BREAKDOWN, reason="主机故障", cancel_bookings="y"))
    assert done.status_code == 302 and closures() == 1
    assert "已取消 2 个预约" in page(client.get(done.location))


def test_the_page_keeps_the_list_when_the_reason_is_missing(sign_in, lab):
    response = sign_in(lab.lab_a).post(f"/console/instruments/{lab.instrument.id}/closures",
                                       data=dict(BREAKDOWN, cancel_bookings="y"))
    html = page(response)
    assert response.status_code == 422 and "须填写原因" in html and "甲精密机械" in html


def test_an_ics_import_over_bookings_names_them_and_cancels_them_when_asked(api, lab):
    url = f"/instruments/{lab.instrument.id}/closures/import"
    refused = api(lab.lab_a).post(url, data={"file": (io.BytesIO(ICS), "c.ics"), "kind": "maintenance"},
                                  content_type="multipart/form-data")
    assert refused.status_code == 409 and refused.get_json()["error"]["booking_ids"] == [lab.first.id, lab.second.id]
    done = api(lab.lab_a).post(url, data={"file": (io.BytesIO(ICS), "c.ics"), "kind": "maintenance",
                                          "cancel_bookings": "true", "reason": "年度检修"},
                               content_type="multipart/form-data")
    assert done.status_code == 201
    assert done.get_json() == {"created": 1, "cancelled_booking_ids": [lab.first.id, lab.second.id]}
    assert db.session.get(Booking, lab.second.id).status_reason == "年度检修"


def test_the_import_preview_lists_the_bookings_and_confirming_can_cancel_them(sign_in, lab):
    client = sign_in(lab.lab_a)
    url = f"/console/instruments/{lab.instrument.id}/closures/import"
    preview = client.post(url, data={"file": (io.BytesIO(ICS), "c.ics"), "kind": "maintenance"},
                          content_type="multipart/form-data")
    assert 'data-testid="affected-bookings"' in page(preview) and "乙新材料" in page(preview)
    items = json.dumps([[f"{TUESDAY}T08:00:00+08:00", f"{TUESDAY}T18:00:00+08:00", "Repair"]])
    missing = client.post(url, data={"confirmed": "1", "kind": "maintenance", "items": items, "cancel_bookings": "y"})
    assert missing.status_code == 422 and "须填写原因" in page(missing) and closures() == 0
    done = client.post(url, data={"confirmed": "1", "kind": "maintenance", "items": items, "cancel_bookings": "y",
                                  "reason": "年度检修"})
    assert done.status_code == 302 and closures() == 1
    assert db.session.get(Booking, lab.first.id).status == "cancelled"
