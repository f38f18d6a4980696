"""Booking rules in the order the service checks them, each with its own error; transitions and their guards."""
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.booking import services
from app.catalog import services as catalog
from models import AuditRecord, Booking, Closure, Notification, Occupancy, db
from models.booking import ACTIVE, TRANSITIONS
from models.errors import (
    BookingsAffected,
    CalibrationExpired,
    Closed,
    Forbidden,
    InvalidTransition,
    NotBookable,
    PolicyViolation,
    SlotUnavailable,
    ValidationError,
)
from models.timeutil import at_local

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 Shanghai
TUESDAY = date(2026, 3, 3)


def at(day, hhmm):
    h, m = map(int, hhmm.split(":"))
    return at_local(day, h * 60 + m)


@pytest.fixture
def lab(world, create_instrument):
    world.instrument = create_instrument(world.institution_a, requires_approval=False, lead_minutes=60,
                                         max_advance_days=30, min_minutes=30, max_minutes=240,
                                         max_future_bookings_per_org=2)
    return world


def book(world, start, end, who=None, **kw):
    return services.book(who or world.sme_a, world.instrument, start, end, NOW, **kw)


def test_a_booking_on_free_time_is_confirmed_and_priced_for_an_sme(lab):
    booking = book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:30"))
    assert booking.status == "confirmed" and booking.occupancy.active
    assert booking.price_amount == Decimal("720.00")  # 1.5 h × 600 × (1 − 20 %)
    assert booking.organization_id == lab.enterprise_a.id


def test_an_instrument_that_needs_approval_starts_pending_and_tells_the_institution(lab):
    lab.instrument.requires_approval = True
    booking = book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    assert booking.status == "pending"
    kinds = dict(db.session.execute(sa.select(Notification.recipient_id, Notification.kind)).all())
    assert kinds == {lab.lab_a.id: "booking_requested", lab.sme_a.id: "booking_received"}


@pytest.mark.parametrize("start,end,error,field", [
    ("11:00", "10:00", ValidationError, "end"),
    ("10:00", "10:00", ValidationError, "end"),
    ("10:15", "11:00", ValidationError, "start"),
    ("10:00", "10:45", ValidationError, "end"),
])
def test_bad_intervals_are_validation_errors(lab, start, end, error, field):
    with pytest.raises(error) as raised:
        book(lab, at(TUESDAY, start), at(TUESDAY, end))
    assert field in raised.value.fields


@pytest.mark.parametrize("start,end,words", [
    (at(TUESDAY, "10:00"), at(TUESDAY, "10:30"), "至少 60 分钟"),
    (at(TUESDAY, "09:00"), at(TUESDAY, "13:30"), "最多 240 分钟"),
    (NOW - timedelta(hours=2), NOW - timedelta(hours=1), "已经过去"),
    (NOW + timedelta(minutes=30), NOW + timedelta(minutes=90), "至少提前 60 分钟"),
    (at(date(2026, 4, 7), "10:00"), at(date(2026, 4, 7), "11:00"), "最多只能提前 30 天"),
])
def test_too_short_too_long_too_early_too_far_are_policy_violations(lab, start, end, words):
    lab.instrument.min_minutes = 60
    with pytest.raises(PolicyViolation) as raised:
        book(lab, start, end)
    assert words in str(raised.value.message)


def test_an_instrument_in_maintenance_is_not_bookable(lab):
    lab.instrument.status = "maintenance"
    with pytest.raises(NotBookable):
        book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))


def test_a_booking_must_end_before_the_certificate_expires(lab):
    lab.instrument.calibration_valid_until = TUESDAY
    with pytest.raises(CalibrationExpired) as raised:
        book(lab, at(date(2026, 3, 4), "10:00"), at(date(2026, 3, 4), "11:00"))
    assert "2026-03-03" in str(raised.value.message)


@pytest.mark.parametrize("start,end,words", [
    ((TUESDAY, "07:00"), (TUESDAY, "08:00"), "开放时间"),
    ((date(2026, 4, 6), "10:00"), (date(2026, 4, 6), "11:00"), "节假日"),  # 清明节 (observed)
])
def test_closed_time_is_refused_with_what_to_do(lab, start, end, words):
    lab.instrument.max_advance_days = 60
    with pytest.raises(Closed) as raised:
        book(lab, at(*start), at(*end))
    assert words in str(raised.value.message)


