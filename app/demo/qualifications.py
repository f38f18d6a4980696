"""Demo qualifications (上机资格) and training, made through the real services at the time they happened.

sme@ may operate alone the instruments its demo bookings use, one of them expiring soon, works on
the universal testing machine under guidance and has asked to be trained on it; sme2@ was trained
on the spark spectrometer two months ago (a completed session, so the statistics show training)
and holds the rest of its qualifications directly. Runs before the demo bookings, which need them.
"""
from datetime import timedelta

import sqlalchemy as sa

from models import db
from models.instrument import Instrument
from models.qualification import Qualification
from models.timeutil import at_local, local_today

from ..availability.services import obstacle
from ..qualifications import services, training
from .accounts import user
from .bookings import _working_day

# (holder, instrument code, level, granted days ago, expires in days or None)
GRANTS = [
    ("sme", "PJ-001", "independent", 90, None), ("sme", "PJ-002", "independent", 100, 12),
    ("sme", "PJ-008", "independent", 120, None), ("sme", "MJ-011", "independent", 60, 180),
    ("sme", "MJ-002", "independent", 45, None), ("sme", "PJ-010", "assisted", 30, None),
    ("sme2", "MJ-002", "independent", 100, None), ("sme2", "PJ-010", "independent", 80, None),
    ("sme2", "MJ-010", "independent", 70, None), ("sme2", "PJ-003", "independent", 50, None),
    ("sme2", "PJ-014", "independent", 40, 365),
]
TRAINED = ("sme2", "MJ-006", 60)  # (trainee, instrument, days ago)
REQUESTED = ("sme", "PJ-010", "希望取得独立上机资格，用于每周的金属拉伸试验。")


def _instrument(code):
    return db.session.scalar(sa.select(Instrument).where(Instrument.internal_code == code))


def _staff_of(code):
    return user("lab" if code.startswith("PJ") else "lab2")


def _grant(row, today, now):
    holder, code, level, days_ago, expires_in = row
    instrument = _instrument(code)
    granted = now - timedelta(days=days_ago)
    expires_on = today + timedelta(days=expires_in) if expires_in is not None else None
    services.grant(_staff_of(code), instrument, user(holder), level, granted, expires_on=expires_on)


def _past_session(instrument, days_ago, now):
    """A free morning on an open working day about `days_ago` days back."""
    day = _working_day(local_today(now), -days_ago)
    for _ in range(30):
        start, end = at_local(day, 600), at_local(day, 720)
        if obstacle(instrument, start, end, now, staff=True) is None:
            return start, end
        day = _working_day(day, -1)
    return None


def _trained(now):
    trainee, code, days_ago = TRAINED
    instrument, staff = _instrument(code), _staff_of(code)
    slot = _past_session(instrument, days_ago, now)
    if slot is None:
        return
    start, end = slot
    request = training.request_training(user(trainee), instrument, "新员工上岗前培训。", start - timedelta(days=5))
    training.schedule(staff, [request], start, end, start - timedelta(days=3))
    training.complete(staff, request, True, "independent", end)


def load(now):
    if db.session.scalar(sa.select(sa.func.count(Qualification.id))):
        return {"qualifications": "kept"}
    today = local_today(now)
    for row in GRANTS:
        _grant(row, today, now)
    _trained(now)
    holder, code, note = REQUESTED
    training.request_training(user(holder), _instrument(code), note, now - timedelta(days=2))
    db.session.flush()
    return {"qualifications": db.session.scalar(sa.select(sa.func.count(Qualification.id)))}
