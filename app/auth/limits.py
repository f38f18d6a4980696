"""Sign-in and password-reset limits that hold across every web worker and machine: attempts are rows in
the database.

Only failed attempts count, per e-mail address and per client address, so a user who signs in
correctly is never locked out by their own successes, and guessing one account's password from many
addresses is still stopped. Each attempt is recorded and committed *before* its password is checked,
then the attempts in the window are counted: of any number of parallel guesses, at most the limit get
their password checked, whichever worker serves them. A success deletes its row; a refused attempt
(429) is not counted. Password-reset requests are counted the same way, all of them.
"""
import re
import unicodedata
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import lazy_gettext as _l

from models import SignInAttempt, db
from models.errors import RateLimited

from .. import clock
from . import services

UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_limit(text):
    """'5 per 10 minutes' -> (5, timedelta(minutes=10))."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:per|/)\s*(\d*)\s*(second|minute|hour|day)s?\s*", text)
    if match is None:
        raise ValueError(f"not a limit: {text!r} (e.g. '5 per 10 minutes')")
    amount, count, unit = match.groups()
    return int(amount), timedelta(seconds=int(count or 1) * UNITS[unit])


def email_key(email):
    """The e-mail as counted: case, spaces and full-width forms do not make a new address."""
    return "".join(unicodedata.normalize("NFKC", email or "").split()).casefold()[:254]


def limited_authenticate(email, password):
    """services.authenticate behind the limits. Commits the attempt (it must be seen by every worker)."""
    config, now = current_app.config, clock.now()
    if not config["RATELIMIT_ENABLED"]:
        return services.authenticate(email, password, now)
    attempt = count_attempt("sign_in", email, config["LOGIN_LIMIT_PER_EMAIL"], config["LOGIN_LIMIT_PER_ADDRESS"],
                            now, lambda minutes: _l("登录失败次数过多，请 %(m)d 分钟后再试。", m=minutes))
    user = services.authenticate(email, password, now)  # a failure leaves the attempt counted
    db.session.delete(attempt)
    return user


def limited_password_reset(email, request_reset):
    """request_reset(email, now) behind the reset limits: every request counts, whether or not the address
    has an account, so the answer (and the 429) is the same for both."""
    config, now = current_app.config, clock.now()
    if config["RATELIMIT_ENABLED"]:
        count_attempt("password_reset", email, config["RESET_LIMIT_PER_EMAIL"], config["RESET_LIMIT_PER_ADDRESS"],
                      now, lambda minutes: _l("重设密码的请求过于频繁，请 %(m)d 分钟后再试。", m=minutes))
    request_reset(email, now)


def count_attempt(purpose, email, per_email, per_address, now, refusal):
    """Record an attempt of `purpose` and commit it, then refuse it (429) when the e-mail address or the client
    address is over its limit. `refusal(minutes)` is the 429's message. Returns the recorded attempt."""
    limits = [(SignInAttempt.email, email_key(email), parse_limit(per_email)),
              (SignInAttempt.address, (request.remote_addr or "")[:64], parse_limit(per_address))]
    attempt = SignInAttempt(purpose=purpose, email=limits[0][1], address=limits[1][1], at=now)
    longest = max(window for _column, _key, (_amount, window) in limits)
    db.session.execute(sa.delete(SignInAttempt).where(SignInAttempt.purpose == purpose,
                                                      SignInAttempt.at < now - longest))
    db.session.add(attempt)
    db.session.commit()
    for column, key, (amount, window) in limits:
        _refuse_when_over(attempt, column, key, amount, window, now, refusal)
    return attempt


def _refuse_when_over(attempt, column, key, amount, window, now, refusal):
    recent = db.session.execute(sa.select(sa.func.count(), sa.func.min(SignInAttempt.at)).where(
        SignInAttempt.purpose == attempt.purpose, column == key, SignInAttempt.at > now - window)).one()
    if recent[0] > amount:
        db.session.delete(attempt)
        db.session.commit()
        wait = (recent[1] + window - now).total_seconds()
        raise RateLimited(refusal(max(1, round(wait / 60))), retry_after=wait)
