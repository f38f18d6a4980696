"""The national exchange: records in the national layout, validated against the ONE mapping table."""
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.exchange import nrii
from app.exchange.cli import DOC
from models import ServiceOrder, db
from models.timeutil import at_local

NRII = dict(ownership_type="single", acquisition="purchased", usage_type="general", subject_area="材料科学",
            funding_source="local", share_mode="external", postcode="201203", achievements="")
FULL = dict(name_en="Spectrometer", model="M1", manufacturer="Agilent", country_of_origin="美国",
            original_value_wan=Decimal("85.00"), commissioned_on=date(2020, 5, 1), specs="波长 167–785 nm",
            functions="多元素分析", service_content="预约上机", sharing_rules="须培训", location="3号楼",
            contact_name="王工", contact_phone="021-50000001", contact_email="lab@demo.local", **NRII)


def at(day, hhmm):
    h, m = map(int, hhmm.split(":"))
    return at_local(day, h * 60 + m)


def completed(create_booking, instrument, org, start, hours, mode="self_operated", **kw):
    return create_booking(instrument, org, start=start, minutes=hours * 60, status="completed", service_mode=mode,
                          actual_start=start, actual_end=start + timedelta(hours=hours), **kw)


@pytest.fixture
def shelf(world, create_instrument, create_booking):
    w = world
    w.full = create_instrument(w.institution_a, name="光谱仪", internal_code="A-1", **FULL)
    w.bare = create_instrument(w.institution_a, name="旧仪器", internal_code="A-2")
    w.first = completed(create_booking, w.full, w.enterprise_a, at(date(2025, 3, 3), "09:00"), 2,
                        charge_amount=Decimal("960.00"))
    w.second = completed(create_booking, w.full, w.enterprise_b, at(date(2025, 3, 4), "13:00"), 3, mode="assisted")
    w.order = ServiceOrder(kind="test_by_proxy", organization=w.enterprise_b, institution=w.institution_a,
                           instrument=w.full, created_by=w.sme_b, title="铅含量检测", sample_name="s", sample_quantity=4,
                           sample_unit="件", sample_disposal="return", status="completed", quote_amount=Decimal("1500"),
                           sample_received_at=at(date(2025, 3, 5), "10:00"), completed_at=at(date(2025, 3, 10), "16:00"),
                           created_at=at(date(2025, 3, 1), "10:00"), updated_at=at(date(2025, 3, 10), "16:00"))
    db.session.add(w.order)
    db.session.commit()
    return w


def test_docs_nrii_md_is_rendered_from_the_mapping_table():
    assert DOC.read_text(encoding="utf-8") == nrii.markdown() + "\n", "run `flask nrii doc`"


def check_against_the_table(fields, header, row):
    assert header == [f.national for f in fields]
    for field, value in zip(fields, row, strict=True):
        if field.words and value not in (None, ""):
            assert value in field.words.values(), (field.national, value)
        if field.required:
            assert value not in (None, ""), field.national


def test_the_instrument_records_open_in_openpyxl_with_the_national_headers(api, shelf):
    response = api(shelf.lab_a).get("/exchange/nrii/instruments.xlsx?year=2025")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    by_code = {r[2]: r for r in rows[1:]}
    check_against_the_table(nrii.INSTRUMENT_FIELDS, rows[0], by_code["A-1"])
    record = dict(zip(rows[0], by_code["A-1"], strict=True))
    assert (record["cname"], record["insCode"], record["instrSource"], record["shareMode"], record["address.county"]) == \
        ("光谱仪", shelf.institution_a.uscc, "购置", "外部", "浦东新区")
    assert record["serviceUrl"] == f"http://localhost/instruments/{shelf.full.id}"


