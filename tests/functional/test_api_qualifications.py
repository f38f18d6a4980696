"""API.md "Qualifications and training": the endpoints, their scope, and bad input, each answered in its code."""
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from models import Qualification, TrainingRequest, db

TUESDAY = "2026-03-03"


@pytest.fixture
def lab(world, create_instrument):
    world.instrument = create_instrument(world.institution_a, name="原子吸收光谱仪", requires_qualification=True,
                                         requires_approval=False)
    world.other = create_instrument(world.institution_b, requires_qualification=True)
    return world


def grant(api, world, user=None, instrument=None, **body):
    payload = {"user_id": (user or world.sme_a).id, "level": "independent", **body}
    return api(world.lab_a).post(f"/instruments/{(instrument or world.instrument).id}/qualifications", json=payload)


def book(api, who, instrument, mode="self_operated", **extra):
    return api(who).post("/bookings", json={"instrument_id": instrument.id, "start": f"{TUESDAY}T10:00",
                                            "end": f"{TUESDAY}T11:00", "service_mode": mode, **extra})


def error(response):
    return response.status_code, response.get_json()["error"]["code"], set(response.get_json()["error"].get("fields", {}))


# The booking rule through the API ----------------------------------------------------------------

def test_self_operated_without_a_qualification_answers_422_qualification_required(api, lab):
    response = book(api, lab.sme_a, lab.instrument)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "qualification_required"
    assert book(api, lab.sme_a, lab.instrument, mode="assisted").status_code == 201


def test_after_a_grant_the_same_booking_is_made(api, lab):
    assert grant(api, lab).status_code == 201
    assert book(api, lab.sme_a, lab.instrument).status_code == 201


def test_staff_name_the_operator_with_operator_user_id(api, lab):
    on_behalf = {"organization_id": lab.enterprise_a.id}
    assert error(book(api, lab.lab_a, lab.instrument, **on_behalf)) == (422, "validation_error", {"operator_user_id"})
    refused = book(api, lab.lab_a, lab.instrument, operator_user_id=lab.sme_a.id, **on_behalf)
    assert error(refused)[:2] == (422, "qualification_required")
    grant(api, lab)
    assert book(api, lab.lab_a, lab.instrument, operator_user_id=lab.sme_a.id, **on_behalf).status_code == 201


@pytest.mark.parametrize("value", ["7", True, [1], 0, 99999999999])
def test_a_bad_operator_user_id_is_a_field_error(api, lab, value):
    response = book(api, lab.lab_a, lab.instrument, organization_id=lab.enterprise_a.id, operator_user_id=value)
    assert error(response) == (422, "validation_error", {"operator_user_id"})


# Qualifications ---------------------------------------------------------------------------------

def test_a_grant_answers_201_with_the_contract_fields(api, lab):
    response = grant(api, lab, expires_on="2026-09-30")
    assert response.status_code == 201
    body = response.get_json()
    assert body["user"] == {"id": lab.sme_a.id, "name": lab.sme_a.name, "email": lab.sme_a.email,
                            "organization": {"id": lab.enterprise_a.id, "name": "甲精密机械"}}
    assert (body["level"], body["status"], body["expires_on"]) == ("independent", "active", "2026-09-30")
    assert body["expires_at"] == "2026-10-01T00:00:00+08:00" and body["last_used_at"] is None
    assert body["granted_at"] == "2026-03-02T09:00:00+08:00"
    listed = api(lab.lab_a).get(f"/instruments/{lab.instrument.id}/qualifications").get_json()["items"]
    assert [q["id"] for q in listed] == [body["id"]]


def test_granting_on_another_institutions_instrument_answers_404(api, lab):
    assert grant(api, lab, instrument=lab.other).status_code == 404
    assert api(lab.lab_a).get(f"/instruments/{lab.other.id}/qualifications").status_code == 404


def test_an_enterprise_may_not_list_or_grant(api, lab):
    assert api(lab.sme_a).get(f"/instruments/{lab.instrument.id}/qualifications").status_code == 403
    assert api(lab.sme_a).post(f"/instruments/{lab.instrument.id}/qualifications",
                               json={"user_id": lab.sme_a.id, "level": "independent"}).status_code == 403


@pytest.mark.parametrize("body,field", [
    ({"level": "expert"}, "level"), ({"level": 1}, "level"), ({"level": None}, "level"),
    ({"user_id": "1"}, "user_id"), ({"user_id": True}, "user_id"), ({"user_id": 1.5}, "user_id"),
    ({"expires_on": "2026-02-30"}, "expires_on"), ({"expires_on": "2100-01-01"}, "expires_on"),
    ({"expires_on": 20260930}, "expires_on"), ({"expires_on": "2026-03-01"}, "expires_on"),
])
def test_bad_grant_input_answers_422_naming_the_field(api, lab, body, field):
    response = grant(api, lab, **body)
    assert error(response) == (422, "validation_error", {field})
    assert db.session.scalar(sa.select(sa.func.count(Qualification.id))) == 0


