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
from models.base import built_once
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
    """The record with its no-show bookings (the pages list them)."""
    limit = setting("NO_SHOW_LIMIT")
    missed = db.session.scalars(_missed(Booking), _between(organization_id, institution_id, now)).all()
    return Standing(no_shows=[b for b in missed if b.start_at > now - WINDOW],
                    approval_until=_approval_until([b.start_at for b in missed], limit, now), limit=limit)


def on_probation(organization_id, institution_id, now):
    """Whether the enterprise's new bookings there need approval: standing()'s answer from the no-shows'
    start times alone (a booking asks this; it needs no booking objects)."""
    starts = db.session.scalars(_missed(Booking.start_at), _between(organization_id, institution_id, now)).all()
    return _approval_until(starts, setting("NO_SHOW_LIMIT"), now) is not None


@built_once
def _missed(what):
    """`what` (Booking, or a column of it) of an enterprise's no-shows on an institution's instruments that
    can still count (within WINDOW before a probation that has not ended), in order."""
    return sa.select(what).join(Instrument, Instrument.id == Booking.instrument_id).where(
        Booking.organization_id == sa.bindparam("organization_id"),
        Instrument.institution_id == sa.bindparam("institution_id"), Booking.status == NO_SHOW,
        Booking.start_at > sa.bindparam("since"), Booking.start_at <= sa.bindparam("now")).order_by(Booking.start_at)


def _between(organization_id, institution_id, now):
    return {"organization_id": organization_id, "institution_id": institution_id,
            "since": now - WINDOW - PROBATION, "now": now}


def _approval_until(starts, limit, now):
    """The end of the probation that `limit` no-shows (start times, in order) within WINDOW began, if it
    has not ended by `now`."""
    until = None
    for first, reached in zip(starts, starts[limit - 1:], strict=False):
        if reached - first <= WINDOW:
            until = reached + PROBATION
    return until if until is not None and until > now else None
