"""The pilot statistics table (附件4): rows from the records, and its .xlsx and .csv files."""
import csv
import io
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

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


def rows(year, district_code=None):
    """One list of the 15 values per pilot, in the table's order."""
    out = []
    served = pilots.Services(year)
    for number, pilot in enumerate(pilots.pilots_of(year, district_code), start=1):
        services, enterprises = pilots.computed(pilot, served)
        proposed_content, proposed_industries = pilots.proposals(pilot, served)
        out.append([
            number, str(DISTRICT_LABELS.get(pilot.district_code, pilot.district.name)), pilot.name, pilot.basic_info,
            pilot.funds_wan, pilot.expert_person_times,
            pilot.main_content if pilot.main_content is not None else proposed_content,
            pilot.main_industries if pilot.main_industries is not None else proposed_industries,
            services, enterprises, pilot.pass_rate_improvement, pilot.profit_increase_wan, pilot.new_jobs,
            pilot.quality_effect, pilot.other_effects,
        ])
    return out


def _cell(value):
    if isinstance(value, Decimal):
        return float(value)
    return neutralise(value)


def title(year, district_code=None):
    text = TITLE.format(year=year)
    return f"{text}（{DISTRICT_LABELS.get(district_code, district_code)}）" if district_code else text


def xlsx(year, district_code=None):
    book = Workbook()
    sheet = book.active
    sheet.title = str(year)
    sheet.append([title(year, district_code)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 32
    sheet.append(COLUMNS)
    for row in rows(year, district_code):
        sheet.append([_cell(value) for value in row])
    thin = Side(style="thin", color="000000")
    for row in sheet.iter_rows(min_row=2, max_row=sheet.max_row, max_col=len(COLUMNS)):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="center",
                                       horizontal="center" if cell.row == 2 or cell.column in (1, 2, 5, 6, 9, 10, 12, 13)
                                       else "left")
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            if cell.row == 2:
                cell.font = Font(bold=True)
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.row_dimensions[2].height = 48
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "1:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(year, district_code=None):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows(year, district_code):
        writer.writerow(["" if v is None else neutralise(v) if isinstance(v, str) else str(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
