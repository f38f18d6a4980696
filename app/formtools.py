"""Shared form pieces, and the bridge that lets the API validate JSON with the same forms.

The web and the API validate input with one set of WTForms classes. The API flattens a JSON
object into the form-data names WTForms uses (nested objects as `parent-child`, lists of objects
as `items-0-name`), validates, and reports errors under dotted names (`metrology.valid_until`);
app/errors.py adds the bare name of nested fields (`uscc`) so clients can match either.
"""
from datetime import date
from decimal import Decimal, InvalidOperation

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation

from models.errors import ValidationError as DomainValidationError
from models.timeutil import local, parse_instant

from .policy import MAX_ID

# API.md "Input is typed strictly": the dates any input may name, ids that fit a 32-bit column, and the
# largest amount a Numeric(12, 2) column holds (narrower columns carry their own maximum).
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
AMOUNT_LIMIT = Decimal(10) ** 10
NUL_REFUSED = _l("不能包含 NUL 控制字符。")
DATE_RANGE = _l("日期格式应为 YYYY-MM-DD，且在 2000-01-01 到 2099-12-31 之间。")

required = DataRequired(message=_l("请填写此项。"))
# For numbers: 0 is an answer (DataRequired would call it missing) that a range check then judges.
present = InputRequired(message=_l("请填写此项。"))
optional = Optional()


class _Lenient:
    """Blank input is no value (a required-validator then speaks); input that does not parse gets
    `invalid` as its message, in our words rather than WTForms' English."""

    invalid = None

    def process_formdata(self, valuelist):
        if valuelist and str(valuelist[0]).strip() == "":
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.invalid) from None


class IntegerInput(_Lenient, IntegerField):
    """An integer that fits the database's 32-bit columns."""

    invalid = _l("请输入整数。")

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if valuelist and self.data is not None and not -MAX_ID <= self.data <= MAX_ID:
            self.data = None
            raise ValueError(_l("数值超出范围。"))


class DecimalInput(_Lenient, DecimalField):
    """A finite number (no NaN, Infinity or 1e400) small enough for a Numeric(12, 2) column."""

    invalid = _l("请输入数字。")

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if valuelist and self.data is not None and (not self.data.is_finite() or abs(self.data) >= AMOUNT_LIMIT):
            self.data = None
            raise ValueError(_l("请输入有限的数字（小于 %(max)s）。", max=f"{AMOUNT_LIMIT:,.0f}"))


