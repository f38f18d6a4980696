import pytest
import sqlalchemy as sa

from models import Instrument, db

RECORD = {
    "name": "激光粒度分析仪", "name_en": "Laser Particle Size Analyzer", "internal_code": "LPS-01",
    "model": "Mastersizer 3000", "manufacturer": "Malvern", "country_of_origin": "英国",
    "original_value_wan": "48.00", "commissioned_on": "2021-05-10", "category_code": "020300",
    "location": "浦东张衡路 1000 号 3 号楼", "specs": "0.01–3500 μm", "functions": "粉末粒度分布",
    "service_content": "测试并出具报告", "sharing_rules": "须培训",
    "contact": {"name": "王工", "phone": "021-50000001", "email": "wang@lab.cn"},
    "metrology": {"measurement_range": "0.01–3500 μm", "accuracy": "±0.6%", "traceability": "calibration",
                  "certificate_no": "JZ2026-1", "certified_on": "2026-01-05", "valid_until": "2027-01-04",
                  "certifying_body": "上海市计量测试技术研究院"},
    "service_modes": ["self_operated", "test_by_proxy"], "hourly_rate": "300.00", "sme_discount_percent": "20",
    "rules": {"slot_minutes": 30, "min_minutes": 60, "max_minutes": 240, "lead_minutes": 120,
              "max_advance_days": 30, "buffer_minutes": 15, "requires_approval": False,
              "max_future_bookings_per_org": 3, "cancel_free_hours": 12},
    "open_on_holidays": False, "status": "active",
}


def test_an_institution_publishes_with_every_field(api, world):
    response = api(world.lab_a).post("/instruments", json=RECORD)
    assert response.status_code == 201
    body = response.get_json()
    for key in ("name", "internal_code", "category_code", "specs", "service_modes", "contact"):
        assert body[key] == RECORD[key]
    assert body["metrology"]["valid_until"] == "2027-01-04"
    assert body["rules"]["buffer_minutes"] == 15 and body["rules"]["requires_approval"] is False
    assert body["hourly_rate"] == "300.00" and body["sme_hourly_rate"] == "240.00"
    assert body["institution"]["id"] == world.institution_a.id
    assert body["calibration"]["state"] == "valid" and body["bookable"] is True


def test_omitted_rules_take_the_documented_defaults(api, world):
    body = api(world.lab_a).post("/instruments", json={"name": "仪器", "category_code": "010000"}).get_json()
    assert body["rules"]["requires_approval"] is True and body["rules"]["slot_minutes"] == 30
    assert body["service_modes"] == ["self_operated"]


@pytest.mark.parametrize("change,field", [
    ({"name": ""}, "name"),
    ({"name": "仪" * 101}, "name"),
    ({"specs": "指" * 501}, "specs"),
    ({"functions": "功" * 301}, "functions"),
    ({"category_code": "999999"}, "category_code"),
    ({"hourly_rate": "-1"}, "hourly_rate"),
    ({"hourly_rate": "abc"}, "hourly_rate"),
    ({"sme_discount_percent": "120"}, "sme_discount_percent"),
    ({"original_value_wan": "1.234"}, "original_value_wan"),
    ({"commissioned_on": "2026-02-30"}, "commissioned_on"),
    ({"metrology": {"valid_until": "2026-13-01"}}, "metrology.valid_until"),
    ({"metrology": {"certified_on": "2026-05-01", "valid_until": "2026-04-01"}}, "valid_until"),
    ({"metrology": {"traceability": "guess"}}, "traceability"),
    ({"service_modes": ["teleport"]}, "service_modes"),
    ({"rules": {"slot_minutes": 7}}, "rules.slot_minutes"),
    ({"rules": {"min_minutes": 45}}, "min_minutes"),
    ({"rules": {"max_minutes": 30, "min_minutes": 60}}, "max_minutes"),
    ({"status": "stolen"}, "status"),
    ({"contact": {"email": "not-an-email"}}, "contact.email"),
])
def test_bad_records_are_refused_with_the_field_named(api, world, change, field):
    before = db.session.scalar(sa.select(sa.func.count(Instrument.id)))
    body = dict(RECORD, **change)
    if "metrology" in change:
        body["metrology"] = dict(RECORD["metrology"], **change["metrology"])
    if "rules" in change:
        body["rules"] = dict(RECORD["rules"], **change["rules"])
    response = api(world.lab_a).post("/instruments", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count(Instrument.id))) == before


def test_a_duplicate_internal_code_is_refused(api, world):
    caller = api(world.lab_a)
    assert caller.post("/instruments", json=RECORD).status_code == 201
    response = caller.post("/instruments", json=RECORD)
    assert response.status_code == 422 and "internal_code" in response.get_json()["error"]["fields"]


