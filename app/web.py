"""Small helpers shared by the page views."""
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from models.errors import Forbidden

from .formtools import apply_field_errors


def safe_target(target, fallback_endpoint="main.index"):
    """A redirect target only if it stays on this site (no open redirects)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for(fallback_endpoint)


def redirect_back(target, fallback_endpoint="main.index"):
    return redirect(safe_target(target, fallback_endpoint))


def error_text(error):
    """A domain error in one line: its message, then each field's."""
    return " ".join([str(error.message)] + [str(why) for why in error.fields.values()])


def flash_error(error):
    flash(error_text(error), "danger")


def show_errors(form, error, rename=None):
    """Put a service's ValidationError on the form; flash whatever has no field.

    `rename` maps the service's field names to the form's (an API's `user_id` is a page's `email`)."""
    if rename:
        error = type(error)(error.message, {rename.get(name, name): why for name, why in error.fields.items()})
    if not apply_field_errors(form, error) or not error.fields:
        flash(error.message, "danger")


def refuse_unapproved_staff():
    """The console's answer to someone who is not staff of an approved institution: staff of one still
    waiting see where their application stands (待审核 or why it was turned down), anyone else 403."""
    if not current_user.is_institution_staff:
        raise Forbidden()
    return render_template("console/pending.html", org=current_user.organization), 403
