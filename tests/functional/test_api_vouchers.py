"""The voucher API (API.md "Innovation vouchers"): issue, scope, the bad-input cases, apply, redemptions."""
from datetime import timedelta

import pytest

from app.settlement import vouchers
from tests.settlement import NOW, TODAY, charge_of, completed_booking, issue_voucher


def body(world, **change):
    values = {"organization_id": world.enterprise_a.id, "amount": "1000.00", "subsidy_percent": 50,
              "valid_from": "2026-03-02", "valid_until": "2026-05-31", "programme": "2026 年浦东新区科技创新券"}
    values.update(change)
    return values


def test_a_district_issues_a_voucher_with_the_contract_fields(api, world):
    response = api(world.district_a).post("/vouchers", json=body(world))
    assert response.status_code == 201
    made = response.get_json()
    assert (made["amount"], made["balance"], made["subsidy_percent"], made["status"]) == ("1000.00", "1000.00", 50,
                                                                                          "active")
    assert made["organization"] == {"id": world.enterprise_a.id, "name": "甲精密机械"}
    assert made["issued_by"]["id"] == world.district_a.organization_id
    assert (made["valid_from"], made["valid_until"]) == ("2026-03-02", "2026-05-31")
    assert made["code"].startswith("CXQ-2026-")


def test_a_voucher_for_an_enterprise_of_another_district_is_404(api, world):
    assert api(world.district_a).post("/vouchers", json=body(world, organization_id=world.enterprise_b.id)
                                      ).status_code == 404


def test_the_city_may_issue_to_any_district(api, world):
    assert api(world.city).post("/vouchers", json=body(world, organization_id=world.enterprise_b.id)).status_code == 201


def test_enterprises_and_institutions_may_not_issue(api, world):
    assert api(world.sme_a).post("/vouchers", json=body(world)).status_code == 403
    assert api(world.lab_a).post("/vouchers", json=body(world)).status_code == 403


@pytest.mark.parametrize("change,field", [
    ({"valid_until": "2026-06-02"}, "valid_until"),         # 93 days
    ({"valid_until": "2026-03-01"}, "valid_until"),         # before valid_from
    ({"valid_from": "2026-03-01"}, "valid_from"),           # in the past
    ({"amount": "-100.00"}, "amount"), ({"amount": "0.00"}, "amount"), ({"amount": "NaN"}, "amount"),
    ({"amount": "Infinity"}, "amount"), ({"amount": 1000}, "amount"), ({"amount": "1e3"}, "amount"),
    ({"subsidy_percent": 0}, "subsidy_percent"), ({"subsidy_percent": 101}, "subsidy_percent"),
    ({"subsidy_percent": "50"}, "subsidy_percent"), ({"subsidy_percent": 50.5}, "subsidy_percent"),
    ({"valid_until": "2100-01-01"}, "valid_until"), ({"valid_from": "2026-02-30"}, "valid_from"),
    ({"programme": ""}, "programme"), ({"programme": "券\x00"}, "programme"), ({"organization_id": "1"}, "organization_id"),
])
def test_bad_voucher_terms_are_422_naming_the_field(api, world, change, field):
    response = api(world.district_a).post("/vouchers", json=body(world, **change))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_over_the_yearly_cap_is_422_voucher_unusable(api, world):
    district = api(world.district_a)
    assert district.post("/vouchers", json=body(world, amount="299000.00")).status_code == 201
    refused = district.post("/vouchers", json=body(world, amount="1000.01"))
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "voucher_unusable" and "amount" in error["fields"]
    assert district.post("/vouchers", json=body(world, amount="1000.00")).status_code == 201


def test_each_sees_its_vouchers(api, world):
    issue_voucher(world)
    issue_voucher(world, organization=world.enterprise_b, by=world.district_b)
    assert api(world.sme_a).get("/vouchers").get_json()["total"] == 1
    assert api(world.district_a).get("/vouchers").get_json()["total"] == 1
    assert api(world.city).get("/vouchers").get_json()["total"] == 2
    assert api(world.lab_a).get("/vouchers").get_json()["total"] == 0


def test_a_revoked_voucher_shows_revoked(api, world):
    voucher = issue_voucher(world)
    assert api(world.district_b).post(f"/vouchers/{voucher.id}/revoke", json={"reason": "x"}).status_code == 404
    revoked = api(world.district_a).post(f"/vouchers/{voucher.id}/revoke", json={"reason": "企业资格复核未通过"})
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"


# Applying -------------------------------------------------------------------------------------

def test_applying_a_voucher_pays_its_share_of_an_open_charge(api, world):
    voucher = issue_voucher(world, amount="1000.00", percent=50)
    charge = charge_of(completed_booking(world))  # ¥480.00
    response = api(world.sme_a).post(f"/charges/{charge.id}/apply-voucher", json={"voucher_id": voucher.id})
    assert response.status_code == 200
    applied = response.get_json()
    assert (applied["amount"], applied["voucher_amount"], applied["net_amount"]) == ("480.00", "240.00", "240.00")
    assert applied["voucher"] == {"id": voucher.id, "code": voucher.code}
    assert api(world.sme_a).get(f"/vouchers/{voucher.id}").get_json()["balance"] == "760.00"


