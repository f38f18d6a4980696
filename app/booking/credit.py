"""No-show credit (爽约信用): an enterprise that often does not come needs approval for a while.

NO_SHOW_LIMIT no-shows of one enterprise on one institution's instruments within WINDOW make its
new bookings there need approval for PROBATION from the no-show that reached the limit. A no-show
counts at its booked start. Only that institution is affected, and only bookings the enterprise
makes itself (staff booking on its behalf confirm at once, as always).
"""
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from models import db
from models.booking import Booking
from models.instrument import Instrument

from ..settings import setting

WINDOW = timedelta(days=90)
# Written into the SQL, not bound: only then may the planner use the partial index of no-shows.
NO_SHOW = sa.literal_column("'no_show'")
PROBATION = timedelta(days=30)


@dataclass(frozen=True)
class Standing:
    """An enterprise's record with one institution: its no-shows within the window, and until when its
    new bookings there need approval (None: they do not)."""

    no_shows: list
    approval_until: object = None
    limit: int = 0

    @property
    def on_probation(self):
        return self.approval_until is not None


def standing(organization_id, institution_id, now):
    limit = setting("NO_SHOW_LIMIT")
    missed = db.session.scalars(sa.select(Booking).join(Instrument, Instrument.id == Booking.instrument_id).where(
        Booking.organization_id == organization_id, Instrument.institution_id == institution_id,
        Booking.status == NO_SHOW, Booking.start_at > now - WINDOW - PROBATION, Booking.start_at <= now,
    ).order_by(Booking.start_at)).all()
    until = None
    for first, reached in zip(missed, missed[limit - 1:], strict=False):
        if reached.start_at - first.start_at <= WINDOW:
            until = reached.start_at + PROBATION
    return Standing(no_shows=[b for b in missed if b.start_at > now - WINDOW],
                    approval_until=until if until is not None and until > now else None, limit=limit)