def test_a_closure_is_refused_as_closed(lab):
    db.session.add(Closure(instrument_id=lab.instrument.id, start_at=at(TUESDAY, "10:00"), end_at=at(TUESDAY, "12:00"),
                           kind="calibration", created_at=NOW))
    with pytest.raises(Closed) as raised:
        book(lab, at(TUESDAY, "11:00"), at(TUESDAY, "12:00"))
    assert "停机" in str(raised.value.message)


def test_overlapping_bookings_are_refused_with_409(lab, create_booking):
    create_booking(lab.instrument, lab.enterprise_b, start=at(TUESDAY, "10:00"))
    with pytest.raises(SlotUnavailable) as raised:
        book(lab, at(TUESDAY, "10:30"), at(TUESDAY, "11:30"))
    assert raised.value.status == 409


def test_an_organisation_cannot_hold_more_than_its_limit(lab):
    book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    book(lab, at(TUESDAY, "11:00"), at(TUESDAY, "12:00"))
    with pytest.raises(PolicyViolation) as raised:
        book(lab, at(TUESDAY, "13:00"), at(TUESDAY, "14:00"))
    assert "上限 2 个" in str(raised.value.message)
    book(lab, at(TUESDAY, "13:00"), at(TUESDAY, "14:00"), who=lab.sme_b)  # another organisation may


def test_the_checks_run_in_design_order(lab):
    lab.instrument.min_minutes = 60
    # too short AND on a holiday: the duration rule comes first
    with pytest.raises(PolicyViolation):
        book(lab, at(date(2026, 4, 6), "10:00"), at(date(2026, 4, 6), "10:30"))
    # after calibration AND outside hours: calibration comes first
    lab.instrument.calibration_valid_until = TUESDAY
    with pytest.raises(CalibrationExpired):
        book(lab, at(date(2026, 3, 4), "07:00"), at(date(2026, 3, 4), "08:00"))


def test_nothing_is_written_when_a_booking_is_refused(lab, create_booking):
    create_booking(lab.instrument, lab.enterprise_b, start=at(TUESDAY, "10:00"))
    before = db.session.scalar(sa.select(sa.func.count(Booking.id)))
    with pytest.raises(SlotUnavailable):
        book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == before


@pytest.mark.parametrize("who", ["lab_b", "district_a", "city", "admin"])
def test_only_enterprises_and_the_owning_institution_book(lab, who):
    with pytest.raises(Forbidden):
        book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"), who=getattr(lab, who))


def test_staff_book_for_an_enterprise_including_walk_in_use_already_past(lab):
    lab.instrument.requires_approval = True
    monday = date(2026, 3, 2)
    booking = services.book(lab.lab_a, lab.instrument, at(monday, "09:30"), at(monday, "10:00"), at(monday, "11:00"),
                            organization=lab.enterprise_b)
    assert booking.status == "confirmed" and booking.staff_booked
    assert booking.organization_id == lab.enterprise_b.id


def test_staff_still_respect_conflicts_and_calibration(lab, create_booking):
    create_booking(lab.instrument, lab.enterprise_b, start=at(TUESDAY, "10:00"))
    with pytest.raises(SlotUnavailable):
        book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"), who=lab.lab_a, organization=lab.enterprise_a)
    lab.instrument.calibration_valid_until = date(2026, 3, 1)
    with pytest.raises(CalibrationExpired):
        book(lab, NOW - timedelta(hours=1), NOW, who=lab.lab_a, organization=lab.enterprise_a)


def test_staff_must_name_an_enterprise(lab):
    with pytest.raises(ValidationError) as raised:
        book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"), who=lab.lab_a, organization=lab.institution_b)
    assert "organization_id" in raised.value.fields


def test_a_mode_the_instrument_does_not_offer_is_refused(lab):
    with pytest.raises(ValidationError) as raised:
        book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"), service_mode="test_by_proxy")
    assert "service_mode" in raised.value.fields


# Transitions -------------------------------------------------------------------------------

@pytest.fixture
def pending(lab):
    lab.instrument.requires_approval = True
    lab.booking = book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    return lab


def trail(booking):
    return db.session.execute(sa.select(AuditRecord.action, AuditRecord.from_state, AuditRecord.to_state).where(
        AuditRecord.object_type == "bookings", AuditRecord.object_id == booking.id).order_by(AuditRecord.id)).all()


def test_the_institution_approves_and_the_customer_is_told(pending):
    services.approve(pending.lab_a, pending.booking, NOW)
    assert pending.booking.status == "confirmed"
    assert trail(pending.booking)[-1] == ("approved", "pending", "confirmed")
    told = db.session.scalar(sa.select(Notification.kind).where(Notification.recipient_id == pending.sme_a.id,
                                                                 Notification.kind == "booking_approved"))
    assert told == "booking_approved"


