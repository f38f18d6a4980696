"""Operational state: the scheduler's heartbeat, alerts already sent, recent sign-in attempts."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db


class Heartbeat(db.Model):
    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    beat_at = mapped_column(UTCDateTime, nullable=False)


class SentAlert(db.Model):
    """A one-off action already taken (e.g. the 7-day calibration alert for one certificate)."""

    __tablename__ = "sent_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    key: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    sent_at = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (sa.UniqueConstraint("kind", "key", name="uq_sent_alerts_kind_key"),)


class SignInAttempt(db.Model):
    """A sign-in attempt that failed or is being checked, or a password-reset request (`purpose`): the
    shared count behind the limits on both.

    Every web worker and machine reads and writes the same rows, so the limits hold however many
    processes serve the site. A successful attempt is deleted; old rows are purged as new ones come."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="sign_in", server_default="sign_in")
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    address: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    at = mapped_column(UTCDateTime, nullable=False, index=True)

    __table_args__ = (
        sa.Index("ix_sign_in_attempts_email_at", "email", "at"),
        sa.Index("ix_sign_in_attempts_address_at", "address", "at"),
    )
