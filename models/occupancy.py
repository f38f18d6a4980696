"""Time an instrument is held: by a booking, by work on a service order, or by a training session.

All kinds live in one table so one PostgreSQL exclusion constraint (hand-written in the
migration) guarantees that no two active holds of an instrument overlap, whatever the
concurrency: EXCLUDE USING gist (instrument_id WITH =, tstzrange(start_at, blocks_until, '[)')
WITH &&) WHERE (active). A booking's hold is active exactly while the booking is in an active
state; Booking.transition() keeps the two together.
"""
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, built_once, db

HOLD_KINDS = ("booking", "order_work", "training")
# No hold is longer: a booking is at most 14 days (booking.LONGEST_BOOKING, checked by every booking), one entry
# of order work 31.
# Statistics rely on it to find a period's holds by the indexed start time.
LONGEST_HOLD = timedelta(days=31)


class Occupancy(db.Model):
    __tablename__ = "occupancies"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("instruments.id"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    start_at = mapped_column(UTCDateTime, nullable=False)
    end_at = mapped_column(UTCDateTime, nullable=False)
    # end_at plus the instrument's buffer at the time the hold was made.
    blocks_until = mapped_column(UTCDateTime, nullable=False)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    created_at = mapped_column(UTCDateTime, nullable=False)
    # Order work only: which order, who logged it, and a note.
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_orders.id"), index=True)
    logged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")

    instrument = relationship("Instrument")
    logged_by = relationship("User")

    __table_args__ = (
        sa.CheckConstraint("start_at < end_at AND end_at <= blocks_until", name="span"),
        sa.CheckConstraint("kind IN ('booking', 'order_work', 'training')", name="kind"),
        sa.CheckConstraint("(kind = 'order_work') = (order_id IS NOT NULL)", name="order_work_has_order"),
        sa.Index("ix_occupancies_instrument_time", "instrument_id", "start_at", "blocks_until"),
        # Order work by time, across instruments (the statistics' instrument hours).
        sa.Index("ix_occupancies_order_work_start", "start_at", postgresql_where=sa.text("kind = 'order_work'"),
                 sqlite_where=sa.text("kind = 'order_work'")),
    )

    @classmethod
    def hold(cls, instrument, start, end, now, kind, **details):
        """A new active hold of [start, end), blocking the instrument's buffer after it as the buffer is now."""
        return cls(instrument_id=instrument.id, kind=kind, start_at=start, end_at=end,
                   blocks_until=end + timedelta(minutes=instrument.buffer_minutes), active=True, created_at=now,
                   **details)


def active_holds(instrument_id, start, end):
    """Active holds of an instrument that overlap [start, end): one indexed query (see active_holds_of)."""
    return active_holds_of([instrument_id], start, end)


def active_holds_of(instrument_ids, start, end):
    """Active holds of several instruments that overlap [start, end), in start order per instrument: one query
    on the same index. Rows (instrument_id, id, kind, start_at, end_at, blocks_until), not Occupancy objects:
    the calendar reads these columns, and a week's rows are built without the ORM's identity map and instance
    state."""
    return db.session.execute(_active_holds_of(), {"ids": list(instrument_ids), "start": start, "end": end}).all()


@built_once
def _active_holds_of():
    return (sa.select(Occupancy.instrument_id, Occupancy.id, Occupancy.kind, Occupancy.start_at, Occupancy.end_at,
                      Occupancy.blocks_until)
            .where(*active_and_overlapping(sa.bindparam("ids", expanding=True), sa.bindparam("start"),
                                           sa.bindparam("end")))
            .order_by(Occupancy.instrument_id, Occupancy.start_at))


def active_and_overlapping(instrument_ids, start, end):
    """The WHERE of the active holds of `instrument_ids` that overlap [start, end), buffers included (values or
    bound parameters): on the (instrument_id, start_at, blocks_until) index."""
    return (Occupancy.instrument_id.in_(instrument_ids), Occupancy.active.is_(True), Occupancy.start_at < end,
            Occupancy.blocks_until > start)
