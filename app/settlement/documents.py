"""Statements as files: the PDF (both parties, their USCCs, the lines, totals, voucher share, net),
the .xlsx, a month's statements in one .zip, and the bureaus' voucher workbook.

Amounts are written by models.money: money() in the PDF, numbers shown with XLSX_FORMAT in .xlsx.
"""
import io
import zipfile
from datetime import date

from flask_babel import gettext as _

from models.money import XLSX_FORMAT, money
from models.timeutil import local

from ..labels import SOURCE_LABELS, status_label
from ..stats.table import neutralise
from .statements import next_month

LINE_WIDTHS = (20, 62, 16, 27, 27, 28)


def _day(instant):
    return local(instant).strftime("%Y-%m-%d")


def _parties(doc, statement):
    last_day = date.fromordinal(next_month(statement.month).toordinal() - 1)
    doc.fields([
        (_("服务机构"), statement.institution.name), (_("统一社会信用代码"), statement.institution.uscc),
        (_("委托企业"), statement.organization.name), (_("统一社会信用代码"), statement.organization.uscc),
        (_("对账期间"), f"{statement.month.isoformat()} — {last_day.isoformat()}"),
    ])


def _line(charge):
    text = charge.description + (f"（{_('创新券')} {charge.voucher.code}）" if charge.voucher_id else "")
    return [_day(charge.created_at), text, str(status_label("charge", charge.status)), money(charge.amount),
            money(charge.voucher_amount), money(charge.net_amount)]


def write_statement(doc, statement, title):
    doc.heading(title)
    _parties(doc, statement)
    headings = [_("日期"), _("服务内容"), _("状态"), _("金额"), _("创新券抵扣"), _("应付金额")]
    totals = [_("合计"), _("%(n)s 笔", n=len(statement.lines)), "", money(statement.total),
              money(statement.voucher_total), money(statement.net_total)]
    doc.grid(headings, [_line(c) for c in statement.lines] + [totals], LINE_WIDTHS, right=(3, 4, 5))
    doc.paragraph(_("创新券抵扣部分由发放创新券的市场监管部门向服务机构兑付；企业应付金额为扣除创新券抵扣后的金额。"), size=9)


def statement_pdf(statement):
    from ..pdf import Document

    doc = Document(_("服务费用对账单"))
    write_statement(doc, statement, _("%(month)s 服务费用对账单", month=statement.label))
    return doc.to_bytes()


def _money_cells(sheet, first_row, columns):
    for row in sheet.iter_rows(min_row=first_row, max_row=sheet.max_row):
        for cell in row:
            if cell.column in columns and isinstance(cell.value, float | int):
                cell.number_format = XLSX_FORMAT


def _widths(sheet, widths):
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def statement_xlsx(statement):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = statement.label
    sheet.append([_("%(month)s 服务费用对账单", month=statement.label)])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, party in ((_("服务机构"), statement.institution), (_("委托企业"), statement.organization)):
        sheet.append([label, neutralise(party.name), _("统一社会信用代码"), party.uscc])
    sheet.append([])
    sheet.append([_("费用编号"), _("日期"), _("服务内容"), _("来源"), _("状态"), _("创新券"), _("金额"),
                  _("创新券抵扣"), _("应付金额")])
    for cell in sheet[5]:
        cell.font = Font(bold=True)
    for c in statement.lines:
        sheet.append([c.id, _day(c.created_at), neutralise(c.description), str(SOURCE_LABELS[c.source]),
                      str(status_label("charge", c.status)), c.voucher.code if c.voucher_id else "",
                      float(c.amount), float(c.voucher_amount), float(c.net_amount)])
    sheet.append([_("合计"), "", "", "", "", "", float(statement.total), float(statement.voucher_total),
                  float(statement.net_total)])
    _money_cells(sheet, 6, (7, 8, 9))
    _widths(sheet, (10, 12, 46, 12, 10, 18, 14, 14, 14))
    return _saved(book)


def _saved(book):
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def safe_name(text):
    return "".join(ch for ch in text if ch not in '\\/:*?"<>|').strip() or "statement"


def statements_zip(statements, month_label):
    """One PDF per statement, named after the other party."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for statement in statements:
            name = f"{month_label}-{safe_name(statement.organization.name)}-{statement.organization.id}.pdf"
            archive.writestr(name, statement_pdf(statement))
    return buffer.getvalue()


def vouchers_xlsx(vouchers, redemptions):
    """Two sheets: the vouchers with their balances, and what each paid (redemptions)."""
    from openpyxl import Workbook

    book = Workbook()
    issued = book.active
    issued.title = _("创新券")
    issued.append([_("券号"), _("企业"), _("统一社会信用代码"), _("项目"), _("发放部门"), _("额度"), _("余额"),
                   _("补贴比例（%）"), _("生效日期"), _("失效日期"), _("状态")])
    for v in vouchers:
        issued.append([v.code, neutralise(v.organization.name), v.organization.uscc, neutralise(v.programme),
                       v.issuer.name, float(v.amount), float(v.balance), v.subsidy_percent, v.valid_from.isoformat(),
                       v.valid_until.isoformat(), str(status_label("voucher", v.status))])
    _money_cells(issued, 2, (6, 7))
    _widths(issued, (18, 30, 22, 30, 26, 14, 14, 12, 12, 12, 10))
    used = book.create_sheet(_("兑付记录"))
    used.append([_("券号"), _("企业"), _("服务机构"), _("来源"), _("来源编号"), _("费用金额"), _("创新券抵扣"),
                 _("日期")])
    for row in redemptions:
        used.append([row["voucher_code"], neutralise(row["enterprise"]), neutralise(row["institution"]),
                     str(SOURCE_LABELS[row["source"]]), row["source_id"], float(row["amount"]),
                     float(row["voucher_amount"]), row["date"]])
    _money_cells(used, 2, (6, 7))
    _widths(used, (18, 30, 30, 12, 10, 14, 14, 12))
    return _saved(book)
