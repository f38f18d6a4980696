"""上机资格: granting, revoking, the booking rule (also for staff booking on behalf), use keeping it alive."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.booking import jobs as booking_jobs
from app.booking import services as bookings
from app.qualifications import services
from models import AuditRecord, Notification, Qualification, db
from models.errors import Forbidden, InvalidTransition, QualificationRequired, ValidationError
from models.timeutil import at_local
from tests.factories import NOW

TUESDAY = date(2026, 3, 3)


def at(day, hhmm):
    h, m = map(int, hhmm.split(":"))
    return at_local(day, h * 60 + m)


@pytest.fixture
def lab(world, create_instrument):
    world.instrument = create_instrument(world.institution_a, requires_qualification=True, requires_approval=False,
                                         lead_minutes=60)
    return world


def grant(world, level="independent", user=None, now=NOW, **kw):
    return services.grant(world.lab_a, world.instrument, user or world.sme_a, level, now, **kw)


def book(world, who=None, mode="self_operated", start="10:00", end="11:00", day=TUESDAY, **kw):
    return bookings.book(who or world.sme_a, world.instrument, at(day, start), at(day, end), NOW,
                         service_mode=mode, **kw)


def kinds_for(user):
    return db.session.scalars(sa.select(Notification.kind).where(Notification.recipient_id == user.id)).all()


# The booking rule --------------------------------------------------------------------------

def test_self_operated_use_without_a_qualification_is_refused_with_qualification_required(lab):
    with pytest.raises(QualificationRequired) as refused:
        book(lab)
    assert refused.value.status == 422 and refused.value.code == "qualification_required"
    assert "申请培训" in str(refused.value.message)


def test_assisted_use_needs_no_qualification(lab):
    assert book(lab, mode="assisted").status == "confirmed"


def test_an_independent_qualification_lets_its_holder_book_self_operated_time(lab):
    grant(lab)
    booking = book(lab)
    assert booking.status == "confirmed" and booking.operator_id == lab.sme_a.id


def test_an_assisted_level_is_not_enough_to_operate_alone(lab):
    grant(lab, "assisted")
    with pytest.raises(QualificationRequired) as refused:
        book(lab)
    assert "人员指导" in str(refused.value.message)


def test_a_colleagues_qualification_does_not_count(lab, create_user):
    grant(lab, user=create_user("enterprise", lab.enterprise_a))
    with pytest.raises(QualificationRequired):
        book(lab)


def test_an_instrument_that_does_not_require_qualification_takes_anyone(lab):
    lab.instrument.requires_qualification = False
    assert book(lab).status == "confirmed"


def test_a_booking_may_not_end_after_the_qualification_expires(lab):
    grant(lab, expires_on=TUESDAY)  # valid through Tuesday
    assert book(lab).status == "confirmed"
    with pytest.raises(QualificationRequired) as refused:
        book(lab, day=TUESDAY + timedelta(days=1))
    assert "2026-03-03" in str(refused.value.message)


def test_a_qualification_unused_past_its_lapse_days_no_longer_counts_even_before_the_job_runs(lab):
    grant(lab, now=NOW - timedelta(days=181))
    with pytest.raises(QualificationRequired) as refused:
        book(lab)
    assert "失效" in str(refused.value.message)


def test_staff_booking_self_operated_time_on_behalf_must_name_a_qualified_operator(lab):
    with pytest.raises(ValidationError) as missing:
        book(lab, who=lab.lab_a, organization=lab.enterprise_a)
    assert "operator_user_id" in missing.value.fields
    with pytest.raises(QualificationRequired) as refused:
        book(lab, who=lab.lab_a, organization=lab.enterprise_a, operator=lab.sme_a)
    assert lab.sme_a.name in str(refused.value.message)
    grant(lab)
    booking = book(lab, who=lab.lab_a, organization=lab.enterprise_a, operator=lab.sme_a)
    assert booking.staff_booked and booking.operator_id == lab.sme_a.id


def test_the_operator_must_belong_to_the_booked_enterprise(lab):
    grant(lab, user=lab.sme_b)
    with pytest.raises(ValidationError) as refused:
        book(lab, who=lab.lab_a, organization=lab.enterprise_a, operator=lab.sme_b)
    assert "operator_user_id" in refused.value.fields


def test_staff_book_assisted_use_without_naming_anyone(lab):
    booking = book(lab, who=lab.lab_a, organization=lab.enterprise_a, mode="assisted")
    assert booking.operator_id is None


def test_an_enterprise_user_cannot_name_someone_else_as_operator(lab, create_user):
    colleague = create_user("enterprise", lab.enterprise_a)
    with pytest.raises(ValidationError) as refused:
        book(lab, mode="assisted", operator=colleague)
    assert "operator_user_id" in refused.value.fields


# Use keeps a qualification alive -----------------------------------------------------------

def test_a_completed_self_operated_booking_refreshes_last_used(lab):
    qualification = grant(lab, now=NOW - timedelta(days=170))
    booking = book(lab)
    bookings.check_in(lab.lab_a, booking, at(TUESDAY, "10:00"), at=at(TUESDAY, "10:00"))
    bookings.check_out(lab.lab_a, booking, at(TUESDAY, "10:55"), at=at(TUESDAY, "10:50"))
    assert qualification.last_used_at == at(TUESDAY, "10:50")
    assert qualification.lapses_at == at(TUESDAY, "10:50") + timedelta(days=180)


def test_assisted_use_does_not_refresh_last_used(lab):
    qualification = grant(lab)
    booking = book(lab, mode="assisted")
    bookings.check_in(lab.lab_a, booking, at(TUESDAY, "10:00"), at=at(TUESDAY, "10:00"))
    bookings.check_out(lab.lab_a, booking, at(TUESDAY, "11:00"))
    assert qualification.last_used_at is None


def test_a_booking_the_scheduler_closes_counts_as_use_too(lab):
    qualification = grant(lab)
    booking = book(lab)
    bookings.check_in(lab.lab_a, booking, at(TUESDAY, "10:00"), at=at(TUESDAY, "10:00"))
    assert booking_jobs.close_overdue_checkins(at(TUESDAY, "12:00"), 30) == 1
    assert qualification.last_used_at == at(TUESDAY, "11:00")


# Granting and revoking -----------------------------------------------------------------------

def test_a_grant_is_audited_and_the_holder_is_told(lab):
    qualification = grant(lab, expires_on=date(2026, 9, 30))
    assert (qualification.status, qualification.level, qualification.granted_by_id) == ("active", "independent",
                                                                                        lab.lab_a.id)
    assert [r.action for r in db.session.scalars(sa.select(AuditRecord).where(
        AuditRecord.object_type == "qualifications"))] == ["granted"]
    assert kinds_for(lab.sme_a) == ["qualification_granted_independent"]


def test_granting_again_renews_the_one_active_qualification(lab):
    first = grant(lab, "assisted", now=NOW - timedelta(days=100))
    again = grant(lab, "independent", expires_on=date(2027, 1, 31))
    assert again.id == first.id
    assert (again.level, again.expires_on, again.granted_at) == ("independent", date(2027, 1, 31), NOW)
    count = db.session.scalar(sa.select(sa.func.count(Qualification.id)).where(Qualification.status == "active"))
    assert count == 1


def test_a_grant_that_loses_the_race_renews_the_winners_row(lab, monkeypatch):
    winner = grant(lab, "assisted")
    real, answers = services.active_of, [None]  # the loser looked before the winner's row existed
    monkeypatch.setattr(services, "active_of", lambda *args: answers.pop() if answers else real(*args))
    loser = grant(lab, "independent")
    assert loser.id == winner.id and loser.level == "independent"
    assert len(services.of_user(lab.sme_a)) == 1


def test_the_database_refuses_a_second_active_qualification(lab):
    grant(lab)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(Qualification(user=lab.sme_a, instrument=lab.instrument, level="assisted", status="active",
                                     source="direct", granted_at=NOW))
        db.session.flush()


@pytest.mark.parametrize("level,expires_on,field", [
    ("expert", None, "level"), ("", None, "level"), ("independent", date(2026, 3, 1), "expires_on")])
def test_a_grant_with_bad_input_names_the_field(lab, level, expires_on, field):
    with pytest.raises(ValidationError) as refused:
        grant(lab, level, expires_on=expires_on)
    assert field in refused.value.fields


def test_only_enterprise_users_are_granted(lab):
    with pytest.raises(ValidationError) as refused:
        grant(lab, user=lab.lab_b)
    assert "user_id" in refused.value.fields


def test_another_institutions_staff_may_not_grant(lab):
    with pytest.raises(Forbidden):
        services.grant(lab.lab_b, lab.instrument, lab.sme_a, "independent", NOW)


def test_revoking_needs_a_reason_and_ends_the_qualification(lab):
    qualification = grant(lab)
    with pytest.raises(ValidationError) as missing:
        services.revoke(lab.lab_a, qualification, "  ", NOW)
    assert "reason" in missing.value.fields
    services.revoke(lab.lab_a, qualification, "多次违反操作规程", NOW)
    assert (qualification.status, qualification.status_reason) == ("revoked", "多次违反操作规程")
    assert kinds_for(lab.sme_a)[-1] == "qualification_revoked"
    with pytest.raises(InvalidTransition):
        services.revoke(lab.lab_a, qualification, "again", NOW)
    with pytest.raises(QualificationRequired):
        book(lab)


def test_a_revoked_qualification_can_be_granted_anew(lab):
    services.revoke(lab.lab_a, grant(lab), "重新考核", NOW)
    fresh = grant(lab)
    assert fresh.status == "active" and len(services.of_user(lab.sme_a)) == 2


# What the instrument page offers ----------------------------------------------------------------

def test_an_unqualified_user_is_offered_only_assisted_use(lab):
    standing = services.standing(lab.sme_a, lab.instrument, NOW)
    assert standing.modes == ["assisted"] and standing.needs_training and not standing.may_operate_alone


def test_a_qualified_user_is_offered_both_and_warned_of_a_near_expiry(lab):
    grant(lab, expires_on=date(2026, 3, 20))
    standing = services.standing(lab.sme_a, lab.instrument, NOW)
    assert standing.modes == ["self_operated", "assisted"] and standing.may_operate_alone
    assert standing.ends == ("expires", date(2026, 3, 20))


def test_staff_and_visitors_have_no_standing(lab):
    assert services.standing(lab.lab_a, lab.instrument, NOW) is None
    assert services.standing(None, lab.instrument, NOW) is None
