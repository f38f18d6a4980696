"""Statements and redemption packs as real files: PDFs read back with pypdf, workbooks with openpyxl."""
import io
import re
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.pdf import Document, FontMissing, cjk_font
from app.reviews.services import review_booking, review_order
from app.settlement import documents, pack, vouchers
from app.settlement.statements import statement_for
from models import db
from models.money import XLSX_FORMAT
from tests.settlement import NOW, PDF, charge_of, completed_booking, completed_order, issue_voucher

MARCH = date(2026, 3, 1)


def text_of(data):
    reader = PdfReader(io.BytesIO(data))
    return [page.extract_text() for page in reader.pages]


def embedded_fonts(data):
    reader = PdfReader(io.BytesIO(data))
    return {str(font.get_object()["/BaseFont"]) for page in reader.pages
            for font in page["/Resources"]["/Font"].values()}


@pytest.fixture
def month(world):
    """Enterprise A at institution A in March: ¥480.00, then ¥240.00 of which a voucher paid ¥120.00."""
    completed_booking(world, minutes_used=60, day_offset=-1)
    charge = charge_of(completed_booking(world, minutes_used=30))
    vouchers.apply(world.sme_a, charge, issue_voucher(world, amount="1000.00", percent=50).id, NOW)
    db.session.commit()
    return statement_for(world.sme_a, MARCH, world.institution_a.id)


def test_the_statement_pdf_is_a_chinese_document_with_both_parties_lines_and_totals(world, month):
    pages = text_of(documents.statement_pdf(month))
    text = pages[0]
    assert "2026-03 服务费用对账单" in text
    for expected in (world.institution_a.name, world.institution_a.uscc, world.enterprise_a.name,
                     world.enterprise_a.uscc, "¥480.00", "¥240.00", "¥120.00", "¥600.00", "合计", "待结算"):
        assert expected in text
    assert re.search(r"[\u4e00-\u9fff]", text)
    assert "第 1 页 共 1 页" in text


def test_the_pdf_embeds_a_cjk_font_from_the_system(month):
    fonts = embedded_fonts(documents.statement_pdf(month))
    assert any("WenQuanYi" in f or "NotoSansCJK" in f for f in fonts), fonts


def test_a_long_statement_numbers_its_pages(world):
    for n in range(45):
        completed_booking(world, minutes_used=30, day_offset=-(n % 28) - 1)
    pages = text_of(documents.statement_pdf(statement_for(world.sme_a, MARCH, world.institution_a.id)))
    assert len(pages) >= 2
    assert f"第 2 页 共 {len(pages)} 页" in pages[1]


def test_the_statement_workbook_keeps_amounts_as_numbers_shown_as_yuan(world, month):
    sheet = load_workbook(io.BytesIO(documents.statement_xlsx(month))).active
    assert sheet["A1"].value == "2026-03 服务费用对账单"
    assert sheet["B2"].value == world.institution_a.name and sheet["D3"].value == world.enterprise_a.uscc
    rows = list(sheet.iter_rows(min_row=6, values_only=True))
    assert rows[-1][0] == "合计" and rows[-1][6:] == (720.0, 120.0, 600.0)
    assert sheet.cell(row=sheet.max_row, column=7).number_format == XLSX_FORMAT


