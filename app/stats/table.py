"""The pilot statistics table (附件4): rows from the records, and its .xlsx and .csv files."""
import csv
import io
from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import db
from models.pilot import PilotTable
from models.reference import DISTRICT_LABELS

from ..sheets import neutralise
from . import pilots

COLUMNS = [
    "序号", "地区", "试点项目名称", "基本情况（200字以内）", "本年度投入经费（万元）", "参与服务专家人次",
    "服务主要内容", "服务主要产业", "服务次数", "服务市场主体数量", "服务产业产品质量合格率提升情况",
    "为企业增长利润（万元）", "服务企业新增就业岗位数", "服务企业质量提高成效",
    "其他成效（拉动投资，增加产值等，200字以内）",
]
# The same headers for the page, in the reader's language (the files keep the official Chinese).
COLUMN_LABELS = [
    _l("序号"), _l("地区"), _l("试点项目名称"), _l("基本情况（200字以内）"), _l("本年度投入经费（万元）"),
    _l("参与服务专家人次"), _l("服务主要内容"), _l("服务主要产业"), _l("服务次数"), _l("服务市场主体数量"),
    _l("服务产业产品质量合格率提升情况"), _l("为企业增长利润（万元）"), _l("服务企业新增就业岗位数"),
    _l("服务企业质量提高成效"), _l("其他成效（拉动投资，增加产值等，200字以内）"),
]
WIDTHS = [6, 10, 20, 36, 12, 10, 22, 22, 9, 11, 24, 12, 12, 28, 36]
TITLE = "{year}年质量基础设施“一站式”服务试点工作情况统计表"


TOTAL = "合计"
SUMMED = (4, 5, 11, 12)  # 投入经费, 专家人次, 增长利润, 新增就业: added up in the 合计 row
MONEY_COLUMNS = (4, 11)
COUNT_COLUMNS = (0, 5, 8, 9, 12)


def _overlapping(every):
    """Ids of the pilots that share an institution with another pilot of the year (any district)."""
    holders = defaultdict(set)
    for pilot in every:
        for institution in pilot.institutions:
            holders[institution.id].add(pilot.id)
    return {pid for ids in holders.values() if len(ids) > 1 for pid in ids}


def build(year, district_code=None, accepted_only=False):
    """The table: {"columns", "rows", "pilots", "total", "shared"}. A pilot's 服务次数 and 服务市场主体数量
    count its institutions' services; the 合计 row counts each service and enterprise once however many
    pilots share an institution; `accepted_only` keeps the districts whose table the city accepted."""
    served = pilots.Services(year)
    every = pilots.pilots_of(year)
    statuses = dict(db.session.execute(sa.select(PilotTable.district_code, PilotTable.status).where(
        PilotTable.year == year)).all())
    chosen = [p for p in every if (not district_code or p.district_code == district_code)
              and (not accepted_only or statuses.get(p.district_code) == "accepted")]
    shared = _overlapping(every)
    rows = []
    for number, pilot in enumerate(chosen, start=1):
        services, enterprises = pilots.computed(pilot, served)
        proposed_content, proposed_industries = pilots.proposals(pilot, served)
        rows.append([
            number, str(DISTRICT_LABELS.get(pilot.district_code, pilot.district.name)), pilot.name, pilot.basic_info,
            pilot.funds_wan, pilot.expert_person_times,
            pilot.main_content if pilot.main_content is not None else proposed_content,
            pilot.main_industries if pilot.main_industries is not None else proposed_industries,
            services, enterprises, pilot.pass_rate_improvement, pilot.profit_increase_wan, pilot.new_jobs,
            pilot.quality_effect, pilot.other_effects,
        ])
    institutions = {i.id for p in chosen for i in p.institutions}
    kinds, orgs = served.of_institutions(institutions)
    total = [TOTAL] + [""] * (len(COLUMNS) - 1)
    for index in SUMMED:
        values = [row[index] for row in rows if row[index] is not None]
        total[index] = sum(values, Decimal(0) if index in MONEY_COLUMNS else 0) if values else None
    total[8], total[9] = sum(kinds.values()), len(orgs)
    return {"columns": COLUMNS, "rows": rows, "total": total, "shared": [p.id for p in chosen if p.id in shared],
            "pilots": [{"id": p.id, "district_code": p.district_code, "status": statuses.get(p.district_code, "draft")}
                       for p in chosen]}


