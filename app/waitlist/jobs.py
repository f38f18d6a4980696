"""What the scheduler does for the waitlist: pass on offers nobody claimed, offer time that freed up.

Idempotent: offer_freed_time() locks each instrument's row before reading its line, so a second
run, or a second scheduler at the same moment, finds the offers already made and makes none.
"""
import sqlalchemy as sa

from models import db
from models.instrument import Instrument
from models.waitlist import LIVE, WaitlistEntry

from .offers import offer_freed_time


def refresh_offers(now):
    """Every instrument with people in line, in id order (so two schedulers take their locks in one order)."""
    waited_for = sa.select(WaitlistEntry.instrument_id).where(WaitlistEntry.status.in_(LIVE))
    instruments = db.session.scalars(sa.select(Instrument).where(Instrument.id.in_(waited_for))
                                     .order_by(Instrument.id)).all()
    return sum(offer_freed_time(instrument, now) for instrument in instruments)
