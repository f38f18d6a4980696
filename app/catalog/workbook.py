"""The catalog spreadsheet written: the template (with dropdowns) and an institution's export.

An export is the import's layout, so it imports back with no problem and no change (dates as date
cells, numbers as numbers, the words the import reads for enumerations).
"""
import io
from datetime import date

from models.instrument import NRII_WORDS

from ..sheets import xlsx_row
from .services import editable_payload
from .spreadsheet import (
    COLUMNS,
    HEADERS,
    MAX_ROWS,
    MODE_WORDS,
    REQUIRED,
    SHEETS,
    TRACEABILITY_WORDS,
    WORD_OF,
    YES_NO,
)


def _workbook_with_header(title):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(HEADERS)
    for index, (header, _path, _kind, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFFFFF" if header in REQUIRED else "000000")
        cell.fill = PatternFill("solid", fgColor="0B4F9C" if header in REQUIRED else "DCE6F2")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return book, sheet


def _instructions(book, categories):
    notes = book.create_sheet(SHEETS["instructions"])
    notes.append(["列", "说明"])
    guide = {
        "仪器名称": "必填，100字以内", "内部编码": "必填，本机构内唯一；再次导入时按此更新已有仪器",
        "分类编码": "必填，填分类编码或分类名称，见“分类编码”表", "原值（万元）": "数字，最多两位小数", "启用日期": "YYYY-MM-DD",
        "主要技术指标": "500字以内", "主要功能": "300字以内", "服务内容": "200字以内",
        "对外开放共享规定": "500字以内", "溯源方式": "检定、校准或自校", "检定/校准日期": "YYYY-MM-DD",
        "有效期至": "YYYY-MM-DD；过期后不可预约", "收费标准（元/小时）": "数字，不能为负",
        "中小企业优惠（%）": "0–100", "服务方式": "占用共享、技术共享、代检代测、实验外包，用顿号分隔",
        "状态": "在用、维修中或已停用；空白为在用",
        "自主上机须取得资格": "是或否；空白为是（企业用户须通过培训取得独立上机资格才能自主上机）",
        "资格失效天数": "1–3650 的整数；连续这么多天未自主上机，资格失效；空白为 180",
        "归属类型": "单台套、仪器中心（平台）或重大科研基础设施（国家平台字段）",
        "仪器来源": "购置、自研、捐赠或其他", "海关监管": "是或否；空白为否", "通用/专用": "通用或专用",
        "学科领域": "100字以内，如：材料科学", "主要成果": "500字以内", "资金来源": "中央、地方或自有",
        "共享模式": "外部共享、内部共享或不共享", "服务网址": "以 http:// 或 https:// 开头；空白时报送本平台的仪器页面",
        "邮编": "6 位数字；空白时报送机构地址的邮编",
    }
    for header in HEADERS:
        notes.append([header, guide.get(header, "选填")])
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 22, 60
    codes = book.create_sheet(SHEETS["codes"])
    codes.append(["分类编码", "分类名称", "上级编码"])
    for category in categories:
        codes.append([category.code, category.name, category.parent_code or ""])
    codes.column_dimensions["B"].width = 24


DROPDOWNS = {  # kind → the words offered; service modes may combine words, so other text stays allowed
    "traceability": list(TRACEABILITY_WORDS), "status": ["在用", "维修中", "已停用"], "yesno": list(YES_NO),
    "modes": list(MODE_WORDS),
}


def _dropdowns(sheet, categories):
    """Data validation lists on the data rows of every enumerated column (and the category codes)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for index, (_header, path, kind, _width) in enumerate(COLUMNS, start=1):
        if kind == "nrii":
            formula = '"' + ",".join(NRII_WORDS[path[-1]].values()) + '"'
        elif kind == "category":
            formula = f"'{SHEETS['codes']}'!$A$2:$A${len(categories) + 1}"
        elif kind in DROPDOWNS:
            formula = '"' + ",".join(DROPDOWNS[kind]) + '"'
        else:
            continue
        rule = DataValidation(type="list", formula1=formula, allow_blank=True,
                              showErrorMessage=kind not in ("modes", "category"))
        column = get_column_letter(index)
        rule.add(f"{column}2:{column}{MAX_ROWS + 1}")
        sheet.add_data_validation(rule)


def template_workbook(categories):
    book, sheet = _workbook_with_header("仪器")
    _dropdowns(sheet, categories)
    _instructions(book, categories)
    return _save(book)


def export_workbook(instruments, categories):
    book, sheet = _workbook_with_header("仪器")
    for instrument in instruments:
        payload = editable_payload(instrument)
        row = []
        for _header, path, kind, _width in COLUMNS:
            value = payload
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if kind == "modes":
                value = "、".join(WORD_OF.get(m, m) for m in value or [])
            elif kind == "yesno":
                value = "是" if value else "否"
            elif kind == "nrii":
                value = NRII_WORDS[path[-1]].get(value, value or "")
            elif kind in ("traceability", "status"):
                value = WORD_OF.get(value, value or "")
            elif kind == "number" and value not in (None, ""):
                value = float(value)
            elif kind == "date" and value:
                value = date.fromisoformat(value)  # a real date cell, not text
            row.append(value if value is not None else "")
        sheet.append(xlsx_row(sheet, row))
        for index, (_header, _path, kind, _width) in enumerate(COLUMNS, start=1):
            if kind == "date":
                sheet.cell(row=sheet.max_row, column=index).number_format = "yyyy-mm-dd"
    _dropdowns(sheet, categories)
    _instructions(book, categories)
    return _save(book)


def _save(book):
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
