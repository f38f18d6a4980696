import io
from datetime import date

import pytest

from models.timeutil import at_local
from tests.factories import PDF


def order_body(world, **overrides):
    body = {"kind": "test_by_proxy", "institution_id": world.institution_a.id, "title": "电池外壳盐雾试验",
            "sample": {"name": "铝合金外壳", "model": "BX-200", "quantity": 3, "unit": "件", "disposal": "return"},
            "items": [{"name": "中性盐雾试验 96h", "standard": "GB/T 10125-2021"},
                      {"name": "外观评级", "standard": "GB/T 6461-2002"}],
            "needed_by": "2026-03-31", "confidential": False}
    body.update(overrides)
    return body


@pytest.fixture
def placed(api, world):
    response = api(world.sme_a).post("/orders", json=order_body(world))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_an_order_is_created_with_the_contract_fields(placed, world):
    assert placed["status"] == "submitted" and placed["kind"] == "test_by_proxy"
    assert placed["organization"] == {"id": world.enterprise_a.id, "name": "甲精密机械"}
    assert placed["sample"] == {"name": "铝合金外壳", "model": "BX-200", "quantity": 3, "unit": "件",
                                "disposal": "return"}
    assert placed["items"][1] == {"name": "外观评级", "standard": "GB/T 6461-2002"}
    assert placed["quote"] is None and placed["sample_no"] is None and placed["has_report"] is False


@pytest.mark.parametrize("change,field", [
    ({"items": []}, "items"),
    ({"sample": {"name": "x", "quantity": 0, "unit": "件", "disposal": "return"}}, "quantity"),
    ({"sample": {"name": "x", "quantity": -2, "unit": "件", "disposal": "return"}}, "quantity"),
    ({"sample": {"name": "x", "quantity": "many", "unit": "件", "disposal": "return"}}, "quantity"),
    ({"sample": {"name": "x", "quantity": 1, "unit": "件", "disposal": "burn"}}, "disposal"),
    ({"needed_by": "2026-02-01"}, "needed_by"),
    ({"needed_by": "2026-02-30"}, "needed_by"),
    ({"kind": "teleport"}, "kind"),
    ({"title": ""}, "title"),
    ({"institution_id": "abc"}, "institution_id"),
])
def test_bad_orders_are_422_with_the_field(api, world, change, field):
    response = api(world.sme_a).post("/orders", json=order_body(world, **change))
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert api(world.sme_a).get("/orders").get_json()["total"] == 0


def test_the_whole_path_through_the_api(api, world, placed):
    lab, sme, oid = api(world.lab_a), api(world.sme_a), placed["id"]
    quoted = lab.post(f"/orders/{oid}/quote", json={"amount": "1200.00", "turnaround_days": 7,
                                                     "valid_until": "2026-03-09", "note": "含报告费"}).get_json()
    assert quoted["quote"] == {"amount": "1200.00", "currency": "CNY", "turnaround_days": 7,
                               "valid_until": "2026-03-09", "note": "含报告费"}
    assert sme.post(f"/orders/{oid}/accept").get_json()["status"] == "accepted"
    assert lab.post(f"/orders/{oid}/receive-sample", json={}).get_json()["sample_no"] == f"YP-2026-{oid:06d}"
    assert lab.post(f"/orders/{oid}/start").get_json()["status"] == "testing"
    issued = lab.post(f"/orders/{oid}/report", data={"file": (io.BytesIO(PDF), "r.pdf"), "report_no": "BG-77"},
                      content_type="multipart/form-data")
    assert issued.status_code == 200 and issued.get_json()["has_report"] is True
    download = sme.get(f"/orders/{oid}/report")
    assert download.status_code == 200 and download.mimetype == "application/pdf" and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert sme.post(f"/orders/{oid}/complete").get_json()["status"] == "completed"
    review = sme.post(f"/orders/{oid}/review", json={"score": 5, "comment": "很好"})
    assert review.status_code == 201 and review.get_json()["score"] == 5
    assert sme.post(f"/orders/{oid}/review", json={"score": 4}).status_code == 409


def test_transitions_from_the_wrong_state_are_409(api, world, placed):
    oid = placed["id"]
    response = api(world.sme_a).post(f"/orders/{oid}/accept")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "invalid_transition"
    assert api(world.lab_a).post(f"/orders/{oid}/start").status_code == 409
    assert api(world.sme_a).post(f"/orders/{oid}/review", json={"score": 5}).status_code == 409


def test_the_wrong_party_gets_403_and_strangers_404(api, world, placed):
    oid = placed["id"]
    assert api(world.sme_a).post(f"/orders/{oid}/quote", json={}).status_code == 403
    assert api(world.sme_b).get(f"/orders/{oid}").status_code == 404
    assert api(world.lab_b).post(f"/orders/{oid}/reject", json={"reason": "x"}).status_code == 404
    assert api(world.sme_b).get(f"/orders/{oid}/report").status_code == 404


def test_a_bad_quote_is_422(api, world, placed):
    oid = placed["id"]
    for body, field in (({"amount": "-5", "turnaround_days": 3, "valid_until": "2026-03-09"}, "amount"),
                        ({"amount": "lots", "turnaround_days": 3, "valid_until": "2026-03-09"}, "amount"),
                        ({"amount": "5", "turnaround_days": 3, "valid_until": "2026-03-01"}, "valid_until")):
        response = api(world.lab_a).post(f"/orders/{oid}/quote", json=body)
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    assert api(world.lab_a).get(f"/orders/{oid}").get_json()["status"] == "submitted"


