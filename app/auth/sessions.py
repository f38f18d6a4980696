"""Sessions and API tokens as one thing a person can end.

Signing out ends that browser's session for good (its session and remember cookies stop working);
a password change ends every other session and API token of the person. Password reset and
invitations build on the same `end_sessions`.
"""
from datetime import timedelta

import sqlalchemy as sa

from models import AccountToken, ApiToken, SignInAttempt, UserSession, db

# How long what no longer works is kept before the nightly purge deletes it.
KEEP_ENDED = timedelta(days=1)
KEEP_EXPIRED = timedelta(days=30)


def begin_session(user, now):
    """A new browser session; returns the clear-text token for the cookie."""
    row, token = UserSession.begin(user, now)
    db.session.add(row)
    return token


def end_session(row, now):
    if row is not None and row.ended_at is None:
        row.ended_at = now


def end_sessions(user, now, keep=None):
    """End every session and revoke every API token of `user` except `keep` (a UserSession or an
    ApiToken: the one asking). Returns how many were ended."""
    sessions = sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    tokens = sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if isinstance(keep, UserSession):
        sessions = sessions.where(UserSession.id != keep.id)
    if isinstance(keep, ApiToken):
        tokens = tokens.where(ApiToken.id != keep.id)
    ended = db.session.execute(sessions.values(ended_at=now).execution_options(synchronize_session="fetch"))
    revoked = db.session.execute(tokens.values(revoked_at=now).execution_options(synchronize_session="fetch"))
    return ended.rowcount + revoked.rowcount


def purge(now):
    """Delete what can never work again: sessions ended over a day ago; API tokens and account links
    revoked, used or expired over 30 days ago; sign-in and reset attempts older than a day. Idempotent.
    Returns {table: rows deleted}."""
    gone = now - KEEP_EXPIRED
    statements = {
        "user_sessions": sa.delete(UserSession).where(UserSession.ended_at < now - KEEP_ENDED),
        "api_tokens": sa.delete(ApiToken).where(sa.or_(ApiToken.revoked_at < gone, ApiToken.expires_at < gone)),
        "account_tokens": sa.delete(AccountToken).where(sa.or_(AccountToken.used_at < gone,
                                                               AccountToken.expires_at < gone)),
        "sign_in_attempts": sa.delete(SignInAttempt).where(SignInAttempt.at < now - KEEP_ENDED),
    }
    return {table: db.session.execute(statement.execution_options(synchronize_session=False)).rowcount
            for table, statement in statements.items()}