class DateInput(_Lenient, DateField):
    """A date between 2000-01-01 and 2099-12-31 (a field may allow an earlier first date)."""

    invalid = _l("日期格式应为 YYYY-MM-DD，且须是存在的日期。")

    def __init__(self, label=None, validators=None, earliest=EARLIEST, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.earliest = earliest

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if valuelist and self.data is not None and not self.earliest <= self.data <= LATEST:
            self.data = None
            raise ValueError(_l("日期应在 %(first)s 到 %(last)s 之间。", first=self.earliest.isoformat(),
                                last=LATEST.isoformat()))


def refuse_nul(value):
    """A filter every form field gets (StrictForm): text with a NUL byte is refused, never stored."""
    texts = value if isinstance(value, list | tuple) else [value]
    if any(isinstance(text, str) and "\x00" in text for text in texts):
        raise ValueError(NUL_REFUSED)
    return value


class _StrictMeta:
    def bind_field(self, form, unbound_field, options):
        if not issubclass(unbound_field.field_class, FormField | FieldList):
            options = dict(options, filters=(refuse_nul, *unbound_field.kwargs.get("filters", ())))
        return super().bind_field(form, unbound_field, options)


class StrictForm(FlaskForm):
    """The base of every page form: each field refuses NUL bytes (numbers and dates are bounded by
    the field types above)."""

    class Meta(_StrictMeta):
        pass


class StrictSubform(Form):
    """The same, for the groups of fields a form nests (FormField)."""

    class Meta(_StrictMeta):
        pass


EMAIL_MESSAGE = _l("请输入有效的电子邮箱地址。")
INVALID_INSTANT = _l("请填写有效的时间，如 2026-05-06T09:00（不带时区即北京时间）。")
INSTANT_RANGE = _l("时间应在 2000-01-01 到 2099-12-31 之间。")


def read_instant(source, name, fields, *, optional=False):
    """The one reading of a time typed into a form or sent in JSON: ISO 8601, Beijing time unless it
    names a zone, between 2000 and 2099. Missing (unless optional) or unreadable: None, and the one
    message in fields[name]."""
    value = source.get(name)
    if optional and value in (None, ""):
        return None
    try:
        instant = parse_instant(value)
        day = local(instant).date()
    except (ValueError, TypeError, OverflowError):
        fields[name] = INVALID_INSTANT
        return None
    if not EARLIEST <= day <= LATEST:
        fields[name] = INSTANT_RANGE
        return None
    return instant


def read_day(source, name, fields, default=None):
    """A date (YYYY-MM-DD, 2000–2099) in a query string or a JSON body; `default` when absent."""
    value = source.get(name)
    if value in (None, ""):
        return default
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        found = date.fromisoformat(value)
    except ValueError:
        found = None
    if found is None or not EARLIEST <= found <= LATEST:
        fields[name] = DATE_RANGE
        return None
    return found


def read_instants(source, *names, optional=False):
    """Several times at once, or one ValidationError naming each that is not a time."""
    fields = {}
    values = [read_instant(source, name, fields, optional=optional) for name in names]
    if fields:
        raise DomainValidationError(fields=fields)
    return values


def max_length(n):
    return Length(max=n, message=_l("最多 %(max)d 个字。", max=n))


def email_problem(address):
    """Why `address` is not an e-mail address we accept, or None: the one rule of every form, the API and the
    imports. Syntax only (no DNS). Intranet `.local` domains are accepted, the demo's (lab@demo.local) among them;
    other special-use names (localhost, .test, .invalid) are refused."""
    try:
        domain = validate_email(address, check_deliverability=False).domain
    except EmailNotValidError:
        local, _at, domain = (address or "").rpartition("@")
        if not domain.lower().endswith(".local"):
            return EMAIL_MESSAGE
        return email_problem(f"{local}@{domain[:-len('.local')]}.example.com") if local else EMAIL_MESSAGE
    return None if "." in domain else EMAIL_MESSAGE


class EmailAddress:
    """WTForms validator for email_problem(); empty input is left to Optional/required."""

    def __call__(self, form, field):
        if field.data and email_problem(field.data):
            raise StopValidation(str(EMAIL_MESSAGE))


def strip(value):
    return value.strip() if isinstance(value, str) else value


class ChoiceField(SelectField):
    """A select whose "not a valid choice" error is in our words and language."""

    def pre_validate(self, form):
        if self.data in (None, "") and any(isinstance(v, Optional) for v in self.validators):
            return
        values = {str(value) for value, *_ in self.iter_choices()}
        if str(self.data) not in values:
            raise ValidationError(_l("请从列表中选择一项。"))


class MultiChoiceField(SelectMultipleField):
    """A multi-select that names the values it does not know, in our words."""

    def pre_validate(self, form):
        known = {str(value) for value, *_ in self.iter_choices()}
        unknown = [str(v) for v in self.data or [] if str(v) not in known]
        if unknown:
            raise ValidationError(_l("不认识的选项：%(values)s", values=", ".join(unknown)))


def positive_decimal(places=2, allow_zero=True, maximum=None):
    def check(form, field):
        if field.data in (None, ""):
            return
        try:
            value = Decimal(str(field.data))
        except InvalidOperation:
            raise ValidationError(_l("请输入数字。")) from None
        if value < 0 or (value == 0 and not allow_zero):
            raise ValidationError(_l("不能为负数。") if value < 0 else _l("必须大于 0。"))
        if maximum is not None and value > maximum:
            raise ValidationError(_l("不能大于 %(max)s。", max=maximum))
        if -value.as_tuple().exponent > places:
            raise ValidationError(_l("最多保留 %(n)d 位小数。", n=places))

    return check


def not_in_future(today_func):
    def check(form, field):
        if isinstance(field.data, date) and field.data > today_func():
            raise ValidationError(_l("日期不能晚于今天。"))

    return check


# JSON bridge -------------------------------------------------------------------------------

def _flatten(value, prefix, out):
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{prefix}-{key}" if prefix else str(key), out)
    elif isinstance(value, list):
        if value and all(isinstance(item, dict) for item in value):
            for index, item in enumerate(value):
                _flatten(item, f"{prefix}-{index}", out)
        else:
            for item in value:
                out.add(prefix, _scalar(item))
    elif value is not None:
        out.add(prefix, _scalar(value))


def _scalar(value):
    if value is True:
        return "y"
    if value is False:
        return "false"
    return str(value)


def formdata_from_json(payload):
    out = MultiDict()
    _flatten(payload or {}, "", out)
    return out


def _collect(errors, prefix, out):
    """Walk WTForms' errors: dicts for (sub)forms, lists per FieldList entry, strings at leaves."""
    if isinstance(errors, dict):
        for key, inner in errors.items():
            name = prefix if key is None else (f"{prefix}.{key}" if prefix else str(key))
            _collect(inner, name, out)
    elif isinstance(errors, list | tuple):
        for index, inner in enumerate(errors):
            if isinstance(inner, dict | list | tuple):
                if inner:
                    _collect(inner, f"{prefix}.{index}", out)
            else:
                out.setdefault(prefix or "_form", str(inner))


def field_errors(form):
    """{dotted.name: first message} for every field that failed."""
    out = {}
    _collect(form.errors, "", out)
    return out


NOT_TEXT = _l("应为文字（字符串）。")
NOT_INTEGER = _l("应为整数。")
NOT_NUMBER = _l("应为数字或数字字符串，如 \"600.00\"。")
NOT_BOOLEAN = _l("应为 true 或 false。")
NOT_SCALAR = _l("应为单个值，不能是列表或对象。")
NOT_LIST = _l("应为列表。")
NOT_OBJECT = _l("应为对象。")


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _type_error(field, value):
    """Why a JSON value cannot be this form field's input, or None (API.md: input is typed strictly)."""
    if isinstance(field, FormField):
        return None if isinstance(value, dict) else NOT_OBJECT
    if isinstance(field, FieldList | SelectMultipleField):
        return None if isinstance(value, list) else NOT_LIST
    if isinstance(value, dict | list):
        return NOT_SCALAR
    if isinstance(field, BooleanField):
        return None if isinstance(value, bool) else NOT_BOOLEAN
    if isinstance(field, IntegerField):
        return None if _is_int(value) else NOT_INTEGER
    if isinstance(field, DecimalField):
        return None if isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)) \
            else NOT_NUMBER
    if isinstance(field, SelectField):
        return None if isinstance(value, str) or _is_int(value) else NOT_TEXT
    if isinstance(field, StringField | DateField):
        return None if isinstance(value, str) else NOT_TEXT
    return None