def test_an_institution_downloads_a_months_statements_of_all_customers_in_one_zip(world, sign_in, month):
    completed_booking(world, customer=world.sme_b)
    response = sign_in(world.lab_a).get("/settlement/statements/2026-03.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = sorted(archive.namelist())
    assert len(names) == 2 and all(n.startswith("2026-03-") and n.endswith(".pdf") for n in names)
    texts = [text_of(archive.read(n))[0] for n in names]
    assert any(world.enterprise_b.name in t for t in texts) and any(world.enterprise_a.name in t for t in texts)


def test_an_enterprise_downloads_its_statement_from_its_page(world, sign_in, month):
    path = f"/settlement/statements/2026-03/{world.institution_a.id}/{world.enterprise_a.id}"
    client = sign_in(world.sme_a)
    assert "¥600.00" in client.get(path).get_data(as_text=True)
    pdf = client.get(path + ".pdf")
    assert pdf.headers["Content-Disposition"].startswith("attachment") and "¥720.00" in text_of(pdf.data)[0]
    assert client.get(path + ".xlsx").mimetype.endswith("spreadsheetml.sheet")
    assert client.get(path + ".doc").status_code == 404


def test_another_enterprise_cannot_read_the_statement(world, sign_in, month):
    path = f"/settlement/statements/2026-03/{world.institution_a.id}/{world.enterprise_a.id}.pdf"
    assert sign_in(world.sme_b).get(path).status_code == 404


def test_an_orders_redemption_pack_holds_the_statement_line_the_report_the_record_and_the_review(world, app):
    order = completed_order(world, amount="1800.00", upload_dir=app.config["UPLOAD_DIR"])
    review_order(world.sme_a, order, 5, "报告规范，周期短。", NOW)
    charge = vouchers.apply(world.sme_a, charge_of(order=order), issue_voucher(world).id, NOW)
    archive = zipfile.ZipFile(io.BytesIO(pack.redemption_pack(charge, app.config["UPLOAD_DIR"])))
    assert sorted(archive.namelist()) == sorted(["statement-line.pdf", f"report-{order.report_no}.pdf",
                                                 "service-record.pdf", "review.pdf"])
    assert archive.read(f"report-{order.report_no}.pdf") == PDF
    line = "".join(text_of(archive.read("statement-line.pdf"))[0].split())  # cells wrap anywhere
    assert "¥1,800.00" in line and charge.voucher.code in line and "¥900.00" in line
    record = text_of(archive.read("service-record.pdf"))[0]
    assert order.number in record and "出具报告" in record and "GB/T 10125-2021" in record
    assert "报告规范，周期短。" in text_of(archive.read("review.pdf"))[0]


def test_a_bookings_pack_has_no_report_and_a_review_only_when_there_is_one(world, app, sign_in):
    booking = completed_booking(world)
    charge = charge_of(booking)
    names = zipfile.ZipFile(io.BytesIO(pack.redemption_pack(charge, app.config["UPLOAD_DIR"]))).namelist()
    assert sorted(names) == ["service-record.pdf", "statement-line.pdf"]
    review_booking(world.sme_a, booking, 4, "", NOW)
    response = sign_in(world.lab_a).get(f"/settlement/charges/{charge.id}/pack.zip")
    assert "review.pdf" in zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    record = text_of(zipfile.ZipFile(io.BytesIO(response.data)).read("service-record.pdf"))[0]
    assert booking.instrument.name in record and "60 分钟" in record and "签退" in record


def test_the_bureaus_workbook_lists_vouchers_with_balances_and_redemptions(world, sign_in, month):
    response = sign_in(world.district_a).get("/settlement/vouchers.xlsx?year=2026")
    book = load_workbook(io.BytesIO(response.data))
    issued, used = book["创新券"], book["兑付记录"]
    assert issued.cell(row=2, column=2).value == world.enterprise_a.name
    assert (issued.cell(row=2, column=6).value, issued.cell(row=2, column=7).value) == (1000.0, 880.0)
    assert issued.cell(row=2, column=7).number_format == XLSX_FORMAT
    row = [c.value for c in used[2]]
    assert row[1:3] == [world.enterprise_a.name, world.institution_a.name] and row[5:7] == [240.0, 120.0]


def test_a_missing_font_says_which_package_to_install():
    with pytest.raises(FontMissing) as missing:
        cjk_font("/no/such/font.ttc")
    assert "fonts-wqy-zenhei" in str(missing.value)


def test_the_shared_document_writes_chinese_text_another_feature_can_reuse(app_ctx):
    doc = Document("检测报告")
    doc.heading("检测报告")
    doc.fields([("样品名称", "铝合金外壳")])
    text = text_of(doc.to_bytes())[0]
    assert "检测报告" in text and "铝合金外壳" in text and "第 1 页 共 1 页" in text
