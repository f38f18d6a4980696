"""The one availability function: what is free, and why what is not."""
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.availability.services import free_and_busy, obstacle, timeline
from models import CalendarDay, Closure, db, rarely_changed
from models.timeutil import at_local
from tests.statements import statements_sent

MONDAY = date(2026, 3, 2)  # the fixed clock's day
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 Shanghai


def shanghai(day, hhmm):
    hours, minutes = map(int, hhmm.split(":"))
    return at_local(day, hours * 60 + minutes)


def labels(instrument, day, start, end, now=NOW, staff=False):
    return [(s.start, s.end, s.label) for s in
            timeline(instrument, shanghai(day, start), shanghai(day, end), now, staff=staff)]


def test_opening_hours_on_a_working_day_are_free(create_instrument):
    tuesday = MONDAY + timedelta(days=1)
    segments = labels(create_instrument(), tuesday, "08:00", "18:00")
    assert segments == [(shanghai(tuesday, "08:00"), shanghai(tuesday, "09:00"), "outside_hours"),
                        (shanghai(tuesday, "09:00"), shanghai(tuesday, "17:00"), "free"),
                        (shanghai(tuesday, "17:00"), shanghai(tuesday, "18:00"), "outside_hours")]


def test_the_past_and_the_lead_time_are_not_free_for_customers_but_are_for_staff(create_instrument):
    instrument = create_instrument(lead_minutes=60)
    assert labels(instrument, MONDAY, "09:00", "11:00")[0] == (
        shanghai(MONDAY, "09:00"), shanghai(MONDAY, "10:00"), "past")
    assert labels(instrument, MONDAY, "09:00", "11:00", staff=True) == [
        (shanghai(MONDAY, "09:00"), shanghai(MONDAY, "11:00"), "free")]


def test_a_public_holiday_is_closed_unless_the_instrument_opens_on_holidays(create_instrument):
    labour_day = date(2026, 5, 1)
    assert obstacle(create_instrument(), shanghai(labour_day, "10:00"), shanghai(labour_day, "11:00"), NOW) == "holiday"
    always = create_instrument(open_on_holidays=True)
    assert obstacle(always, shanghai(labour_day, "10:00"), shanghai(labour_day, "11:00"), NOW) is None


def test_a_make_up_saturday_opens_with_the_weekday_hours(create_instrument):
    make_up = date(2026, 2, 28)  # 调休上班 in the holidays data
    assert db.session.get(CalendarDay, make_up).kind == "workday"
    instrument = create_instrument()
    assert obstacle(instrument, shanghai(make_up, "10:00"), shanghai(make_up, "11:00"), NOW - timedelta(days=30)) is None
    ordinary_saturday = date(2026, 3, 7)
    assert obstacle(instrument, shanghai(ordinary_saturday, "10:00"), shanghai(ordinary_saturday, "11:00"),
                    NOW) == "outside_hours"


def test_a_day_the_city_bureau_adds_as_a_holiday_closes(create_instrument):
    db.session.add(CalendarDay(day=date(2026, 3, 4), kind="holiday", name="测试假日", source="manual"))
    db.session.commit()
    day = date(2026, 3, 4)
    assert obstacle(create_instrument(), shanghai(day, "10:00"), shanghai(day, "11:00"), NOW) == "holiday"


def test_a_closure_is_closed_time(create_instrument):
    instrument = create_instrument()
    tuesday = MONDAY + timedelta(days=1)
    db.session.add(Closure(instrument_id=instrument.id, start_at=shanghai(tuesday, "10:00"),
                           end_at=shanghai(tuesday, "12:00"), kind="maintenance", created_at=NOW))
    db.session.commit()
    assert obstacle(instrument, shanghai(tuesday, "11:00"), shanghai(tuesday, "13:00"), NOW) == "closure"
    assert obstacle(instrument, shanghai(tuesday, "12:00"), shanghai(tuesday, "13:00"), NOW) is None


def test_back_to_back_bookings_do_not_conflict_but_overlaps_do(create_instrument, create_booking):
    instrument = create_instrument()
    tuesday = MONDAY + timedelta(days=1)
    create_booking(instrument, start=shanghai(tuesday, "10:00"), minutes=60)
    assert obstacle(instrument, shanghai(tuesday, "11:00"), shanghai(tuesday, "12:00"), NOW) is None
    assert obstacle(instrument, shanghai(tuesday, "09:00"), shanghai(tuesday, "10:00"), NOW) is None
    assert obstacle(instrument, shanghai(tuesday, "10:30"), shanghai(tuesday, "11:30"), NOW) == "booking"


def test_the_buffer_keeps_time_free_after_each_booking(create_instrument, create_booking):
    instrument = create_instrument(buffer_minutes=30)
    tuesday = MONDAY + timedelta(days=1)
    create_booking(instrument, start=shanghai(tuesday, "10:00"), minutes=60)
    assert obstacle(instrument, shanghai(tuesday, "11:00"), shanghai(tuesday, "12:00"), NOW) == "booking"
    assert obstacle(instrument, shanghai(tuesday, "11:30"), shanghai(tuesday, "12:00"), NOW) is None
    # a booking ending at 09:30 would need its own buffer until 10:00: fine; one ending at 10:00 is not
    assert obstacle(instrument, shanghai(tuesday, "09:00"), shanghai(tuesday, "09:30"), NOW) is None
    assert obstacle(instrument, shanghai(tuesday, "09:00"), shanghai(tuesday, "10:00"), NOW) == "buffer"


