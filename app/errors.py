"""Errors rendered one way: an HTML page on the web, {"error": {"code", "message", "fields"?}} under /api/v1.

Domain exceptions (models/errors.py) carry their status and code. HTTP exceptions raised by
Flask/Werkzeug/extensions are mapped to the same codes here. Anything unexpected becomes a
500 that says nothing about its cause (the traceback goes to the log).
"""
from flask import current_app, jsonify, make_response, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from models import db
from models.errors import (
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthorized,
    ValidationError,
)

from .formtools import NUL_REFUSED

# The codes and messages of HTTP errors raised outside our code (Werkzeug, extensions): the domain
# error of the same status says them; three statuses have no domain error.
HTTP_CODES = {error.status: (error.code, error.default_message) for error in (
    BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, ValidationError, RateLimited)}
HTTP_CODES.update({
    405: ("method_not_allowed", _l("不支持此请求方法。")),
    415: ("unsupported_media_type", _l("不支持的内容类型。")),
    500: ("internal_error", _l("系统出现了问题，我们已记录，请稍后再试。")),
})


def wants_json():
    return request.path.startswith("/api/")


def error_body(code, message, fields=None, details=None):
    body = {"code": code, "message": str(message), **(details or {})}
    if fields:
        named = {name: str(why) for name, why in fields.items()}
        for dotted, why in list(named.items()):
            leaf = dotted.rsplit(".", 1)[-1]
            if "." in dotted and not leaf.isdigit():
                named.setdefault(leaf, why)  # organization.uscc is also reported as uscc
        body["fields"] = named
    return {"error": body}


def render_error(status, code, message, fields=None, headers=None, details=None):
    if wants_json():
        response = jsonify(error_body(code, message, fields, details))
    else:
        response = make_response(render_template(
            "errors/error.html", status=status, code=code, message=message, fields=fields or {}
        ))
    response.status_code = status
    if headers:
        response.headers.extend(headers)
    return response


def handle_domain_error(error):
    get_locale()  # chosen now (it is kept for the request): after the rollback the user's columns read again
    db.session.rollback()
    return render_error(error.status, error.code, error.message, error.fields, getattr(error, "headers", None),
                        details=error.details)


def handle_csrf_error(error):
    return render_error(400, "csrf_failed", _l("页面已过期或请求来源不明，请刷新页面后重试。"))


def handle_http_error(error):
    code, message = HTTP_CODES.get(error.code, ("error", error.description))
    if error.code == 429:
        headers = [("Retry-After", str(getattr(error, "retry_after", 60) or 60))]
        return render_error(429, code, message, headers=headers)
    if error.code == 405 and error.valid_methods:
        return render_error(405, code, message, headers=[("Allow", ", ".join(error.valid_methods))])
    return render_error(error.code or 500, code, message)


def handle_stale(error):
    db.session.rollback()
    return render_error(Conflict.status, Conflict.code, Conflict.default_message)


def handle_unexpected(error):
    db.session.rollback()
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    code, message = HTTP_CODES[500]
    return render_error(500, code, message)


def refuse_nul_in_query():
    """A NUL byte in any query parameter (a search's q, a filter) is a 422 naming it, on every page and
    endpoint: PostgreSQL cannot even compare such text."""
    bad = sorted({name for name, value in request.args.items(multi=True) if "\x00" in name + value})
    if bad:
        raise ValidationError(fields={name.replace("\x00", "") or "_query": NUL_REFUSED for name in bad})


def register(app):
    app.before_request(refuse_nul_in_query)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(StaleDataError, handle_stale)
    app.register_error_handler(Exception, handle_unexpected)
