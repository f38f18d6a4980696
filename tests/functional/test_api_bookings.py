from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import Booking, db
from tests.statements import statements_sent

TUESDAY = "2026-03-03"


@pytest.fixture
def lab(world, create_instrument):
    world.instrument = create_instrument(world.institution_a, requires_approval=True, lead_minutes=60)
    world.other_instrument = create_instrument(world.institution_b, requires_approval=False)
    return world


def request_booking(api, who, instrument, start=f"{TUESDAY}T10:00", end=f"{TUESDAY}T11:00", **extra):
    return api(who).post("/bookings", json={"instrument_id": instrument.id, "start": start, "end": end,
                                            "purpose": "测试样品", "service_mode": "self_operated", **extra})


def test_a_booking_is_created_with_the_contract_fields(api, lab):
    response = request_booking(api, lab.sme_a, lab.instrument)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "pending" and body["instrument_name"] == lab.instrument.name
    assert body["organization"] == {"id": lab.enterprise_a.id, "name": "甲精密机械"}
    assert body["start"] == "2026-03-03T10:00:00+08:00" and body["end"] == "2026-03-03T11:00:00+08:00"
    assert body["price"] == {"amount": "480.00", "currency": "CNY"}
    assert body["actual_start"] is None and body["late_cancellation"] is False
    assert body["actions"] == ["cancel"]


@pytest.mark.parametrize("payload,status,code", [
    ({"start": f"{TUESDAY}T11:00", "end": f"{TUESDAY}T10:00"}, 422, "validation_error"),
    ({"start": "tomorrow", "end": f"{TUESDAY}T10:00"}, 422, "validation_error"),
    ({"start": f"{TUESDAY}T10:10", "end": f"{TUESDAY}T11:00"}, 422, "validation_error"),
    ({"start": f"{TUESDAY}T07:00", "end": f"{TUESDAY}T08:00"}, 422, "closed"),
    ({"start": "2026-05-01T10:00", "end": "2026-05-01T11:00"}, 422, "policy_violation"),  # too far ahead (30 days)
    ({"start": "2026-03-02T08:00", "end": "2026-03-02T08:30"}, 422, "policy_violation"),
    ({"start": f"{TUESDAY}T10:00", "end": f"{TUESDAY}T20:00"}, 422, "policy_violation"),
])
def test_each_rule_answers_with_its_code(api, lab, payload, status, code):
    lab.instrument.max_advance_days = 30
    db.session.commit()
    response = request_booking(api, lab.sme_a, lab.instrument, **payload)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


def test_an_expired_certificate_and_a_retired_instrument(api, lab, create_instrument):
    from datetime import date

    expired = create_instrument(lab.institution_a, calibration_valid_until=date(2026, 3, 2))
    assert request_booking(api, lab.sme_a, expired).get_json()["error"]["code"] == "calibration_expired"
    repair = create_instrument(lab.institution_a, status="maintenance")
    assert request_booking(api, lab.sme_a, repair).get_json()["error"]["code"] == "not_bookable"


def test_an_overlap_is_409_slot_unavailable(api, lab):
    assert request_booking(api, lab.sme_a, lab.instrument).status_code == 201
    response = request_booking(api, lab.sme_b, lab.instrument, start=f"{TUESDAY}T10:30", end=f"{TUESDAY}T11:30")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "slot_unavailable"



def test_a_refusal_is_answered_in_the_callers_language_without_reading_them_again(api, lab):
    """The error handler rolls back; the language is chosen before that (app/errors.py), so a refused booking —
    fifteen of sixteen users racing for a slot — does not read its caller's row again to find it."""
    lab.sme_b.locale = "en"
    db.session.commit()
    assert request_booking(api, lab.sme_a, lab.instrument).status_code == 201
    caller = api(lab.sme_b)
    with statements_sent() as sent:
        response = caller.post("/bookings", json={"instrument_id": lab.instrument.id, "start": f"{TUESDAY}T10:30",
                                                  "end": f"{TUESDAY}T11:30", "service_mode": "self_operated"})
    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == "That time is already booked; please choose another."
    assert not [s for s in sent if "FROM users" in s and "WHERE users.id = " in s]  # the caller, reloaded


@pytest.mark.parametrize("instrument_id", [999999, "abc", None, -1])
def test_an_unknown_instrument_is_404(api, lab, instrument_id):
    response = api(lab.sme_a).post("/bookings", json={"instrument_id": instrument_id, "start": f"{TUESDAY}T10:00",
                                                      "end": f"{TUESDAY}T11:00"})
    assert response.status_code == 404


