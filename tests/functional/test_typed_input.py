"""Issue 14, findings 2–4 and the form fuzzing of 14: every door types its input (API.md "Input is typed
strictly"). Non-finite or oversized numbers, dates outside 2000–2099, ids beyond 32 bits, values of the
wrong JSON type, NUL bytes and over-long texts are a 422 naming the field — never a 500, never stored."""
import json

import pytest
import sqlalchemy as sa

from models import Booking, Closure, Instrument, Pilot, ServiceOrder, db
from models.settlement import AdjustmentRequest
from models.voucher import Voucher
from tests.functional.test_api_catalog import RECORD
from tests.functional.test_api_orders import order_body
from tests.functional.test_console import form_data
from tests.functional.test_pilots import PILOT
from tests.settlement import charge_of, completed_booking

NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e400"]


def raw(caller, method, path, text):
    """A request whose JSON body is written by hand: NaN and Infinity are not JSON, but Python reads them."""
    return caller._call(method, path, data=text, content_type="application/json")


def refused(response, field):
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"], error
    return error


def count(model):
    return db.session.scalar(sa.select(sa.func.count(model.id)))


@pytest.fixture
def lab(world, create_instrument):
    world.instrument = create_instrument(world.institution_a, requires_approval=False)
    return world


# Finding 2: numbers ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["hourly_rate", "sme_discount_percent", "original_value_wan"])
@pytest.mark.parametrize("literal", NON_FINITE)
def test_non_finite_instrument_numbers_are_422(api, world, name, literal):
    as_number = json.dumps(dict(RECORD, **{name: 0})).replace(f'"{name}": 0', f'"{name}": {literal}')
    refused(raw(api(world.lab_a), "POST", "/instruments", as_number), name)
    refused(api(world.lab_a).post("/instruments", json=dict(RECORD, **{name: literal})), name)
    assert count(Instrument) == 0


@pytest.fixture
def placed(api, world):
    response = api(world.sme_a).post("/orders", json=order_body(world))
    assert response.status_code == 201
    return response.get_json()["id"]


@pytest.mark.parametrize("amount", [*NON_FINITE, "99999999999", 99999999999, 1e400])
def test_a_quote_that_is_not_a_finite_amount_the_column_holds_is_422(api, world, placed, amount):
    body = {"amount": amount, "turnaround_days": 7, "valid_until": "2026-03-20"}
    refused(api(world.lab_a).post(f"/orders/{placed}/quote", json=body), "amount")
    assert db.session.get(ServiceOrder, placed).quote_amount is None


def test_statistics_still_answer_after_an_infinite_quote_was_tried(api, world, placed):
    body = '{"amount": Infinity, "turnaround_days": 7, "valid_until": "2026-03-20"}'
    refused(raw(api(world.lab_a), "POST", f"/orders/{placed}/quote", body), "amount")
    city = api(world.city)
    assert city.get("/stats/summary?year=2026").status_code == 200
    assert city.get("/stats/utilization?from=2026-01-01&to=2026-03-31&group_by=institution").status_code == 200


@pytest.mark.parametrize("name", ["funds_wan", "profit_increase_wan"])
@pytest.mark.parametrize("literal", NON_FINITE)
def test_non_finite_pilot_money_is_422(api, world, name, literal):
    refused(api(world.district_a).post("/pilots", json=dict(PILOT, institution_ids=[], **{name: literal})), name)


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "1e400", 1e400, "99999999999"])
def test_voucher_amounts_are_finite_decimal_strings(api, world, amount):
    body = {"organization_id": world.enterprise_a.id, "amount": amount, "subsidy_percent": 50,
            "valid_from": "2026-03-02", "valid_until": "2026-04-30", "programme": "2026 创新券"}
    refused(api(world.district_a).post("/vouchers", json=body), "amount")


@pytest.mark.parametrize("instrument_id", [2**31, 2**63, 1.5, True, "1"])
def test_an_order_naming_an_impossible_instrument_is_422(api, world, instrument_id):
    refused(api(world.sme_a).post("/orders", json=order_body(world, instrument_id=instrument_id)), "instrument_id")
    assert count(ServiceOrder) == 0


@pytest.mark.parametrize("path", ["/bookings/{n}", "/orders/{n}", "/instruments/{n}", "/instruments/{n}/availability"])
def test_ids_beyond_32_bits_in_paths_are_404(api, world, path):
    for n in (2**31, 2**63, -1):
        assert api(world.sme_a).get(path.format(n=n)).status_code == 404


# Finding 3: dates --------------------------------------------------------------------------------

def book(api, who, instrument, **changes):
    body = {"instrument_id": instrument.id, "start": "2026-03-03T10:00", "end": "2026-03-03T11:00",
            "purpose": "测试", "service_mode": "self_operated", **changes}
    return api(who).post("/bookings", json=body)


@pytest.mark.parametrize("start,end", [("0001-01-01T10:00", "0001-01-01T11:00"),
                                       ("9999-12-31T10:00", "9999-12-31T11:00"),
                                       ("1999-12-31T10:00", "1999-12-31T11:00")])
