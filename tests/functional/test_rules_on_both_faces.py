"""Each rule that the web and the API share is defined once; here it is exercised through both faces."""
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.booking import services as booking_services
from app.orders import services as order_services
from models import Booking, Closure, ServiceOrder, db
from models.booking import ACTIONS as BOOKING_ACTIONS
from models.order import ACTIONS as ORDER_ACTIONS

TUESDAY = "2026-03-03"


def page(response):
    return response.get_data(as_text=True)


@pytest.fixture
def lab(world, create_instrument, create_booking, now):
    world.instrument = create_instrument(world.institution_a, requires_approval=True)
    world.pending = create_booking(world.instrument, world.enterprise_a, start=now + timedelta(days=1, hours=1),
                                   status="pending", created_by=world.sme_a)
    return world


def web_act(sign_in, user, booking, action):
    """A booking action posted from its page; the page it lands on (the flash says what happened)."""
    return page(sign_in(user).post(f"/bookings/{booking.id}/{action}", follow_redirects=True))


def status_of(booking):
    return db.session.get(Booking, booking.id).status


# Booking and order state rules: the model's guard, asked by the service ------------------------

def test_an_enterprise_approving_is_refused_as_forbidden_on_both_faces(sign_in, api, lab):
    assert "您没有执行此操作的权限" in web_act(sign_in, lab.sme_a, lab.pending, "approve")
    assert api(lab.sme_a).post(f"/bookings/{lab.pending.id}/approve").status_code == 403
    assert status_of(lab.pending) == "pending"


def test_approving_a_confirmed_booking_is_an_invalid_transition_on_both_faces(sign_in, api, lab):
    booking_services.approve(lab.lab_a, lab.pending, lab.pending.start_at - timedelta(days=1))
    db.session.commit()
    assert "当前状态下不能执行此操作" in web_act(sign_in, lab.lab_a, lab.pending, "approve")
    response = api(lab.lab_a).post(f"/bookings/{lab.pending.id}/approve")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "invalid_transition"


def test_no_show_before_the_start_names_the_rule_on_both_faces(sign_in, api, lab):
    booking_services.approve(lab.lab_a, lab.pending, lab.pending.start_at - timedelta(days=1))
    db.session.commit()
    assert "预约尚未开始，不能记为爽约" in web_act(sign_in, lab.lab_a, lab.pending, "no_show")
    response = api(lab.lab_a).post(f"/bookings/{lab.pending.id}/no-show")
    assert response.status_code == 409 and "预约尚未开始" in response.get_json()["error"]["message"]
    assert status_of(lab.pending) == "confirmed"


def test_the_buttons_and_the_api_actions_are_the_model_guard(sign_in, api, lab):
    staff_page = page(sign_in(lab.lab_a).get(f"/bookings/{lab.pending.id}"))
    shown = [name for name in BOOKING_ACTIONS if f'data-testid="{name}-{lab.pending.id}"' in staff_page]
    assert shown == ["approve", "reject", "cancel"]
    assert api(lab.lab_a).get(f"/bookings/{lab.pending.id}").get_json()["actions"] == shown
    assert api(lab.sme_a).get(f"/bookings/{lab.pending.id}").get_json()["actions"] == ["cancel"]


# Action names: one table per aggregate, the web's underscores and the API's hyphens ---------------

def test_each_booking_action_is_one_step_routed_on_both_faces(app):
    assert list(booking_services.STEPS) == list(BOOKING_ACTIONS)
    urls = app.url_map.bind("localhost")
    for name in BOOKING_ACTIONS:
        assert urls.match(f"/bookings/7/{name}", method="POST") == ("booking.act", {"booking_id": 7, "action": name})
        hyphenated = name.replace("_", "-")
        assert urls.match(f"/api/v1/bookings/7/{hyphenated}", method="POST") == (
            "api.booking_action", {"booking_id": "7", "action": hyphenated})


def test_order_steps_are_the_actions_without_a_form_of_their_own(app):
    assert set(order_services.STEPS) == set(ORDER_ACTIONS) - {"quote", "report", "revise_report", "log_work", "message"}
    urls = app.url_map.bind("localhost")
    for name in order_services.STEPS:
        assert urls.match(f"/orders/7/{name}", method="POST")[0] == "orders.act"
        assert urls.match(f"/api/v1/orders/7/{name.replace('_', '-')}", method="POST")[0] == "api.order_action"


@pytest.mark.parametrize("path", ["/bookings/{id}/explode", "/bookings/{id}/check-in",
                                  "/api/v1/bookings/{id}/explode", "/api/v1/bookings/{id}/check_in"])
def test_an_unknown_action_is_404_on_both_faces(sign_in, lab, path):
    client = sign_in(lab.lab_a)
    assert client.post(path.format(id=lab.pending.id)).status_code == 404
    assert status_of(lab.pending) == "pending"