def json_type_errors(form, payload, prefix="", out=None):
    """{dotted.name: message} for JSON values of the wrong type, before WTForms turns them into text."""
    out = {} if out is None else out
    for name, field in form._fields.items():
        value = payload.get(name) if isinstance(payload, dict) else None
        if value is None:
            continue
        dotted = f"{prefix}{name}"
        problem = _type_error(field, value)
        if problem is not None:
            out[dotted] = problem
        elif isinstance(field, FormField):
            json_type_errors(field.form, value, f"{dotted}.", out)
        elif isinstance(field, FieldList):
            if field.max_entries and len(value) > field.max_entries:
                out[dotted] = _l("最多 %(n)s 项。", n=field.max_entries)
                continue
            for index, (entry, item) in enumerate(zip(field.entries, value, strict=False)):
                if isinstance(entry, FormField):
                    if not isinstance(item, dict):
                        out[f"{dotted}.{index}"] = NOT_OBJECT
                    else:
                        json_type_errors(entry.form, item, f"{dotted}.{index}.", out)
    return out


def validate_json(form_class, payload, **kwargs):
    """Validate an API payload with a web form class; raise the domain ValidationError."""
    form = form_class(formdata=formdata_from_json(payload), meta={"csrf": False}, **kwargs)
    wrong_types = json_type_errors(form, payload or {})
    if wrong_types:
        raise DomainValidationError(fields=wrong_types)
    if not form.validate():
        raise DomainValidationError(fields=field_errors(form))
    return form


def apply_field_errors(form, error):
    """Show a service's field errors on a web form; False if some had no field to sit on."""
    placed = True
    for name, message in error.fields.items():
        field = _find_field(form, name)
        if field is None:
            placed = False
            continue
        field.errors = list(field.errors or []) + [str(message)]
    return placed


def _find_field(form, dotted):
    node = form
    for part in dotted.split("."):
        if isinstance(node, FormField):
            node = node.form
        if isinstance(node, Form):
            node = node._fields.get(part)
        elif isinstance(node, FieldList) and part.isdigit() and int(part) < len(node.entries):
            node = node.entries[int(part)]
        else:
            return None
        if node is None:
            return None
    return node