def test_yearly_hours_are_the_statistics_figures(api, shelf):
    from app.stats.metrics import figures
    from app.stats.scope import Period, Scope

    items = api(shelf.lab_a).get("/exchange/nrii/instruments.json?year=2025").get_json()["items"]
    record = next(i for i in items if i["innerId"] == "A-1")
    stats = figures(Scope(frozenset({shelf.institution_a.id})), Period.year(2025), "instrument")[shelf.full.id]
    assert record["serviceMachine"] == round(stats["external_hours"], 1) == 5.0  # the two bookings
    assert record["runMachine"] == round(stats["effective_hours"], 1)
    assert record["address"] == {"province": "上海市", "city": "上海市", "county": "浦东新区", "street": "3号楼"}


def test_service_records_name_their_way_type_amount_and_applicant(api, shelf):
    response = api(shelf.lab_a).get("/exchange/nrii/service-records.json?from=2025-03-01&to=2025-03-31")
    records = {r["recordInnerId"]: r for r in response.get_json()["items"]}
    assert set(records) == {f"B{shelf.first.id}", f"B{shelf.second.id}", f"O{shelf.order.id}"}
    first, second, order = records[f"B{shelf.first.id}"], records[f"B{shelf.second.id}"], records[f"O{shelf.order.id}"]
    assert (first["serviceWay"], first["serviceAmount"], first["amounts"], first["serviceTime"], first["endTime"]) == \
        ("占用", "2.00", "960.00", "2025-03-03 09", "2025-03-03 11")
    assert (second["serviceWay"], second["serviceAmount"]) == ("技术", "3.00")
    assert (order["serviceWay"], order["serviceAmount"], order["amounts"]) == ("委托", "4", "1500.00")
    assert first["serviceType"] == "130" and first["applicantUnit"] == shelf.enterprise_a.name
    assert first["innerId"] == "A-1"


def test_service_records_xlsx_validates_against_the_table(api, shelf):
    response = api(shelf.lab_a).get("/exchange/nrii/service-records.xlsx?from=2025-03-01&to=2025-03-31")
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(response.data)).worksheets[0].iter_rows()]
    assert len(rows) == 4
    for row in rows[1:]:
        check_against_the_table(nrii.SERVICE_FIELDS, rows[0], row)


def test_a_period_outside_the_services_finds_none_and_a_bad_period_is_a_field_error(api, shelf):
    assert api(shelf.lab_a).get("/exchange/nrii/service-records.json?from=2025-04-01&to=2025-04-30").get_json()[
        "items"] == []
    response = api(shelf.lab_a).get("/exchange/nrii/service-records.json?from=2025-04-01&to=2024-04-30")
    assert response.status_code == 422 and "to" in response.get_json()["error"]["fields"]


def test_the_check_lists_what_each_instrument_lacks(api, shelf):
    found = {i["id"]: i["missing"] for i in api(shelf.lab_a).get("/exchange/nrii/check").get_json()["instruments"]}
    assert found[shelf.full.id] == []
    assert {"instrBelongsType", "instrSource", "subject", "funds", "postcode", "worth", "beginDate"} <= \
        set(found[shelf.bare.id])
    assert "ename" not in found[shelf.bare.id]  # not required


def test_only_the_institution_its_district_and_the_city_may_export(api, shelf):
    own = f"/exchange/nrii/check?institution_id={shelf.institution_a.id}"
    assert api(shelf.lab_b).get(own).status_code == 403
    assert api(shelf.district_b).get(own).status_code == 404
    assert api(shelf.sme_a).get(own).status_code == 403
    assert api(shelf.district_a).get(own).status_code == 200
    assert api(shelf.city).get(own).status_code == 200
    assert api(shelf.city).get("/exchange/nrii/check").status_code == 422  # a bureau names the institution


def test_the_console_shows_a_completeness_badge_per_instrument(sign_in, shelf):
    html = sign_in(shelf.lab_a).get("/console/instruments").get_data(as_text=True)
    assert f'data-nrii="{shelf.full.id}-complete"' in html
    assert f'data-nrii="{shelf.bare.id}-missing"' in html


