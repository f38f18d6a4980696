"""Service orders: every path of the state machine, the bad inputs, reports, order work, reviews."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.booking import services as bookings
from app.orders import services
from app.reviews import services as reviews
from models import AuditRecord, Notification, Occupancy, db
from models.errors import (
    Conflict,
    Forbidden,
    InvalidTransition,
    NotFound,
    PayloadTooLarge,
    SlotUnavailable,
    ValidationError,
)
from models.order import TRANSITIONS
from models.timeutil import at_local
from tests.factories import PDF

TODAY = date(2026, 3, 2)


def request_data(world, **overrides):
    data = {"kind": "test_by_proxy", "institution_id": world.institution_a.id, "instrument_id": None,
            "title": "电池外壳盐雾试验", "description": "",
            "sample": {"name": "铝合金外壳", "model": "BX-200", "quantity": 3, "unit": "件", "disposal": "return"},
            "items": [{"name": "中性盐雾试验 96h", "standard": "GB/T 10125-2021"},
                      {"name": "外观评级", "standard": "GB/T 6461-2002"}],
            "needed_by": TODAY + timedelta(days=20), "confidential": False}
    data.update(overrides)
    return data


@pytest.fixture
def order(world, now):
    return services.submit(world.sme_a, request_data(world), now)


def quote(world, order, now, amount="1200.00", valid=TODAY + timedelta(days=7)):
    services.quote(world.lab_a, order, Decimal(amount), 7, valid, "含报告费", now)


def walk_to(world, order, now, state, upload_dir):
    """Drive an order along the happy path until it reaches `state`."""
    steps = [
        ("quoted", lambda: quote(world, order, now)),
        ("accepted", lambda: services.accept(world.sme_a, order, now)),
        ("sample_received", lambda: services.receive_sample(world.lab_a, order, now)),
        ("testing", lambda: services.start_testing(world.lab_a, order, now)),
        ("report_issued", lambda: services.issue_report(world.lab_a, order, PDF, "BG-1", now,
                                                        upload_dir=upload_dir, max_bytes=10_000)),
        ("completed", lambda: services.complete(world.sme_a, order, now)),
    ]
    for target, step in steps:
        if order.status == state:
            return
        step()
        assert order.status == target


@pytest.mark.parametrize("kind", ["test_by_proxy", "outsourced_testing"])
def test_both_kinds_walk_from_request_to_completion(world, now, tmp_path, kind):
    order = services.submit(world.sme_a, request_data(world, kind=kind), now)
    walk_to(world, order, now, "completed", tmp_path)
    assert order.sample_no == f"YP-2026-{order.id:06d}" and order.report_no == "BG-1"
    actions = db.session.scalars(sa.select(AuditRecord.action).where(
        AuditRecord.object_type == "service_orders", AuditRecord.object_id == order.id).order_by(AuditRecord.id)).all()
    assert actions == ["submitted", "quoted", "accepted", "sample_received", "testing", "report_issued", "completed"]


def test_each_step_tells_the_other_side(world, order, now, tmp_path):
    walk_to(world, order, now, "completed", tmp_path)
    kinds = db.session.execute(sa.select(Notification.recipient_id, Notification.kind).order_by(Notification.id)).all()
    assert [k for r, k in kinds if r == world.lab_a.id] == ["order_submitted", "order_accepted", "order_completed"]
    assert [k for r, k in kinds if r == world.sme_a.id] == [
        "order_quoted", "order_sample_received", "order_testing", "order_report_issued"]


def test_a_declined_quote_ends_the_order(world, order, now):
    quote(world, order, now)
    services.decline(world.sme_a, order, now, "预算不足")
    assert order.status == "declined"
    with pytest.raises(InvalidTransition):
        services.accept(world.sme_a, order, now)


def test_the_institution_rejects_with_a_reason(world, order, now):
    with pytest.raises(ValidationError):
        services.reject(world.lab_a, order, " ", now)
    services.reject(world.lab_a, order, "无此项目资质", now)
    assert order.status == "rejected" and order.status_reason == "无此项目资质"


def test_an_expired_quote_cannot_be_accepted_and_expires(world, order, now):
    quote(world, order, now, valid=TODAY)
    with pytest.raises(InvalidTransition):
        services.accept(world.sme_a, order, now + timedelta(days=2))
    services.expire_quote(order, now + timedelta(days=2))
    assert order.status == "expired"


def test_the_enterprise_cancels_only_before_the_sample_arrives(world, now, tmp_path):
    early = services.submit(world.sme_a, request_data(world), now)
    walk_to(world, early, now, "accepted", tmp_path)
    services.cancel(world.sme_a, early, "", now)
    assert early.status == "cancelled"
    late = services.submit(world.sme_a, request_data(world), now)
    walk_to(world, late, now, "sample_received", tmp_path)
    with pytest.raises(InvalidTransition):
        services.cancel(world.sme_a, late, "", now)


def test_the_institution_cancels_with_a_reason_until_the_report(world, now, tmp_path):
    order = services.submit(world.sme_a, request_data(world), now)
    walk_to(world, order, now, "testing", tmp_path)
    with pytest.raises(ValidationError):
        services.cancel(world.lab_a, order, "", now)
    services.cancel(world.lab_a, order, "设备故障，无法按期完成", now)
    assert order.status == "cancelled"
    done = services.submit(world.sme_a, request_data(world), now)
    walk_to(world, done, now, "report_issued", tmp_path)
    with pytest.raises(InvalidTransition):
        services.cancel(world.lab_a, done, "太晚了", now)


@pytest.mark.parametrize("state", ["submitted", "quoted", "accepted", "sample_received", "testing", "report_issued",
                                   "completed"])
def test_every_wrong_step_is_an_invalid_transition(world, now, tmp_path, state):
    order = services.submit(world.sme_a, request_data(world), now)
    walk_to(world, order, now, state, tmp_path)
    attempts = {
        "quoted": lambda: quote(world, order, now),
        "accepted": lambda: services.accept(world.sme_a, order, now),
        "sample_received": lambda: services.receive_sample(world.lab_a, order, now, f"S-{state}"),
        "testing": lambda: services.start_testing(world.lab_a, order, now),
        "completed": lambda: services.complete(world.sme_a, order, now),
    }
    for target, attempt in attempts.items():
        if target in TRANSITIONS.get(state, ()):
            continue
        with pytest.raises(InvalidTransition):
            attempt()
        assert order.status == state


@pytest.mark.parametrize("who", ["sme_b", "lab_b", "district_a"])
def test_strangers_cannot_move_an_order(world, order, now, who):
    with pytest.raises(Forbidden):
        services.quote(getattr(world, who), order, Decimal(1), 1, TODAY + timedelta(days=1), "", now)
    with pytest.raises(Forbidden):
        services.cancel(getattr(world, who), order, "x", now)


def test_the_enterprise_cannot_quote_and_the_institution_cannot_accept(world, order, now):
    with pytest.raises(Forbidden):
        services.quote(world.sme_a, order, Decimal(1), 1, TODAY, "", now)
    quote(world, order, now)
    with pytest.raises(Forbidden):
        services.accept(world.lab_a, order, now)


@pytest.mark.parametrize("overrides,field", [
    ({"items": []}, "items"),
    ({"items": [{"name": "  ", "standard": "GB/T 1"}]}, "items"),
    ({"needed_by": TODAY - timedelta(days=1)}, "needed_by"),
    ({"institution_id": 999999}, "institution_id"),
])
def test_bad_requests_are_refused_and_nothing_is_stored(world, now, overrides, field):
    with pytest.raises(ValidationError) as error:
        services.submit(world.sme_a, request_data(world, **overrides), now)
    assert field in error.value.fields


def test_an_instrument_of_another_institution_cannot_be_named(world, now, create_instrument):
    other = create_instrument(world.institution_b)
    with pytest.raises(ValidationError) as error:
        services.submit(world.sme_a, request_data(world, instrument_id=other.id), now)
    assert "instrument_id" in error.value.fields


def test_only_enterprises_request_tests(world, now):
    with pytest.raises(Forbidden):
        services.submit(world.lab_b, request_data(world), now)


@pytest.mark.parametrize("amount,days,valid,field", [
    ("-1", 5, TODAY + timedelta(days=3), "amount"),
    ("100", 0, TODAY + timedelta(days=3), "turnaround_days"),
    ("100", 5, TODAY - timedelta(days=1), "valid_until"),
])
def test_bad_quotes_are_refused_and_the_order_stays_submitted(world, order, now, amount, days, valid, field):
    with pytest.raises(ValidationError) as error:
        services.quote(world.lab_a, order, Decimal(amount), days, valid, "", now)
    assert field in error.value.fields and order.status == "submitted"


@pytest.mark.parametrize("data,error", [
    (b"", ValidationError),
    (b"PK\x03\x04 this is a zip", ValidationError),
    (b"<html>%PDF-</html>", ValidationError),
    (b"%PDF-" + b"x" * 20_000, PayloadTooLarge),
    (b"%PDF-1.4\n% only the magic bytes\n%%EOF\n", ValidationError),
    (PDF[: len(PDF) // 2], ValidationError),
])
def test_only_real_pdfs_within_the_size_cap_are_issued(world, order, now, tmp_path, data, error):
    walk_to(world, order, now, "testing", tmp_path)
    with pytest.raises(error):
        services.issue_report(world.lab_a, order, data, "BG-9", now, upload_dir=tmp_path, max_bytes=10_000)
    assert order.status == "testing" and order.report_file is None
    assert not (tmp_path / "reports").exists() or not list((tmp_path / "reports").iterdir())


def test_the_report_is_stored_under_a_random_name_outside_the_web_root(world, order, now, tmp_path):
    walk_to(world, order, now, "report_issued", tmp_path)
    stored = list((tmp_path / "reports").iterdir())
    assert [p.name for p in stored] == [order.report_file]
    assert "BG-1" not in order.report_file and stored[0].read_bytes() == PDF
    assert oct(stored[0].stat().st_mode)[-3:] == "600"


def test_a_second_report_after_issue_is_refused(world, order, now, tmp_path):
    walk_to(world, order, now, "report_issued", tmp_path)
    with pytest.raises(InvalidTransition):
        services.issue_report(world.lab_a, order, PDF, "BG-2", now, upload_dir=tmp_path, max_bytes=10_000)
    assert order.report_no == "BG-1"


def test_only_the_two_parties_get_the_report(world, order, now, tmp_path):
    walk_to(world, order, now, "report_issued", tmp_path)
    assert services.get_report(world.sme_a, order) == order.report_file
    assert services.get_report(world.lab_a, order) == order.report_file
    for stranger in (world.sme_b, world.lab_b, world.district_a, world.city, world.admin):
        with pytest.raises(NotFound):
            services.get_report(stranger, order)


def test_a_sample_number_may_be_entered_but_not_reused(world, now, tmp_path):
    first = services.submit(world.sme_a, request_data(world), now)
    walk_to(world, first, now, "accepted", tmp_path)
    services.receive_sample(world.lab_a, first, now, "S-001")
    second = services.submit(world.sme_a, request_data(world), now)
    walk_to(world, second, now, "accepted", tmp_path)
    with pytest.raises(ValidationError):
        services.receive_sample(world.lab_a, second, now, "S-001")


def test_order_work_holds_the_instrument_like_a_booking(world, order, now, tmp_path, create_instrument,
                                                        create_booking):
    instrument = create_instrument(world.institution_a)
    walk_to(world, order, now, "testing", tmp_path)
    tuesday = date(2026, 3, 3)
    later = at_local(tuesday, 20 * 60)  # work is logged once it is done
    hold = services.log_work(world.lab_a, order, instrument.id, at_local(tuesday, 600), at_local(tuesday, 720), later)
    assert hold.kind == "order_work" and hold.active and hold.order_id == order.id
    with pytest.raises(SlotUnavailable):
        services.log_work(world.lab_a, order, instrument.id, at_local(tuesday, 660), at_local(tuesday, 780), later)
    create_booking(instrument, world.enterprise_b, start=at_local(tuesday, 840))
    with pytest.raises(SlotUnavailable):
        services.log_work(world.lab_a, order, instrument.id, at_local(tuesday, 840), at_local(tuesday, 900), later)
    with pytest.raises(SlotUnavailable):
        bookings.book(world.sme_b, instrument, at_local(tuesday, 630), at_local(tuesday, 690), now)


def test_order_work_and_bookings_hold_the_buffer_after_them_alike(world, order, now, tmp_path, create_instrument):
    instrument = create_instrument(world.institution_a, buffer_minutes=30)
    walk_to(world, order, now, "testing", tmp_path)
    tuesday = date(2026, 3, 3)
    booking = bookings.book(world.sme_b, instrument, at_local(tuesday, 690), at_local(tuesday, 750), now)
    later = at_local(tuesday, 20 * 60)
    work = services.log_work(world.lab_a, order, instrument.id, at_local(tuesday, 600), at_local(tuesday, 660), later)
    assert (work.blocks_until, booking.occupancy.blocks_until) == (at_local(tuesday, 690), at_local(tuesday, 780))
    with pytest.raises(SlotUnavailable):
        services.log_work(world.lab_a, order, instrument.id, at_local(tuesday, 750), at_local(tuesday, 810), later)


def test_order_work_only_on_own_instruments_and_while_testing(world, order, now, tmp_path, create_instrument):
    theirs = create_instrument(world.institution_b)
    tuesday = date(2026, 3, 3)
    with pytest.raises(InvalidTransition):
        services.log_work(world.lab_a, order, theirs.id, at_local(tuesday, 600), at_local(tuesday, 660), now)
    walk_to(world, order, now, "testing", tmp_path)
    with pytest.raises(ValidationError):
        services.log_work(world.lab_a, order, theirs.id, at_local(tuesday, 600), at_local(tuesday, 660), now)
    assert db.session.scalar(sa.select(sa.func.count(Occupancy.id))) == 0


def test_a_completed_order_is_reviewed_once_by_its_enterprise(world, order, now, tmp_path):
    with pytest.raises(InvalidTransition):
        reviews.review_order(world.sme_a, order, 5, "", now)
    walk_to(world, order, now, "completed", tmp_path)
    with pytest.raises(Forbidden):
        reviews.review_order(world.lab_a, order, 5, "", now)
    with pytest.raises(ValidationError):
        reviews.review_order(world.sme_a, order, 6, "", now)
    review = reviews.review_order(world.sme_a, order, 4, "周期可以再短一些", now)
    assert review.institution_id == world.institution_a.id
    with pytest.raises(Conflict):
        reviews.review_order(world.sme_a, order, 5, "", now)


def test_a_completed_booking_is_reviewed_too(world, create_instrument, create_booking, now):
    booking = create_booking(create_instrument(world.institution_a), world.enterprise_a, status="completed",
                             created_by=world.sme_a)
    assert reviews.review_booking(world.sme_a, booking, 5, "好", now).booking_id == booking.id


@pytest.mark.parametrize("number", ["BG-1\r\nX-Injected: 1", "BG-1\nBG-2", "BG\x00-1", "BG\t1", "BG-\u202e1", "BG\x7f1"])
def test_a_report_number_with_control_characters_is_refused(world, order, now, tmp_path, number):
    walk_to(world, order, now, "testing", tmp_path)
    with pytest.raises(ValidationError) as error:
        services.issue_report(world.lab_a, order, PDF, number, now, upload_dir=tmp_path, max_bytes=10_000)
    assert "report_no" in error.value.fields and order.status == "testing"


def test_a_sample_number_with_a_line_break_is_refused(world, order, now, tmp_path):
    walk_to(world, order, now, "accepted", tmp_path)
    with pytest.raises(ValidationError) as error:
        services.receive_sample(world.lab_a, order, now, "YP-1\nYP-2")
    assert "sample_no" in error.value.fields


def test_order_work_cannot_be_logged_in_the_future_nor_a_report_issued_before_it(world, order, now, tmp_path,
                                                                                 create_instrument):
    instrument = create_instrument(world.institution_a)
    walk_to(world, order, now, "testing", tmp_path)
    now = now + timedelta(hours=4)  # Monday 13:00
    with pytest.raises(ValidationError) as error:
        services.log_work(world.lab_a, order, instrument.id, now + timedelta(hours=1), now + timedelta(hours=2), now)
    assert "现在" in str(error.value.fields["end"])
    services.log_work(world.lab_a, order, instrument.id, now - timedelta(hours=3), now - timedelta(hours=2), now)
    ahead = Occupancy.hold(instrument, now + timedelta(hours=3), now + timedelta(hours=4), now, "order_work",
                           order_id=order.id)  # logged before this rule, or by a clock that ran fast
    db.session.add(ahead)
    db.session.flush()
    with pytest.raises(InvalidTransition) as error:
        services.issue_report(world.lab_a, order, PDF, "R-FUTURE", now, upload_dir=str(tmp_path), max_bytes=10 ** 6)
    assert "机时" in str(error.value.message) and order.status == "testing"
