"""The outbox is delivered to a real SMTP server, retried when it is down, and never lost."""
from datetime import timedelta

import sqlalchemy as sa

from app.notify.services import notify
from models import Notification, db
from scheduler.runner import run_job


def pending(world, n=2, recipient=None):
    made = [notify(recipient or world.sme_a, "booking_approved", booking_id=1, instrument="原子吸收光谱仪",
                   start="2026-03-03 10:00", end="11:00", organization="甲精密机械") for _ in range(n)]
    db.session.commit()
    return made


def status(note):
    db.session.expire_all()
    return db.session.get(Notification, note.id)


def test_mail_is_sent_with_text_html_and_a_link_back(world, now, smtp, mail_on):
    notes = pending(world, 2)
    summary = mail_on(smtp, now)
    assert summary == "sent 2, failed 0"
    message = smtp.inbox.messages[0]
    assert message["To"] == world.sme_a.email and message["Subject"] == "[QI-Share] 预约已批准"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "原子吸收光谱仪" in text and "https://qishare.example.gov.cn/bookings/1" in text
    assert 'href="https://qishare.example.gov.cn/bookings/1"' in html
    assert all(status(n).email_status == "sent" for n in notes)


def test_an_english_user_gets_english_mail(world, now, smtp, mail_on):
    world.sme_b.locale = "en"
    pending(world, 1, recipient=world.sme_b)
    mail_on(smtp, now)
    assert smtp.inbox.messages[0]["Subject"] == "[QI-Share] Booking approved"


def test_a_second_run_sends_nothing_more(world, now, smtp, mail_on):
    pending(world, 3)
    mail_on(smtp, now)
    assert mail_on(smtp, now) == "nothing due"
    assert len(smtp.inbox.messages) == 3


def test_nothing_is_lost_while_the_server_is_down(world, now, smtp_down, mail_on):
    (note,) = pending(world, 1)
    assert "will be retried" in mail_on(smtp_down, now)
    stored = status(note)
    assert stored.email_status == "pending" and stored.email_attempts == 1
    assert stored.next_attempt_at == now + timedelta(minutes=1) and stored.last_error
    smtp_down.start()
    assert mail_on(smtp_down, now + timedelta(seconds=30)) == "nothing due"  # backing off
    assert mail_on(smtp_down, now + timedelta(minutes=2)) == "sent 1, failed 0"
    assert len(smtp_down.inbox.messages) == 1 and status(note).email_status == "sent"


def test_after_the_last_attempt_it_is_marked_failed_but_stays_in_the_app(world, now, smtp_down, mail_on):
    (note,) = pending(world, 1)
    for hours in (0, 2, 4):
        mail_on(smtp_down, now + timedelta(hours=hours))
    stored = status(note)
    assert stored.email_status == "failed" and stored.email_attempts == 3 and stored.read_at is None


def test_without_a_mail_server_notifications_stay_in_the_app(app, world, now):
    (note,) = pending(world, 1)
    assert "kept in-app" in run_job(app, "deliver_outbox", now=now)
    assert status(note).email_status == "skipped"
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.read_at.is_(None))) == 1