def test_an_enterprise_cannot_approve_its_own_booking(pending):
    with pytest.raises(Forbidden):
        services.approve(pending.sme_a, pending.booking, NOW)


def test_approving_twice_is_an_invalid_transition(pending):
    services.approve(pending.lab_a, pending.booking, NOW)
    with pytest.raises(InvalidTransition):
        services.approve(pending.lab_a, pending.booking, NOW)


def test_rejection_keeps_the_reason_and_frees_the_slot(pending):
    services.reject(pending.lab_a, pending.booking, "设备内部比对", NOW)
    assert pending.booking.status_reason == "设备内部比对" and not pending.booking.occupancy.active
    assert book(pending, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"), who=pending.sme_b).status == "pending"


def test_cancelling_inside_the_free_window_is_free_and_after_it_is_late(lab):
    early = book(lab, at(date(2026, 3, 5), "10:00"), at(date(2026, 3, 5), "11:00"))
    services.cancel(lab.sme_a, early, "", NOW)
    assert early.status == "cancelled" and not early.late_cancellation
    late = book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    services.cancel(lab.sme_a, late, "样品未到", at(TUESDAY, "08:00"))
    assert late.late_cancellation


def test_a_customer_cannot_cancel_once_it_has_started(lab):
    booking = book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    with pytest.raises(InvalidTransition):
        services.cancel(lab.sme_a, booking, "", at(TUESDAY, "10:10"))


def test_another_enterprise_cannot_cancel(lab):
    booking = book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    with pytest.raises(Forbidden):
        services.cancel(lab.sme_b, booking, "", NOW)


def test_check_in_and_out_record_actual_use_and_charge_rounded_up_to_the_slot(lab):
    booking = book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    services.check_in(lab.lab_a, booking, at(TUESDAY, "10:05"))
    services.check_out(lab.lab_a, booking, at(TUESDAY, "11:20"))
    assert (booking.actual_start, booking.actual_end) == (at(TUESDAY, "10:05"), at(TUESDAY, "11:20"))
    assert booking.status == "completed" and not booking.occupancy.active
    assert booking.charge_amount == Decimal("720.00")  # 75 min → 90 min × 600/h × 0.8


def test_staff_may_enter_actual_times_but_not_in_the_future(lab):
    booking = book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    with pytest.raises(ValidationError):
        services.check_in(lab.lab_a, booking, at(TUESDAY, "10:00"), at=at(TUESDAY, "12:00"))
    services.check_in(lab.lab_a, booking, at(TUESDAY, "12:00"), at=at(TUESDAY, "10:02"))
    with pytest.raises(ValidationError):
        services.check_out(lab.lab_a, booking, at(TUESDAY, "12:00"), at=at(TUESDAY, "10:00"))


def test_actual_times_stay_within_two_days_of_the_booking(lab):
    booking = book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    with pytest.raises(ValidationError) as error:
        services.check_in(lab.lab_a, booking, at(TUESDAY, "09:40"), at=NOW - timedelta(days=3))
    assert "两天" in str(error.value.fields["at"])
    services.check_in(lab.lab_a, booking, at(TUESDAY, "09:30"))
    with pytest.raises(ValidationError):
        services.check_out(lab.lab_a, booking, at(TUESDAY, "11:00") + timedelta(days=3))


def test_no_show_only_after_the_start(lab):
    booking = book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    with pytest.raises(InvalidTransition):
        services.mark_no_show(lab.lab_a, booking, at(TUESDAY, "09:00"))
    services.mark_no_show(lab.lab_a, booking, at(TUESDAY, "10:31"))
    assert booking.status == "no_show" and not booking.occupancy.active


def test_enterprises_cannot_check_in(lab):
    booking = book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    with pytest.raises(Forbidden):
        services.check_in(lab.sme_a, booking, at(TUESDAY, "10:00"))


@pytest.mark.parametrize("start_state", sorted(set(TRANSITIONS) | {"rejected", "cancelled", "expired", "no_show",
                                                                   "completed"}))
def test_every_transition_keeps_the_hold_in_step_and_refuses_the_rest(lab, create_booking, start_state):
    targets = ("pending", "confirmed", "rejected", "cancelled", "expired", "checked_in", "no_show", "completed")
    for index, target in enumerate(targets):
        booking = create_booking(lab.instrument, lab.enterprise_a, start=at(TUESDAY, "10:00") + timedelta(days=index),
                                 status=start_state)
        if target in TRANSITIONS.get(start_state, ()):
            booking.transition(target, actor=lab.lab_a, now=NOW)
            assert booking.occupancy.active == (target in ACTIVE)
            assert booking.sequence == 1
        else:
            with pytest.raises(InvalidTransition):
                booking.transition(target, actor=lab.lab_a, now=NOW)
            assert booking.status == start_state
        db.session.rollback()


def test_every_transition_is_audited(lab):
    booking = book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    services.check_in(lab.lab_a, booking, at(TUESDAY, "10:00"))
    services.check_out(lab.lab_a, booking, at(TUESDAY, "11:00"))
    assert [row[0] for row in trail(booking)] == ["created", "checked_in", "checked_out"]


def test_a_closure_over_active_bookings_is_refused_naming_them_and_one_beside_them_is_added(lab, create_booking):
    booked = create_booking(lab.instrument, lab.enterprise_b, start=at(TUESDAY, "10:00"))
    with pytest.raises(BookingsAffected) as refused:
        catalog.add_closure(lab.lab_a, lab.instrument, at(TUESDAY, "09:00"), at(TUESDAY, "17:00"), "maintenance", "",
                            NOW)
    assert "1 个有效预约" in str(refused.value.message) and "2026-03-03 10:00" in str(refused.value.message)
    assert refused.value.status == 409 and refused.value.details == {"booking_ids": [booked.id]}
    closure = catalog.add_closure(lab.lab_a, lab.instrument, at(TUESDAY, "12:00"), at(TUESDAY, "17:00"),
                                  "maintenance", "", NOW)
    assert db.session.scalars(sa.select(Closure.id)).all() == [closure.id]


@pytest.mark.postgres_only
def test_a_hold_refused_by_the_database_leaves_the_callers_transaction_alone(lab, create_booking):
    create_booking(lab.instrument, lab.enterprise_b, start=at(TUESDAY, "10:00"))
    db.session.add(Closure(instrument_id=lab.instrument.id, start_at=at(TUESDAY, "14:00"), end_at=at(TUESDAY, "15:00"),
                           kind="maintenance", reason="written before", source="manual", created_by_id=lab.lab_a.id,
                           created_at=NOW))
    clash = Occupancy.hold(lab.instrument, at(TUESDAY, "10:30"), at(TUESDAY, "11:30"), NOW, "booking")
    with pytest.raises(SlotUnavailable):
        services.write_hold(clash)  # past every check: only the exclusion constraint stops it
    db.session.commit()
    assert db.session.scalars(sa.select(Closure.reason)).all() == ["written before"]
    assert db.session.scalar(sa.select(sa.func.count(Occupancy.id)).where(Occupancy.active.is_(True))) == 1


def test_check_in_two_days_ahead_is_refused_and_opens_thirty_minutes_before(lab):
    booking = book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    with pytest.raises(InvalidTransition) as error:
        services.check_in(lab.lab_a, booking, at(TUESDAY, "10:00") - timedelta(days=2))
    assert "30" in str(error.value.message)
    with pytest.raises(InvalidTransition):
        services.check_in(lab.lab_a, booking, at(TUESDAY, "09:29"))
    with pytest.raises(ValidationError):  # nor an earlier time typed for a booking that has not begun
        services.check_in(lab.lab_a, booking, at(TUESDAY, "09:45"), at=at(TUESDAY, "09:00"))
    services.check_in(lab.lab_a, booking, at(TUESDAY, "09:30"))
    assert booking.status == "checked_in" and booking.actual_start == at(TUESDAY, "09:30")


def test_staff_may_enter_an_earlier_actual_start_for_a_booking_already_begun(lab):
    booking = book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    services.check_in(lab.lab_a, booking, at(TUESDAY, "12:00"), at=at(TUESDAY, "09:00"))
    assert booking.actual_start == at(TUESDAY, "09:00")


def test_a_check_out_shorter_than_one_slot_is_refused_with_what_to_do(lab):
    booking = book(lab, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    services.check_in(lab.lab_a, booking, at(TUESDAY, "10:00"))
    for minutes in (0, 1, booking.instrument.slot_minutes - 1):
        with pytest.raises(ValidationError) as error:
            services.check_out(lab.lab_a, booking, at(TUESDAY, "10:00") + timedelta(minutes=max(minutes, 1)),
                               at=at(TUESDAY, "10:00") + timedelta(minutes=minutes))
        assert "爽约" in str(error.value.fields["at"])
    assert booking.status == "checked_in"
    services.check_out(lab.lab_a, booking, at(TUESDAY, "10:30"))
    assert booking.status == "completed" and booking.charge_amount > 0
