"""Operational state: the scheduler's heartbeat."""
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
