"""Bookings (机时预约) and their state machine.

pending → confirmed | rejected | cancelled | expired
confirmed → checked_in | cancelled | no_show
checked_in → completed

Every transition goes through Booking.transition(): it checks the table, keeps the calendar
hold in step (active only in active states), raises the iCalendar SEQUENCE and writes the
audit record. ACTIONS names what people do to a booking, who may do each and from which
states; models/guards.py reads it (403 may never, 409 not now) for the services, the buttons and
the API's `actions` list, and not_now() adds the booking's time rules.
"""
import math
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import audit
from .base import TimestampMixin, UTCDateTime, db
from .errors import InvalidTransition
from .guards import Guarded
from .instrument import Instrument
from .occupancy import Occupancy
from .organization import Organization

# Check-in and check-out are recorded within two days of the booked span, so a period's bookings are
# found by their indexed booked start (statistics) whatever their actual times.
ACTUAL_TIME_SLACK = timedelta(days=2)
# No booking is longer, whatever an instrument's rules say (its rules allow up to this): the statistics
# find a period's bookings by their indexed start, reaching back at most occupancy.LONGEST_HOLD.
LONGEST_BOOKING = timedelta(days=14)
ACTIVE = ("pending", "confirmed", "checked_in")
STATES = ("pending", "confirmed", "rejected", "cancelled", "expired", "checked_in", "no_show", "completed")
TRANSITIONS = {
    "pending": {"confirmed", "rejected", "cancelled", "expired"},
    "confirmed": {"checked_in", "cancelled", "no_show"},
    "checked_in": {"completed"},
}
BOOKED = ("pending", "confirmed")
# What people do to a booking: action → {party: the states it may be done from}. The web posts to
# /bookings/<id>/check_in, the API to /api/v1/bookings/<id>/check-in: both are these names.
ACTIONS = {
    "approve": {"staff": ("pending",)},
    "reject": {"staff": ("pending",)},
    "cancel": {"customer": BOOKED, "staff": BOOKED},
    "check_in": {"staff": ("confirmed",)},
    "check_out": {"staff": ("checked_in",)},
    "no_show": {"staff": ("confirmed",)},
}


class Booking(Guarded, TimestampMixin, db.Model):
    __tablename__ = "bookings"
    guarded_actions = ACTIONS

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("instruments.id"), nullable=False)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    # Who operates the instrument (上机人员): the enterprise user who booked, or the one staff named.
    operator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    occupancy_id: Mapped[int] = mapped_column(sa.ForeignKey("occupancies.id"), nullable=False, unique=True)
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("booking_series.id"), index=True)
    start_at = mapped_column(UTCDateTime, nullable=False)
    end_at = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    purpose: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    service_mode: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    staff_booked: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    price_amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), nullable=False)
    charge_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    actual_start = mapped_column(UTCDateTime)
    actual_end = mapped_column(UTCDateTime)
    late_cancellation: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    auto_closed: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    status_reason: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    reminded_24h_at = mapped_column(UTCDateTime)
    reminded_1h_at = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    instrument = relationship(Instrument, lazy="joined", innerjoin=True)
    organization = relationship(Organization, lazy="joined", innerjoin=True)
    created_by = relationship("User", foreign_keys=[created_by_id])
    operator = relationship("User", foreign_keys=[operator_id])
    occupancy = relationship(Occupancy, lazy="joined", innerjoin=True)
    series = relationship("BookingSeries", back_populates="bookings")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint("start_at < end_at", name="span"),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'rejected', 'cancelled', 'expired', 'checked_in', "
            "'no_show', 'completed')", name="status"),
        sa.Index("ix_bookings_instrument_start", "instrument_id", "start_at"),
        sa.Index("ix_bookings_organization_start", "organization_id", "start_at"),
        sa.Index("ix_bookings_status_start", "status", "start_at"),
        # Covers "who was served, where, in this period" (enterprises served, the 附件4 columns).
        sa.Index("ix_bookings_completed_start", "start_at", "instrument_id", "organization_id",
                 postgresql_where=sa.text("status = 'completed'"), sqlite_where=sa.text("status = 'completed'")),
        # The hours of completed bookings in a period (metrics._clipped): booked start near it, actual time
        # inside it, read from the index alone (today's part of the city's year read ~26k rows' pages).
        sa.Index("ix_bookings_completed_actual", "start_at", "actual_end", "actual_start", "instrument_id",
                 postgresql_where=sa.text("status = 'completed'"), sqlite_where=sa.text("status = 'completed'")),
        # An enterprise's recent no-shows (booking/credit.py), read by every booking and instrument page: only
        # the no-show rows, not every booking of a busy enterprise in the window.
        sa.Index("ix_bookings_no_show_organization", "organization_id", "start_at",
                 postgresql_where=sa.text("status = 'no_show'"), sqlite_where=sa.text("status = 'no_show'")),
    )

    @property
    def is_active(self):
        return self.status in ACTIVE

    @property
    def minutes(self):
        return int((self.end_at - self.start_at) / timedelta(minutes=1))

    @property
    def free_cancellation_until(self):
        """The last moment the customer may cancel without it counting as a late cancellation."""
        return self.start_at - timedelta(hours=self.instrument.cancel_free_hours)

    def cancellation_is_late(self, now):
        """A confirmed booking cancelled by its customer after the free window; a request never is."""
        return self.status == "confirmed" and now > self.free_cancellation_until

    @property
    def actual_minutes(self):
        if self.actual_start is None or self.actual_end is None:
            return None
        return max(0, int((self.actual_end - self.actual_start) / timedelta(minutes=1)))

    # Who may do what -------------------------------------------------------------------
    def is_customer(self, actor):
        return actor is not None and actor.is_enterprise and actor.belongs_to(self.organization_id)

    def is_staff(self, actor):
        return actor is not None and actor.is_staff_of(self.instrument.institution_id)

    def not_now(self, action, actor, now):
        if action == "cancel" and not self.is_staff(actor) and now >= self.start_at:
            return InvalidTransition(_l("预约已经开始，不能再取消。如未使用，机构会将其记为爽约。"))
        if action == "no_show" and now < self.start_at:
            return InvalidTransition(_l("预约尚未开始，不能记为爽约。"))
        return None

    # The one way a booking changes state -----------------------------------------------
    def transition(self, to, *, actor, now, reason="", action=None):
        if to not in TRANSITIONS.get(self.status, ()):
            raise InvalidTransition()
        before = self.status
        self.status = to
        self.occupancy.active = to in ACTIVE
        self.sequence += 1
        self.updated_at = now
        if reason:
            self.status_reason = reason[:500]
        audit.record(self, action or to, actor=actor, at=now, from_state=before, to_state=to, reason=reason)

    def charge_for_actual_use(self):
        """The charge on completion: actual minutes rounded up to the slot, at least one slot."""
        slot = self.instrument.slot_minutes
        minutes = self.actual_minutes or 0
        billed = max(slot, math.ceil(minutes / slot) * slot)
        return self.instrument.price_for(self.organization, billed)

    def __repr__(self):
        return f"<Booking {self.id} {self.status} {self.start_at:%Y-%m-%d %H:%M}>"