@pytest.mark.parametrize("state", ["expired", "used_up", "revoked", "another_enterprises"])
def test_an_unusable_voucher_is_422_voucher_unusable(api, world, state):
    if state == "another_enterprises":
        voucher = issue_voucher(world, organization=world.enterprise_b, by=world.district_b)
    else:
        voucher = issue_voucher(world, amount="100.00", percent=100)
    if state == "expired":
        vouchers.expire(NOW + timedelta(days=40))
    elif state == "used_up":
        vouchers.apply(world.sme_a, charge_of(completed_booking(world, day_offset=-1)), voucher.id, NOW)
    elif state == "revoked":
        vouchers.revoke(world.district_a, voucher, "撤销", NOW)
    charge = charge_of(completed_booking(world))
    response = api(world.sme_a).post(f"/charges/{charge.id}/apply-voucher", json={"voucher_id": voucher.id})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "voucher_unusable"
    assert api(world.sme_a).get(f"/charges/{charge.id}").get_json()["voucher_amount"] == "0.00"


def test_applying_to_a_charge_that_is_not_open_is_409(api, world):
    voucher = issue_voucher(world)
    charge = charge_of(completed_booking(world))
    request = api(world.sme_a).post(f"/charges/{charge.id}/adjustment-requests",
                                    json={"amount": "0.00", "reason": "未使用"}).get_json()
    api(world.lab_a).post(f"/adjustment-requests/{request['id']}/approve")
    response = api(world.sme_a).post(f"/charges/{charge.id}/apply-voucher", json={"voucher_id": voucher.id})
    assert response.status_code == 409


def test_only_the_charges_enterprise_applies_a_voucher(api, world):
    voucher = issue_voucher(world)
    charge = charge_of(completed_booking(world))
    assert api(world.lab_a).post(f"/charges/{charge.id}/apply-voucher",
                                 json={"voucher_id": voucher.id}).status_code == 403
    assert api(world.sme_b).post(f"/charges/{charge.id}/apply-voucher",
                                 json={"voucher_id": voucher.id}).status_code == 404


@pytest.mark.parametrize("voucher_id", ["1", None, 1.5, True, -3])
def test_a_bad_voucher_id_is_422(api, world, voucher_id):
    charge = charge_of(completed_booking(world))
    response = api(world.sme_a).post(f"/charges/{charge.id}/apply-voucher", json={"voucher_id": voucher_id})
    assert response.status_code == 422 and "voucher_id" in response.get_json()["error"]["fields"]


def test_a_quoted_order_shows_the_enterprises_net_estimate(api, world):
    from tests.functional.test_api_orders import order_body

    issue_voucher(world, amount="1000.00", percent=30)
    best = issue_voucher(world, amount="500.00", percent=50, by=world.city)
    order = api(world.sme_a).post("/orders", json=order_body(world)).get_json()
    api(world.lab_a).post(f"/orders/{order['id']}/quote", json={"amount": "1200.00", "turnaround_days": 7,
                                                                 "valid_until": "2026-03-09"})
    seen = api(world.sme_a).get(f"/orders/{order['id']}").get_json()
    assert seen["net_estimate"] == "700.00"
    assert seen["voucher_estimate"] == {"id": best.id, "code": best.code, "voucher_amount": "500.00"}
    assert api(world.lab_a).get(f"/orders/{order['id']}").get_json()["net_estimate"] is None


# Redemptions ----------------------------------------------------------------------------------

def test_bureaus_see_redemptions_in_their_scope(api, world):
    voucher = issue_voucher(world)
    charge = vouchers.apply(world.sme_a, charge_of(completed_booking(world)), voucher.id, NOW)
    rows = api(world.district_a).get("/vouchers/redemptions?year=2026").get_json()["items"]
    assert rows == [{"voucher_code": voucher.code, "enterprise": "甲精密机械", "institution": "甲检测院",
                     "source": "booking", "source_id": charge.booking_id, "amount": "480.00",
                     "voucher_amount": "240.00", "date": TODAY.isoformat()}]
    assert api(world.district_b).get("/vouchers/redemptions").get_json()["total"] == 0
    assert api(world.city).get("/vouchers/redemptions?district=310115").get_json()["total"] == 1
    assert api(world.district_b).get("/vouchers/redemptions?district=310115").status_code == 403
    assert api(world.sme_a).get("/vouchers/redemptions").status_code == 403
    assert api(world.district_a).get("/vouchers/redemptions?year=20x6").status_code == 422
    sheet = api(world.city).get("/vouchers/redemptions.xlsx?year=2026")
    assert sheet.status_code == 200 and sheet.data[:2] == b"PK"


def test_a_redemption_pack_is_a_zip_for_the_two_parties_only(api, world):
    charge = vouchers.apply(world.sme_a, charge_of(completed_booking(world)), issue_voucher(world).id, NOW)
    response = api(world.lab_a).get(f"/charges/{charge.id}/redemption-pack")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert api(world.sme_a).get(f"/charges/{charge.id}/redemption-pack").status_code == 200
    assert api(world.district_a).get(f"/charges/{charge.id}/redemption-pack").status_code == 403
    assert api(world.lab_b).get(f"/charges/{charge.id}/redemption-pack").status_code == 404