def test_cancelled_bookings_do_not_hold_time(create_instrument, create_booking):
    instrument = create_instrument()
    tuesday = MONDAY + timedelta(days=1)
    create_booking(instrument, start=shanghai(tuesday, "10:00"), status="cancelled")
    assert obstacle(instrument, shanghai(tuesday, "10:00"), shanghai(tuesday, "11:00"), NOW) is None


def test_time_after_the_calibration_expires_is_not_bookable(create_instrument):
    instrument = create_instrument(calibration_valid_until=date(2026, 3, 3))
    assert obstacle(instrument, shanghai(date(2026, 3, 3), "16:00"), shanghai(date(2026, 3, 3), "17:00"), NOW) is None
    assert obstacle(instrument, shanghai(date(2026, 3, 4), "10:00"), shanghai(date(2026, 3, 4), "11:00"),
                    NOW) == "calibration"


@pytest.mark.parametrize("status", ["maintenance", "retired"])
def test_an_instrument_out_of_service_has_no_free_time(create_instrument, status):
    instrument = create_instrument(status=status)
    tuesday = MONDAY + timedelta(days=1)
    assert obstacle(instrument, shanghai(tuesday, "10:00"), shanghai(tuesday, "11:00"), NOW) == "not_bookable"


def test_the_api_view_names_kinds_never_customers(create_instrument, create_booking):
    instrument = create_instrument()
    tuesday = MONDAY + timedelta(days=1)
    create_booking(instrument, start=shanghai(tuesday, "10:00"))
    free, busy = free_and_busy(instrument, shanghai(tuesday, "00:00"), shanghai(tuesday, "24:00"), NOW)
    assert [(s.start, s.end) for s in free] == [(shanghai(tuesday, "09:00"), shanghai(tuesday, "10:00")),
                                                 (shanghai(tuesday, "11:00"), shanghai(tuesday, "17:00"))]
    assert [(s.label) for s in busy] == ["booking"]


def test_sixty_two_days_take_a_constant_number_of_queries(app, create_instrument, create_booking, monkeypatch):
    instrument = create_instrument()
    for day in range(1, 30):
        create_booking(instrument, start=shanghai(MONDAY + timedelta(days=day), "10:00"))
    # this process's copies of the calendar and the hours start empty, so the count is the cold one whatever
    # ran before in this worker (warm, the hours and calendar are not read at all)
    monkeypatch.setattr(rarely_changed, "_copies", {})
    statements = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = db.session.get_bind().engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        segments = timeline(instrument, shanghai(MONDAY, "00:00"), shanghai(MONDAY + timedelta(days=62), "00:00"), NOW)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(segments) > 60
    assert len(statements) <= 4  # the copies' version, hours, calendar days, closures and holds together: no N+1


def test_the_next_free_slot_is_on_the_grid_after_the_lead_time_and_bookings(create_instrument, create_booking):
    from app.availability.services import next_free

    instrument = create_instrument(lead_minutes=50, slot_minutes=30, min_minutes=60, calibration_valid_until=date(2027, 1, 1))
    assert next_free(instrument, NOW) == shanghai(MONDAY, "10:00")  # 09:50 rounded up to the grid
    create_booking(instrument, start=shanghai(MONDAY, "10:00"), minutes=60)
    assert next_free(instrument, NOW) == shanghai(MONDAY, "11:00")
    create_booking(instrument, start=shanghai(MONDAY, "11:00"), minutes=330)  # until 16:30: 30 minutes left that day
    assert next_free(instrument, NOW) == shanghai(MONDAY + timedelta(days=1), "09:00")


def test_an_instrument_that_cannot_be_booked_has_no_next_free_slot(create_instrument):
    from app.availability.services import next_free

    assert next_free(create_instrument(calibration_valid_until=date(2026, 1, 1)), NOW) is None
    assert next_free(create_instrument(status="maintenance", calibration_valid_until=date(2027, 1, 1)), NOW) is None


def test_a_page_of_next_free_slots_is_what_each_instrument_gets_alone_from_a_fixed_number_of_queries(
        app, create_instrument, create_booking):
    from app.availability.services import next_free, next_free_of
    from models.instrument import OpeningHours

    valid = date(2027, 1, 1)
    plain = create_instrument(calibration_valid_until=valid)
    busy = create_instrument(calibration_valid_until=valid, buffer_minutes=30, min_minutes=60)
    create_booking(busy, start=shanghai(MONDAY, "11:00"), minutes=300)  # 11:00–16:00, then 30 minutes of buffer
    create_booking(plain, start=shanghai(MONDAY, "11:00"), minutes=60)
    evening = create_instrument(calibration_valid_until=valid, custom_hours=True)
    db.session.add(OpeningHours(instrument_id=evening.id, weekday=2, start_minute=18 * 60 + 15, end_minute=21 * 60))
    closed = create_instrument(calibration_valid_until=valid)
    db.session.add(Closure(instrument_id=closed.id, start_at=shanghai(MONDAY, "00:00"),
                           end_at=shanghai(MONDAY + timedelta(days=2), "00:00"), kind="maintenance", created_at=NOW))
    expired = create_instrument(calibration_valid_until=date(2026, 1, 1))
    db.session.flush()
    cards = [plain, busy, evening, closed, expired]
    alone = {i.id: next_free(i, NOW) for i in cards}

    with statements_sent() as statements:
        together = next_free_of(cards, NOW)
    assert together == alone
    assert alone[expired.id] is None and alone[busy.id] is not None
    assert alone[evening.id] == shanghai(MONDAY + timedelta(days=1), "18:15")
    assert alone[closed.id] == shanghai(MONDAY + timedelta(days=2), "09:00")
    assert len(statements) <= 3  # hours, calendar days, closures and holds together: not three per card
