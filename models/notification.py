"""The notification outbox: written in the same transaction as the change that causes it.

A notification goes to a user (shown in the app, e-mailed), or only to an e-mail address (a link that
opens an account: a password reset, an invitation), which no one sees in the app.
"""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow

EMAIL_STATES = ("pending", "sent", "failed", "skipped")


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    address: Mapped[str | None] = mapped_column(sa.String(254))
    kind: Mapped[str] = mapped_column(sa.String(48), nullable=False)
    payload = mapped_column(sa.JSON, nullable=False, default=dict)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    read_at = mapped_column(UTCDateTime)
    # E-mail delivery (the scheduler's outbox job).
    email_status: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="pending")
    email_attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    next_attempt_at = mapped_column(UTCDateTime)
    claimed_until = mapped_column(UTCDateTime)
    delivered_at = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")

    recipient = relationship("User", lazy="joined")

    __table_args__ = (
        sa.Index("ix_notifications_recipient_unread", "recipient_id", "read_at"),
        sa.Index("ix_notifications_email_due", "email_status", "next_attempt_at"),
        sa.CheckConstraint("recipient_id IS NOT NULL OR address IS NOT NULL", name="addressed"),
    )

    @property
    def is_read(self):
        return self.read_at is not None
