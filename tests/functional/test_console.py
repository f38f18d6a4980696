import re

import sqlalchemy as sa

from models import AuditRecord, Instrument, db
from tests.statements import statements_sent


def page(response):
    return response.get_data(as_text=True)


def form_data(**overrides):
    data = {"name": "盐雾试验箱", "internal_code": "SS-1", "category_code": "120100", "hourly_rate": "120",
            "sme_discount_percent": "25", "service_modes": ["self_operated", "test_by_proxy"],
            "metrology-valid_until": "2027-01-01", "rules-slot_minutes": "60", "rules-min_minutes": "60",
            "rules-max_minutes": "1440", "rules-max_advance_days": "60", "rules-max_future_bookings_per_org": "5",
            "rules-requires_approval": "y", "status": "active"}
    data.update(overrides)
    return data


def test_staff_publish_an_instrument_from_the_form(sign_in, world):
    client = sign_in(world.lab_a)
    response = client.post("/console/instruments/new", data=form_data())
    assert response.status_code == 302
    instrument = db.session.scalar(sa.select(Instrument).where(Instrument.internal_code == "SS-1"))
    assert instrument.service_modes == ["self_operated", "test_by_proxy"]
    assert instrument.slot_minutes == 60 and instrument.requires_approval is True


def test_a_bad_form_marks_the_fields_and_keeps_the_input(sign_in, world):
    client = sign_in(world.lab_a)
    response = client.post("/console/instruments/new",
                           data=form_data(name="", specs="指" * 501, **{"rules-min_minutes": "45"}))
    assert response.status_code == 422
    html = page(response)
    assert "请填写此项" in html and "最多 500 个字" in html and "应为时间粒度的整数倍" in html
    assert 'value="SS-1"' in html
    assert db.session.scalar(sa.select(sa.func.count(Instrument.id))) == 0


def test_an_unknown_category_from_the_service_shows_on_its_field(sign_in, world):
    html = page(sign_in(world.lab_a).post("/console/instruments/new", data=form_data(category_code="123456")))
    assert "分类编码“123456”不存在" in html


def test_editing_saves_and_audits(sign_in, world, create_instrument):
    instrument = create_instrument(world.institution_a, name="旧名字")
    client = sign_in(world.lab_a)
    form = client.get(f"/console/instruments/{instrument.id}/edit")
    assert form.status_code == 200 and "旧名字" in page(form)
    client.post(f"/console/instruments/{instrument.id}/edit", data=form_data(name="新名字"))
    assert db.session.get(Instrument, instrument.id).name == "新名字"
    assert db.session.scalar(sa.select(AuditRecord.action).where(AuditRecord.object_id == instrument.id,
                                                                  AuditRecord.action == "updated"))


def test_retiring_hides_it_from_the_public(sign_in, client, world, create_instrument):
    instrument = create_instrument(world.institution_a)
    sign_in(world.lab_a).post(f"/console/instruments/{instrument.id}/status", data={"status": "retired"})
    assert db.session.get(Instrument, instrument.id).status == "retired"
    client.post("/auth/logout")
    assert client.get(f"/instruments/{instrument.id}").status_code == 404


def test_another_institution_and_enterprises_are_kept_out(sign_in, world, create_instrument):
    instrument = create_instrument(world.institution_a)
    assert sign_in(world.lab_b).get(f"/console/instruments/{instrument.id}/edit").status_code == 404
    assert sign_in(world.sme_a).get("/console/instruments").status_code == 403


def test_hours_and_closures_pages_save(sign_in, world, create_instrument):
    instrument = create_instrument(world.institution_a)
    client = sign_in(world.lab_a)
    client.post(f"/console/instruments/{instrument.id}/hours", data={"day1": "08:00-12:00, 13:00-17:00"})
    assert db.session.get(Instrument, instrument.id).custom_hours is True
    bad = client.post(f"/console/instruments/{instrument.id}/hours", data={"day2": "morning"})
    assert bad.status_code == 422 and "09:00-12:00" in page(bad)
    client.post(f"/console/instruments/{instrument.id}/closures",
                data={"start": "2026-03-05T09:00", "end": "2026-03-05T11:00", "kind": "calibration", "reason": "年检"})
    assert "年检" in page(client.get(f"/console/instruments/{instrument.id}/closures"))


def test_the_public_instrument_page_tells_an_sme_everything(client, world, create_instrument):
    instrument = create_instrument(world.institution_a, name="原子吸收光谱仪", measurement_range="190–900 nm",
                                   accuracy="RSD ≤ 1%", certificate_no="JZ-77")
    html = page(client.get(f"/instruments/{instrument.id}"))
    for text in ("原子吸收光谱仪", "190–900 nm", "RSD ≤ 1%", "JZ-77", "2027-03-01", "¥600.00", "¥480.00",
                 "甲检测院", "CMA", "星期一", "09:00–17:00"):
        assert text in html, text
    assert 'data-cal="valid"' in html


def test_the_catalog_page_searches(client, world, create_instrument):
    create_instrument(world.institution_a, name="原子吸收光谱仪")
    create_instrument(world.institution_b, name="盐雾试验箱", category_code="120100")
    html = page(client.get("/instruments?q=光谱"))
    assert "原子吸收<mark>光谱</mark>仪" in html and "盐雾试验箱" not in html
    assert re.search(r"共找到 1 台仪器", html)


def test_institution_pages_list_their_instruments(client, world, create_instrument):
    create_instrument(world.institution_b, name="盐雾试验箱")
    assert "乙检测公司" in page(client.get("/institutions"))
    assert "盐雾试验箱" in page(client.get(f"/institutions/{world.institution_b.id}"))


def test_the_catalog_card_shows_the_next_free_slot(client, world, create_instrument):
    from datetime import date

    create_instrument(world.institution_a, name="原子吸收光谱仪", lead_minutes=60, calibration_valid_until=date(2027, 1, 1))
    create_instrument(world.institution_a, name="旧光谱仪", calibration_valid_until=date(2025, 1, 1))
    html = page(client.get("/instruments?q=光谱"))
    assert html.count('data-testid="next-free"') == 1  # the uncalibrated one has none
    assert "最近可约：2026-03-02 10:00" in html


def _statements_of(client, path):
    with statements_sent() as statements:
        assert client.get(path).status_code == 200
    return statements


def test_a_catalog_page_costs_the_same_statements_for_two_cards_as_for_eight(client, world, create_instrument):
    for _n in range(2):
        create_instrument(world.institution_a)
    for _n in range(8):
        create_instrument(world.institution_b)
    a, b = f"/instruments?institution_id={world.institution_a.id}", f"/instruments?institution_id={world.institution_b.id}"
    two, eight = _statements_of(client, a), _statements_of(client, b)
    assert page(client.get(b)).count('data-testid="next-free"') == 8
    assert len(two) == len(eight)  # the cards' next free slots are read together, not card by card


def test_the_catalog_page_counts_facets_only_when_asked(client, world, create_instrument):
    create_instrument(world.institution_a, name="原子吸收光谱仪")
    plain = _statements_of(client, "/instruments?q=光谱")
    assert not any("GROUP BY" in s for s in plain)  # no counts per category, district and mode
    assert 'data-testid="refine"' in page(client.get("/instruments?q=光谱"))
    refined = page(client.get("/instruments?q=光谱&facets=1"))
    assert 'data-facet="category-010000"' in refined and 'data-facet="mode-self_operated"' in refined
    assert 'data-testid="refine-off"' in refined