def test_a_naive_time_means_shanghai_and_an_offset_is_honoured(api, lab):
    body = request_booking(api, lab.sme_a, lab.instrument, start="2026-03-03T02:00:00Z",
                           end="2026-03-03T03:00:00Z").get_json()
    assert body["start"] == "2026-03-03T10:00:00+08:00"


def test_enterprises_see_only_their_own_bookings(api, lab):
    mine = request_booking(api, lab.sme_a, lab.instrument).get_json()
    theirs = request_booking(api, lab.sme_b, lab.instrument, start=f"{TUESDAY}T13:00", end=f"{TUESDAY}T14:00").get_json()
    listed = [b["id"] for b in api(lab.sme_a).get("/bookings").get_json()["items"]]
    assert listed == [mine["id"]]
    assert api(lab.sme_a).get(f"/bookings/{theirs['id']}").status_code == 404
    assert api(lab.sme_a).post(f"/bookings/{theirs['id']}/cancel", json={}).status_code == 404


def test_institutions_see_bookings_on_their_instruments_and_districts_their_district(api, lab):
    on_a = request_booking(api, lab.sme_a, lab.instrument).get_json()["id"]
    on_b = request_booking(api, lab.sme_a, lab.other_instrument).get_json()["id"]
    assert [b["id"] for b in api(lab.lab_a).get("/bookings").get_json()["items"]] == [on_a]
    assert [b["id"] for b in api(lab.lab_b).get("/bookings").get_json()["items"]] == [on_b]
    assert [b["id"] for b in api(lab.district_a).get("/bookings").get_json()["items"]] == [on_a]
    assert [b["id"] for b in api(lab.district_b).get("/bookings").get_json()["items"]] == [on_b]
    assert sorted(b["id"] for b in api(lab.city).get("/bookings").get_json()["items"]) == sorted([on_a, on_b])
    assert api(lab.lab_b).post(f"/bookings/{on_a}/approve", json={}).status_code == 404


def test_the_list_filters_by_status_instrument_and_dates(api, lab):
    request_booking(api, lab.sme_a, lab.instrument)
    request_booking(api, lab.sme_a, lab.other_instrument, start="2026-03-05T10:00", end="2026-03-05T11:00")
    caller = api(lab.sme_a)
    assert caller.get("/bookings?status=pending").get_json()["total"] == 1
    assert caller.get(f"/bookings?instrument_id={lab.other_instrument.id}").get_json()["total"] == 1
    assert caller.get("/bookings?from=2026-03-04&to=2026-03-06").get_json()["total"] == 1
    assert caller.get("/bookings?status=lost").status_code == 422
    assert caller.get("/bookings?from=yesterday").status_code == 422


def test_an_enterprise_approving_is_403_and_a_second_approval_is_409(api, lab):
    booking = request_booking(api, lab.sme_a, lab.instrument).get_json()
    assert api(lab.sme_a).post(f"/bookings/{booking['id']}/approve", json={}).status_code == 403
    approved = api(lab.lab_a).post(f"/bookings/{booking['id']}/approve", json={})
    assert approved.status_code == 200 and approved.get_json()["status"] == "confirmed"
    again = api(lab.lab_a).post(f"/bookings/{booking['id']}/approve", json={})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_transition"


def test_check_in_and_out_with_actual_times(app, api, lab, now):
    booking = request_booking(api, lab.sme_a, lab.instrument).get_json()
    staff = api(lab.lab_a)
    staff.post(f"/bookings/{booking['id']}/approve", json={})
    app.config["NOW_OVERRIDE"] = now + timedelta(days=1, hours=3)  # Tuesday 12:00
    checked_in = staff.post(f"/bookings/{booking['id']}/check-in", json={"at": f"{TUESDAY}T10:05"}).get_json()
    assert checked_in["status"] == "checked_in" and checked_in["actual_start"] == "2026-03-03T10:05:00+08:00"
    done = staff.post(f"/bookings/{booking['id']}/check-out", json={"at": f"{TUESDAY}T11:20"}).get_json()
    assert done["status"] == "completed" and done["charge"] == {"amount": "720.00", "currency": "CNY"}
    bad = staff.post(f"/bookings/{booking['id']}/check-out", json={"at": "soon"})
    assert bad.status_code == 422


def test_no_show_and_reject_and_cancel_through_the_api(app, api, lab, now):
    first = request_booking(api, lab.sme_a, lab.instrument).get_json()
    second = request_booking(api, lab.sme_a, lab.instrument, start=f"{TUESDAY}T13:00", end=f"{TUESDAY}T14:00").get_json()
    staff = api(lab.lab_a)
    rejected = staff.post(f"/bookings/{second['id']}/reject", json={"reason": "设备维护"}).get_json()
    assert rejected["status"] == "rejected" and rejected["status_reason"] == "设备维护"
    staff.post(f"/bookings/{first['id']}/approve", json={})
    assert staff.post(f"/bookings/{first['id']}/no-show", json={}).status_code == 409  # not started yet
    app.config["NOW_OVERRIDE"] = now + timedelta(days=1, hours=2)
    assert staff.post(f"/bookings/{first['id']}/no-show", json={}).get_json()["status"] == "no_show"
    assert api(lab.sme_a).post(f"/bookings/{first['id']}/explode", json={}).status_code == 404


