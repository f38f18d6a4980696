"""What each endpoint takes, declared once: the declaration validates the input and describes it in
`GET /api/v1/openapi.json` (app/api/openapi.py), so the description cannot drift from the checks.

    @bp.post("/charges/<charge_id>/adjustment-requests")
    @operation("申请调整金额 · ask for an adjustment", body=Body(amount=Money(), reason=Text(500, required=True)),
               status=201)
    def request_adjustment(charge_id):
        charge = get_in_scope(Charge, charge_id, actor())   # 404 before any 422
        body = declared_body()                              # {"amount": Decimal, "reason": str} or 422
        ...

A body is a `Body` of the strict readers below (a 422 naming every bad field, in the user's language),
checked when the handler reads it (`declared_body()` or `json_body()`), or a WTForms class the web pages
validate with too (the handler then calls `validated(Form)`; its schema is read from the form's fields).
`query=` takes a `Query` of the same readers, checked before the handler runs. Path parameters come
from the route. Every operation answers the error body of API.md.
"""
from dataclasses import dataclass, field
from functools import wraps

from flask import g, request
from flask_babel import lazy_gettext as _l

from ..formtools import EARLIEST, LATEST, NOT_BOOLEAN, NOT_OBJECT, read_day, read_instant
from .base import json_body
from .strict import Fields

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
MISSING = _l("请填写此项。")


@dataclass(kw_only=True)
class Spec:
    """One field: how to read it (with strict.Fields) and how to describe it (JSON Schema)."""

    required: bool = False
    description: str = ""

    def schema(self):
        raise NotImplementedError

    def described(self):
        out = self.schema()
        if self.description:
            out["description"] = self.description
        return out


@dataclass
class Text(Spec):
    max_length: int = 500

    def read(self, fields, name):
        return fields.text(name, self.max_length, required=self.required)

    def schema(self):
        return {"type": "string", "maxLength": self.max_length}


@dataclass
class Money(Spec):
    required: bool = field(default=True, kw_only=True)

    def read(self, fields, name):
        return fields.money(name, required=self.required)

    def schema(self):
        return {"type": "string", "pattern": r"^\d{1,9}(\.\d{1,2})?$", "examples": ["600.00"]}


@dataclass
class Integer(Spec):
    minimum: int = 0
    maximum: int = 2**31 - 1
    required: bool = field(default=True, kw_only=True)

    def read(self, fields, name):
        return fields.integer(name, self.minimum, self.maximum, required=self.required)

    def schema(self):
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


