"""The one clock the web uses. Tests and demos pin it with the NOW_OVERRIDE setting."""
from flask import current_app, has_app_context

from models.base import utcnow


def now():
    pinned = current_app.config.get("NOW_OVERRIDE") if has_app_context() else None
    if pinned is None:
        return utcnow()
    return pinned() if callable(pinned) else pinned
