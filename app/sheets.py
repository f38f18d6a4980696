"""Text that a spreadsheet would run as a formula is written as text, in every CSV and .xlsx we produce.

A cell whose text starts with = + - @ (also after leading spaces), a tab or a line break can be taken
for a formula by Excel, WPS or LibreOffice (CSV/formula injection). `neutralise` puts such text behind
a leading apostrophe, the usual escape (CSV files and the 附件4 workbook, which is read, not re-imported);
`xlsx_row` writes it as a string cell with the quote-prefix style, so a workbook that is imported again
(the catalog export) shows and returns the text unchanged.
"""

FORMULA_STARTS = ("=", "+", "-", "@")
CONTROL_STARTS = ("\t", "\r", "\n")


def formula_like(value):
    return isinstance(value, str) and (value.startswith(CONTROL_STARTS) or value.lstrip().startswith(FORMULA_STARTS))


def neutralise(value):
    """A CSV cell: formula-like text behind an apostrophe; anything else unchanged."""
    return "'" + value if formula_like(value) else value


def xlsx_row(sheet, values):
    """The cells of one .xlsx row (for sheet.append): formula-like text becomes a quoted string cell."""
    return [_text_cell(sheet, value) if formula_like(value) else value for value in values]


def _text_cell(sheet, text):
    from openpyxl.cell.cell import Cell

    cell = Cell(sheet, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
