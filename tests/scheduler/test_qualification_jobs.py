"""Qualifications lapse, expire and remind by the scheduler: run twice, each acts once."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.qualifications import jobs, services
from models import Notification, Qualification, db
from scheduler.runner import run_job
from tests.factories import NOW


def notes(kind):
    return db.session.scalars(sa.select(Notification.recipient_id).where(Notification.kind == kind)).all()


def twice(job, now=NOW):
    first, second = job(now), job(now)
    db.session.commit()
    db.session.expire_all()
    return first, second


@pytest.fixture
def lab(world, create_instrument):
    world.instrument = create_instrument(world.institution_a, requires_qualification=True)
    return world


def grant(world, days_ago, user=None, **kw):
    return services.grant(world.lab_a, world.instrument, user or world.sme_a, "independent",
                          NOW - timedelta(days=days_ago), **kw)


def status(qualification):
    return db.session.get(Qualification, qualification.id).status


def test_a_qualification_unused_for_its_lapse_days_lapses_once(lab):
    unused, fresh = grant(lab, 181), grant(lab, 100, user=lab.sme_b)
    assert twice(jobs.lapse) == (1, 0)
    assert (status(unused), status(fresh)) == ("lapsed", "active")
    assert notes("qualification_lapsed") == [lab.sme_a.id]


def test_use_restarts_the_lapse_clock(lab):
    used = grant(lab, 300)
    used.last_used_at = NOW - timedelta(days=10)
    assert twice(jobs.lapse) == (0, 0) and status(used) == "active"


def test_the_instruments_own_lapse_days_apply(lab):
    lab.instrument.qualification_lapse_days = 30
    grant(lab, 31)
    assert twice(jobs.lapse) == (1, 0)


def test_a_qualification_past_its_date_expires_once(lab):
    ending = grant(lab, 10, expires_on=date(2026, 3, 1))  # valid through Sunday; today is Monday
    lasting = grant(lab, 10, user=lab.sme_b, expires_on=date(2026, 3, 2))
    assert twice(jobs.expire) == (1, 0)
    assert (status(ending), status(lasting)) == ("expired", "active")
    assert notes("qualification_expired") == [lab.sme_a.id]


def test_the_holder_is_reminded_14_days_before_a_lapse_once(lab):
    grant(lab, 170)  # lapses in 10 days
    grant(lab, 100, user=lab.sme_b)  # in 80 days: not yet
    assert twice(jobs.remind) == (1, 0)
    assert notes("qualification_lapse_reminder") == [lab.sme_a.id]
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == "qualification_lapse_reminder"))
    assert note.payload["date"] == "2026-03-12" and note.payload["days"] == 180


def test_the_holder_is_reminded_before_an_expiry_too(lab):
    grant(lab, 1, expires_on=date(2026, 3, 16))
    assert twice(jobs.remind) == (1, 0)
    assert notes("qualification_expiry_reminder") == [lab.sme_a.id]


def test_a_renewal_after_the_reminder_earns_a_new_one_for_the_new_date(lab):
    qualification = grant(lab, 170)
    assert jobs.remind(NOW) == 1
    qualification.last_used_at = NOW - timedelta(days=175)  # a late-entered use moves the lapse date
    assert jobs.remind(NOW) == 1
    assert len(notes("qualification_lapse_reminder")) == 2


def test_the_daily_job_expires_lapses_and_reminds(app, lab):
    grant(lab, 181)
    grant(lab, 5, user=lab.sme_b, expires_on=date(2026, 3, 2))
    db.session.commit()
    later = NOW + timedelta(days=1)
    assert run_job(app, "qualification_upkeep", now=later) == "qualifications expired 1, lapsed 1, reminded 0"
    assert run_job(app, "qualification_upkeep", now=later) == "qualifications expired 0, lapsed 0, reminded 0"


def test_the_holder_is_told_in_their_own_language(app, lab):
    from app.notify.mailer import compose

    lab.sme_a.locale = "en"
    grant(lab, 181)
    jobs.lapse(NOW)
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == "qualification_lapsed"))
    with app.app_context():
        message = compose(note, "noreply@example.com", "https://qishare.example.gov.cn")
    assert message["Subject"] == "[QI-Share] Operator qualification lapsed after long disuse"
    assert f"https://qishare.example.gov.cn/instruments/{lab.instrument.id}" in message.get_body(("plain",)).get_content()
