"""Money: a Decimal with two places, shown one way everywhere: ¥1,234.50.

`money()` is the one display function: the `money` template filter, e-mails, PDFs and exported
files all call it (a spreadsheet keeps numbers as numbers and shows them with XLSX_FORMAT).
"""
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# What an amount looks like in a spreadsheet cell: the same ¥1,234.50, still a number.
XLSX_FORMAT = '"¥"#,##0.00;-"¥"#,##0.00'


def cents(value):
    """Any amount (Decimal, int, decimal string) rounded half-up to the fen."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money(amount):
    """¥1,234.50 (and -¥12.00); an em dash for no amount."""
    if amount is None or amount == "":
        return "—"
    value = cents(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"


def decimal_text(amount):
    """The API's form of an amount: a decimal string with two places ("1234.50")."""
    return None if amount is None else f"{cents(amount):.2f}"
