"""What the scheduler does to qualifications, once a day. Each job takes `now` and is idempotent.

Qualifications past their date expire; those unused for their instrument's lapse days lapse;
14 days before either end the holder is reminded, once per end date. State changes are claimed
through the version column (a row another process changed first is skipped); reminders through
app/claims.py's claim_once. Run twice, each acts once.
"""
from datetime import timedelta

import sqlalchemy as sa

from models import db
from models.instrument import Instrument
from models.qualification import LAPSE_REMINDER_DAYS, Qualification
from models.timeutil import local_today

from ..claims import claim_once, each_claimed
from ..notify.services import notify
from .services import payload


def _active():
    return sa.select(Qualification).where(Qualification.status == "active").order_by(Qualification.id)


def expire(now):
    """Qualifications whose last valid day has passed."""
    def act(qualification):
        qualification.transition("expired", actor=None, now=now)
        notify(qualification.user, "qualification_expired", **payload(
            qualification, expires_on=qualification.expires_on.isoformat()))

    return each_claimed(_active().where(Qualification.expires_on < local_today(now)), act)


def _lapse_dates():
    """(id, the instant it lapses) of every active qualification: last use (or grant) + lapse days."""
    rows = db.session.execute(sa.select(
        Qualification.id, Qualification.last_used_at, Qualification.granted_at, Instrument.qualification_lapse_days)
        .join(Instrument, Instrument.id == Qualification.instrument_id).where(Qualification.status == "active")).all()
    return [(qid, (used or granted) + timedelta(days=days)) for qid, used, granted, days in rows]


def lapse(now):
    """Qualifications unused for their instrument's qualification_lapse_days."""
    due = [qid for qid, lapses_at in _lapse_dates() if lapses_at <= now]

    def act(qualification):
        days = qualification.instrument.qualification_lapse_days
        qualification.transition("lapsed", actor=None, now=now)
        notify(qualification.user, "qualification_lapsed", **payload(qualification, days=days))

    return each_claimed(_active().where(Qualification.id.in_(due)), act) if due else 0


def remind(now):
    """14 days before a qualification lapses or expires, tell its holder (once per end date)."""
    today, horizon = local_today(now), now + timedelta(days=LAPSE_REMINDER_DAYS)
    ends = {qid: ("lapse", local_today(at)) for qid, at in _lapse_dates() if now < at <= horizon}
    expiring = db.session.execute(sa.select(Qualification.id, Qualification.expires_on).where(
        Qualification.status == "active", Qualification.expires_on >= today,
        Qualification.expires_on <= today + timedelta(days=LAPSE_REMINDER_DAYS))).all()
    ends.update({qid: ("expiry", day) for qid, day in expiring if qid not in ends or day < ends[qid][1]})
    sent = 0
    for qid in sorted(ends):
        kind, day = ends[qid]
        if not claim_once(f"qualification_{kind}", f"{qid}:{day.isoformat()}", now):
            continue
        qualification = db.session.get(Qualification, qid)
        notify(qualification.user, f"qualification_{kind}_reminder", **payload(
            qualification, date=day.isoformat(), days=qualification.instrument.qualification_lapse_days))
        sent += 1
    return sent
