"""People who sign in, their API tokens, and the role each holds."""
import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, defaultload, mapped_column, relationship

from .base import TimestampMixin, UTCDateTime, built_once, db, utcnow
from .organization import Organization

ROLES = ("enterprise", "institution", "district", "city", "admin")
# The organisation kind each role belongs to (admin belongs to none).
ROLE_ORG_KIND = {"enterprise": "enterprise", "institution": "institution", "district": "bureau",
                 "city": "bureau"}


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="")
    phone: Mapped[str] = mapped_column(sa.String(30), nullable=False, default="")
    role: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    locale: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="zh_CN")
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    last_login_at = mapped_column(UTCDateTime)
    # Raised to revoke the calendar feed URL; the URL's token is an HMAC of (id, version).
    feed_version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    organization = relationship(
        "Organization", back_populates="users", foreign_keys=[organization_id], lazy="joined"
    )

    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('enterprise', 'institution', 'district', 'city', 'admin')", name="role"
        ),
    )

    @property
    def is_active(self):
        return self.active

    # Roles -----------------------------------------------------------------------------
    @property
    def is_enterprise(self):
        return self.role == "enterprise"

    @property
    def is_institution_staff(self):
        return self.role == "institution"

    @property
    def is_district(self):
        return self.role == "district"

    @property
    def is_city(self):
        return self.role == "city"

    @property
    def is_admin(self):
        return self.role == "admin"

    @property
    def is_bureau(self):
        return self.role in ("district", "city")

    @property
    def district_code(self):
        return self.organization.district_code if self.organization else None

    def belongs_to(self, organization_id):
        return organization_id is not None and self.organization_id == organization_id

    def is_staff_of(self, institution_id):
        return self.is_institution_staff and self.belongs_to(institution_id)

    @property
    def institution_approved(self):
        return bool(self.is_institution_staff and self.organization and self.organization.approved)

    def __repr__(self):
        return f"<User {self.id} {self.email} {self.role}>"


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    """A bearer token. Only its SHA-256 digest is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = mapped_column(UTCDateTime, nullable=False)
    revoked_at = mapped_column(UTCDateTime)
    last_used_at = mapped_column(UTCDateTime)

    user = relationship(User, lazy="joined")

    @classmethod
    def issue(cls, user, now, days):
        """A new token row and the clear-text token to hand to the client (once)."""
        token = secrets.token_urlsafe(32)
        row = cls(user=user, token_hash=_digest(token), created_at=now,
                  expires_at=now + timedelta(days=days))
        return row, token

    @classmethod
    def find_valid(cls, token, now):
        # The user and their organisation come in the same statement; the organisation's district (a label
        # few requests show) is read only if asked for: one join fewer on every API request.
        row = db.session.scalar(_token_by_digest(), {"digest": _digest(token)})
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            return None
        if not row.user.active:
            return None
        return row


@built_once
def _token_by_digest():
    return sa.select(ApiToken).where(ApiToken.token_hash == sa.bindparam("digest")).options(
        defaultload(ApiToken.user).defaultload(User.organization).lazyload(Organization.district))


class UserSession(db.Model):
    """One signed-in browser. Its token (in the signed session and remember cookies) is valid until the
    session is ended: by signing out, or by a password change elsewhere. Only the digest is stored."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    ended_at = mapped_column(UTCDateTime)

    user = relationship(User, lazy="joined")

    @classmethod
    def begin(cls, user, now):
        """A new session row and the clear-text token for the cookie."""
        token = secrets.token_urlsafe(32)
        return cls(user=user, token_hash=_digest(token), created_at=now), token

    @classmethod
    def find_valid(cls, token):
        row = db.session.scalar(_session_by_digest(), {"digest": _digest(token)})
        return row if row is not None and row.user.active else None


def feed_token(secret_key, user):
    """The secret in a user's calendar feed URL; rotating raises feed_version."""
    message = f"feed:{user.id}:{user.feed_version}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:40]


def feed_token_matches(secret_key, user, token):
    return hmac.compare_digest(feed_token(secret_key, user), token or "")


@built_once
def _session_by_digest():
    return sa.select(UserSession).where(UserSession.token_hash == sa.bindparam("digest"),
                                        UserSession.ended_at.is_(None))
