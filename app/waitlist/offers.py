"""Offering freed time to the waitlist: the one place offers are made and passed on.

offer_freed_time() runs in the transaction that frees time (a booking cancelled, rejected or
expired, a closure removed, an offered entry leaving the line) and in the scheduler every minute
(offers nobody claimed, time that freed any other way). It locks the instrument row first, so
offers of one instrument are made one transaction at a time: two schedulers, or a scheduler and
two cancellations at once, never offer one interval twice, and what one transaction frees the next
one sees. Offers never overlap: an entry whose interval meets a live offer keeps waiting.
"""
from datetime import timedelta

import sqlalchemy as sa

from models import db
from models.timeutil import local
from models.waitlist import LIVE, WaitlistEntry

from ..availability.services import lock_instrument, obstacle
from ..notify.services import notify
from ..settings import setting


def live_entries(instrument_id):
    """The instrument's line, first come first served, as the database has it now."""
    return db.session.scalars(sa.select(WaitlistEntry).where(
        WaitlistEntry.instrument_id == instrument_id, WaitlistEntry.status.in_(LIVE))
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        .execution_options(populate_existing=True)).all()


def _lapsed(entry, now, lead):
    """An offer past its expiry, or a wait for time that can no longer be booked."""
    if entry.status == "offered":
        return now >= entry.offer_expires_at
    return now >= entry.start_at - lead


def offer_freed_time(instrument, now):
    """Pass on lapsed offers, then offer every interval that is wholly free to the first in line for it.
    Returns the number of offers made."""
    lock_instrument(instrument)
    minutes = setting("WAITLIST_OFFER_MINUTES")
    lead = timedelta(minutes=instrument.lead_minutes)
    line, held, made = live_entries(instrument.id), [], 0
    for entry in line:
        if _lapsed(entry, now, lead):
            entry.transition("expired", now)
        elif entry.status == "offered":
            held.append(entry)
    for entry in line:
        if entry.status != "waiting" or any(entry.overlaps(offer) for offer in held):
            continue
        if obstacle(instrument, entry.start_at, entry.end_at, now) is None:
            entry.offer(now, minutes, instrument.lead_minutes)
            held.append(entry)
            _tell(entry)
            made += 1
    return made


def _tell(entry):
    notify(entry.user, "waitlist_offered", entry_id=entry.id, instrument=entry.instrument.name,
           start=local(entry.start_at).strftime("%Y-%m-%d %H:%M"), end=local(entry.end_at).strftime("%Y-%m-%d %H:%M"),
           expires=local(entry.offer_expires_at).strftime("%Y-%m-%d %H:%M"))
