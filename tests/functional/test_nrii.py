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




def upload(api_caller, data, name="nrii.xlsx"):
    return api_caller.post("/exchange/nrii/instruments/import", data={"file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")


def test_a_national_export_imports_back_with_no_problem_and_no_change(api, shelf):
    lab = api(shelf.lab_a)
    exported = lab.get("/exchange/nrii/instruments.xlsx?year=2025").data
    preview = upload(lab, exported).get_json()
    assert (preview["status"], preview["errors"], preview["create"], preview["update"], preview["unchanged"]) == \
        ("validated", [], 0, 0, 2)


def test_a_national_file_is_previewed_with_its_changes_and_written_only_on_confirmation(api, shelf):
    from openpyxl import Workbook

    lab = api(shelf.lab_a)
    sheet = load_workbook(io.BytesIO(lab.get("/exchange/nrii/instruments.xlsx?year=2025").data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    for row in rows:
        if row[header.index("innerId")] == "A-2":
            row[header.index("instrSource")] = "捐赠"
            row[header.index("status")] = "待修"
    new = list(rows[0])
    new[header.index("innerId")], new[header.index("cname")] = "A-3", "新仪器"
    book = Workbook()
    for line in [header, *rows, new]:
        book.active.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    preview = upload(lab, buffer.getvalue()).get_json()
    assert (preview["create"], preview["update"], preview["unchanged"]) == (1, 1, 1)
    change = next(c for c in preview["changes"] if c["internal_code"] == "A-2")
    assert {"field": "仪器来源", "old": "", "new": "捐赠"} in change["changes"]
    assert {"field": "状态", "old": "在用", "new": "维修中"} in change["changes"]
    db.session.refresh(shelf.bare)
    assert shelf.bare.acquisition == "" and shelf.bare.status == "active"  # nothing written yet
    done = lab.post(f"/exchange/nrii/instruments/import/{preview['batch']}/confirm").get_json()
    assert (done["created"], done["updated"]) == (1, 1)
    db.session.refresh(shelf.bare)
    assert (shelf.bare.acquisition, shelf.bare.status) == ("donated", "maintenance")


def test_a_national_file_of_another_institution_is_refused_by_row(api, shelf):
    exported = api(shelf.lab_a).get("/exchange/nrii/instruments.xlsx?year=2025").data
    preview = upload(api(shelf.lab_b), exported).get_json()
    assert preview["status"] == "invalid"
    assert {(e["row"], e["column"]) for e in preview["errors"]} >= {(2, "insCode"), (3, "insCode")}


def test_a_file_in_the_catalog_layout_is_not_taken_for_a_national_one(api, shelf):
    from openpyxl import Workbook

    from app.catalog.spreadsheet import HEADERS

    book = Workbook()
    book.active.append(HEADERS)
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(api(shelf.lab_a), buffer.getvalue())
    assert response.status_code == 422 and "国家平台" in response.get_json()["error"]["message"]


def test_the_console_import_takes_a_national_file_through_the_same_preview(api, sign_in, shelf):
    exported = api(shelf.lab_a).get("/exchange/nrii/instruments.xlsx?year=2025").data
    client = sign_in(shelf.lab_a)
    response = client.post("/console/import", data={"file": (io.BytesIO(exported), "nrii.xlsx"), "layout": "national"},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert "将新增 0 台，更新 0 台，2 台没有变化" in client.get(response.location).get_data(as_text=True)


def test_a_completed_training_is_one_technical_record_per_trained_enterprise(api, world, create_instrument,
                                                                               create_user, now):
    from app.qualifications import training

    instrument = create_instrument(world.institution_a, internal_code="T-1", requires_qualification=True,
                                   requires_approval=False)
    people = [world.sme_a, create_user("enterprise", world.enterprise_a), world.sme_b]
    requests = [training.request_training(p, instrument, "想学会独立操作", now) for p in people]
    session = training.schedule(world.lab_a, requests, at(date(2026, 3, 3), "10:00"), at(date(2026, 3, 3), "12:00"),
                                now)
    for request in requests:
        training.complete(world.lab_a, request, True, "independent", at(date(2026, 3, 3), "12:00"))
    db.session.commit()
    items = api(world.lab_a).get("/exchange/nrii/service-records.json?from=2026-03-01&to=2026-03-31").get_json()["items"]
    assert sorted(r["recordInnerId"] for r in items) == sorted(
        f"T{session.id}-{org.id}" for org in (world.enterprise_a, world.enterprise_b))
    assert {(r["serviceWay"], r["serviceAmount"], r["innerId"]) for r in items} == {("技术", "2.00", "T-1")}
