"""Two scheduler processes at once never act twice: every reminder and every e-mail exactly once."""
import multiprocessing
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.notify.services import notify
from models import Notification, db
from tests import factories
from tests.factories import NOW

from .workers import run_job_in_new_process

BOOKINGS = 12


def _race(app, database_url, job_id, mail_port=None):
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    processes = [context.Process(target=run_job_in_new_process,
                                 args=(database_url, app.config["UPLOAD_DIR"], job_id, NOW.isoformat(), mail_port, go))
                 for _ in range(2)]
    for process in processes:
        process.start()
    go.set()
    for process in processes:
        process.join(120)
    assert [p.exitcode for p in processes] == [0, 0]


@pytest.mark.committed
def test_two_schedulers_send_each_reminder_exactly_once(app, database_url):
    with app.app_context():
        instrument = factories.create_instrument()
        for n in range(BOOKINGS):
            factories.create_booking(instrument, start=NOW + timedelta(hours=3, minutes=60 * n))
    _race(app, database_url, "send_reminders")
    with app.app_context():
        reminders = db.session.scalars(sa.select(Notification.payload).where(Notification.kind == "booking_reminder")).all()
    assert len(reminders) == BOOKINGS
    assert len({r["booking_id"] for r in reminders}) == BOOKINGS


@pytest.mark.committed
def test_two_schedulers_deliver_each_mail_exactly_once(app, database_url, smtp):
    with app.app_context():
        user = factories.create_user()
        for n in range(BOOKINGS):
            notify(user, "booking_approved", booking_id=n + 1, instrument=f"仪器{n}", start="", end="", organization="")
        db.session.commit()
    _race(app, database_url, "deliver_outbox", mail_port=smtp.port)
    assert len(smtp.inbox.messages) == BOOKINGS
    assert len({m["Message-ID"] for m in smtp.inbox.messages}) == BOOKINGS
    with app.app_context():
        states = db.session.scalars(sa.select(Notification.email_status)).all()
    assert states == ["sent"] * BOOKINGS


@pytest.mark.committed
def test_two_schedulers_offer_each_freed_interval_exactly_once(app, database_url):
    from app.waitlist import services as waitlist
    from models import WaitlistEntry

    with app.app_context():
        waiting = []
        for _ in range(4):
            instrument = factories.create_instrument(requires_approval=False)
            booking = factories.create_booking(instrument, start=NOW + timedelta(days=1, hours=1))
            for _ in range(2):
                entry = waitlist.join(factories.create_user("enterprise"), instrument, booking.start_at,
                                      booking.end_at, NOW)
                waiting.append(entry.user_id)
            booking.transition("cancelled", actor=None, now=NOW)  # freed without telling the line: the job finds it
        db.session.commit()
    _race(app, database_url, "offer_waitlist")
    with app.app_context():
        offered = db.session.scalars(sa.select(Notification.recipient_id).where(
            Notification.kind == "waitlist_offered").order_by(Notification.recipient_id)).all()
        states = db.session.scalars(sa.select(WaitlistEntry.status).order_by(WaitlistEntry.id)).all()
    assert offered == waiting[0::2]  # the first in each line, once
    assert states == ["offered", "waiting"] * 4