def _to_testing(api, world, oid):
    lab = api(world.lab_a)
    lab.post(f"/orders/{oid}/quote", json={"amount": "100", "turnaround_days": 3, "valid_until": "2026-03-09"})
    api(world.sme_a).post(f"/orders/{oid}/accept")
    lab.post(f"/orders/{oid}/receive-sample", json={"sample_no": "S-1"})
    lab.post(f"/orders/{oid}/start")
    return lab


@pytest.mark.parametrize("data,status", [(b"not a pdf at all", 422), (b"%PDF-" + b"x" * 3000, 413),
                                         (b"%PDF-1.4\n%%EOF\n", 422)])
def test_non_pdfs_and_oversized_pdfs_are_refused(app, api, world, placed, data, status):
    lab = _to_testing(api, world, placed["id"])
    app.config["REPORT_MAX_BYTES"] = 1000
    try:
        response = lab.post(f"/orders/{placed['id']}/report", data={"file": (io.BytesIO(data), "r.pdf"),
                                                                    "report_no": "BG-1"},
                            content_type="multipart/form-data")
    finally:
        app.config["REPORT_MAX_BYTES"] = 20 * 1024 * 1024
    assert response.status_code == status
    assert lab.get(f"/orders/{placed['id']}").get_json()["status"] == "testing"


def test_order_work_is_201_and_an_overlap_409(app, api, world, placed, create_instrument):
    instrument = create_instrument(world.institution_a)
    lab = _to_testing(api, world, placed["id"])
    app.config["NOW_OVERRIDE"] = at_local(date(2026, 3, 3), 9 * 60)  # Tuesday 09:00: work is logged once done
    future = lab.post(f"/orders/{placed['id']}/work",
                      json={"instrument_id": instrument.id, "start": "2026-03-03T10:00", "end": "2026-03-03T12:00"})
    assert future.status_code == 422 and "end" in future.get_json()["error"]["fields"]
    app.config["NOW_OVERRIDE"] = at_local(date(2026, 3, 3), 13 * 60)
    body = {"instrument_id": instrument.id, "start": "2026-03-03T10:00", "end": "2026-03-03T12:00"}
    created = lab.post(f"/orders/{placed['id']}/work", json=body)
    assert created.status_code == 201 and created.get_json()["start"] == "2026-03-03T10:00:00+08:00"
    clash = lab.post(f"/orders/{placed['id']}/work", json=dict(body, start="2026-03-03T11:00", end="2026-03-03T13:00"))
    assert clash.status_code == 409 and clash.get_json()["error"]["code"] == "slot_unavailable"
    busy = api().get(f"/instruments/{instrument.id}/availability?from=2026-03-03&to=2026-03-03").get_json()["busy"]
    assert {"start": "2026-03-03T10:00:00+08:00", "end": "2026-03-03T12:00:00+08:00", "kind": "order_work"} in busy


def test_lists_are_scoped_and_filterable(api, world, placed):
    api(world.sme_b).post("/orders", json=order_body(world, institution_id=world.institution_b.id,
                                                     kind="outsourced_testing"))
    assert [o["id"] for o in api(world.sme_a).get("/orders").get_json()["items"]] == [placed["id"]]
    assert api(world.lab_a).get("/orders").get_json()["total"] == 1
    assert api(world.city).get("/orders?kind=outsourced_testing").get_json()["total"] == 1
    assert api(world.district_b).get("/orders").get_json()["total"] == 1
    assert api(world.city).get("/orders?status=lost").status_code == 422


def test_a_confidential_order_is_masked_for_bureaus(api, world):
    api(world.sme_a).post("/orders", json=order_body(world, confidential=True))
    body = api(world.district_a).get("/orders").get_json()["items"][0]
    assert body["title"] == "保密委托" and "sample" not in body and "items" not in body
    assert api(world.lab_a).get("/orders").get_json()["items"][0]["title"] == "电池外壳盐雾试验"


def test_a_booking_review_through_the_api(api, world, create_instrument, create_booking):
    booking = create_booking(create_instrument(world.institution_a), world.enterprise_a, status="completed",
                             created_by=world.sme_a)
    assert api(world.sme_a).post(f"/bookings/{booking.id}/review", json={"score": "five"}).status_code == 422
    assert api(world.sme_b).post(f"/bookings/{booking.id}/review", json={"score": 5}).status_code == 404
    assert api(world.sme_a).post(f"/bookings/{booking.id}/review", json={"score": 3, "comment": "一般"}).status_code == 201


def test_a_report_number_with_a_line_break_is_422_and_the_order_can_still_be_reported(api, world, placed):
    lab = _to_testing(api, world, placed["id"])
    refused = lab.post(f"/orders/{placed['id']}/report", data={"file": (io.BytesIO(PDF), "r.pdf"),
                                                               "report_no": "BG-1\r\nX-Injected: 1"},
                       content_type="multipart/form-data")
    assert refused.status_code == 422 and "report_no" in refused.get_json()["error"]["fields"]
    issued = lab.post(f"/orders/{placed['id']}/report", data={"file": (io.BytesIO(PDF), "r.pdf"),
                                                              "report_no": "BG-1"},
                      content_type="multipart/form-data")
    assert issued.status_code == 200
    assert lab.get(f"/orders/{placed['id']}/report").status_code == 200
