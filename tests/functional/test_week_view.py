"""The week view as a new user meets it: the first bookable week, a grid from the opening minute, the
cancellation note of each booking, and overnight or multi-day use where the rules allow it."""
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from app.availability.week import first_open_week, week_grid
from app.booking import services
from app.stats.scope import Period, Scope
from app.stats.services import summary
from models import Closure, OpeningHours, db
from models.errors import PolicyViolation, ValidationError
from models.timeutil import at_local
from tests.statements import statements_sent

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00
SUNDAY = datetime(2026, 3, 8, 2, 0, tzinfo=UTC)  # Sunday 10:00
TUESDAY = date(2026, 3, 3)


def at(day, hhmm):
    h, m = map(int, hhmm.split(":"))
    return at_local(day, h * 60 + m)


def page(response):
    return response.get_data(as_text=True)


@pytest.fixture
def lab(world, create_instrument):
    """Open 08:30–12:00 and 13:00–17:30 on weekdays, like many metrology institutes."""
    for day in range(1, 6):
        db.session.add_all([OpeningHours(institution_id=world.institution_a.id, weekday=day, start_minute=510,
                                         end_minute=720),
                            OpeningHours(institution_id=world.institution_a.id, weekday=day, start_minute=780,
                                         end_minute=1050)])
    world.instrument = create_instrument(world.institution_a, requires_approval=False, lead_minutes=60)
    return world


@pytest.fixture
def round_the_clock(world, create_instrument):
    instrument = create_instrument(world.institution_a, requires_approval=False, custom_hours=True,
                                   open_on_holidays=True, max_minutes=2880, slot_minutes=60, min_minutes=60)
    db.session.add_all(OpeningHours(instrument_id=instrument.id, weekday=d, start_minute=0, end_minute=1440)
                       for d in range(1, 8))
    db.session.commit()
    return instrument


def test_thirty_minute_rows_start_at_the_opening_minute(lab):
    rows, _days = week_grid(lab.instrument, TUESDAY - timedelta(days=1), NOW)
    assert rows[:3] == [510, 540, 570] and rows[-1] == 1020  # 08:30, 09:00, 09:30 … 17:00


def test_sixty_minute_rows_start_at_08_30_not_on_the_hour(lab):
    lab.instrument.slot_minutes, lab.instrument.min_minutes = 60, 60
    rows, days = week_grid(lab.instrument, TUESDAY - timedelta(days=1), NOW)
    assert rows == [510, 570, 630, 690, 750, 810, 870, 930, 990]  # 08:30 … 16:30
    tuesday = dict(days)[TUESDAY]
    assert (tuesday[0].state, tuesday[-1].state) == ("free", "free")  # 08:30–09:30 and 16:30–17:30 bookable


