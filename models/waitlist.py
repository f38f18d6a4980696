"""The waitlist (候补): an enterprise waits for instrument time that is taken.

waiting → offered | expired | cancelled
offered → claimed | expired | cancelled

When the interval frees up, the first entry in line whose interval is wholly free is `offered` it
until `offer_expires_at`; claiming makes an ordinary booking. An offer nobody claims expires and the
next in line is offered. Offers of one instrument are made one transaction at a time (the
instrument row is locked), so no two live offers ever overlap; the version column makes every change
of an entry conditional, so a claim and an expiry never both happen.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TimestampMixin, UTCDateTime, db
from .errors import InvalidTransition
from .guards import Guarded
from .instrument import Instrument
from .organization import Organization

STATES = ("waiting", "offered", "claimed", "expired", "cancelled")
LIVE = ("waiting", "offered")
TRANSITIONS = {
    "waiting": {"offered", "expired", "cancelled"},
    "offered": {"claimed", "expired", "cancelled"},
}
ACTIONS = {
    "claim": {"customer": ("offered",)},
    "leave": {"customer": LIVE},
}


class WaitlistEntry(Guarded, TimestampMixin, db.Model):
    __tablename__ = "waitlist_entries"
    guarded_actions = ACTIONS

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("instruments.id"), nullable=False)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False)
    # Who joined: the one told when the time is offered.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    start_at = mapped_column(UTCDateTime, nullable=False)
    end_at = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(10), nullable=False, default="waiting")
    offered_at = mapped_column(UTCDateTime)
    offer_expires_at = mapped_column(UTCDateTime)
    booking_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bookings.id"))
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    instrument = relationship(Instrument, lazy="joined", innerjoin=True)
    organization = relationship(Organization, lazy="joined", innerjoin=True)
    user = relationship("User")
    booking = relationship("Booking")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint("start_at < end_at", name="span"),
        sa.CheckConstraint("status IN ('waiting', 'offered', 'claimed', 'expired', 'cancelled')", name="status"),
        sa.CheckConstraint("status <> 'offered' OR offer_expires_at IS NOT NULL", name="offer"),
        sa.Index("ix_waitlist_entries_instrument_status", "instrument_id", "status", "created_at"),
        sa.Index("ix_waitlist_entries_organization", "organization_id", "created_at"),
        # One place in line per enterprise and interval: joining twice is refused by the database too.
        sa.Index("uq_waitlist_entries_live", "instrument_id", "organization_id", "start_at", "end_at", unique=True,
                 postgresql_where=sa.text("status IN ('waiting', 'offered')"),
                 sqlite_where=sa.text("status IN ('waiting', 'offered')")),
    )

    def overlaps(self, other):
        return self.start_at < other.end_at and other.start_at < self.end_at

    def is_customer(self, actor):
        return actor is not None and actor.is_enterprise and actor.belongs_to(self.organization_id)

    def not_now(self, action, actor, now):
        if action == "claim" and now >= self.offer_expires_at:
            return InvalidTransition(_l("候补名额已过期，已顺延给下一位。如仍需要，请重新加入候补或选择其他时段。"))
        return None

    def transition(self, to, now):
        if to not in TRANSITIONS.get(self.status, ()):
            raise InvalidTransition()
        self.status = to
        self.updated_at = now

    def offer(self, now, minutes, lead_minutes):
        """Offered for `minutes`, but never past the last moment the time can still be booked."""
        self.transition("offered", now)
        self.offered_at = now
        self.offer_expires_at = min(now + timedelta(minutes=minutes), self.start_at - timedelta(minutes=lead_minutes))

    def __repr__(self):
        return f"<WaitlistEntry {self.id} {self.status}>"
