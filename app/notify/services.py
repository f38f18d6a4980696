"""Notifications: written to the outbox inside the caller's transaction.

A feature calls notify(...) next to the change that causes it; the caller's single commit
stores both or neither. The scheduler delivers e-mail later (app/notify/mailer.py).
"""
import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from models import Notification, User, db
from models.base import built_once
from models.errors import NotFound

from ..policy import parse_id


def notify(recipient, kind, **payload):
    note = Notification(recipient=recipient, kind=kind, payload=payload)
    db.session.add(note)
    return note


def mail_to(address, locale, kind, **payload):
    """An e-mail to an address only (an account link): delivered by the outbox, never shown in the app."""
    note = Notification(address=address, kind=kind, payload=dict(payload, locale=locale))
    db.session.add(note)
    return note


def active_members(organization_id):
    """The active users of an organisation (e.g. all staff of an institution)."""
    return db.session.scalars(_active_members(), {"organization_id": organization_id}).all()


@built_once
def _active_members():
    # the users only: not their organisation and its district (eager by default)
    return (sa.select(User).where(User.organization_id == sa.bindparam("organization_id"), User.active.is_(True))
            .options(lazyload(User.organization)))


def notify_organization(organization_id, kind, *, exclude=None, members=None, **payload):
    """Every active member of an organisation; `members`: its active_members(), if the caller read them already
    (a booking reads them before it locks the calendar)."""
    users = active_members(organization_id) if members is None else members
    return [notify(user, kind, **payload) for user in users if user is not exclude]


def unread_count(user):
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.recipient_id == user.id, Notification.read_at.is_(None)
        )
    )


def recent(user, limit=50):
    return db.session.scalars(
        sa.select(Notification).where(Notification.recipient_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    ).all()


def mark_read(user, now, notification_id=None):
    stmt = sa.update(Notification).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    db.session.execute(stmt.values(read_at=now))


def get_own(user, notification_id):
    """The user's own notification; NotFound for anyone else's (as for one that does not exist)."""
    note = db.session.scalar(
        sa.select(Notification).where(Notification.id == parse_id(notification_id),
                                      Notification.recipient_id == user.id)
    )
    if note is None:
        raise NotFound()
    return note