def test_booking_times_outside_2000_to_2099_are_422(api, lab, start, end):
    refused(book(api, lab.sme_a, lab.instrument, start=start, end=end), "start")
    refused(book(api, lab.lab_a, lab.instrument, start=start, end=end, organization_id=lab.enterprise_a.id), "start")
    assert count(Booking) == 0


@pytest.mark.parametrize("query,field", [
    ("/bookings?from=0001-01-01", "from"), ("/bookings?to=9999-12-31", "to"),
    ("/instruments/{id}/availability?from=0001-01-01", "from"),
    ("/instruments/{id}/availability?from=2099-12-30&to=9999-12-31", "to"),
    ("/instruments/{id}/closures?from=0001-01-01T00:00", "from"),
])
def test_date_filters_outside_2000_to_2099_are_422(api, lab, query, field):
    refused(api(lab.lab_a).get(query.format(id=lab.instrument.id)), field)


@pytest.mark.parametrize("query", ["from=0001-01-01", "to=9999-12-31", "from=1999-12-31&to=2000-01-05"])
def test_utilization_periods_outside_2000_to_2099_are_422(api, world, query):
    response = api(world.city).get(f"/stats/utilization?{query}&group_by=institution")
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("start,end", [("0001-01-01T00:00", "0001-01-02T00:00"),
                                       ("2026-03-10T00:00", "9999-12-31T00:00")])
def test_closures_outside_2000_to_2099_are_422(api, lab, start, end):
    response = api(lab.lab_a).post(f"/instruments/{lab.instrument.id}/closures",
                                   json={"start": start, "end": end, "kind": "maintenance", "reason": "x"})
    assert response.status_code == 422
    assert count(Closure) == 0


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2100-01-01"])
def test_a_certificate_valid_until_outside_2000_to_2099_is_422(api, world, day):
    record = dict(RECORD, metrology=dict(RECORD["metrology"], valid_until=day))
    refused(api(world.lab_a).post("/instruments", json=record), "metrology.valid_until")


def test_a_quote_valid_until_9999_is_422(api, world, placed):
    body = {"amount": "100.00", "turnaround_days": 7, "valid_until": "9999-12-31"}
    refused(api(world.lab_a).post(f"/orders/{placed}/quote", json=body), "valid_until")


def test_staff_record_past_use_on_behalf_at_most_366_days_back(api, lab):
    staff = dict(organization_id=lab.enterprise_a.id, service_mode="assisted")
    response = book(api, lab.lab_a, lab.instrument, start="2024-03-05T10:00", end="2024-03-05T11:00", **staff)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "policy_violation"
    assert "366" in response.get_json()["error"]["message"]
    recent = book(api, lab.lab_a, lab.instrument, start="2026-02-03T10:00", end="2026-02-03T11:00", **staff)
    assert recent.status_code == 201, recent.get_json()


# Finding 4: strict types --------------------------------------------------------------------------

@pytest.mark.parametrize("changes,field", [
    ({"instrument_id": 1.5}, "instrument_id"),
    ({"instrument_id": True}, "instrument_id"),
    ({"instrument_id": [1]}, "instrument_id"),
    ({"service_mode": []}, "service_mode"),
    ({"service_mode": {"x": 1}}, "service_mode"),
    ({"purpose": ["a"]}, "purpose"),
    ({"purpose": "x" * 501}, "purpose"),
    ({"purpose": "样品\x00"}, "purpose"),
    ({"organization_id": 1.5}, "organization_id"),
])
def test_booking_fields_of_the_wrong_type_are_422(api, lab, changes, field):
    refused(book(api, lab.sme_a, lab.instrument, **changes), field)
    assert count(Booking) == 0


def test_booking_an_instrument_id_beyond_32_bits_is_404(api, lab):
    assert book(api, lab.sme_a, lab.instrument, instrument_id=2**63).status_code == 404


@pytest.mark.parametrize("changes,field", [
    ({"name": ["a"]}, "name"),
    ({"name": 5}, "name"),
    ({"name": "仪器\x00"}, "name"),
    ({"specs": "x" * 5000}, "specs"),
    ({"service_modes": "self_operated"}, "service_modes"),
    ({"contact": "王工"}, "contact"),
    ({"rules": dict(RECORD["rules"], slot_minutes=30.5)}, "rules.slot_minutes"),
    ({"rules": dict(RECORD["rules"], slot_minutes="30")}, "rules.slot_minutes"),
    ({"rules": dict(RECORD["rules"], requires_approval="yes")}, "rules.requires_approval"),
])
def test_instrument_fields_of_the_wrong_type_are_422(api, world, changes, field):
    refused(api(world.lab_a).post("/instruments", json=dict(RECORD, **changes)), field)
    assert count(Instrument) == 0