def test_enterprises_cannot_publish_or_edit(api, world, create_instrument):
    instrument = create_instrument(world.institution_a)
    caller = api(world.sme_a)
    assert caller.post("/instruments", json=RECORD).status_code == 403
    assert caller.patch(f"/instruments/{instrument.id}", json={"name": "x"}).status_code == 403


def test_another_institution_gets_404(api, world, create_instrument):
    instrument = create_instrument(world.institution_a)
    caller = api(world.lab_b)
    assert caller.patch(f"/instruments/{instrument.id}", json={"name": "x"}).status_code == 404
    assert caller.put(f"/instruments/{instrument.id}/opening-hours", json={"hours": []}).status_code == 404
    assert caller.post(f"/instruments/{instrument.id}/closures", json={}).status_code == 404


def test_patch_changes_only_what_it_names(api, world):
    caller = api(world.lab_a)
    created = caller.post("/instruments", json=RECORD).get_json()
    response = caller.patch(f"/instruments/{created['id']}", json={"hourly_rate": "350.00",
                                                                    "metrology": {"accuracy": "±0.5%"}})
    body = response.get_json()
    assert response.status_code == 200
    assert body["hourly_rate"] == "350.00" and body["metrology"]["accuracy"] == "±0.5%"
    assert body["metrology"]["valid_until"] == "2027-01-04" and body["rules"]["requires_approval"] is False


def test_search_list_shape_and_paging(api, world, create_instrument):
    for n in range(3):
        create_instrument(world.institution_a, name=f"红外光谱仪{n}")
    body = api().get("/instruments?q=光谱&per_page=2").get_json()
    assert {"items", "total", "page", "per_page"} <= set(body)
    assert body["total"] == 3 and len(body["items"]) == 2 and body["per_page"] == 2
    assert api().get("/instruments?per_page=1000").get_json()["per_page"] == 100


def test_pages_follow_one_order_and_keep_the_total_past_the_end(api, world, create_instrument):
    for n in (3, 1, 2):
        create_instrument(world.institution_a, name=f"光谱仪{n}")
    names = [i["name"] for p in (1, 2) for i in api().get(f"/instruments?q=光谱&per_page=2&page={p}").get_json()["items"]]
    assert names == ["光谱仪1", "光谱仪2", "光谱仪3"]
    beyond = api().get("/instruments?q=光谱&per_page=2&page=5").get_json()
    assert beyond["items"] == [] and beyond["total"] == 3


def test_a_list_gives_each_instrument_its_own_opening_hours(api, world, create_instrument):
    own = create_instrument(world.institution_a, name="自有时间光谱仪")
    api(world.lab_a).put(f"/instruments/{own.id}/opening-hours",
                         json={"hours": [{"weekday": 6, "start": "10:00", "end": "12:00"}]})
    create_instrument(world.institution_b, name="默认时间光谱仪")
    items = {i["name"]: i for i in api().get("/instruments?q=光谱").get_json()["items"]}
    assert items["自有时间光谱仪"]["opening_hours"] == [{"weekday": 6, "start": "10:00", "end": "12:00"}]
    assert items["自有时间光谱仪"]["opening_hours_source"] == "instrument"
    single = api().get(f"/instruments/{items['默认时间光谱仪']['id']}").get_json()
    assert items["默认时间光谱仪"]["opening_hours"] == single["opening_hours"] != []


@pytest.mark.parametrize("query,field", [("mode=flying", "mode"), ("institution_id=abc", "institution_id"),
                                         ("page=0", "page"), ("per_page=x", "per_page")])
def test_garbage_filters_are_422(api, query, field):
    response = api().get(f"/instruments?{query}")
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


def test_anyone_reads_an_instrument_but_not_a_retired_one(api, world, create_instrument):
    live = create_instrument(world.institution_a)
    retired = create_instrument(world.institution_a, status="retired")
    assert api().get(f"/instruments/{live.id}").status_code == 200
    assert api().get(f"/instruments/{retired.id}").status_code == 404
    assert api(world.lab_a).get(f"/instruments/{retired.id}").status_code == 200


def test_opening_hours_are_replaced_and_returned(api, world, create_instrument):
    instrument = create_instrument(world.institution_a)
    hours = [{"weekday": 1, "start": "08:00", "end": "12:00"}, {"weekday": 6, "start": "13:00", "end": "24:00"}]
    response = api(world.lab_a).put(f"/instruments/{instrument.id}/opening-hours", json={"hours": hours})
    assert response.status_code == 200
    assert response.get_json() == {"hours": hours, "source": "instrument"}
    bad = api(world.lab_a).put(f"/instruments/{instrument.id}/opening-hours",
                               json={"hours": [{"weekday": 0, "start": "x", "end": "y"}]})
    assert bad.status_code == 422


