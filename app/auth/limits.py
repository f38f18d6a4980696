"""Sign-in rate limits, shared by the web form and the API token endpoint.

Only failed attempts count, per client address and per e-mail address, so a user who signs in
correctly is never locked out by their own successes, and guessing one account's password from
many addresses is still stopped.
"""
from flask import current_app, request

from ..extensions import limiter

FAILED_SIGN_IN = 401


def _email_key():
    email = ""
    if request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            email = str(body.get("email", ""))
    else:
        email = request.form.get("email", "")
    return "email:" + email.strip().lower()


def _failed(response):
    return response.status_code == FAILED_SIGN_IN


per_address = limiter.shared_limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], scope="sign-in-address",
    deduct_when=_failed, methods=["POST"],
)
per_email = limiter.shared_limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_EMAIL"], scope="sign-in-email",
    key_func=_email_key, deduct_when=_failed, methods=["POST"],
)


def sign_in_limited(view):
    return per_address(per_email(view))
