"""`GET /api/v1/openapi.json`: the OpenAPI 3.1 description of every /api/v1 route, built at request time
from the `@operation` declarations (app/api/declare.py) and the routes themselves."""
import re

from flask import current_app, jsonify
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from .base import bp
from .declare import operation

ERROR = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "examples": ["validation_error"]},
        "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "per field: why it was refused (dotted names for nested fields)"},
        "booking_ids": {"type": "array", "items": {"type": "integer"}},
    }}},
}
ERRORS = {"400": "malformed JSON", "401": "no or bad credentials", "403": "not allowed for this object",
          "404": "unknown or outside the actor's scope", "409": "conflict or invalid state transition",
          "413": "body too large", "422": "validation or policy", "429": "rate limited"}
CONVERTER = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def _path_parameter(converter, args, name):
    schema = {"type": "string", "maxLength": 40}
    if converter == "int":
        schema = {"type": "integer", "minimum": 0}
    elif converter == "any":
        schema = {"type": "string", "enum": re.findall(r"'([^']+)'", args)}
    elif name.endswith("_id") or name == "id":
        schema = {"type": "string", "pattern": r"^\d{1,10}$", "description": "an id (1 … 2^31-1)"}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _openapi_path(rule):
    parameters = []

    def replace(match):
        converter, args, name = match.groups()
        parameters.append(_path_parameter(converter, args or "", name))
        return "{" + name + "}"

    return CONVERTER.sub(replace, rule.rule).removeprefix(bp.url_prefix), parameters


def form_schema(form_class):
    """JSON Schema of a WTForms form as the API's JSON bridge reads it (app/formtools.py)."""
    form = form_class(formdata=None, meta={"csrf": False})
    return _fields_schema(form)


def _fields_schema(form):
    properties, required = {}, []
    for name, field in form._fields.items():
        properties[name] = _field_schema(field)
        if field.label and field.label.text:
            properties[name]["title"] = str(field.label.text)
        if field.description:
            properties[name]["description"] = str(field.description)
        if any(isinstance(v, DataRequired | InputRequired) for v in field.validators):
            required.append(name)
    return {"type": "object", "properties": properties, "required": required}


def _choices(field):
    try:
        return [value for value, *_ in field.iter_choices()]
    except Exception:  # choices read from the database per request: left open
        return None


def _field_schema(field):
    if isinstance(field, FormField):
        return _fields_schema(field.form)
    if isinstance(field, FieldList):
        entry = field.entries[0] if field.entries else field.append_entry()
        return {"type": "array", "maxItems": field.max_entries or 100, "items": _field_schema(entry)}
    if isinstance(field, SelectMultipleField):
        choices = _choices(field)
        return {"type": "array", "items": {"type": "string", **({"enum": choices} if choices else {})}}
    if isinstance(field, BooleanField):
        return {"type": "boolean"}
    if isinstance(field, IntegerField):
        return {"type": "integer", **_bounds(field, -(2**31 - 1), 2**31 - 1)}
    if isinstance(field, DecimalField):
        return {"type": ["string", "number"], "description": "a finite decimal, e.g. \"600.00\""}
    if isinstance(field, DateField):
        first = getattr(field, "earliest", None)
        return {"type": "string", "format": "date",
                "description": f"YYYY-MM-DD, {first or '2000-01-01'} … 2099-12-31"}
    if isinstance(field, SelectField):
        choices = [c for c in (_choices(field) or []) if c not in ("", None)]
        kinds = sorted({"integer" if isinstance(c, int) else "string" for c in choices}) or ["string", "integer"]
        out = {"type": kinds[0] if len(kinds) == 1 else kinds}
        if choices and len(choices) <= 200:
            out["enum"] = choices
        return out
    out = {"type": "string"}
    if isinstance(field, EmailField):
        out["format"] = "email"
    for validator in field.validators:
        if isinstance(validator, Length) and validator.max and validator.max > 0:
            out["maxLength"] = validator.max
    return out


def _bounds(field, low, high):
    for validator in field.validators:
        if isinstance(validator, NumberRange):
            low = validator.min if validator.min is not None else low
            high = validator.max if validator.max is not None else high
    return {"minimum": low, "maximum": high}


def _parameters(query):
    if query is None:
        return []
    schema = query.schema()
    return [{"name": name, "in": "query", "required": name in schema["required"], "schema": spec}
            for name, spec in schema["properties"].items()]


def _request_body(declared):
    if declared.form is not None:
        schema = form_schema(declared.form)
    elif declared.body is not None:
        schema = declared.body.schema()
    elif declared.multipart:
        return {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "properties": declared.multipart}}}}
    else:
        return None
    return {"required": False, "content": {"application/json": {"schema": schema}}}


def _responses(declared):
    if declared.returns == "empty":
        ok = {"description": "done"}
    elif declared.returns == "json":
        schema = declared.response or {"type": "object"}
        if declared.paged and declared.response is None:
            schema = {"type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
                "items": {"type": "array", "items": {"type": "object"}}, "total": {"type": "integer"},
                "page": {"type": "integer"}, "per_page": {"type": "integer"}}}
        ok = {"description": "OK", "content": {"application/json": {"schema": schema}}}
    else:
        ok = {"description": "a file", "content": {declared.returns: {"schema": {"type": "string",
                                                                                "format": "binary"}}}}
    out = {str(declared.status): ok}
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    out.update({status: {"description": why, **error} for status, why in ERRORS.items()})
    return out


def _operation(rule, method, declared, parameters):
    module = current_app.view_functions[rule.endpoint].__module__.rsplit(".", 1)[-1]
    op = {"operationId": f"{rule.endpoint.removeprefix('api.')}_{method}", "summary": str(declared.summary),
          "tags": [module], "parameters": parameters + _parameters(declared.query),
          "responses": _responses(declared)}
    if declared.roles:
        op["description"] = "roles: " + ", ".join(declared.roles)
    if declared.public:
        op["security"] = [{}, {"bearer": []}]
    body = _request_body(declared)
    if body is not None and method in ("post", "put", "patch", "delete"):
        op["requestBody"] = body
    return op


def document():
    paths = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        declared = getattr(current_app.view_functions[rule.endpoint], "openapi", None)
        if declared is None:
            continue
        path, parameters = _openapi_path(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, method.lower(), declared, parameters)
    return {
        "openapi": "3.1.0",
        "info": {"title": "QI-Share API", "version": "1.0",
                 "description": "质量基础设施仪器共享平台 HTTP API v1 (shared/API.md). Errors: "
                                "{\"error\": {\"code\", \"message\", \"fields\"?}}."},
        "servers": [{"url": bp.url_prefix}],
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": {"Error": ERROR},
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "POST /auth/token"}}},
    }


def undescribed():
    """Rules of the API blueprint without a declaration (the test keeps this empty)."""
    return sorted(rule.rule for rule in current_app.url_map.iter_rules() if rule.endpoint.startswith("api.")
                  and getattr(current_app.view_functions[rule.endpoint], "openapi", None) is None)


@bp.get("/openapi.json")
@operation("本 API 的 OpenAPI 3.1 描述 · this document", public=True)
def openapi_json():
    return jsonify(document())
