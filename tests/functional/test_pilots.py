"""Pilot projects, the yearly table's submit/review, its exports, and statistics access."""
import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.stats.table import COLUMNS
from models.timeutil import at_local

PILOT = {"year": 2026, "name": "张江科学城仪器共享试点", "basic_info": "面向中小企业开放大型仪器。",
         "funds_wan": "120.50", "expert_person_times": 36, "pass_rate_improvement": "提升 2.1 个百分点",
         "profit_increase_wan": "860.00", "new_jobs": 45, "quality_effect": "建立质量控制点 30 个",
         "other_effects": "带动投资 3000 万元"}


@pytest.fixture
def served(world, create_instrument, create_booking):
    """Institution A served enterprise B once in 2026 (a completed booking)."""
    instrument = create_instrument(world.institution_a)
    start = at_local(date(2026, 2, 2), 600)
    create_booking(instrument, world.enterprise_b, start=start, status="completed", actual_start=start,
                   actual_end=start + timedelta(hours=2), charge_amount=Decimal("100"))
    return world


def create(api, who, **changes):
    body = dict(PILOT, institution_ids=[who_institution.id for who_institution in changes.pop("institutions", [])])
    body.update(changes)
    return api(who).post("/pilots", json=body)


def test_a_district_creates_a_pilot_and_the_countable_columns_are_computed(api, served):
    response = create(api, served.district_a, institutions=[served.institution_a])
    assert response.status_code == 201
    body = response.get_json()
    assert body["district_code"] == "310115" and body["status"] == "draft"
    assert (body["service_count"], body["enterprises_served"]) == (1, 1)
    assert body["proposed"]["main_content"] == "分时租赁（仪器共享）" and body["proposed"]["main_industries"] == "制造业"
    assert body["funds_wan"] == "120.50"


def test_the_counts_cannot_be_typed(api, served):
    pilot = create(api, served.district_a, institutions=[served.institution_a]).get_json()
    body = api(served.district_a).patch(f"/pilots/{pilot['id']}", json={"service_count": 999}).get_json()
    assert body["service_count"] == 1


@pytest.mark.parametrize("field", ["basic_info", "pass_rate_improvement", "quality_effect", "other_effects",
                                   "main_content", "main_industries"])
def test_texts_are_limited_to_200_characters(api, served, field):
    response = create(api, served.district_a, **{field: "字" * 201})
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    assert create(api, served.district_a, **{field: "字" * 200}).status_code == 201


@pytest.mark.parametrize("change,field", [({"funds_wan": "-1"}, "funds_wan"), ({"new_jobs": -3}, "new_jobs"),
                                          ({"name": ""}, "name"), ({"institution_ids": [999999]}, "institution_ids"),
                                          ({"institution_ids": "all"}, "institution_ids")])
def test_bad_pilot_values_are_refused(api, served, change, field):
    body = dict(PILOT, **change)
    response = api(served.district_a).post("/pilots", json=body)
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


def test_a_district_manages_only_its_own_pilots(api, served):
    pilot = create(api, served.district_a).get_json()
    assert api(served.district_b).get(f"/pilots/{pilot['id']}").status_code == 404
    assert api(served.district_b).patch(f"/pilots/{pilot['id']}", json={"name": "x"}).status_code == 404
    assert api(served.district_b).post("/pilots", json=dict(PILOT, district_code="310115")).status_code == 403
    assert api(served.sme_a).get("/pilots").status_code == 403
    assert api(served.lab_a).post("/pilots", json=PILOT).status_code == 403
    assert [p["id"] for p in api(served.city).get("/pilots?year=2026").get_json()["items"]] == [pilot["id"]]


