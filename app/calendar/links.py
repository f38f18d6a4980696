"""What the calendar pages and the API both hand out: absolute links (PUBLIC_BASE_URL when set,
else the request's host), the feed's URL, and .ics responses."""
from urllib.parse import urlsplit

from flask import Response, current_app, url_for

from models.user import feed_token


def absolute(endpoint, **values):
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def domain():
    base = current_app.config.get("PUBLIC_BASE_URL")
    return urlsplit(base).hostname if base else "qishare.local"


def feed_url(user):
    return absolute("calendar.feed", user_id=user.id, token=feed_token(current_app.config["SECRET_KEY"], user))


def ics_response(body, filename=None):
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
