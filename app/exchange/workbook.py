"""National records as .xlsx: one sheet, the national field names as the header (titles as comments)."""
import io

from ..sheets import xlsx_row
from . import nrii


def national_workbook(title, fields, rows):
    """`rows` are (source, context) pairs; values in the mapping table's column order."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append([f.national for f in fields])
    for index, field in enumerate(fields, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.comment = Comment(f"{field.title}：{field.allowed}", "QI-Share")
    for source, context in rows:
        sheet.append(xlsx_row(sheet, nrii.flat(fields, source, context)))
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
