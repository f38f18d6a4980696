"""Reading JSON fields strictly (API.md "Input is typed strictly"): a value of the wrong JSON type,
NaN or Infinity, a NUL byte or a date outside 2000-01-01 … 2099-12-31 is a field error, never coerced.

    fields = Fields(json_body())
    amount = fields.money("amount")
    reason = fields.text("reason", 500, required=True)
    fields.done()          # 422 validation_error naming every bad field at once
"""
import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from models.errors import ValidationError

from ..formtools import read_day
from ..policy import MAX_ID

MONEY = re.compile(r"\d{1,9}(\.\d{1,2})?")
MAX_IDS = 500


class Fields:
    def __init__(self, source):
        self.source, self.errors = source, {}

    def _value(self, name, required):
        value = self.source.get(name)
        if value is None and required:
            self.errors[name] = _l("请填写此项。")
        return value

    def money(self, name, required=True):
        """A decimal string with at most two places ("600.00"); never negative."""
        value = self._value(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.errors[name] = _l("金额应写成字符串，如 \"600.00\"。")
            return None
        text = value.strip()
        if text.startswith("-") and MONEY.fullmatch(text[1:]):
            self.errors[name] = _l("金额不能为负数。")
            return None
        if not MONEY.fullmatch(text):
            self.errors[name] = _l("金额应为最多两位小数的数字，如 \"600.00\"。")
            return None
        return Decimal(text)

    def integer(self, name, minimum, maximum, required=True):
        value = self._value(name, required)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
            self.errors[name] = _l("应为 %(min)s 到 %(max)s 之间的整数。", min=minimum, max=maximum)
            return None
        return value

    def ident(self, name, required=True):
        return self.integer(name, 1, MAX_ID, required)

    def query_ident(self, name):
        """An id in a query string ("?institution_id=12"); None when absent."""
        value = self.source.get(name)
        if value in (None, ""):
            return None
        if not str(value).isdigit() or not 1 <= int(value) <= MAX_ID:
            self.errors[name] = _l("应为编号（正整数）。")
            return None
        return int(value)

    def idents(self, name):
        value = self._value(name, True)
        if value is None:
            return []
        if not isinstance(value, list) or not value or len(value) > MAX_IDS or not all(
                isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_ID for v in value):
            self.errors[name] = _l("应为费用编号（正整数）的列表，至少一个、最多 %(n)s 个。", n=MAX_IDS)
            return []
        return value

    def text(self, name, max_length, required=False):
        value = self._value(name, False)
        if value is None:
            value = ""
        if not isinstance(value, str) or "\x00" in value:
            self.errors[name] = _l("应为文字。")
            return ""
        value = value.strip()
        if required and not value:
            self.errors[name] = _l("请填写此项。")
        elif len(value) > max_length:
            self.errors[name] = _l("最多 %(max)d 个字。", max=max_length)
        return value

    def day(self, name, required=True):
        if self._value(name, required) is None:
            return None
        return read_day(self.source, name, self.errors)

    def choice(self, name, choices):
        value = self._value(name, True)
        if value is not None and value not in choices:
            self.errors[name] = _l("应为 %(choices)s 之一。", choices=", ".join(choices))
            return None
        return value

    def done(self):
        if self.errors:
            raise ValidationError(fields=self.errors)
