"""上机培训: requests, sessions that hold the calendar, outcomes that grant, and training in the statistics."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.availability.services import free_and_busy
from app.booking import services as bookings
from app.qualifications import services, training
from app.stats.pilots import Services, computed
from app.stats.scope import Period, Scope, district_scope
from app.stats.services import summary
from models import Notification, Occupancy, TrainingRequest, db
from models.errors import Conflict, Forbidden, InvalidTransition, SlotUnavailable, ValidationError
from models.pilot import Pilot
from models.timeutil import at_local
from tests.factories import NOW

TUESDAY = date(2026, 3, 3)


def at(day, hhmm):
    h, m = map(int, hhmm.split(":"))
    return at_local(day, h * 60 + m)


@pytest.fixture
def lab(world, create_instrument):
    world.instrument = create_instrument(world.institution_a, requires_qualification=True, requires_approval=False)
    return world


def ask(world, who=None, note="想学会独立操作"):
    return training.request_training(who or world.sme_a, world.instrument, note, NOW)


def session_at(world, requests, start="10:00", end="12:00", day=TUESDAY):
    return training.schedule(world.lab_a, requests, at(day, start), at(day, end), NOW)


def kinds_for(user):
    return db.session.scalars(sa.select(Notification.kind).where(Notification.recipient_id == user.id)).all()


# Requests ------------------------------------------------------------------------------------

def test_a_request_reaches_the_institutions_staff(lab):
    request = ask(lab)
    assert (request.status, request.note, request.organization_id) == ("requested", "想学会独立操作",
                                                                       lab.enterprise_a.id)
    assert kinds_for(lab.lab_a) == ["training_requested"]
    assert training.waiting_count(lab.institution_a.id) == 1


def test_one_open_request_per_user_and_instrument(lab):
    ask(lab)
    with pytest.raises(Conflict):
        ask(lab)
    assert db.session.scalar(sa.select(sa.func.count(TrainingRequest.id))) == 1


def test_someone_already_qualified_need_not_ask(lab):
    services.grant(lab.lab_a, lab.instrument, lab.sme_a, "independent", NOW)
    with pytest.raises(Conflict):
        ask(lab)


def test_only_enterprise_users_ask(lab):
    with pytest.raises(Forbidden):
        ask(lab, who=lab.lab_a)


def test_a_note_longer_than_500_characters_is_refused(lab):
    with pytest.raises(ValidationError) as refused:
        ask(lab, note="长" * 501)
    assert "note" in refused.value.fields


# Sessions hold the calendar ---------------------------------------------------------------------

def test_a_scheduled_session_holds_the_instruments_calendar(lab):
    session = session_at(lab, [ask(lab)])
    assert session.occupancy.kind == "training" and session.occupancy.active
    _free, busy = free_and_busy(lab.instrument, at(TUESDAY, "09:00"), at(TUESDAY, "17:00"), NOW)
    assert [(b.start, b.end, b.label) for b in busy] == [(at(TUESDAY, "10:00"), at(TUESDAY, "12:00"), "training")]
    with pytest.raises(SlotUnavailable):
        bookings.book(lab.sme_b, lab.instrument, at(TUESDAY, "11:00"), at(TUESDAY, "12:00"), NOW,
                      service_mode="assisted")
    assert kinds_for(lab.sme_a) == ["training_scheduled"]


def test_scheduling_over_a_booking_is_refused_with_slot_unavailable(lab):
    bookings.book(lab.sme_b, lab.instrument, at(TUESDAY, "11:00"), at(TUESDAY, "12:00"), NOW, service_mode="assisted")
    request = ask(lab)
    with pytest.raises(SlotUnavailable) as refused:
        session_at(lab, [request])
    assert refused.value.status == 409
    assert request.status == "requested"


def test_several_requests_share_one_session_and_one_hold(lab, create_user):
    colleague = create_user("enterprise", lab.enterprise_b)
    first, second = ask(lab), ask(lab, who=colleague)
    session = session_at(lab, [first])
    again = session_at(lab, [second])  # the very same time joins the session
    assert again.id == session.id and [a.id for a in session.attendees] == [first.id, second.id]
    holds = db.session.scalar(sa.select(sa.func.count(Occupancy.id)).where(Occupancy.kind == "training"))
    assert holds == 1


def test_a_session_is_for_one_instrument_at_most_a_day_long(lab, create_instrument):
    other = create_instrument(lab.institution_a, requires_qualification=True)
    mixed = [ask(lab), training.request_training(lab.sme_b, other, "", NOW)]
    with pytest.raises(ValidationError):
        session_at(lab, mixed)
    with pytest.raises(ValidationError) as long:
        training.schedule(lab.lab_a, [mixed[0]], at(TUESDAY, "09:00"), at(TUESDAY, "09:00") + timedelta(hours=25), NOW)
    assert "end" in long.value.fields


def test_another_institution_may_not_schedule(lab):
    with pytest.raises(Forbidden):
        training.schedule(lab.lab_b, [ask(lab)], at(TUESDAY, "10:00"), at(TUESDAY, "12:00"), NOW)


# Outcomes -----------------------------------------------------------------------------------

def test_a_pass_grants_the_level_chosen_and_the_trainee_may_book_alone(lab):
    request = ask(lab)
    session = session_at(lab, [request])
    training.complete(lab.lab_a, request, True, "independent", at(TUESDAY, "12:00"))
    assert (request.status, request.level, session.status) == ("passed", "independent", "completed")
    qualification = services.active_of(lab.sme_a.id, lab.instrument.id)
    assert (qualification.level, qualification.source) == ("independent", "training")
    booking = bookings.book(lab.sme_a, lab.instrument, at(TUESDAY, "14:00"), at(TUESDAY, "15:00"), NOW,
                            service_mode="self_operated")
    assert booking.status == "confirmed"


def test_a_pass_may_grant_assisted_use_only(lab):
    request = ask(lab)
    session_at(lab, [request])
    training.complete(lab.lab_a, request, True, "assisted", at(TUESDAY, "12:00"))
    assert services.active_of(lab.sme_a.id, lab.instrument.id).level == "assisted"


def test_a_fail_grants_nothing_and_tells_the_trainee(lab):
    request = ask(lab)
    session_at(lab, [request])
    training.complete(lab.lab_a, request, False, None, at(TUESDAY, "12:00"))
    assert request.status == "failed" and services.active_of(lab.sme_a.id, lab.instrument.id) is None
    assert kinds_for(lab.sme_a)[-1] == "training_failed"


def test_outcomes_wait_for_the_session_to_begin(lab):
    request = ask(lab)
    session_at(lab, [request])
    with pytest.raises(InvalidTransition):
        training.complete(lab.lab_a, request, True, "independent", NOW)


def test_a_pass_with_an_unknown_level_is_refused(lab):
    request = ask(lab)
    session_at(lab, [request])
    with pytest.raises(ValidationError) as refused:
        training.complete(lab.lab_a, request, True, "expert", at(TUESDAY, "12:00"))
    assert "level" in refused.value.fields and request.status == "scheduled"


def test_completing_a_declined_request_is_refused_with_409(lab):
    request = ask(lab)
    training.decline(lab.lab_a, request, "该仪器本月停用检修", NOW)
    assert (request.status, request.status_reason) == ("declined", "该仪器本月停用检修")
    assert kinds_for(lab.sme_a)[-1] == "training_declined"
    with pytest.raises(InvalidTransition) as refused:
        training.complete(lab.lab_a, request, True, "independent", at(TUESDAY, "12:00"))
    assert refused.value.status == 409


def test_declining_needs_a_reason(lab):
    with pytest.raises(ValidationError) as refused:
        training.decline(lab.lab_a, ask(lab), " ", NOW)
    assert "reason" in refused.value.fields


def test_declining_the_only_attendee_cancels_the_session_and_frees_the_time(lab):
    request = ask(lab)
    session = session_at(lab, [request])
    training.decline(lab.lab_a, request, "培训师临时出差", NOW)
    assert session.status == "cancelled" and not session.occupancy.active and request.session_id is None
    booking = bookings.book(lab.sme_b, lab.instrument, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"), NOW,
                            service_mode="assisted")
    assert booking.status == "confirmed"


def test_a_session_completes_when_its_last_attendee_has_an_outcome(lab, create_user):
    first, second = ask(lab), ask(lab, who=create_user("enterprise", lab.enterprise_a))
    session = session_at(lab, [first, second])
    training.complete(lab.lab_a, first, True, "independent", at(TUESDAY, "12:00"))
    assert session.status == "scheduled"
    training.complete(lab.lab_a, second, False, None, at(TUESDAY, "12:00"))
    assert session.status == "completed" and session.occupancy.active  # the time was used


# Training in the statistics -------------------------------------------------------------------

@pytest.fixture
def trained(lab, create_user):
    """Two enterprises (three people) trained 10:00–12:00 on Tuesday, and one declined request."""
    people = [lab.sme_a, create_user("enterprise", lab.enterprise_a), lab.sme_b]
    requests = [ask(lab, who=p) for p in people]
    session_at(lab, requests)
    for request in requests:
        training.complete(lab.lab_a, request, True, "independent", at(TUESDAY, "12:00"))
    training.decline(lab.lab_a, ask(lab, who=create_user("enterprise")), "名额已满", NOW)
    db.session.commit()
    return lab


def test_a_completed_training_counts_as_a_service_per_enterprise_with_its_hours(trained):
    s = summary(Scope(None), Period.year(2026))
    assert s["trainings_completed"] == 2 and s["service_count"] == 2
    assert s["enterprises_served"] == 2 and s["external_hours"] == 2.0 and s["effective_hours"] == 2.0


def test_training_counts_where_the_instrument_is(trained):
    assert summary(district_scope("310115"), Period.year(2026))["service_count"] == 2
    assert summary(district_scope("310112"), Period.year(2026))["service_count"] == 0


def test_the_pilot_table_counts_trainings_like_the_summary(trained):
    pilot = Pilot(year=2026, district_code="310115", name="试点", institutions=[trained.institution_a])
    db.session.add(pilot)
    db.session.commit()
    assert computed(pilot, Services(2026)) == (2, 2)


def test_a_scheduled_session_is_not_yet_a_service(lab):
    session_at(lab, [ask(lab)])
    assert summary(Scope(None), Period.year(2026))["service_count"] == 0


def test_completed_trainings_are_listed_for_the_national_records(trained):
    sessions = training.completed_sessions(trained.institution_a.id, at_local(date(2026, 3, 1)),
                                           at_local(date(2026, 4, 1)))
    assert len(sessions) == 1 and sessions[0].hours == 2.0
    assert sorted(a.status for a in sessions[0].attendees) == ["passed"] * 3
    assert training.completed_sessions(trained.institution_b.id) == []
