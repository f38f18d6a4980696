"""Calibration expiry alerts: 30, 7 and 1 days ahead, once per certificate and threshold."""
from datetime import timedelta

import sqlalchemy as sa

from models import db
from models.booking import ACTIVE, Booking
from models.instrument import Instrument
from models.timeutil import day_end, local_today

from ..claims import claim_once
from ..notify.services import notify, notify_organization

THRESHOLDS = (1, 7, 30)


def calibration_alerts(now):
    """Tell the institution, and enterprises holding bookings after the expiry.

    The smallest threshold a certificate has crossed is alerted once; a scheduler that was
    down on the day still alerts later, and never twice.
    """
    today = local_today(now)
    due = db.session.scalars(sa.select(Instrument).where(
        Instrument.status != "retired", Instrument.calibration_valid_until >= today,
        Instrument.calibration_valid_until <= today + timedelta(days=max(THRESHOLDS)))
        .order_by(Instrument.id)).all()
    sent = 0
    for instrument in due:
        days = (instrument.calibration_valid_until - today).days
        threshold = min(t for t in THRESHOLDS if days <= t)
        key = f"{instrument.id}:{instrument.calibration_valid_until.isoformat()}:{threshold}"
        if not claim_once("calibration", key, now):
            continue
        payload = {"instrument": instrument.name, "instrument_id": instrument.id, "days": days,
                   "valid_until": instrument.calibration_valid_until.isoformat()}
        notify_organization(instrument.institution_id, "calibration_expiring", **payload)
        affected = db.session.scalars(sa.select(Booking).where(
            Booking.instrument_id == instrument.id, Booking.status.in_(ACTIVE),
            Booking.end_at > day_end(instrument.calibration_valid_until))).all()
        for booker in {b.created_by for b in affected}:
            notify(booker, "calibration_affects_booking", **payload)
        sent += 1
    return sent
