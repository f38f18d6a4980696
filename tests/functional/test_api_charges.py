"""The settlement API: charges, adjustments, statements, invoices, payment (API.md "Charges, statements, invoices")."""
import pytest

from tests import factories
from tests.settlement import charge_of, completed_booking, completed_order


@pytest.fixture
def charged(world):
    """An open charge of ¥480.00: enterprise A used institution A's instrument for an hour."""
    return charge_of(completed_booking(world, minutes_used=60))


def test_a_charge_has_the_contract_fields(api, world, charged):
    body = api(world.sme_a).get(f"/charges/{charged.id}").get_json()
    assert body["source"] == "booking" and body["source_id"] == charged.booking_id
    assert body["institution"] == {"id": world.institution_a.id, "name": "甲检测院"}
    assert body["organization"] == {"id": world.enterprise_a.id, "name": "甲精密机械"}
    assert (body["amount"], body["voucher_amount"], body["net_amount"], body["status"]) == (
        "480.00", "0.00", "480.00", "open")
    assert body["created_at"].endswith("+08:00")


def test_each_party_sees_its_charges_and_others_get_404(api, world, charged):
    assert api(world.sme_a).get("/charges").get_json()["total"] == 1
    assert api(world.lab_a).get("/charges").get_json()["total"] == 1
    assert api(world.district_a).get("/charges").get_json()["total"] == 1
    for outsider in (world.sme_b, world.lab_b, world.district_b):
        assert api(outsider).get("/charges").get_json()["total"] == 0
        assert api(outsider).get(f"/charges/{charged.id}").status_code == 404


def test_charges_are_filtered_by_status_and_dates(api, world, charged):
    sme = api(world.sme_a)
    assert sme.get("/charges?status=open&from=2026-03-02&to=2026-03-02").get_json()["total"] == 1
    assert sme.get("/charges?status=paid").get_json()["total"] == 0
    assert sme.get("/charges?from=2026-03-03").get_json()["total"] == 0
    refused = sme.get("/charges?status=owed&from=2026-02-30&institution_id=abc")
    assert refused.status_code == 422
    assert set(refused.get_json()["error"]["fields"]) == {"status", "from", "institution_id"}


def test_an_adjustment_request_is_decided_by_the_institution(api, world, charged):
    made = api(world.sme_a).post(f"/charges/{charged.id}/adjustment-requests",
                                 json={"amount": "300.00", "reason": "设备故障停机半小时"})
    assert made.status_code == 201
    request = made.get_json()
    assert (request["status"], request["amount_before"], request["amount"]) == ("pending", "480.00", "300.00")
    assert api(world.lab_a).get("/adjustment-requests?status=pending").get_json()["total"] == 1
    assert api(world.sme_a).post(f"/adjustment-requests/{request['id']}/approve").status_code == 403
    approved = api(world.lab_a).post(f"/adjustment-requests/{request['id']}/approve").get_json()
    assert approved["status"] == "approved" and approved["charge"]["amount"] == "300.00"
    assert approved["charge"]["original_amount"] == "480.00"


def test_an_approved_request_for_zero_waives_the_charge(api, world, charged):
    request = api(world.sme_a).post(f"/charges/{charged.id}/adjustment-requests",
                                    json={"amount": "0.00", "reason": "未实际使用"}).get_json()
    waived = api(world.lab_a).post(f"/adjustment-requests/{request['id']}/approve").get_json()
    assert waived["charge"]["status"] == "waived"


def test_a_rejection_needs_a_reason(api, world, charged):
    request = api(world.sme_a).post(f"/charges/{charged.id}/adjustment-requests",
                                    json={"amount": "300.00", "reason": "太贵"}).get_json()
    assert api(world.lab_a).post(f"/adjustment-requests/{request['id']}/reject", json={}).status_code == 422
    rejected = api(world.lab_a).post(f"/adjustment-requests/{request['id']}/reject", json={"reason": "按时长计费"})
    assert rejected.get_json()["status"] == "rejected" and rejected.get_json()["charge"]["amount"] == "480.00"


@pytest.mark.parametrize("amount", ["480.01", "-1.00", "NaN", "Infinity", "1e2", "12.345", 300, 300.0, None, [1],
                                    True])
def test_a_bad_adjustment_amount_is_422_naming_the_field(api, world, charged, amount):
    response = api(world.sme_a).post(f"/charges/{charged.id}/adjustment-requests",
                                     json={"amount": amount, "reason": "理由"})
    assert response.status_code == 422
    assert "amount" in response.get_json()["error"]["fields"]


def test_a_non_finite_json_number_is_422(api, world, charged):
    response = api(world.sme_a).post(f"/charges/{charged.id}/adjustment-requests",
                                     data='{"amount": NaN, "reason": "x"}', content_type="application/json")
    assert response.status_code == 422 and "amount" in response.get_json()["error"]["fields"]