def test_submit_makes_it_read_only_until_the_city_returns_it(api, served):
    pilot = create(api, served.district_a, institutions=[served.institution_a]).get_json()
    district, city = api(served.district_a), api(served.city)
    assert district.post("/pilots/submit?year=2026").get_json()["status"] == "submitted"
    assert district.patch(f"/pilots/{pilot['id']}", json={"name": "改"}).status_code == 409
    assert district.post("/pilots", json=PILOT).status_code == 409
    assert city.post("/pilots/review?year=2026&district=310115", json={"decision": "return"}).status_code == 422
    returned = city.post("/pilots/review?year=2026&district=310115",
                         json={"decision": "return", "comment": "请补充合格率口径"}).get_json()
    assert returned["status"] == "returned" and returned["comment"] == "请补充合格率口径"
    assert district.get(f"/pilots/{pilot['id']}").get_json()["status"] == "returned"
    assert district.patch(f"/pilots/{pilot['id']}", json={"name": "改"}).status_code == 200
    district.post("/pilots/submit?year=2026")
    accepted = city.post("/pilots/review?year=2026&district=310115", json={"decision": "accept"}).get_json()
    assert accepted["status"] == "accepted"
    assert district.patch(f"/pilots/{pilot['id']}", json={"name": "再改"}).status_code == 409


def test_only_the_city_reviews_and_only_districts_submit(api, served):
    create(api, served.district_a)
    assert api(served.district_b).post("/pilots/review?year=2026&district=310115",
                                       json={"decision": "accept"}).status_code == 403
    assert api(served.city).post("/pilots/submit?year=2026").status_code == 403
    assert api(served.district_b).post("/pilots/submit?year=2026").status_code == 422  # nothing to submit


def test_the_table_has_the_fifteen_columns_in_order(api, served):
    create(api, served.district_a, institutions=[served.institution_a])
    body = api(served.district_a).get("/stats/pilot-table?year=2026").get_json()
    assert body["columns"] == COLUMNS and len(COLUMNS) == 15
    assert body["columns"][0] == "序号" and body["columns"][-1] == "其他成效（拉动投资，增加产值等，200字以内）"
    (row,) = body["rows"]
    assert row[:3] == [1, "浦东新区", "张江科学城仪器共享试点"] and row[8:10] == [1, 1]
    assert row[6] == "分时租赁（仪器共享）"


def test_the_xlsx_is_the_official_form(api, served):
    served.district_a.name, served.district_a.phone = "王敏", "021-50001234"
    create(api, served.district_a, institutions=[served.institution_a], other_effects="=HYPERLINK(\"x\")",
           quality_effect="@SUM(A1)", basic_info="面向中小企业开放大型仪器。" * 8)
    response = api(served.district_a).get("/stats/pilot-table.xlsx?year=2026")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value == "附件4"
    assert sheet["A2"].value == "2026年质量基础设施“一站式”服务试点工作情况统计表（浦东新区）"
    assert "A2:O2" in [str(r) for r in sheet.merged_cells.ranges]
    assert sheet["A2"].font.name in ("黑体", "方正小标宋简体") and sheet["A2"].font.size >= 16
    assert [c.value for c in sheet[3]] == COLUMNS
    row = [c.value for c in sheet[4]]
    assert row[0] == 1 and row[2] == "张江科学城仪器共享试点" and row[4] == 120.5 and row[8] == 1
    assert row[14] == "'=HYPERLINK(\"x\")" and row[13] == "'@SUM(A1)"  # neutralised, not formulas
    assert {c.font.name for c in sheet[4]} == {"宋体"} and {c.font.name for c in sheet[3]} == {"宋体"}
    assert (sheet["E4"].number_format, sheet["L4"].number_format) == ("0.00", "0.00")
    assert (sheet["F4"].number_format, sheet["I4"].number_format, sheet["J4"].number_format) == ("0", "0", "0")
    assert sheet.row_dimensions[4].height >= 3 * 14  # the long 基本情况 wraps onto several lines and shows
    total = [c.value for c in sheet[5]]
    assert total[0] == "合计" and total[8:10] == [1, 1] and total[4] == 120.5
    filler = sheet.cell(sheet.max_row, 1).value
    assert filler.startswith("填报单位（盖章）：浦东新区市场监督管理局")
    assert "填报人：王敏" in filler and "联系电话：021-50001234" in filler and "填报日期：2026年3月2日" in filler
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert sheet.page_margins.left > sheet.page_margins.right  # room for binding
    assert sheet.page_setup.orientation == "landscape" and str(sheet.page_setup.paperSize) == "9"
    assert sheet.print_title_rows == "$2:$3"
    assert sheet["D3"].alignment.wrap_text and sheet.column_dimensions["D"].width >= 30


