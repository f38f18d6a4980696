"""/api/v1 for recurring bookings and the waitlist: the contract's paths, codes and bad input."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from models import Booking, BookingSeries, Closure, Notification, WaitlistEntry, db
from models.timeutil import at_local

TUESDAY = "2026-03-03"


@pytest.fixture
def lab(world, create_instrument):
    world.instrument = create_instrument(world.institution_a, requires_approval=False, max_future_bookings_per_org=20)
    return world


def series_body(lab, **repeat):
    return {"instrument_id": lab.instrument.id, "start": f"{TUESDAY}T10:00", "end": f"{TUESDAY}T11:00",
            "purpose": "每周例行测试", "service_mode": "self_operated",
            "repeat": repeat or {"freq": "weekly", "interval": 1, "count": 4}}


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_booking_a_series_answers_201_with_what_was_booked_and_skipped(api, lab, now):
    db.session.add(Closure(instrument_id=lab.instrument.id, start_at=at_local(now.date() + timedelta(days=8), 0),
                           end_at=at_local(now.date() + timedelta(days=9), 0), kind="maintenance", created_at=now))
    db.session.commit()
    response = api(lab.sme_a).post("/bookings/series", json=series_body(lab))
    assert response.status_code == 201
    answer = response.get_json()
    assert [b["start"] for b in answer["created"]] == ["2026-03-03T10:00:00+08:00", "2026-03-17T10:00:00+08:00",
                                                       "2026-03-24T10:00:00+08:00"]
    assert answer["skipped"] == [{"start": "2026-03-10T10:00:00+08:00", "end": "2026-03-10T11:00:00+08:00",
                                  "code": "closed", "message": answer["skipped"][0]["message"]}]
    assert "停机" in answer["skipped"][0]["message"]
    assert all(b["status"] == "confirmed" and b["purpose"] == "每周例行测试" for b in answer["created"])
    assert db.session.get(BookingSeries, answer["series_id"]) is not None


def test_a_dry_run_answers_200_and_books_nothing(api, lab):
    response = api(lab.sme_a).post("/bookings/series", json=dict(series_body(lab), dry_run=True))
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["series_id"] is None and len(answer["created"]) == 4 and answer["skipped"] == []
    assert answer["created"][0] == {"start": "2026-03-03T10:00:00+08:00", "end": "2026-03-03T11:00:00+08:00",
                                    "status": "confirmed", "price": {"amount": "480.00", "currency": "CNY"}}
    assert count(Booking) == count(BookingSeries) == count(Notification) == 0


@pytest.mark.parametrize("repeat,field", [
    ({"freq": "weekly", "interval": 1, "count": 53}, "repeat.count"),
    ({"freq": "weekly", "interval": 0, "count": 4}, "repeat.interval"),
    ({"freq": "weekly", "interval": 1, "until": "2026-03-01"}, "repeat.until"),
    ({"freq": "weekly", "interval": "2", "count": 4}, "repeat.interval"),
    ({"freq": "weekly", "interval": 1, "count": 4.0}, "repeat.count"),
    ({"freq": "yearly", "interval": 1, "count": 4}, "repeat.freq"),
])
def test_bad_rules_are_422_naming_the_field(api, lab, repeat, field):
    response = api(lab.sme_a).post("/bookings/series", json=series_body(lab, **repeat))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"]
    assert count(Booking) == 0


@pytest.mark.parametrize("change,field", [
    ({"repeat": "weekly"}, "repeat"), ({"repeat": None}, "repeat"), ({"dry_run": "yes"}, "dry_run"),
    ({"start": 20260303}, "start"), ({"purpose": ["x"]}, "purpose"), ({"service_mode": 1}, "service_mode"),
])
def test_wrongly_typed_input_is_422(api, lab, change, field):
    response = api(lab.sme_a).post("/bookings/series", json={**series_body(lab), **change})
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


def test_a_series_nothing_of_which_can_be_booked_answers_with_that_error(api, lab, create_booking):
    lab.instrument.status = "maintenance"
    db.session.commit()
    response = api(lab.sme_a).post("/bookings/series", json=series_body(lab))
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "not_bookable"


def test_reading_and_cancelling_a_series_from_a_date(api, lab):
    series_id = api(lab.sme_a).post("/bookings/series", json=series_body(lab)).get_json()["series_id"]
    read = api(lab.sme_a).get(f"/series/{series_id}").get_json()
    assert read["repeat"] == {"freq": "weekly", "interval": 1, "count": 4, "until": None}
    assert len(read["bookings"]) == 4
    response = api(lab.sme_a).post(f"/series/{series_id}/cancel", json={"from": "2026-03-17", "reason": "项目暂停"})
    assert response.status_code == 200
    answer = response.get_json()
    assert [b["status"] for b in answer["bookings"]] == ["confirmed", "confirmed", "cancelled", "cancelled"]
    assert answer["cancelled_booking_ids"] == [b["id"] for b in answer["bookings"][2:]]


def test_one_occurrence_is_cancelled_as_a_booking(api, lab):
    created = api(lab.sme_a).post("/bookings/series", json=series_body(lab)).get_json()["created"]
    assert api(lab.sme_a).post(f"/bookings/{created[1]['id']}/cancel", json={}).status_code == 200
    statuses = [db.session.get(Booking, b["id"]).status for b in created]
    assert statuses == ["confirmed", "cancelled", "confirmed", "confirmed"]


@pytest.mark.parametrize("body", [{"from": "03/17/2026"}, {"from": 17}, {"reason": 5}])
def test_a_bad_cancellation_is_422(api, lab, body):
    series_id = api(lab.sme_a).post("/bookings/series", json=series_body(lab)).get_json()["series_id"]
    assert api(lab.sme_a).post(f"/series/{series_id}/cancel", json=body).status_code == 422


def test_a_series_is_in_scope_only_for_its_parties(api, lab):
    series_id = api(lab.sme_a).post("/bookings/series", json=series_body(lab)).get_json()["series_id"]
    assert api(lab.sme_b).get(f"/series/{series_id}").status_code == 404
    assert api(lab.lab_b).post(f"/series/{series_id}/cancel", json={}).status_code == 404
    assert api(lab.lab_a).get(f"/series/{series_id}").status_code == 200


# The waitlist ------------------------------------------------------------------------------------

@pytest.fixture
def taken(lab, create_booking):
    lab.booking = create_booking(lab.instrument, lab.enterprise_b, start=at_local(date(2026, 3, 3), 600),
                                 created_by=lab.sme_b)
    return lab


SLOT = {"start": f"{TUESDAY}T10:00", "end": f"{TUESDAY}T11:00"}


def test_joining_a_taken_interval_is_201_waiting(api, taken):
    response = api(taken.sme_a).post(f"/instruments/{taken.instrument.id}/waitlist", json=SLOT)
    assert response.status_code == 201
    answer = response.get_json()
    assert answer["status"] == "waiting" and answer["start"] == "2026-03-03T10:00:00+08:00"
    assert answer["actions"] == ["leave"]


def test_joining_a_free_interval_is_422_slot_available(api, taken):
    response = api(taken.sme_a).post(f"/instruments/{taken.instrument.id}/waitlist",
                                     json={"start": f"{TUESDAY}T14:00", "end": f"{TUESDAY}T15:00"})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "slot_available"


def test_joining_twice_is_409(api, taken):
    api(taken.sme_a).post(f"/instruments/{taken.instrument.id}/waitlist", json=SLOT)
    response = api(taken.sme_a).post(f"/instruments/{taken.instrument.id}/waitlist", json=SLOT)
    assert response.status_code == 409
    assert count(WaitlistEntry) == 1


@pytest.mark.parametrize("body,field", [({"start": 1, "end": f"{TUESDAY}T11:00"}, "start"),
                                        ({"start": f"{TUESDAY}T10:00"}, "end")])
def test_joining_with_bad_times_is_422(api, taken, body, field):
    response = api(taken.sme_a).post(f"/instruments/{taken.instrument.id}/waitlist", json=body)
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


def test_the_first_in_line_claims_the_freed_time_as_a_booking(api, taken):
    entry = api(taken.sme_a).post(f"/instruments/{taken.instrument.id}/waitlist", json=SLOT).get_json()
    api(taken.sme_b).post(f"/bookings/{taken.booking.id}/cancel", json={"reason": "改期"})
    listed = api(taken.sme_a).get("/waitlist").get_json()["items"]
    assert listed[0]["status"] == "offered" and listed[0]["offer_expires_at"] == "2026-03-02T10:00:00+08:00"
    response = api(taken.sme_a).post(f"/waitlist/{entry['id']}/claim", json={"purpose": "候补补测"})
    assert response.status_code == 201
    booking = response.get_json()
    assert booking["status"] == "confirmed" and booking["start"] == "2026-03-03T10:00:00+08:00"
    assert api(taken.sme_a).get("/waitlist").get_json()["items"][0]["booking_id"] == booking["id"]


def test_claiming_an_expired_offer_is_409(app, api, taken, now):
    entry = api(taken.sme_a).post(f"/instruments/{taken.instrument.id}/waitlist", json=SLOT).get_json()
    api(taken.sme_b).post(f"/bookings/{taken.booking.id}/cancel", json={})
    app.config["NOW_OVERRIDE"] = now + timedelta(minutes=61)
    response = api(taken.sme_a).post(f"/waitlist/{entry['id']}/claim", json={})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "invalid_transition"


def test_claiming_someone_elses_offer_is_404(api, taken, create_user):
    entry = api(taken.sme_a).post(f"/instruments/{taken.instrument.id}/waitlist", json=SLOT).get_json()
    api(taken.sme_b).post(f"/bookings/{taken.booking.id}/cancel", json={})
    assert api(taken.sme_b).post(f"/waitlist/{entry['id']}/claim", json={}).status_code == 404
    assert api(taken.sme_b).delete(f"/waitlist/{entry['id']}").status_code == 404


def test_the_institution_sees_the_line_for_its_instrument_but_cannot_claim(api, taken):
    entry = api(taken.sme_a).post(f"/instruments/{taken.instrument.id}/waitlist", json=SLOT).get_json()
    assert [e["id"] for e in api(taken.lab_a).get("/waitlist").get_json()["items"]] == [entry["id"]]
    assert api(taken.lab_b).get("/waitlist").get_json()["items"] == []
    assert api(taken.lab_a).delete(f"/waitlist/{entry['id']}").status_code == 403


def test_leaving_is_204_and_the_entry_stays_as_cancelled(api, taken):
    entry = api(taken.sme_a).post(f"/instruments/{taken.instrument.id}/waitlist", json=SLOT).get_json()
    assert api(taken.sme_a).delete(f"/waitlist/{entry['id']}").status_code == 204
    assert api(taken.sme_a).get("/waitlist?status=cancelled").get_json()["total"] == 1
    assert api(taken.sme_a).delete(f"/waitlist/{entry['id']}").status_code == 409


def test_a_bad_status_filter_is_422(api, taken):
    assert api(taken.sme_a).get("/waitlist?status=gone").status_code == 422
