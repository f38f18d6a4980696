"""Delivering the outbox by e-mail: claimed, sent, retried with backoff, never lost.

The claim is committed before sending (a mail, once sent, cannot be rolled back), so two
scheduler processes never send the same notification. A failure leaves the notification
pending with a later next_attempt_at; after MAIL_MAX_ATTEMPTS it is marked failed. It stays
in the app throughout. Without MAIL_SERVER nothing is e-mailed: notifications stay in-app.
"""
import contextlib
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from models import Notification, db

from .messages import action_label, render

BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360, 720)
CLAIM = timedelta(minutes=10)


def backoff(attempts):
    return timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


def compose(note, sender, base_url):
    """The e-mail for a notification, in its reader's language, with a link back to the page."""
    app = current_app._get_current_object()
    reader = note.recipient
    address = note.address or reader.email
    locale = reader.locale if reader is not None else (note.payload or {}).get("locale", "zh_CN")
    with app.test_request_context(), force_locale(locale):
        title, body, url = render(note, base_url=base_url or f"http://{app.config['HOST']}:{app.config['PORT']}")
        words = dict(title=title, body=body, url=url, action=action_label(note),
                     greeting=(reader.name or reader.email) if reader is not None else address)
        text = render_template("notify/email.txt", **words)
        html = render_template("notify/email.html", **words)
    message = EmailMessage()
    message["Subject"] = f"[QI-Share] {title}"
    message["From"] = sender
    message["To"] = address
    message["Message-ID"] = make_msgid(idstring=f"qishare-{note.id}")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def _claim(now, limit):
    ids = db.session.scalars(sa.select(Notification.id).where(
        Notification.email_status == "pending",
        sa.or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
        sa.or_(Notification.claimed_until.is_(None), Notification.claimed_until < now))
        .order_by(Notification.id).limit(limit)).all()
    claimed = []
    for note_id in ids:
        result = db.session.execute(
            sa.update(Notification).where(
                Notification.id == note_id, Notification.email_status == "pending",
                sa.or_(Notification.claimed_until.is_(None), Notification.claimed_until < now))
            .values(claimed_until=now + CLAIM, email_attempts=Notification.email_attempts + 1)
            .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            claimed.append(note_id)
    db.session.commit()  # the claim must hold before anything leaves this process
    return claimed


def _smtp(config):
    kind = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    client = kind(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    if config["MAIL_USE_TLS"]:
        client.starttls()
    if config["MAIL_USERNAME"]:
        client.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return client


def deliver(now, config, limit=100):
    """Send what is due. Returns a short summary for the scheduler's log."""
    if not config.get("MAIL_SERVER"):
        skipped = db.session.execute(sa.update(Notification).where(Notification.email_status == "pending")
                                     .values(email_status="skipped")).rowcount
        return f"no MAIL_SERVER: {skipped} kept in-app only"
    claimed = _claim(now, limit)
    if not claimed:
        return "nothing due"
    notes = db.session.scalars(sa.select(Notification).where(Notification.id.in_(claimed))).all()
    sent = failed = 0
    try:
        client = _smtp(config)
    except (OSError, smtplib.SMTPException) as error:
        for note in notes:
            _failed(note, now, config, f"connect: {error}")
        return f"mail server unreachable; {len(notes)} will be retried"
    try:
        for note in notes:
            try:
                client.send_message(compose(note, config["MAIL_DEFAULT_SENDER"], config["PUBLIC_BASE_URL"]))
            except (OSError, smtplib.SMTPException) as error:
                _failed(note, now, config, str(error))
                failed += 1
            else:
                note.email_status, note.delivered_at, note.claimed_until = "sent", now, None
                sent += 1
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            client.quit()
    return f"sent {sent}, failed {failed}"


def _failed(note, now, config, error):
    note.last_error = error[:500]
    note.claimed_until = None
    if note.email_attempts >= config["MAIL_MAX_ATTEMPTS"]:
        note.email_status = "failed"
    else:
        note.next_attempt_at = now + backoff(note.email_attempts)