@dataclass
class Ident(Spec):
    required: bool = field(default=True, kw_only=True)

    def read(self, fields, name):
        return fields.ident(name, required=self.required)

    def schema(self):
        return {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


@dataclass
class Ref(Spec):
    """An id the handler looks up in scope: 1.5, true or a list is a 422; anything else unknown a 404."""

    required: bool = field(default=True, kw_only=True)

    def read(self, fields, name):
        value = fields.source.get(name)
        if isinstance(value, bool | float | list | dict):
            fields.errors[name] = _l("应为编号（正整数）。")
        return value

    def schema(self):
        return {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


@dataclass
class Idents(Spec):
    required: bool = field(default=True, kw_only=True)

    def read(self, fields, name):
        return fields.idents(name)

    def schema(self):
        return {"type": "array", "minItems": 1, "maxItems": 500,
                "items": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}


@dataclass
class Day(Spec):
    required: bool = field(default=True, kw_only=True)

    def read(self, fields, name):
        return fields.day(name, required=self.required)

    def schema(self):
        return {"type": "string", "format": "date", "pattern": DATE_PATTERN,
                "formatMinimum": EARLIEST.isoformat(), "formatMaximum": LATEST.isoformat()}


@dataclass
class Instant(Spec):
    required: bool = field(default=True, kw_only=True)

    def read(self, fields, name):
        return read_instant(fields.source, name, fields.errors, optional=not self.required)

    def schema(self):
        return {"type": "string", "examples": ["2026-05-06T09:00:00+08:00"],
                "description": "ISO 8601; without an offset: Asia/Shanghai; 2000–2099"}


@dataclass
class Choice(Spec):
    values: tuple = ()
    required: bool = field(default=True, kw_only=True)

    def read(self, fields, name):
        if fields.source.get(name) in (None, "") and not self.required:
            return None
        return fields.choice(name, self.values)

    def schema(self):
        return {"type": "string", "enum": list(self.values)}


@dataclass
class Flag(Spec):
    def read(self, fields, name):
        value = fields.source.get(name)
        if value is None:
            return None
        if not isinstance(value, bool):
            fields.errors[name] = NOT_BOOLEAN
            return None
        return value

    def schema(self):
        return {"type": "boolean"}


@dataclass
class Object(Spec):
    """A nested object whose fields the handler (or its service) reads on."""

    properties: dict = field(default_factory=dict)

    def read(self, fields, name):
        value = fields.source.get(name)
        if value is None:
            if self.required:
                fields.errors[name] = MISSING
            return None
        if not isinstance(value, dict):
            fields.errors[name] = NOT_OBJECT
            return None
        inner = Fields(value)
        for key, spec in self.properties.items():
            spec.read(inner, key)
        fields.errors.update({f"{name}.{key}": message for key, message in inner.errors.items()})
        return value

    def schema(self):
        return {"type": "object", "properties": {k: s.described() for k, s in self.properties.items()},
                "required": [k for k, s in self.properties.items() if s.required]}


@dataclass
class ListOf(Spec):
    item: Spec = None
    max_items: int = 100

    def read(self, fields, name):
        value = fields.source.get(name)
        if value is None:
            if self.required:
                fields.errors[name] = MISSING
            return None
        if not isinstance(value, list) or len(value) > self.max_items:
            fields.errors[name] = _not_list(self.max_items)
            return None
        for index, item in enumerate(value):
            inner = Fields({"v": item})
            self.item.read(inner, "v")
            if inner.errors:
                fields.errors[f"{name}.{index}"] = inner.errors.get("v") or next(iter(inner.errors.values()))
        return value

    def schema(self):
        return {"type": "array", "maxItems": self.max_items, "items": self.item.described()}


def _not_list(n):
    return _l("应为列表，最多 %(n)s 项。", n=n)


class Body:
    """A JSON object body: Body(amount=Money(), reason=Text(500)). read() → {name: value} or 422."""

    where = "body"

    def __init__(self, **specs):
        self.specs = specs

    def source(self):
        return json_body()

    def check(self, payload):
        """Called by json_body() once the handler asks for the body, i.e. after its scope checks (404 and
        403 before 422: a stranger learns nothing from the validation)."""
        fields = Fields(payload)
        values = {name: spec.read(fields, name) for name, spec in self.specs.items()}
        fields.done()
        return values

    def read(self):
        fields = Fields(self.source())
        values = {name: spec.read(fields, name) for name, spec in self.specs.items()}
        fields.done()
        return values

    def schema(self):
        return {"type": "object", "properties": {name: spec.described() for name, spec in self.specs.items()},
                "required": [name for name, spec in self.specs.items() if spec.required]}


class Query(Body):
    """Query-string parameters, read with the same specs (a number arrives as text: QueryInt)."""

    where = "query"

    def source(self):
        return request.args


@dataclass
class QueryInt(Spec):
    """An integer parameter of a query string (?page=2)."""

    minimum: int = 1
    maximum: int = 2**31 - 1
    required: bool = field(default=False, kw_only=True)

    def read(self, fields, name):
        value = fields.source.get(name)
        if value in (None, ""):
            return None
        if not str(value).isdigit() or not self.minimum <= int(value) <= self.maximum:
            fields.errors[name] = _range(self.minimum, self.maximum)
            return None
        return int(value)

    def schema(self):
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


@dataclass
class QueryDay(Spec):
    required: bool = field(default=False, kw_only=True)

    def read(self, fields, name):
        return read_day(fields.source, name, fields.errors)

    def schema(self):
        return Day().schema()


def _range(minimum, maximum):
    return _l("应为 %(min)s 到 %(max)s 之间的整数。", min=minimum, max=maximum)


@dataclass
class Paging(QueryInt):
    """page and per_page: described; read leniently by app/pagination.py (per_page is capped at 100)."""

    def read(self, fields, name):
        return None


PAGING = {"page": Paging(1, 100000), "per_page": Paging(1, 100)}


@dataclass
class Operation:
    summary: str
    body: object = None
    query: object = None
    form: object = None
    multipart: dict = None
    roles: tuple = ()
    public: bool = False
    status: int = 200
    returns: str = "json"
    paged: bool = False
    response: dict = None


def operation(summary, *, body=None, query=None, roles=(), public=False, status=200, returns="json",
              paged=False, multipart=None, response=None):
    """Declare an endpoint: validate its query before the handler runs (into g.query), its JSON body when
    the handler reads it (json_body(), after the handler's scope checks), and
    describe it in the OpenAPI document. `body` may be a WTForms class (the handler validates with it).
    `returns`: "json", "empty" (204), or a media type (a file download); `response`: the JSON Schema of a
    success (app/api/responses.py), which the fuzzer then holds every answer to."""
    form = body if isinstance(body, type) else None
    declared = Operation(summary, None if form else body, query, form, multipart, roles, public, status,
                         returns, paged, response)
    if paged:
        declared.query = Query(**{**(query.specs if query else {}), **PAGING})

    def decorate(view):
        @wraps(view)
        def validating(*args, **kwargs):
            g.query = declared.query.read() if declared.query is not None else {}
            g.declared_body = declared.body
            return view(*args, **kwargs)

        validating.openapi = declared
        return validating

    return decorate


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE = {"type": "string", "format": "binary"}