@pytest.fixture
def quoted(world, now):
    order = order_services.submit(world.sme_a, {
        "kind": "test_by_proxy", "institution_id": world.institution_a.id, "title": "盐雾试验",
        "sample": {"name": "外壳", "quantity": 2, "unit": "件", "disposal": "return"},
        "items": [{"name": "中性盐雾 96h"}]}, now)
    order_services.quote(world.lab_a, order, Decimal("800"), 7, (now + timedelta(days=3)).date(), "", now)
    db.session.commit()
    world.order = order
    return world


def test_an_expired_quote_cannot_be_accepted_and_no_face_offers_it(app, sign_in, api, quoted, now):
    app.config["NOW_OVERRIDE"] = now + timedelta(days=5)
    html = page(sign_in(quoted.sme_a).get(f"/orders/{quoted.order.id}"))
    assert 'data-testid="accept-quote"' not in html
    assert "accept" not in api(quoted.sme_a).get(f"/orders/{quoted.order.id}").get_json()["actions"]
    html = page(sign_in(quoted.sme_a).post(f"/orders/{quoted.order.id}/accept", follow_redirects=True))
    assert "报价已过有效期" in html
    response = api(quoted.sme_a).post(f"/orders/{quoted.order.id}/accept")
    assert response.status_code == 409 and "报价已过有效期" in response.get_json()["error"]["message"]
    assert db.session.get(ServiceOrder, quoted.order.id).status == "quoted"


def test_the_institution_accepting_its_own_quote_is_forbidden_on_both_faces(sign_in, api, quoted):
    html = page(sign_in(quoted.lab_a).post(f"/orders/{quoted.order.id}/accept", follow_redirects=True))
    assert "您没有执行此操作的权限" in html
    assert api(quoted.lab_a).post(f"/orders/{quoted.order.id}/accept").status_code == 403
    assert db.session.get(ServiceOrder, quoted.order.id).status == "quoted"


def test_a_wrong_state_comes_before_a_missing_reason(api, quoted):
    response = api(quoted.lab_a).post(f"/orders/{quoted.order.id}/reject", json={"reason": ""})
    assert response.status_code == 409  # the order is quoted: no reason would make a rejection possible
    assert db.session.scalar(sa.select(ServiceOrder.status)) == "quoted"


# Time parsing: one reader, one message -----------------------------------------------------------

INVALID_TIME = "请填写有效的时间，如 2026-05-06T09:00（不带时区即北京时间）"


def test_an_unreadable_booking_time_gets_the_one_message_on_both_faces(sign_in, api, lab):
    html = page(sign_in(lab.sme_a).post(f"/instruments/{lab.instrument.id}/bookings", follow_redirects=True, data={
        "start": "明天上午", "end": f"{TUESDAY}T11:00", "service_mode": "self_operated"}))
    assert INVALID_TIME in html
    response = api(lab.sme_a).post("/bookings", json={"instrument_id": lab.instrument.id, "start": "明天上午",
                                                      "end": f"{TUESDAY}T11:00"})
    assert response.status_code == 422 and response.get_json()["error"]["fields"] == {"start": INVALID_TIME + "。"}


def test_an_unreadable_check_in_time_gets_the_one_message_on_both_faces(sign_in, api, lab, now):
    booking_services.approve(lab.lab_a, lab.pending, now)
    db.session.commit()
    html = page(sign_in(lab.lab_a).post(f"/bookings/{lab.pending.id}/check_in", data={"at": "10点05"},
                                        follow_redirects=True))
    assert INVALID_TIME in html
    response = api(lab.lab_a).post(f"/bookings/{lab.pending.id}/check-in", json={"at": "10点05"})
    assert response.status_code == 422 and response.get_json()["error"]["fields"] == {"at": INVALID_TIME + "。"}
    assert status_of(lab.pending) == "confirmed"


def test_an_unreadable_closure_time_gets_the_one_message_on_both_faces(sign_in, api, lab):
    body = {"start": "下周一", "end": "2026-03-10T12:00", "kind": "maintenance"}
    response = sign_in(lab.lab_a).post(f"/console/instruments/{lab.instrument.id}/closures", data=body)
    assert response.status_code == 422 and INVALID_TIME in page(response)
    response = api(lab.lab_a).post(f"/instruments/{lab.instrument.id}/closures", json=body)
    assert response.status_code == 422 and response.get_json()["error"]["fields"] == {"start": INVALID_TIME + "。"}


def test_an_unreadable_work_time_gets_the_one_message_on_both_faces(sign_in, api, quoted):
    order = quoted.order
    html = page(sign_in(quoted.lab_a).post(f"/orders/{order.id}/work", follow_redirects=True, data={
        "instrument_id": "1", "start": "上午", "end": "2026-03-03T11:00"}))
    assert INVALID_TIME in html
    response = api(quoted.lab_a).post(f"/orders/{order.id}/work", json={
        "instrument_id": 1, "start": "上午", "end": "2026-03-03T11:00"})
    assert response.status_code == 422 and response.get_json()["error"]["fields"] == {"start": INVALID_TIME + "。"}


# "A closure may not cover active bookings", and closure kinds -------------------------------------

