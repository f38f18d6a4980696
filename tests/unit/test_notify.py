import sqlalchemy as sa

from app.notify import services as notify
from app.notify.messages import render
from models import Notification, db


def test_a_notification_is_part_of_the_callers_transaction(create_user):
    user = create_user()
    savepoint = db.session.begin_nested()
    notify.notify(user, "institution_approved", name="甲")
    savepoint.rollback()
    assert notify.unread_count(user) == 0
    notify.notify(user, "institution_approved", name="甲")
    db.session.flush()
    assert notify.unread_count(user) == 1


def test_everyone_in_an_organisation_is_told_but_not_other_organisations(world, create_user):
    colleague = create_user("institution", world.institution_a)
    notify.notify_organization(world.institution_a.id, "institution_approved", name="甲检测院")
    db.session.flush()
    assert notify.unread_count(world.lab_a) == notify.unread_count(colleague) == 1
    assert notify.unread_count(world.lab_b) == 0


def test_marking_read_touches_only_the_readers_own_notifications(world, now):
    mine = notify.notify(world.sme_a, "institution_approved", name="x")
    theirs = notify.notify(world.sme_b, "institution_approved", name="x")
    db.session.flush()
    notify.mark_read(world.sme_a, now, theirs.id)
    notify.mark_read(world.sme_a, now, mine.id)
    db.session.expire_all()
    assert db.session.get(Notification, mine.id).read_at == now
    assert db.session.get(Notification, theirs.id).read_at is None


def test_a_message_is_written_in_the_readers_language(app, world):
    note = notify.notify(world.lab_a, "institution_approved", name="甲检测院")
    db.session.flush()
    with app.test_request_context():
        title, body, _url = render(note)
    assert "甲检测院" in body and title == "机构入驻已通过"


def test_an_unknown_kind_still_renders(app, world):
    note = Notification(recipient=world.sme_a, kind="no_such_kind", payload={})
    with app.test_request_context():
        title, body, url = render(note)
    assert title and body and url is None
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0
