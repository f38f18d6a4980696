"""One-time links that open an account: a password reset, a new account's first password, an invitation.

A link's token is never stored. It is the row's id and an HMAC, under the application's secret key, of
the row's purpose, id and a random nonce kept in the row: reading the database alone never yields a
working link, and the outbox that mails it keeps only the row's id. A link works once, until it expires.
"""
import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from .base import UTCDateTime, db
from .errors import InvalidToken

PURPOSES = ("password_reset", "set_password", "invitation")
LIFETIMES = {"password_reset": timedelta(hours=1), "set_password": timedelta(days=7),
             "invitation": timedelta(days=7)}


class AccountToken(db.Model):
    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    # A reset or a first password: the account; an invitation: the organisation it joins.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    nonce: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False)
    expires_at = mapped_column(UTCDateTime, nullable=False, index=True)
    used_at = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id])
    organization = relationship("Organization")
    created_by = relationship("User", foreign_keys=[created_by_id])

    __table_args__ = (
        sa.CheckConstraint("purpose IN ('password_reset', 'set_password', 'invitation')", name="purpose"),
    )

    @classmethod
    def issue(cls, purpose, email, now, **links):
        row = cls(purpose=purpose, email=email, nonce=secrets.token_hex(16), created_at=now,
                  expires_at=now + LIFETIMES[purpose], **links)
        db.session.add(row)
        db.session.flush()
        return row

    def token(self, secret):
        """The clear-text token of the link: computed, never stored."""
        return f"{self.id}.{_signature(secret, self.purpose, self.id, self.nonce)}"

    @classmethod
    def redeem(cls, token, secret, purposes, now):
        """The unused, unexpired row of `token` for one of `purposes`, or InvalidToken (422)."""
        row_id, _sep, signature = (token if isinstance(token, str) else "").partition(".")
        row = db.session.get(cls, int(row_id)) if row_id.isdigit() and len(row_id) <= 10 else None
        if row is None or row.purpose not in purposes or \
                not hmac.compare_digest(_signature(secret, row.purpose, row.id, row.nonce), signature):
            raise InvalidToken()
        if row.used_at is not None or row.expires_at <= now:
            raise InvalidToken()
        return row

    def use(self, now):
        """Mark the link used; of two requests racing with one link, only the first gets here."""
        used = db.session.execute(sa.update(AccountToken).where(
            AccountToken.id == self.id, AccountToken.used_at.is_(None)).values(used_at=now)
            .execution_options(synchronize_session=False))
        if used.rowcount != 1:
            raise InvalidToken()
        set_committed_value(self, "used_at", now)


def _signature(secret, purpose, row_id, nonce):
    digest = hmac.new(secret.encode(), f"{purpose}:{row_id}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