ICS_OVER_TUESDAY_MORNING = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:service@test
DTSTART;TZID=Asia/Shanghai:20260303T080000
DTEND;TZID=Asia/Shanghai:20260303T120000
SUMMARY:Service
END:VEVENT
END:VCALENDAR
"""


def closures_of(instrument):
    return db.session.scalar(sa.select(sa.func.count(Closure.id)).where(Closure.instrument_id == instrument.id))


def import_form(kind="maintenance", data=ICS_OVER_TUESDAY_MORNING):
    return {"file": (io.BytesIO(data), "closures.ics"), "kind": kind}


def test_a_closure_over_a_booking_is_refused_on_both_faces(sign_in, api, lab):
    body = {"start": f"{TUESDAY}T08:00", "end": f"{TUESDAY}T12:00", "kind": "maintenance"}
    response = sign_in(lab.lab_a).post(f"/console/instruments/{lab.instrument.id}/closures", data=body)
    assert response.status_code == 409 and "1 个有效预约" in page(response)
    response = api(lab.lab_a).post(f"/instruments/{lab.instrument.id}/closures", json=body)
    assert response.status_code == 409 and "1 个有效预约" in response.get_json()["error"]["message"]
    assert closures_of(lab.instrument) == 0


def test_an_imported_closure_over_a_booking_is_refused_on_both_faces(sign_in, api, lab):
    url = f"/console/instruments/{lab.instrument.id}/closures/import"
    items = json.dumps([[f"{TUESDAY}T08:00:00+08:00", f"{TUESDAY}T12:00:00+08:00", "Service"]])
    response = sign_in(lab.lab_a).post(url, data={"confirmed": "1", "kind": "maintenance", "items": items})
    assert response.status_code == 409 and "1 个有效预约" in page(response)
    response = api(lab.lab_a).post(f"/instruments/{lab.instrument.id}/closures/import", data=import_form(),
                                   content_type="multipart/form-data")
    assert response.status_code == 409 and "1 个有效预约" in response.get_json()["error"]["message"]
    assert closures_of(lab.instrument) == 0


def test_an_unknown_closure_kind_is_422_on_both_faces(sign_in, api, lab):
    url = f"/console/instruments/{lab.instrument.id}/closures/import"
    preview = sign_in(lab.lab_a).post(url, data=import_form(kind="party"), content_type="multipart/form-data")
    assert preview.status_code == 422 and "停机类型应为" in page(preview)
    items = json.dumps([["2026-03-10T08:00:00+08:00", "2026-03-10T12:00:00+08:00", "Service"]])
    saved = sign_in(lab.lab_a).post(url, data={"confirmed": "1", "kind": "party", "items": items})
    assert saved.status_code == 422 and "停机类型应为" in page(saved)
    response = api(lab.lab_a).post(f"/instruments/{lab.instrument.id}/closures/import",
                                   data=import_form(kind="party"), content_type="multipart/form-data")
    assert response.status_code == 422 and "kind" in response.get_json()["error"]["fields"]
    assert closures_of(lab.instrument) == 0


# "At least one test item": the order service's rule -----------------------------------------------

ORDER_FORM = {"kind": "test_by_proxy", "title": "盐雾试验", "sample-name": "外壳", "sample-quantity": "2",
              "sample-unit": "件", "sample-disposal": "return"}


@pytest.mark.parametrize("items", [None, [], [{"name": "  ", "standard": "GB/T 10125"}]])
def test_an_order_without_a_test_item_is_refused_on_both_faces(sign_in, api, world, items):
    form = dict(ORDER_FORM, institution_id=str(world.institution_a.id))
    for index, item in enumerate(items or []):
        form.update({f"items-{index}-name": item["name"], f"items-{index}-standard": item["standard"]})
    response = sign_in(world.sme_a).post("/orders/new", data=form)
    assert response.status_code == 422 and "请至少填写一个检测项目" in page(response)
    body = {"kind": "test_by_proxy", "institution_id": world.institution_a.id, "title": "盐雾试验",
            "sample": {"name": "外壳", "quantity": 2, "unit": "件", "disposal": "return"}}
    if items is not None:
        body["items"] = items
    response = api(world.sme_a).post("/orders", json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"items": "请至少填写一个检测项目。"}
    assert db.session.scalar(sa.select(sa.func.count(ServiceOrder.id))) == 0


# Who reads statistics: one rule in app/policy.py ----------------------------------------------------

@pytest.mark.parametrize("who", ["sme_a", "admin"])
def test_statistics_are_closed_to_enterprises_and_admins_on_both_faces(sign_in, api, world, who):
    user = getattr(world, who)
    response = sign_in(user).get("/stats/")
    assert response.status_code == 403 and "统计数据仅向技术机构和市场监管部门开放" in page(response)
    response = api(user).get("/stats/summary")
    assert response.status_code == 403 and "统计数据仅向技术机构和市场监管部门开放" in response.get_json()["error"]["message"]


def test_statistics_are_open_to_institutions_and_bureaus_on_both_faces(sign_in, api, world):
    for user in (world.lab_a, world.district_a, world.city):
        assert sign_in(user).get("/stats/").status_code == 200
        assert api(user).get("/stats/summary").status_code == 200
