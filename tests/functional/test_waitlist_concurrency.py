"""Freed time is offered exactly once, to the first in line, however many cancellations free it at once."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import sqlalchemy as sa

from app.waitlist import services as waitlist
from models import ApiToken, Notification, WaitlistEntry, db
from models.timeutil import at_local
from tests import factories

ROUNDS = (date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5))


def _two_bookings_and_a_line(app):
    """Per day: X 10–11 and Y 11–12 held by two enterprises; two others wait for 10–12, first and second."""
    with app.app_context():
        instrument = factories.create_instrument(requires_approval=False)
        first, second = factories.create_user("enterprise"), factories.create_user("enterprise")
        rounds = []
        for day in ROUNDS:
            holders = [factories.create_user("enterprise") for _ in range(2)]
            bookings = [factories.create_booking(instrument, holder.organization, start=at_local(day, minute),
                                                 created_by=holder) for holder, minute in zip(holders, (600, 660),
                                                                                              strict=True)]
            for who in (first, second):
                waitlist.join(who, instrument, at_local(day, 600), at_local(day, 720), factories.NOW)
            tokens = []
            for holder in holders:
                row, token = ApiToken.issue(holder, factories.NOW, 30)
                db.session.add(row)
                tokens.append(token)
            db.session.commit()
            rounds.append([(booking.id, token) for booking, token in zip(bookings, tokens, strict=True)])
        return first.id, second.id, rounds


@pytest.mark.committed
def test_two_cancellations_at_once_offer_the_freed_interval_exactly_once(app):
    first, second, rounds = _two_bookings_and_a_line(app)
    for cancellations in rounds:
        together = threading.Barrier(2)

        def cancel(booking_and_token, together=together):
            booking_id, token = booking_and_token
            client = app.test_client()
            together.wait()
            return client.post(f"/api/v1/bookings/{booking_id}/cancel", json={"reason": "改期"},
                               headers={"Authorization": f"Bearer {token}"}).status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            assert list(pool.map(cancel, cancellations)) == [200, 200]
    with app.app_context():
        offers = db.session.scalars(sa.select(Notification.recipient_id).where(
            Notification.kind == "waitlist_offered")).all()
        states = db.session.execute(sa.select(WaitlistEntry.user_id, WaitlistEntry.status)
                                    .order_by(WaitlistEntry.start_at, WaitlistEntry.id)).all()
    assert offers == [first] * len(ROUNDS)
    assert states == [(first, "offered"), (second, "waiting")] * len(ROUNDS)