def test_granting_to_a_staff_member_or_nobody_is_a_field_error(api, lab):
    assert error(grant(api, lab, user=lab.lab_b)) == (422, "validation_error", {"user_id"})
    assert error(api(lab.lab_a).post(f"/instruments/{lab.instrument.id}/qualifications",
                                     json={"user_id": 999999, "level": "assisted"})) == (422, "validation_error",
                                                                                         {"user_id"})


def test_revoking_needs_a_reason_and_then_the_booking_is_refused(api, lab):
    qid = grant(api, lab).get_json()["id"]
    assert error(api(lab.lab_a).post(f"/qualifications/{qid}/revoke", json={"reason": ""}))[2] == {"reason"}
    assert error(api(lab.lab_a).post(f"/qualifications/{qid}/revoke", json={"reason": 5}))[2] == {"reason"}
    assert api(lab.sme_a).post(f"/qualifications/{qid}/revoke", json={"reason": "x"}).status_code == 403
    assert api(lab.lab_b).post(f"/qualifications/{qid}/revoke", json={"reason": "x"}).status_code == 404
    response = api(lab.lab_a).post(f"/qualifications/{qid}/revoke", json={"reason": "违反操作规程"})
    assert response.status_code == 200 and response.get_json()["status"] == "revoked"
    assert api(lab.lab_a).post(f"/qualifications/{qid}/revoke", json={"reason": "again"}).status_code == 409
    assert book(api, lab.sme_a, lab.instrument).get_json()["error"]["code"] == "qualification_required"


def test_the_list_filters_by_status(api, lab, create_user):
    grant(api, lab)
    qid = grant(api, lab, user=create_user("enterprise", lab.enterprise_a)).get_json()["id"]
    api(lab.lab_a).post(f"/qualifications/{qid}/revoke", json={"reason": "离职"})
    path = f"/instruments/{lab.instrument.id}/qualifications"
    assert [q["status"] for q in api(lab.lab_a).get(path + "?status=revoked").get_json()["items"]] == ["revoked"]
    assert api(lab.lab_a).get(path + "?status=gone").status_code == 422


def test_me_qualifications_lists_only_the_users_own(api, lab):
    grant(api, lab)
    grant(api, lab, user=lab.sme_b)
    mine = api(lab.sme_a).get("/me/qualifications").get_json()["items"]
    assert [(q["instrument"]["name"], q["level"]) for q in mine] == [("原子吸收光谱仪", "independent")]


# Training --------------------------------------------------------------------------------------

def ask(api, who, instrument, note="想独立操作"):
    return api(who).post(f"/instruments/{instrument.id}/training-requests", json={"note": note})


def test_the_training_path_from_request_to_a_self_operated_booking(api, lab):
    response = ask(api, lab.sme_a, lab.instrument)
    assert response.status_code == 201 and response.get_json()["status"] == "requested"
    rid = response.get_json()["id"]
    assert [r["id"] for r in api(lab.lab_a).get("/training-requests?status=requested").get_json()["items"]] == [rid]
    scheduled = api(lab.lab_a).post(f"/training-requests/{rid}/schedule",
                                    json={"start": "2026-03-02T09:00", "end": "2026-03-02T10:00"})
    assert scheduled.status_code == 200
    assert scheduled.get_json()["session"]["start"] == "2026-03-02T09:00:00+08:00"
    assert scheduled.get_json()["actions"] == ["complete", "decline"]
    passed = api(lab.lab_a).post(f"/training-requests/{rid}/complete", json={"passed": True, "level": "independent"})
    assert passed.status_code == 200 and passed.get_json()["status"] == "passed"
    assert book(api, lab.sme_a, lab.instrument).status_code == 201


def test_scheduling_training_over_a_booking_answers_409_slot_unavailable(api, lab):
    book(api, lab.sme_b, lab.instrument, mode="assisted")
    rid = ask(api, lab.sme_a, lab.instrument).get_json()["id"]
    response = api(lab.lab_a).post(f"/training-requests/{rid}/schedule",
                                   json={"start": f"{TUESDAY}T10:30", "end": f"{TUESDAY}T11:30"})
    assert error(response)[:2] == (409, "slot_unavailable")


def test_training_shows_in_availability_as_its_own_kind(api, lab):
    rid = ask(api, lab.sme_a, lab.instrument).get_json()["id"]
    api(lab.lab_a).post(f"/training-requests/{rid}/schedule", json={"start": f"{TUESDAY}T14:00", "end": f"{TUESDAY}T16:00"})
    busy = api(lab.sme_b).get(f"/instruments/{lab.instrument.id}/availability?from={TUESDAY}&to={TUESDAY}").get_json()["busy"]
    assert busy == [{"start": f"{TUESDAY}T14:00:00+08:00", "end": f"{TUESDAY}T16:00:00+08:00", "kind": "training"}]