def test_two_pilots_on_one_institution_are_flagged_and_the_total_counts_once(api, served, sign_in):
    first = create(api, served.district_a, institutions=[served.institution_a]).get_json()
    second = create(api, served.district_a, name="第二个试点", institutions=[served.institution_a]).get_json()
    assert second["shared_with"] == [first["id"]]
    body = api(served.district_a).get("/stats/pilot-table?year=2026").get_json()
    assert [row[8:10] for row in body["rows"]] == [[1, 1], [1, 1]]  # each claims the institution's service
    assert body["total"][0] == "合计" and body["total"][8:10] == [1, 1]  # counted once
    assert sorted(body["shared"]) == sorted([first["id"], second["id"]])
    assert [p["status"] for p in body["pilots"]] == ["draft", "draft"]
    page = sign_in(served.district_a).get("/stats/pilots?year=2026").get_data(as_text=True)
    assert 'data-testid="shared-warning"' in page and f'data-testid="shared-pilot-{first["id"]}"' in page
    assert 'data-testid="pilot-total"' in page


def test_linking_an_institution_another_pilot_has_warns_the_district(api, served, sign_in):
    create(api, served.district_b, name="闵行试点", institutions=[served.institution_a])
    saved = sign_in(served.district_a).post("/stats/pilots/new?year=2026", data={
        "name": "浦东试点", "institution_ids": [served.institution_a.id]}, follow_redirects=True).get_data(as_text=True)
    assert "试点项目已保存" in saved and "闵行区·闵行试点" in saved


def test_the_city_files_hold_accepted_tables_only_unless_asked_for_all(api, served):
    create(api, served.district_a, institutions=[served.institution_a])
    create(api, served.district_b, name="闵行试点", institutions=[served.institution_b])
    api(served.district_a).post("/pilots/submit?year=2026")
    api(served.district_b).post("/pilots/submit?year=2026")
    api(served.city).post("/pilots/review?year=2026&district=310115", json={"decision": "accept"})
    rows = list(csv.reader(io.StringIO(api(served.city).get("/stats/pilot-table.csv?year=2026").data
                                       .decode("utf-8").lstrip("\ufeff"))))
    assert [(r[0], r[2]) for r in rows[1:]] == [("1", "张江科学城仪器共享试点"), ("合计", "")]  # 闵行: only submitted
    assert rows[-1][8:10] == ["1", "1"]
    everything = api(served.city).get("/stats/pilot-table.csv?year=2026&status=all").data.decode("utf-8")
    assert "闵行试点" in everything and everything.rstrip().splitlines()[-1].startswith("合计")
    sheet = load_workbook(io.BytesIO(api(served.city).get("/stats/pilot-table.xlsx?year=2026").data)).active
    assert "闵行试点" not in [c.value for row in sheet.iter_rows() for c in row]
    body = api(served.city).get("/stats/pilot-table?year=2026").get_json()
    assert [(p["district_code"], p["status"]) for p in body["pilots"]] == [("310112", "submitted"),
                                                                           ("310115", "accepted")]


def test_the_csv_has_the_same_table(api, served):
    create(api, served.district_a, institutions=[served.institution_a], basic_info="-cmd|' /C calc'!A0")
    response = api(served.district_a).get("/stats/pilot-table.csv?year=2026")
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == COLUMNS and rows[1][3] == "'-cmd|' /C calc'!A0"


