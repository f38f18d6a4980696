"""The e-mails waiting in the outbox for an address, read the way the mailer writes them."""
import re

import sqlalchemy as sa

from app.notify.mailer import compose
from models import Notification, db

BASE = "http://qishare.test"


def mails_to(app, address):
    """[(subject, text)] of the outbox's e-mails to `address`, oldest first."""
    with app.app_context():
        notes = db.session.scalars(sa.select(Notification).where(
            sa.or_(Notification.address == address, Notification.recipient.has(email=address)))
            .order_by(Notification.id)).all()
        messages = [compose(note, "noreply@qishare.test", BASE) for note in notes]
        return [(m["Subject"], m.get_body(preferencelist=("plain",)).get_content()) for m in messages]


def link_in(text):
    """The path of the one link on this site in an e-mail's text."""
    match = re.search(re.escape(BASE) + r"(/\S+)", text)
    assert match, text
    return match.group(1)


def last_link_to(app, address):
    mails = mails_to(app, address)
    assert mails, f"no mail to {address}"
    return link_in(mails[-1][1])