def test_completing_a_declined_request_answers_409(api, lab):
    rid = ask(api, lab.sme_a, lab.instrument).get_json()["id"]
    declined = api(lab.lab_a).post(f"/training-requests/{rid}/decline", json={"reason": "暂不开放培训"})
    assert declined.status_code == 200 and declined.get_json()["reason"] == "暂不开放培训"
    response = api(lab.lab_a).post(f"/training-requests/{rid}/complete", json={"passed": True})
    assert error(response)[:2] == (409, "invalid_transition")


@pytest.mark.parametrize("step,body,field", [
    ("complete", {"passed": "yes"}, "passed"), ("complete", {}, "passed"),
    ("complete", {"passed": True, "level": "expert"}, "level"), ("decline", {}, "reason"),
    ("decline", {"reason": "a\x00b"}, "reason"), ("schedule", {"start": 9, "end": "2026-03-03T10:00"}, "start"),
])
def test_bad_training_input_answers_422_naming_the_field(api, lab, step, body, field):
    rid = ask(api, lab.sme_a, lab.instrument).get_json()["id"]
    assert error(api(lab.lab_a).post(f"/training-requests/{rid}/{step}", json=body)) == (422, "validation_error",
                                                                                        {field})


def test_a_second_open_request_answers_409_and_notes_are_text(api, lab):
    assert ask(api, lab.sme_a, lab.instrument).status_code == 201
    assert error(ask(api, lab.sme_a, lab.instrument))[:2] == (409, "conflict")
    assert error(ask(api, lab.sme_b, lab.instrument, note=["a"])) == (422, "validation_error", {"note"})
    assert api(lab.lab_a).post(f"/instruments/{lab.instrument.id}/training-requests", json={}).status_code == 403


def test_training_requests_are_scoped(api, lab):
    rid = ask(api, lab.sme_a, lab.instrument).get_json()["id"]
    assert api(lab.sme_b).get(f"/training-requests/{rid}").status_code == 404
    assert api(lab.lab_b).get(f"/training-requests/{rid}").status_code == 404
    assert api(lab.lab_b).post(f"/training-requests/{rid}/decline", json={"reason": "x"}).status_code == 404
    assert api(lab.sme_a).post(f"/training-requests/{rid}/decline", json={"reason": "x"}).status_code == 403
    assert api(lab.sme_b).get("/training-requests").get_json()["items"] == []
    assert api(lab.sme_a).get("/training-requests?status=nope").status_code == 422


def test_a_scheduled_training_has_an_ics_and_is_in_both_feeds(api, client, lab):
    rid = ask(api, lab.sme_a, lab.instrument).get_json()["id"]
    api(lab.lab_a).post(f"/training-requests/{rid}/schedule", json={"start": f"{TUESDAY}T14:00", "end": f"{TUESDAY}T16:00"})
    response = api(lab.sme_a).get(f"/training-requests/{rid}/ics")
    (event,) = Calendar.from_ical(response.data).walk("VEVENT")
    session_id = db.session.scalar(sa.select(TrainingRequest.session_id))
    assert str(event["UID"]) == f"training-{session_id}@localhost"
    assert str(event["SUMMARY"]) == "原子吸收光谱仪 · 上机培训"
    assert event["DTSTART"].dt == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)
    for who in (lab.sme_a, lab.lab_a):
        url = api(who).get("/calendar/feed").get_json()["url"]
        feed = Calendar.from_ical(client.get(url.split("localhost", 1)[1]).data)
        assert [str(e["UID"]) for e in feed.walk("VEVENT")] == [f"training-{session_id}@localhost"]
    url = api(lab.sme_b).get("/calendar/feed").get_json()["url"]
    assert Calendar.from_ical(client.get(url.split("localhost", 1)[1]).data).walk("VEVENT") == []


def test_the_instrument_rules_carry_the_qualification_settings(api, lab):
    body = api(lab.sme_a).get(f"/instruments/{lab.instrument.id}").get_json()
    assert (body["rules"]["requires_qualification"], body["rules"]["qualification_lapse_days"]) == (True, 180)
    patched = api(lab.lab_a).patch(f"/instruments/{lab.instrument.id}",
                                   json={"rules": {"requires_qualification": False, "qualification_lapse_days": 90}})
    assert patched.status_code == 200
    assert patched.get_json()["rules"]["requires_qualification"] is False
    assert patched.get_json()["rules"]["qualification_lapse_days"] == 90
    for rules in ({"qualification_lapse_days": 0}, {"qualification_lapse_days": "soon"},
                  {"requires_qualification": "maybe"}):
        response = api(lab.lab_a).patch(f"/instruments/{lab.instrument.id}", json={"rules": rules})
        assert response.status_code == 422, rules
    created = api(lab.lab_a).post("/instruments", json={"name": "新仪器", "category_code": "010100"}).get_json()
    assert created["rules"]["requires_qualification"] is True and created["rules"]["qualification_lapse_days"] == 180
    assert date.fromisoformat(TUESDAY)  # the fixed clock's week
