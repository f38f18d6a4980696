import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from app.catalog.spreadsheet import HEADERS
from models import Instrument, db


def xlsx(rows, headers=HEADERS):
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(n, **overrides):
    data = {"仪器名称": f"高低温试验箱{n}", "内部编码": f"HT-{n:03d}", "分类编码": "120100", "规格型号": "PL-3KPH",
            "原值（万元）": 35.5, "启用日期": "2020/5/1", "有效期至": "2027-01-31", "溯源方式": "校准",
            "收费标准（元/小时）": 150, "中小企业优惠（%）": 25, "服务方式": "占用共享、代检代测", "状态": "在用"}
    data.update(overrides)
    return data


def upload(client, data, name="instruments.xlsx"):
    return client.post("/console/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def count():
    return db.session.scalar(sa.select(sa.func.count(Instrument.id)))


def test_the_template_has_the_national_record_headers(sign_in, world):
    response = sign_in(world.lab_a).get("/console/instruments/template.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    header = [c.value for c in book.worksheets[0][1]]
    assert header[:9] == ["仪器名称", "英文名称", "内部编码", "规格型号", "生产制造商", "产地国别", "原值（万元）",
                          "启用日期", "分类编码"]
    assert "有效期至" in header and {"填写说明", "分类编码"} <= set(book.sheetnames)


def test_a_clean_file_is_previewed_then_written_on_confirmation(sign_in, world):
    client = sign_in(world.lab_a)
    response = upload(client, xlsx([row(1), row(2)]))
    assert response.status_code == 302
    preview = client.get(response.location).get_data(as_text=True)
    assert "全部 2 行检查通过" in preview
    assert count() == 0  # nothing written before confirmation
    batch_id = int(response.location.rsplit("/", 1)[1])
    client.post(f"/console/import/{batch_id}/confirm")
    instrument = db.session.scalar(sa.select(Instrument).where(Instrument.internal_code == "HT-001"))
    assert count() == 2
    assert str(instrument.commissioned_on) == "2020-05-01" and instrument.traceability == "calibration"
    assert instrument.service_modes == ["self_operated", "test_by_proxy"]
    assert client.post(f"/console/import/{batch_id}/confirm").status_code == 302  # a second confirm does nothing
    assert count() == 2


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_written(sign_in, world):
    client = sign_in(world.lab_a)
    rows = [row(1), row(2, 仪器名称=""), row(3, 分类编码="999999", 有效期至="2027-02-30"),
            row(4, 内部编码="HT-001"), row(5, **{"收费标准（元/小时）": -5})]
    response = upload(client, xlsx(rows))
    html = client.get(response.location).get_data(as_text=True)
    assert "发现 5 处问题" in html
    for expected in ("<td>3</td><td>仪器名称</td>", "<td>4</td><td>分类编码</td>", "<td>4</td><td>有效期至</td>",
                     "<td>5</td><td>内部编码</td>", "<td>6</td><td>收费标准（元/小时）</td>"):
        assert expected in html, expected
    batch_id = int(response.location.rsplit("/", 1)[1])
    client.post(f"/console/import/{batch_id}/confirm")
    assert count() == 0


def test_rows_with_a_known_internal_code_update_that_instrument(sign_in, world, create_instrument):
    create_instrument(world.institution_a, internal_code="HT-001", name="旧名称")
    client = sign_in(world.lab_a)
    response = upload(client, xlsx([row(1, 仪器名称="新名称"), row(2)]))
    assert "将新增 1 台，更新 1 台" in client.get(response.location).get_data(as_text=True)
    client.post(response.location + "/confirm")
    names = set(db.session.scalars(sa.select(Instrument.name)))
    assert names == {"新名称", "高低温试验箱2"}


def test_a_gbk_csv_is_read(sign_in, world):
    text = ",".join(["仪器名称", "内部编码", "分类编码", "有效期至"]) + "\n" + "盐雾试验箱,SS-9,120100,2027-06-30\n"
    client = sign_in(world.lab_a)
    response = upload(client, text.encode("gbk"), "list.csv")
    assert "全部 1 行检查通过" in client.get(response.location).get_data(as_text=True)


def test_a_utf8_csv_with_bom_is_read(sign_in, world):
    text = "仪器名称,内部编码,分类编码\n三坐标测量机,CMM-1,030100\n"
    client = sign_in(world.lab_a)
    response = upload(client, text.encode("utf-8-sig"), "list.csv")
    assert "全部 1 行检查通过" in client.get(response.location).get_data(as_text=True)


@pytest.mark.parametrize("data,message", [
    (b"", "文件是空的"),
    (b"\x00\x01\x02\xff" * 100, "无法识别该文件"),
    (b"PK\x03\x04 not really a zip", "无法读取该 Excel 文件"),
    ("名称,型号\n仪器,X\n".encode(), "表头与模板不一致"),
    ("仪器名称,内部编码,分类编码\n".encode(), "没有数据行"),
])
def test_unusable_files_get_a_precise_message(sign_in, world, data, message):
    response = upload(sign_in(world.lab_a), data, "bad.csv")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_an_oversized_file_is_refused_before_it_is_read(app, sign_in, world):
    app.config["IMPORT_MAX_BYTES"] = 1024
    try:
        response = upload(sign_in(world.lab_a), b"x" * 5000, "big.csv")
    finally:
        app.config["IMPORT_MAX_BYTES"] = 10 * 1024 * 1024
    assert response.status_code == 413 and "文件过大" in response.get_data(as_text=True)


def test_a_file_over_the_request_limit_is_413_too(app, sign_in, world):
    response = upload(sign_in(world.lab_a), b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10), "huge.csv")
    assert response.status_code == 413


def test_an_export_imports_back_unchanged(sign_in, world, create_instrument):
    for n in range(3):
        create_instrument(world.institution_a, internal_code=f"EX-{n}", name=f"仪器{n}")
    client = sign_in(world.lab_a)
    exported = client.get("/console/instruments/export.xlsx").data
    response = upload(client, exported)
    html = client.get(response.location).get_data(as_text=True)
    assert "将新增 0 台，更新 0 台，3 台没有变化" in html
    client.post(response.location + "/confirm")
    assert count() == 3


def test_the_preview_shows_what_each_row_changes_and_its_counts_are_the_results(sign_in, world, create_instrument):
    from models import ImportBatch

    create_instrument(world.institution_a, internal_code="HT-001", name="旧名称")
    create_instrument(world.institution_a, internal_code="HT-003", name="高低温试验箱3")
    client = sign_in(world.lab_a)
    exported = load_workbook(io.BytesIO(client.get("/console/instruments/export.xlsx").data))
    rows = [dict(zip(HEADERS, [c.value for c in line], strict=False)) for line in exported.worksheets[0].iter_rows(min_row=2)]
    unchanged = next(r for r in rows if r["内部编码"] == "HT-003")
    response = upload(client, xlsx([row(1, 仪器名称="新名称"), row(2), {k: v or "" for k, v in unchanged.items()}]))
    html = client.get(response.location).get_data(as_text=True)
    assert "将新增 1 台，更新 1 台，1 台没有变化" in html
    assert "仪器名称：<del class=\"text-muted\">旧名称</del> → <ins>新名称</ins>" in html
    client.post(response.location + "/confirm")
    batch = db.session.get(ImportBatch, int(response.location.rsplit("/", 1)[1]))
    assert (batch.status, batch.create_count, batch.update_count) == ("imported", 1, 1)


def test_a_category_may_be_given_by_name(sign_in, world):
    client = sign_in(world.lab_a)
    response = upload(client, xlsx([row(1, 分类编码="环境与可靠性试验设备")]))
    client.post(response.location + "/confirm")
    assert db.session.scalar(sa.select(Instrument.category_code)) == "120100"


def test_the_export_writes_dates_as_dates_and_offers_dropdowns(sign_in, world, create_instrument):
    from datetime import date, datetime

    create_instrument(world.institution_a, internal_code="EX-1", commissioned_on=date(2021, 4, 1))
    book = load_workbook(io.BytesIO(sign_in(world.lab_a).get("/console/instruments/export.xlsx").data))
    sheet = book.worksheets[0]
    column = HEADERS.index("启用日期") + 1
    assert sheet.cell(row=2, column=column).value == datetime(2021, 4, 1)
    lists = {str(rule.sqref).split(":")[0][:-1]: rule.formula1 for rule in sheet.data_validations.dataValidation}
    from openpyxl.utils import get_column_letter
    assert lists[get_column_letter(HEADERS.index("溯源方式") + 1)] == '"检定,校准,自校"'
    assert lists[get_column_letter(HEADERS.index("状态") + 1)] == '"在用,维修中,已停用"'


def test_another_institution_cannot_see_or_confirm_a_batch(sign_in, world):
    response = upload(sign_in(world.lab_a), xlsx([row(1)]))
    other = sign_in(world.lab_b)
    assert other.get(response.location).status_code == 404
    assert other.post(response.location + "/confirm").status_code == 404
