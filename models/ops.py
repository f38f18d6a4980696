"""Operational state: the scheduler's heartbeat."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db


class Heartbeat(db.Model):
    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    beat_at = mapped_column(UTCDateTime, nullable=False)
