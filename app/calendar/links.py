"""Absolute links for calendars and e-mails: PUBLIC_BASE_URL when set, else the request's host."""
from urllib.parse import urlsplit

from flask import current_app, url_for

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