def test_the_city_exports_every_district_and_districts_only_their_own(api, served):
    create(api, served.district_a)
    create(api, served.district_b, name="闵行试点")
    assert len(api(served.city).get("/stats/pilot-table?year=2026").get_json()["rows"]) == 2
    assert api(served.district_b).get("/stats/pilot-table?year=2026&district=310115").status_code == 403
    assert api(served.sme_a).get("/stats/pilot-table.xlsx?year=2026").status_code == 403


def test_statistics_access_by_role(api, served):
    summary = api(served.district_a).get("/stats/summary?year=2026")
    body = summary.get_json()
    assert summary.status_code == 200 and body["service_count"] == 1 and body["targets"]["enterprises"] == 60
    assert {"year", "enterprises_served", "bookings_completed", "orders_reported", "external_hours",
            "effective_hours", "sharing_rate", "revenue", "satisfaction"} <= set(body)
    assert api(served.district_a).get("/stats/summary?district=310112").status_code == 403
    assert api(served.sme_a).get("/stats/summary").status_code == 403
    assert api(served.sme_a).get("/stats/utilization").status_code == 403
    assert api(served.lab_b).get("/stats/summary?year=2026").get_json()["service_count"] == 0
    assert api(served.city).get("/stats/summary?year=2026").get_json()["targets"]["enterprises"] == 1000


def test_utilization_rows_by_each_grouping(api, served):
    caller = api(served.city)
    for group in ("instrument", "institution", "district", "category", "month"):
        body = caller.get(f"/stats/utilization?from=2026-01-01&to=2026-03-01&group_by={group}").get_json()
        assert body["group_by"] == group and body["rows"], group
        row = body["rows"][0]
        assert {"key", "label", "open_hours", "effective_hours", "external_hours", "utilization", "no_show_rate",
                "service_count", "enterprises_served", "revenue"} <= set(row)
    districts = caller.get("/stats/utilization?from=2026-01-01&to=2026-03-01&group_by=district").get_json()["rows"]
    assert districts[0]["label"] == "浦东新区" and districts[0]["external_hours"] == 2.0
    assert caller.get("/stats/utilization?group_by=planet").status_code == 422
    assert caller.get("/stats/utilization?from=2026-05-01&to=2026-01-01").status_code == 422


def test_the_dashboards_render_for_each_bureau_and_institution(sign_in, served):
    html = sign_in(served.district_a).get("/stats/?year=2026").get_data(as_text=True)
    assert 'data-testid="target-progress"' in html and "1 / 60" in html
    city = sign_in(served.city).get("/stats/?year=2026").get_data(as_text=True)
    assert 'data-testid="districts"' in city and "浦东新区" in city
    lab = sign_in(served.lab_a).get("/stats/?year=2026").get_data(as_text=True)
    assert "1200" in lab and 'data-testid="instrument-table"' in lab
    assert sign_in(served.sme_a).get("/stats/").status_code == 403
    csv_text = sign_in(served.lab_a).get("/stats/instruments.csv?year=2026").data.decode("utf-8")
    assert csv_text.startswith("\ufeff") and "2.0" in csv_text


def test_the_district_edits_and_submits_on_the_pages_and_sees_the_citys_comment(sign_in, served):
    district = sign_in(served.district_a)
    response = district.post("/stats/pilots/new?year=2026", data={
        "name": "页面试点", "institution_ids": [str(served.institution_a.id)], "basic_info": "说明"})
    assert response.status_code == 302
    district.post("/stats/pilots/submit?year=2026")
    city = sign_in(served.city)
    city.post("/stats/pilots/review?year=2026", data={"district": "310115", "decision": "return",
                                                     "comment": "请补充经费来源"})
    html = sign_in(served.district_a).get("/stats/pilots?year=2026").get_data(as_text=True)
    assert "请补充经费来源" in html and "页面试点" in html