def rows(year, district_code=None):
    """One list of the 15 values per pilot, in the table's order."""
    return build(year, district_code)["rows"]


def _cell(value):
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    return neutralise(value)


def title(year, district_code=None):
    text = TITLE.format(year=year)
    return f"{text}（{DISTRICT_LABELS.get(district_code, district_code)}）" if district_code else text


def filler_line(bureau, person, phone, day):
    """The line under the table: who fills it in, and when (the bureau stamps it)."""
    return (f"填报单位（盖章）：{bureau}　　填报人：{person}　　联系电话：{phone}　　"
            f"填报日期：{day.year}年{day.month}月{day.day}日")


TEXT_FONT = "宋体"
TITLE_FONT = "黑体"  # on every Chinese Windows; 方正小标宋 is not, and the file names the font it uses
CHARS_PER_LINE = 1.9  # column width units per Chinese character at 10 pt


def _height(values):
    lines = 1
    for index, value in enumerate(values):
        text = "" if value is None else str(value)
        per_line = max(1, int(WIDTHS[index] / CHARS_PER_LINE))
        lines = max(lines, sum(max(1, -(-len(part) // per_line)) for part in text.split("\n")))
    return max(20, 14 * lines + 6)


def xlsx(table, heading, filler):
    """The official form: 附件4 above the title, the 15 headers, one row per pilot, the 合计 row and the
    填报单位 line; 宋体, numbers as 0.00 / 0, A4 landscape with the header repeated and 第 n 页 共 m 页."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "附件4"
    width = len(COLUMNS)
    sheet.append(["附件4"])
    sheet["A1"].font = Font(name=TITLE_FONT, size=14)
    sheet.append([heading])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet["A2"].font = Font(name=TITLE_FONT, size=18)
    sheet["A2"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[2].height = 36
    sheet.append(COLUMNS)
    for row in [*table["rows"], table["total"]]:
        sheet.append([_cell(value) for value in row])
        sheet.row_dimensions[sheet.max_row].height = _height(row)
    _format_table(sheet, width)
    sheet.append([])
    sheet.append([filler])
    sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width)
    sheet.cell(sheet.max_row, 1).font = Font(name=TEXT_FONT, size=11)
    sheet.row_dimensions[sheet.max_row].height = 24
    _set_up_pages(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _format_table(sheet, width):
    """Row 3 (the headers) to the 合计 row: 宋体 10 pt, bold headers and total, thin borders, numbers
    centred as 0.00 / 0, text left."""
    from openpyxl.styles import Alignment, Border, Font, Side

    last = sheet.max_row
    thin = Side(style="thin", color="000000")
    centred = (*MONEY_COLUMNS, *COUNT_COLUMNS, 1)
    for row in sheet.iter_rows(min_row=3, max_row=last, max_col=width):
        for cell in row:
            header, total = cell.row == 3, cell.row == last
            cell.font = Font(name=TEXT_FONT, size=10, bold=header or total)
            cell.alignment = Alignment(wrap_text=True, vertical="center",
                                       horizontal="center" if header or cell.column - 1 in centred else "left")
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            if not header and cell.column - 1 in MONEY_COLUMNS:
                cell.number_format = "0.00"
            elif not header and cell.column - 1 in COUNT_COLUMNS:
                cell.number_format = "0"


def _set_up_pages(sheet):
    """Column widths, frozen headers, A4 landscape fitted to the width, the headers on every page, a
    binding margin on the left and 第 n 页 共 m 页 at the foot."""
    from openpyxl.utils import get_column_letter

    for index, column_width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column_width
    sheet.row_dimensions[3].height = 48
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "2:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left, sheet.page_margins.right = 1.0, 0.6  # inches: room on the left for binding
    sheet.page_margins.top, sheet.page_margins.bottom = 0.8, 0.8
    sheet.oddFooter.center.text = "第 &P 页 共 &N 页"
    sheet.oddFooter.center.font = TEXT_FONT


def csv_bytes(table):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in [*table["rows"], table["total"]]:
        writer.writerow(["" if v is None else neutralise(v) if isinstance(v, str) else str(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