def test_closures_are_added_listed_and_removed(api, world, create_instrument):
    instrument = create_instrument(world.institution_a)
    staff = api(world.lab_a)
    response = staff.post(f"/instruments/{instrument.id}/closures",
                          json={"start": "2026-03-10T09:00", "end": "2026-03-10T12:00", "kind": "maintenance",
                                "reason": "更换灯管"})
    assert response.status_code == 201
    closure = response.get_json()
    assert closure["start"] == "2026-03-10T09:00:00+08:00" and closure["reason"] == "更换灯管"
    public = api().get(f"/instruments/{instrument.id}/closures").get_json()["items"]
    assert public[0]["kind"] == "maintenance" and "reason" not in public[0]
    assert staff.delete(f"/instruments/{instrument.id}/closures/{closure['id']}").status_code == 204
    assert api().get(f"/instruments/{instrument.id}/closures").get_json()["items"] == []


@pytest.mark.parametrize("body,field", [
    ({"start": "soon", "end": "2026-03-10T12:00", "kind": "maintenance"}, "start"),
    ({"start": "2026-03-10T12:00", "end": "2026-03-10T09:00", "kind": "maintenance"}, "end"),
    ({"start": "2026-03-10T09:00", "end": "2026-03-10T12:00", "kind": "party"}, "kind"),
])
def test_bad_closures_are_refused(api, world, create_instrument, body, field):
    instrument = create_instrument(world.institution_a)
    response = api(world.lab_a).post(f"/instruments/{instrument.id}/closures", json=body)
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


def test_categories_hold_the_fifteen_national_classes(api):
    items = api().get("/categories").get_json()["items"]
    top = [c for c in items if c["parent_code"] is None]
    assert len(top) == 15 and top[0]["name"] == "分析仪器" and top[-1]["name"] == "其他仪器"
    assert any(c["code"] == "010100" and c["parent_code"] == "010000" for c in items)


def test_institutions_lists_only_approved_ones(api, world, create_org):
    create_org("institution", approved=False, name="待审核机构")
    names = {i["name"] for i in api().get("/institutions").get_json()["items"]}
    assert {"甲检测院", "乙检测公司"} <= names and "待审核机构" not in names
    body = api().get(f"/institutions/{world.institution_a.id}").get_json()
    assert body["cma_no"] and body["district_code"] == "310115"
    assert api().get(f"/institutions/{world.enterprise_a.id}").status_code == 404


NRII = {"ownership_type": "single", "acquisition": "purchased", "customs_supervised": True, "usage_type": "general",
        "subject_area": "材料科学", "achievements": "支撑企业新产品研发 12 项", "funding_source": "local",
        "share_mode": "external", "service_url": "https://example.cn/i/1", "postcode": "201203"}


def test_the_national_record_fields_are_written_and_read_through_the_api(api, world):
    lab = api(world.lab_a)
    body = lab.post("/instruments", json={"name": "仪器", "category_code": "010100", "nrii": NRII}).get_json()
    assert body["nrii"] == NRII
    response = lab.patch(f"/instruments/{body['id']}", json={"nrii": {"postcode": "2012", "share_mode": "public"}})
    assert response.status_code == 422
    assert {"nrii.postcode", "nrii.share_mode"} <= set(response.get_json()["error"]["fields"])
    assert lab.patch(f"/instruments/{body['id']}", json={"nrii": {"share_mode": "internal"}}).get_json()["nrii"] == \
        dict(NRII, share_mode="internal")


def test_the_console_form_keeps_the_national_record_fields(sign_in, world, create_instrument):
    instrument = create_instrument(world.institution_a, name="仪器", acquisition="donated")
    client = sign_in(world.lab_a)
    html = client.get(f"/console/instruments/{instrument.id}/edit").get_data(as_text=True)
    assert 'data-testid="nrii-fields"' in html and '<option selected value="donated">' in html


def test_search_answers_facets_when_asked(api, world, create_instrument):
    create_instrument(world.institution_a, name="原子吸收光谱仪", category_code="010100")
    create_instrument(world.institution_b, name="火花直读光谱仪", category_code="010100")
    body = api().get("/instruments?q=光谱仪&district=310115&facets=1").get_json()
    assert body["total"] == 1
    assert {d["code"]: d["count"] for d in body["facets"]["district"]} == {"310112": 1, "310115": 1}
    assert body["facets"]["category"] == [{"code": "010000", "name": "分析仪器", "count": 1}]
    assert "facets" not in api().get("/instruments?q=光谱仪").get_json()