def test_an_order_with_more_items_than_the_cap_is_422(api, world):
    items = [{"name": f"项目 {n}", "standard": "GB/T 1"} for n in range(1000)]
    refused(api(world.sme_a).post("/orders", json=order_body(world, items=items)), "items")
    assert count(ServiceOrder) == 0


@pytest.mark.parametrize("changes,field", [
    ({"title": "盐雾\x00"}, "title"),
    ({"title": ["盐雾"]}, "title"),
    ({"confidential": "no"}, "confidential"),
    ({"sample": {"name": "外壳\x00", "quantity": 3, "unit": "件", "disposal": "return"}}, "sample.name"),
    ({"sample": {"name": "外壳", "quantity": "3", "unit": "件", "disposal": "return"}}, "sample.quantity"),
])
def test_order_fields_of_the_wrong_type_are_422(api, world, changes, field):
    refused(api(world.sme_a).post("/orders", json=order_body(world, **changes)), field)


def test_a_600_character_work_note_is_422_on_every_database(api, world, placed, create_instrument):
    instrument = create_instrument(world.institution_a)
    body = {"instrument_id": instrument.id, "start": "2026-03-04T10:00", "end": "2026-03-04T11:00", "note": "x" * 600}
    refused(api(world.lab_a).post(f"/orders/{placed}/work", json=body), "note")


def test_a_nul_in_a_pilot_name_is_422(api, world):
    refused(api(world.district_a).post("/pilots", json=dict(PILOT, institution_ids=[], name="试点\x00")), "name")


@pytest.mark.parametrize("path", ["/instruments?q=%00", "/instruments?q=abc%00def", "/bookings?status=%00"])
def test_a_nul_in_a_query_parameter_is_422(api, world, path):
    response = api(world.sme_a).get(path)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "validation_error"


def test_a_nul_in_a_web_search_is_refused_not_a_500(client):
    assert client.get("/instruments?q=%00").status_code == 422


# Finding 14: the web forms refuse the same values with a field error -------------------------------

@pytest.mark.parametrize("changes", [
    {"hourly_rate": "NaN"}, {"hourly_rate": "Infinity"}, {"hourly_rate": "1e400"},
    {"sme_discount_percent": "NaN"}, {"original_value_wan": "-Infinity"},
    {"metrology-valid_until": "9999-12-31"}, {"metrology-valid_until": "0001-01-01"},
    {"name": "盐雾\x00试验箱"}, {"rules-slot_minutes": str(2**63)},
])
def test_the_instrument_form_shows_a_field_error_for_hostile_values(sign_in, world, changes):
    response = sign_in(world.lab_a).post("/console/instruments/new", data=form_data(**changes))
    assert response.status_code in (200, 422)
    assert "is-invalid" in response.get_data(as_text=True)
    assert count(Instrument) == 0


def test_the_quote_form_refuses_an_infinite_amount(sign_in, world, placed):
    response = sign_in(world.lab_a).post(f"/orders/{placed}/quote", data={
        "amount": "Infinity", "turnaround_days": "7", "valid_until": "2026-03-20"})
    assert response.status_code in (200, 302, 422)
    assert db.session.get(ServiceOrder, placed).quote_amount is None


@pytest.mark.parametrize("changes", [{"funds_wan": "NaN"}, {"funds_wan": "1e400"}, {"profit_increase_wan": "Infinity"},
                                     {"name": "试点\x00"}, {"new_jobs": str(2**40)}])
def test_the_pilot_form_shows_a_field_error_for_hostile_values(sign_in, world, changes):
    data = {"name": "页面试点", "basic_info": "说明", **changes}
    response = sign_in(world.district_a).post("/stats/pilots/new?year=2026", data=data)
    assert response.status_code in (200, 422) and "is-invalid" in response.get_data(as_text=True)
    assert count(Pilot) == 0


@pytest.mark.parametrize("changes", [{"amount": "NaN"}, {"amount": "Infinity"}, {"amount": "1e400"},
                                     {"valid_until": "9999-12-31"}, {"programme": "创新券\x00"}])
def test_the_voucher_form_refuses_hostile_values(sign_in, world, changes):
    data = {"uscc": world.enterprise_a.uscc, "amount": "2000", "subsidy_percent": "40", "valid_from": "2026-03-02",
            "valid_until": "2026-05-31", "programme": "2026 年浦东新区科技创新券", **changes}
    response = sign_in(world.district_a).post("/settlement/vouchers", data=data, follow_redirects=True)
    assert response.status_code in (200, 422)
    assert count(Voucher) == 0


@pytest.mark.parametrize("amount", ["NaN", "-Infinity", "1e400"])
def test_the_adjustment_form_refuses_non_finite_amounts(sign_in, world, amount):
    charge = charge_of(completed_booking(world, minutes_used=60))
    response = sign_in(world.sme_a).post(f"/settlement/charges/{charge.id}/adjustments",
                                         data={"amount": amount, "reason": "太贵"}, follow_redirects=True)
    assert response.status_code in (200, 422)
    assert count(AdjustmentRequest) == 0
