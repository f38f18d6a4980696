"""The /api/v1 blueprint: bearer authentication, JSON bodies, lists and validation.

Bearer requests need no CSRF token. A browser session may call the API too; for anything but
GET/HEAD/OPTIONS it must then carry the CSRF token (X-CSRFToken), like any form.
"""
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from models.errors import BadRequest, Forbidden, Unauthorized, ValidationError
from models.user import ApiToken

from .. import clock
from ..extensions import csrf
from ..formtools import NUL_REFUSED, validate_json
from ..pagination import page_args, paginate

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@bp.before_request
def authenticate():
    g.actor, g.api_token = None, None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized(_l("请使用 Bearer 令牌认证。"))
        row = ApiToken.find_valid(token.strip(), clock.now())
        if row is None:
            raise Unauthorized(_l("令牌无效或已过期，请重新获取。"))
        g.actor, g.api_token = row.user, row
    elif current_user.is_authenticated:
        if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()
        g.actor = current_user._get_current_object()


def actor():
    """The authenticated user, or 401."""
    if g.get("actor") is None:
        raise Unauthorized()
    return g.actor


def roles(*allowed):
    """Only these roles may call the endpoint (others get 403; anonymous 401)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if actor().role not in allowed:
                raise Forbidden()
            return view(*args, **kwargs)

        return wrapper

    return decorate


def json_body():
    """The request's JSON object; 400 if the body is not a JSON object."""
    if not request.data:
        body = {}
        declared, g.declared_body = g.get("declared_body"), None
        if declared is not None:
            g.body = declared.check(body)
        return body
    try:
        body = request.get_json(force=True)
    except Exception:  # werkzeug raises BadRequest subclasses for malformed JSON
        raise BadRequest(_l("请求体不是有效的 JSON。")) from None
    if not isinstance(body, dict):
        raise BadRequest(_l("请求体应为 JSON 对象。"))
    with_nul = sorted(_paths_with_nul(body, ""))
    if with_nul:
        raise ValidationError(fields={name: NUL_REFUSED for name in with_nul})
    declared, g.declared_body = g.get("declared_body"), None  # the endpoint's declared Body (app/api/declare.py)
    if declared is not None:
        g.body = declared.check(body)
    return body


def _paths_with_nul(value, prefix):
    """Dotted names of every string (or key) in a JSON value that holds a NUL byte: refused everywhere."""
    if isinstance(value, str):
        return [prefix.rstrip(".") or "_body"] if "\x00" in value else []
    if isinstance(value, dict):
        return [path for key, inner in value.items() for path in (
            [f"{prefix}{key}"] if "\x00" in str(key) else _paths_with_nul(inner, f"{prefix}{key}."))]
    if isinstance(value, list):
        return [path for index, inner in enumerate(value) for path in _paths_with_nul(inner, f"{prefix}{index}.")]
    return []


def declared_body():
    """The values of the endpoint's declared Body (@operation(body=Body(...))), checked: call it after the
    scope checks, so that 404 and 403 come before 422."""
    json_body()
    return g.body


def reason_of(body):
    """The optional "reason" of a transition: text of at most 500 characters."""
    reason = body.get("reason") or ""
    if not isinstance(reason, str) or len(reason) > 500 or "\x00" in reason:
        raise ValidationError(fields={"reason": _l("原因最多 500 字。")})
    return reason


def hyphenated(actions):
    """The API spells the models' action names with hyphens (check_in → check-in): for a route's any()."""
    return ", ".join(f"'{name.replace('_', '-')}'" for name in actions)


def unhyphenated(action):
    return action.replace("-", "_")


def validated(form_class, payload=None, **kwargs):
    return validate_json(form_class, json_body() if payload is None else payload, **kwargs)


def listing(stmt, serialize, default_per_page=20, batch=None, key=None, count_apart=False):
    """One page of `stmt` as JSON. With `batch`, what the page's items need from elsewhere is read once
    for the whole page (batch(items)) and handed to serialize(item, that). `key`, `count_apart`: paginate()'s."""
    page, per_page = page_args(request.args, default_per_page)
    result = paginate(stmt, page, per_page, key=key, count_apart=count_apart)
    if batch is None:
        items = [serialize(item) for item in result.items]
    else:
        extra = batch(result.items)
        items = [serialize(item, extra) for item in result.items]
    return jsonify(items=items, total=result.total, page=result.page, per_page=result.per_page)


def created(body):
    return jsonify(body), 201
