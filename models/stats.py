"""The nightly usage snapshot: one row per institution per day, for the dashboards' history."""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db


class UsageSnapshot(db.Model):
    __tablename__ = "usage_snapshots"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    institution_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), primary_key=True)
    service_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    bookings_completed: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    orders_reported: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    trainings_completed: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    no_shows: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    external_hours: Mapped[float] = mapped_column(sa.Float, nullable=False, default=0)
    internal_hours: Mapped[float] = mapped_column(sa.Float, nullable=False, default=0)
    open_hours: Mapped[float] = mapped_column(sa.Float, nullable=False, default=0)
    revenue: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), nullable=False, default=Decimal(0))


class SnapshotDay(db.Model):
    """A day whose snapshot has been taken; days without one are computed live."""

    __tablename__ = "snapshot_days"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    taken_at = mapped_column(UTCDateTime, nullable=False)


EVERY_INSTITUTION = 0


class StaleDay(db.Model):
    """A snapshotted day whose records changed after the snapshot: read live until the job retakes it.

    One row per day and institution (`institution_id` 0: every institution, e.g. a holiday moved). Only
    days that have a snapshot are marked (days without one are read live anyway)."""

    __tablename__ = "stale_days"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    institution_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    marked_at = mapped_column(UTCDateTime, nullable=False)


class OpenHoursAhead(db.Model):
    """The open hours of today and the days after it, per institution and day, kept by the snapshot job.

    Open hours are the one figure of a day that can be known before it happens: they follow the opening
    hours, the holiday calendar, maintenance/calibration closures and the instruments' status and dates.
    Every change to those marks the (day, institution) stale (stale_days) as for a snapshot, and a stale pair
    is read live. Only non-zero rows are kept; a day the job covered is listed in ahead_days."""

    __tablename__ = "open_hours_ahead"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    institution_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), primary_key=True)
    open_hours: Mapped[float] = mapped_column(sa.Float, nullable=False, default=0)


class AheadDay(db.Model):
    """A day (today or later) whose open hours the job kept in open_hours_ahead."""

    __tablename__ = "ahead_days"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    taken_at = mapped_column(UTCDateTime, nullable=False)