def test_a_nul_byte_in_the_reason_is_422(api, world, charged):
    response = api(world.sme_a).post(f"/charges/{charged.id}/adjustment-requests",
                                     json={"amount": "300.00", "reason": "理由\x00"})
    assert response.status_code == 422 and "reason" in response.get_json()["error"]["fields"]


# Statements -----------------------------------------------------------------------------------

def test_a_statement_lists_the_months_lines_with_totals(api, world, charged):
    completed_booking(world, minutes_used=30)
    body = api(world.sme_a).get(f"/statements?month=2026-03&institution_id={world.institution_a.id}").get_json()
    assert body["month"] == "2026-03" and len(body["lines"]) == 2
    assert (body["total"], body["voucher_total"], body["net_total"]) == ("720.00", "0.00", "720.00")
    assert body["organization"]["id"] == world.enterprise_a.id
    same = api(world.lab_a).get(f"/statements?month=2026-03&organization_id={world.enterprise_a.id}").get_json()
    assert same["total"] == "720.00"
    assert api(world.sme_a).get(f"/statements?month=2026-02&institution_id={world.institution_a.id}"
                                ).get_json()["lines"] == []


def test_statements_between_parties_that_never_dealt_are_404(api, world, charged):
    assert api(world.sme_b).get(f"/statements?month=2026-03&institution_id={world.institution_a.id}"
                                ).status_code == 404
    assert api(world.lab_a).get(f"/statements?month=2026-03&organization_id={world.enterprise_b.id}"
                                ).status_code == 404


@pytest.mark.parametrize("query", ["month=2026-13", "month=26-03", "month=2026-3", "institution_id=x"])
def test_bad_statement_parameters_are_422(api, world, charged, query):
    response = api(world.sme_a).get(f"/statements?{query}&institution_id={world.institution_a.id}")
    assert response.status_code == 422


# Invoices and payment ------------------------------------------------------------------------

INVOICE = {"title": "甲精密机械", "tax_no": "91110000600037341L", "kind": "normal", "email": "fin@example.com"}


def test_an_invoice_request_is_issued_by_the_institution_and_the_charge_paid(api, world, charged):
    made = api(world.sme_a).post("/invoice-requests", json=dict(INVOICE, charge_ids=[charged.id]))
    assert made.status_code == 201
    request = made.get_json()
    assert (request["status"], request["charge_ids"], request["total"]) == ("requested", [charged.id], "480.00")
    issued = api(world.lab_a).post(f"/invoice-requests/{request['id']}/issue",
                                   json={"invoice_no": "26312000000012345678", "issued_on": "2026-03-02"})
    assert issued.status_code == 200 and issued.get_json()["invoice_no"] == "26312000000012345678"
    assert api(world.sme_a).get(f"/charges/{charged.id}").get_json()["status"] == "invoiced"
    paid = api(world.lab_a).post(f"/charges/{charged.id}/paid", json={"paid_on": "2026-03-02"})
    assert paid.get_json()["status"] == "paid" and paid.get_json()["paid_on"] == "2026-03-02"


def test_an_invoice_request_mixing_two_institutions_is_422(api, world, charged):
    other = charge_of(completed_booking(world, instrument=factories.create_instrument(world.institution_b)))
    response = api(world.sme_a).post("/invoice-requests", json=dict(INVOICE, charge_ids=[charged.id, other.id]))
    assert response.status_code == 422 and "charge_ids" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("change,field", [
    ({"charge_ids": []}, "charge_ids"), ({"charge_ids": ["1"]}, "charge_ids"), ({"charge_ids": 1}, "charge_ids"),
    ({"tax_no": "91110000600037341A"}, "tax_no"), ({"tax_no": 911100006}, "tax_no"), ({"kind": "vat"}, "kind"),
    ({"email": "nobody"}, "email"), ({"title": "x" * 101}, "title"),
])
def test_bad_invoice_requests_are_422_with_the_field(api, world, charged, change, field):
    response = api(world.sme_a).post("/invoice-requests", json={**INVOICE, "charge_ids": [charged.id], **change})
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


def test_issuing_twice_or_paying_an_open_charge_is_409(api, world, charged):
    assert api(world.lab_a).post(f"/charges/{charged.id}/paid", json={"paid_on": "2026-03-02"}).status_code == 409
    request = api(world.sme_a).post("/invoice-requests", json=dict(INVOICE, charge_ids=[charged.id])).get_json()
    body = {"invoice_no": "12345678", "issued_on": "2026-03-02"}
    assert api(world.lab_a).post(f"/invoice-requests/{request['id']}/issue", json=body).status_code == 200
    assert api(world.lab_a).post(f"/invoice-requests/{request['id']}/issue", json=body).status_code == 409


def test_an_order_charge_is_its_quote(api, world, app):
    order = completed_order(world, amount="1800.00", upload_dir=app.config["UPLOAD_DIR"])
    body = api(world.sme_a).get("/charges?status=open").get_json()["items"][0]
    assert (body["source"], body["source_id"], body["amount"]) == ("order", order.id, "1800.00")