def test_a_customer_cancel_after_the_free_window_is_late(app, api, lab, now):
    booking = request_booking(api, lab.sme_a, lab.other_instrument).get_json()
    app.config["NOW_OVERRIDE"] = now + timedelta(hours=20)  # 5 hours before the start
    body = api(lab.sme_a).post(f"/bookings/{booking['id']}/cancel", json={"reason": "样品延误"}).get_json()
    assert body["status"] == "cancelled" and body["late_cancellation"] is True


def test_staff_book_for_an_enterprise_by_id(api, lab):
    response = request_booking(api, lab.lab_a, lab.instrument, organization_id=lab.enterprise_b.id)
    assert response.status_code == 201
    assert response.get_json()["organization"]["id"] == lab.enterprise_b.id
    assert response.get_json()["status"] == "confirmed"
    bad = request_booking(api, lab.lab_a, lab.instrument, organization_id=lab.institution_b.id,
                          start=f"{TUESDAY}T13:00", end=f"{TUESDAY}T14:00")
    assert bad.status_code == 422 and "organization_id" in bad.get_json()["error"]["fields"]


def test_availability_lists_free_and_busy_without_naming_customers(api, lab):
    request_booking(api, lab.sme_a, lab.instrument)
    body = api(lab.sme_b).get(f"/instruments/{lab.instrument.id}/availability?from={TUESDAY}&to={TUESDAY}").get_json()
    assert body["instrument_id"] == lab.instrument.id and body["from"] == body["to"] == TUESDAY
    assert body["free"] == [{"start": "2026-03-03T09:00:00+08:00", "end": "2026-03-03T10:00:00+08:00"},
                            {"start": "2026-03-03T11:00:00+08:00", "end": "2026-03-03T17:00:00+08:00"}]
    assert body["busy"] == [{"start": "2026-03-03T10:00:00+08:00", "end": "2026-03-03T11:00:00+08:00",
                             "kind": "booking"}]
    assert "甲精密机械" not in str(body)


def test_an_availability_answer_reads_the_instrument_once_and_nothing_lazily(api, lab):
    """The calendar's columns only (api/bookings.py CALENDAR_ONLY): a rule that needed another column would
    load it with a statement of its own, and this count would grow."""
    caller = api(lab.sme_b)
    path = f"/instruments/{lab.instrument.id}/availability?from={TUESDAY}&to=2026-03-09"
    caller.get(path)  # the process's copies of the calendar and opening hours are warm after this
    with statements_sent() as sent:
        assert caller.get(path).status_code == 200
    selects = [s for s in sent if s.lstrip().upper().startswith("SELECT")]
    assert len([s for s in selects if "FROM instruments" in s]) == 1
    assert len(selects) <= 4, selects  # token, instrument, cache version, closures and holds (one statement)


def test_availability_of_a_holiday_is_busy_as_holiday(api, lab):
    body = api().get(f"/instruments/{lab.instrument.id}/availability?from=2026-05-01&to=2026-05-01").get_json()
    assert body["free"] == [] and body["busy"][0]["kind"] == "holiday"


@pytest.mark.parametrize("query", ["from=2026-03-01&to=2026-05-15", "from=soon", "from=2026-03-05&to=2026-03-01"])
def test_availability_windows_are_checked(api, lab, query):
    response = api().get(f"/instruments/{lab.instrument.id}/availability?{query}")
    assert response.status_code == 422


def test_a_booking_made_on_the_web_shows_in_the_api_and_vice_versa(api, sign_in, lab):
    client = sign_in(lab.sme_a)
    client.post(f"/instruments/{lab.other_instrument.id}/bookings",
                data={"start": f"{TUESDAY}T10:00", "end": f"{TUESDAY}T11:00", "service_mode": "self_operated"})
    listed = api(lab.sme_a).get("/bookings").get_json()["items"]
    assert [b["instrument_id"] for b in listed] == [lab.other_instrument.id]
    request_booking(api, lab.sme_a, lab.instrument, start="2026-03-04T10:00", end="2026-03-04T11:00")
    html = client.get("/bookings").get_data(as_text=True)
    assert lab.instrument.name in html and lab.other_instrument.name in html
