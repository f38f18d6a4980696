"""A recurring booking (重复预约): a rule that made ordinary bookings.

The series keeps the rule as it was asked (daily or weekly, every 1–4 days or weeks, 2–52 times
or until a date) and the first occurrence's times; each occurrence is a Booking of its own, made
through the same booking service and obeying every rule by itself. Occurrences that failed a rule
were never written, so the series' bookings are exactly the ones that exist.
"""
from datetime import UTC, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TimestampMixin, UTCDateTime, db
from .instrument import Instrument
from .organization import Organization
from .timeutil import local

DAYS_PER_STEP = {"daily": 1, "weekly": 7}
INTERVALS = (1, 2, 3, 4)
FEWEST, MOST = 2, 52


def occurrences(start, end, freq, interval, count=None, until=None):
    """[(start, end)] of the rule: the first occurrence's Shanghai wall-clock times every `interval`
    days or weeks, `count` times or through the local date `until`. Stops one past MOST, so a rule
    that asks for too many can be told so."""
    step, length, first = DAYS_PER_STEP[freq] * interval, end - start, local(start)
    found = []
    while len(found) <= MOST and (count is None or len(found) < count):
        moment = first + timedelta(days=step * len(found))
        if until is not None and moment.date() > until:
            break
        found.append((moment.astimezone(UTC), moment.astimezone(UTC) + length))
    return found


class BookingSeries(TimestampMixin, db.Model):
    __tablename__ = "booking_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("instruments.id"), nullable=False)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    freq: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    every: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # the rule's interval: every N days or weeks
    count: Mapped[int | None] = mapped_column(sa.Integer)
    until = mapped_column(sa.Date)
    # The first occurrence as it was asked for (it may itself have been skipped).
    start_at = mapped_column(UTCDateTime, nullable=False)
    end_at = mapped_column(UTCDateTime, nullable=False)

    instrument = relationship(Instrument, lazy="joined", innerjoin=True)
    organization = relationship(Organization, lazy="joined", innerjoin=True)
    created_by = relationship("User")
    bookings = relationship("Booking", back_populates="series", order_by="Booking.start_at")

    __table_args__ = (
        sa.CheckConstraint("freq IN ('daily', 'weekly')", name="freq"),
        sa.CheckConstraint("every BETWEEN 1 AND 4", name="every"),
        sa.CheckConstraint("(count IS NULL) <> (until IS NULL)", name="count_or_until"),
        sa.CheckConstraint("count IS NULL OR count BETWEEN 2 AND 52", name="count"),
        sa.CheckConstraint("start_at < end_at", name="span"),
    )

    def is_customer(self, actor):
        return actor is not None and actor.is_enterprise and actor.belongs_to(self.organization_id)

    def is_staff(self, actor):
        return actor is not None and actor.is_staff_of(self.instrument.institution_id)

    def __repr__(self):
        return f"<BookingSeries {self.id} {self.freq}/{self.every}>"
