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
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation

from models.errors import ValidationError as DomainValidationError
from models.timeutil import parse_instant

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
    invalid = _l("请输入整数。")


class DecimalInput(_Lenient, DecimalField):
    invalid = _l("请输入数字。")


class DateInput(_Lenient, DateField):
    invalid = _l("日期格式应为 YYYY-MM-DD，且须是存在的日期。")


EMAIL_MESSAGE = _l("请输入有效的电子邮箱地址。")
INVALID_INSTANT = _l("请填写有效的时间，如 2026-05-06T09:00（不带时区即北京时间）。")


def read_instant(source, name, fields, *, optional=False):
    """The one reading of a time typed into a form or sent in JSON: ISO 8601, Beijing time unless it
    names a zone. Missing (unless optional) or unreadable: None, and the one message in fields[name]."""
    value = source.get(name)
    if optional and value in (None, ""):
        return None
    try:
        return parse_instant(value)
    except (ValueError, TypeError):
        fields[name] = INVALID_INSTANT
        return None


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


def validate_json(form_class, payload, **kwargs):
    """Validate an API payload with a web form class; raise the domain ValidationError."""
    form = form_class(formdata=formdata_from_json(payload), meta={"csrf": False}, **kwargs)
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