def test_the_booking_check_agrees_with_the_grid(lab):
    lab.instrument.slot_minutes, lab.instrument.min_minutes = 60, 60
    first = services.book(lab.sme_a, lab.instrument, at(TUESDAY, "08:30"), at(TUESDAY, "09:30"), NOW)
    last = services.book(lab.sme_b, lab.instrument, at(TUESDAY, "16:30"), at(TUESDAY, "17:30"), NOW)
    assert first.status == last.status == "confirmed"
    with pytest.raises(ValidationError) as refused:
        services.book(lab.sme_a, lab.instrument, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"), NOW)
    assert set(refused.value.fields) == {"start", "end"} and "09:30, 10:30" in str(refused.value.fields["start"])


def test_on_a_sunday_the_view_opens_on_the_coming_week(app, client, lab):
    app.config["NOW_OVERRIDE"] = SUNDAY
    html = page(client.get(f"/instruments/{lab.instrument.id}"))
    assert "03-09 – 03-15" in html and 'data-start="2026-03-09T08:30"' in html


def test_a_week_with_nothing_free_is_passed_over(lab):
    db.session.add(Closure(instrument_id=lab.instrument.id, start_at=at(date(2026, 3, 2), "00:00"),
                           end_at=at(date(2026, 3, 7), "00:00"), kind="maintenance", created_at=NOW))
    monday, _rows, days = first_open_week(lab.instrument, NOW)
    assert monday == date(2026, 3, 9) and days[0][0] == date(2026, 3, 9)


def test_a_week_asked_for_is_shown_even_if_it_is_past(client, lab):
    assert "02-23 – 03-01" in page(client.get(f"/instruments/{lab.instrument.id}?week=2026-02-25"))


def test_taken_cells_can_be_chosen_to_wait_by_enterprises_only(app, sign_in, lab, create_booking):
    create_booking(lab.instrument, lab.enterprise_b, start=at(TUESDAY, "10:00"))
    url = f"/instruments/{lab.instrument.id}?week=2026-03-02"
    assert 'data-start="2026-03-03T10:00" data-day="2026-03-03" data-busy="1"' in page(sign_in(lab.sme_a).get(url))
    assert 'data-busy="1"' not in page(app.test_client().get(url))


@pytest.mark.parametrize("hours_ahead,note", [
    (48, "2026-03-03 09:00 前可免费取消"),  # 24 free hours before Wednesday 09:00
    (20, "现在取消将记为逾期取消"),
])
def test_each_booking_says_what_cancelling_now_would_mean(sign_in, lab, create_booking, hours_ahead, note):
    create_booking(lab.instrument, lab.enterprise_a, start=NOW + timedelta(hours=hours_ahead), created_by=lab.sme_a)
    assert note in page(sign_in(lab.sme_a).get("/bookings"))


def test_the_cancellation_rule_is_the_one_the_service_applies(lab, create_booking):
    booking = create_booking(lab.instrument, lab.enterprise_a, start=NOW + timedelta(hours=20), created_by=lab.sme_a)
    assert booking.cancellation_is_late(NOW)
    services.cancel(lab.sme_a, booking, "", NOW)
    assert booking.late_cancellation


# Overnight and multi-day use -----------------------------------------------------------------

def test_overnight_and_multi_day_bookings_through_the_api(api, world, round_the_clock):
    for start, end in (("2026-03-03T20:00", "2026-03-04T08:00"), ("2026-03-05T08:00", "2026-03-07T08:00")):
        response = api(world.sme_a).post("/bookings", json={"instrument_id": round_the_clock.id, "start": start,
                                                            "end": end, "service_mode": "self_operated"})
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["end"] == end + ":00+08:00"


def test_an_overnight_booking_from_the_web_form_and_its_page(sign_in, world, round_the_clock):
    client = sign_in(world.sme_a)
    response = client.post(f"/instruments/{round_the_clock.id}/bookings", data={
        "start": "2026-03-03T22:00", "end": "2026-03-04T06:00", "service_mode": "self_operated"})
    assert response.status_code == 302
    assert "2026-03-03 22:00–2026-03-04 06:00" in page(client.get(response.location))


def test_a_week_of_round_the_clock_rows(round_the_clock):
    rows, _days = week_grid(round_the_clock, TUESDAY - timedelta(days=1), NOW)
    assert rows == list(range(0, 1440, 60))


def test_opening_hours_to_24_00_from_the_api_allow_booking_past_midnight(api, world, create_instrument):
    instrument = create_instrument(world.institution_a, requires_approval=False, max_minutes=720)
    hours = [{"weekday": 2, "start": "08:00", "end": "24:00"}, {"weekday": 3, "start": "00:00", "end": "18:00"}]
    assert api(world.lab_a).put(f"/instruments/{instrument.id}/opening-hours", json={"hours": hours}).status_code == 200
    response = api(world.sme_a).post("/bookings", json={"instrument_id": instrument.id, "start": "2026-03-03T21:00",
                                                        "end": "2026-03-04T03:00", "service_mode": "self_operated"})
    assert response.status_code == 201


def test_no_booking_is_longer_than_fourteen_days_whatever_the_rules_say(world, round_the_clock):
    round_the_clock.max_minutes = 30 * 24 * 60
    with pytest.raises(PolicyViolation) as refused:
        services.book(world.sme_a, round_the_clock, at(TUESDAY, "08:00"), at(TUESDAY, "08:00") + timedelta(days=15),
                      NOW)
    assert "20160" in str(refused.value.message)


def test_a_completed_multi_day_booking_counts_its_hours_in_each_month_it_spans(world, round_the_clock,
                                                                                  create_booking):
    start = at(date(2026, 3, 30), "08:00")
    create_booking(round_the_clock, world.enterprise_a, start=start, minutes=4 * 24 * 60, status="completed",
                   actual_start=start, actual_end=start + timedelta(days=4), charge_amount=Decimal("100.00"))
    march = summary(Scope(None), Period(date(2026, 3, 1), date(2026, 3, 31)))
    april = summary(Scope(None), Period(date(2026, 4, 1), date(2026, 4, 30)))
    assert (march["external_hours"], april["external_hours"]) == (40.0, 56.0)  # 16 + 24 | 24 + 24 + 8
    assert (march["service_count"], april["service_count"]) == (1, 0)  # a service counts where it starts


def test_the_public_instrument_page_reads_five_statements_with_a_booking_in_its_week(lab, client, create_booking):
    """The instrument in scope, the closures list, the calendar copies' version, the week's closures and holds
    together, the photos: a split read, or a lookup the page started making per cell or per row, shows here."""
    create_booking(lab.instrument, lab.enterprise_b, start=at(TUESDAY, "10:00"))
    db.session.add(Closure(instrument_id=lab.instrument.id, start_at=at(TUESDAY, "14:00"),
                           end_at=at(TUESDAY, "15:00"), kind="maintenance", created_at=NOW))
    db.session.commit()
    path = f"/instruments/{lab.instrument.id}?week={TUESDAY.isoformat()}"
    assert client.get(path).status_code == 200  # the process's copies of the calendar and hours are warm after it
    with statements_sent() as sent:
        response = client.get(path)
    assert response.status_code == 200 and 'class="busy"' in page(response) and 'class="closed"' in page(response)
    selects = [s for s in sent if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 5, selects
    assert len([s for s in selects if "FROM occupancies" in s]) == 1
