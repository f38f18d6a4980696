"""One log line per event, as JSON when LOG_FORMAT=json (for log collectors).

Lines written while a request is handled carry its request id (the X-Request-ID nginx sent, or a
new one, echoed in the response), method, path and the signed-in user's id, so one request can be
followed across machines.
"""
import json
import logging
import os
import sys
import uuid

from flask import g, has_request_context, request


def request_fields():
    if not has_request_context():
        return {}
    from flask_login import current_user

    fields = {"request_id": g.get("request_id"), "method": request.method, "path": request.path,
              "remote_addr": request.remote_addr}
    user = current_user._get_current_object() if g.get("_login_user") is not None else None
    if user is not None and user.is_authenticated:
        fields["user_id"] = user.id
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage(), **request_fields()}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _request_id():
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given[:64] if given.isprintable() and given else uuid.uuid4().hex


def _echo_request_id(response):
    if g.get("request_id"):
        response.headers["X-Request-ID"] = g.request_id
    return response


def configure(app):
    app.before_request(_request_id)
    app.after_request(_echo_request_id)
    if app.testing or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    if os.environ.get("LOG_FORMAT") == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(os.environ.get("LOG_LEVEL", "INFO"))
    logging.getLogger("alembic").setLevel(logging.WARNING)  # the health check reads the revision
