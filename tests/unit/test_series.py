"""Recurring bookings: every occurrence an ordinary booking passing every rule, the failures reported, one notice."""
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.booking import series as series_services
from app.booking import services
from app.booking.series import Repeat, read_repeat
from models import Booking, BookingSeries, Closure, Notification, Occupancy, db
from models.errors import CalibrationExpired, Forbidden, InvalidTransition, ValidationError
from models.series import occurrences
from models.timeutil import at_local, local

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 Shanghai
TUESDAY = date(2026, 3, 3)


def at(day, hhmm):
    h, m = map(int, hhmm.split(":"))
    return at_local(day, h * 60 + m)


@pytest.fixture
def lab(world, create_instrument):
    world.instrument = create_instrument(world.institution_a, requires_approval=False, max_advance_days=60,
                                         max_future_bookings_per_org=20)
    return world


def weekly(lab, count=4, who=None, day=TUESDAY, dry_run=False, **kw):
    return series_services.book_series(who or lab.sme_a, lab.instrument, at(day, "10:00"), at(day, "11:00"),
                                       Repeat("weekly", 1, count=count), NOW, dry_run=dry_run, **kw)


def kinds():
    return sorted(db.session.scalars(sa.select(Notification.kind)))


def test_a_weekly_series_makes_ordinary_bookings_a_week_apart(lab):
    outcome = weekly(lab)
    bookings = [p.booking for p in outcome.created]
    assert [local(b.start_at).strftime("%m-%d %H:%M") for b in bookings] == [
        "03-03 10:00", "03-10 10:00", "03-17 10:00", "03-24 10:00"]
    assert {b.status for b in bookings} == {"confirmed"} and all(b.occupancy.active for b in bookings)
    assert {b.series_id for b in bookings} == {outcome.series.id} and outcome.skipped == []


def test_the_series_is_announced_once_to_each_side_not_once_per_occurrence(lab):
    weekly(lab, count=10)  # the tenth falls on 2026-05-05, a Labour Day holiday
    assert kinds() == ["series_confirmed", "series_created"]
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == "series_confirmed"))
    assert note.payload["created"] == 9 and note.payload["skipped"] == 1


def test_an_occurrence_on_a_closure_is_skipped_with_its_code_and_the_others_stand(lab):
    db.session.add(Closure(instrument_id=lab.instrument.id, start_at=at(date(2026, 3, 10), "08:00"),
                           end_at=at(date(2026, 3, 10), "18:00"), kind="maintenance", created_at=NOW))
    outcome = weekly(lab)
    assert len(outcome.created) == 3
    (skipped,) = outcome.skipped
    assert (local(skipped.start).date(), skipped.code) == (date(2026, 3, 10), "closed")
    assert "停机" in skipped.message
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 3
    assert db.session.scalar(sa.select(sa.func.count(Occupancy.id))) == 3  # no half-written hold


def test_a_taken_date_is_skipped_as_slot_unavailable(lab, create_booking):
    create_booking(lab.instrument, lab.enterprise_b, start=at(date(2026, 3, 17), "10:30"))
    outcome = weekly(lab)
    assert [(local(s.start).day, s.code) for s in outcome.skipped] == [(17, "slot_unavailable")]


def test_each_occurrence_counts_against_the_organisations_limit_on_its_own(lab):
    lab.instrument.max_future_bookings_per_org = 2
    outcome = weekly(lab)
    assert len(outcome.created) == 2
    assert [s.code for s in outcome.skipped] == ["policy_violation", "policy_violation"]


def test_a_public_holiday_is_skipped(lab):
    outcome = series_services.book_series(lab.sme_a, lab.instrument, at(date(2026, 3, 30), "10:00"),
                                          at(date(2026, 3, 30), "11:00"), Repeat("weekly", 1, count=3), NOW)
    assert [(local(s.start).date(), s.code) for s in outcome.skipped] == [(date(2026, 4, 6), "closed")]  # 清明节


def test_a_dry_run_reports_the_same_and_writes_nothing(lab):
    db.session.add(Closure(instrument_id=lab.instrument.id, start_at=at(date(2026, 3, 10), "08:00"),
                           end_at=at(date(2026, 3, 10), "18:00"), kind="maintenance", created_at=NOW))
    preview = weekly(lab, dry_run=True)
    assert preview.series is None and [p.booking for p in preview.created] == [None] * 3
    assert [p.price_amount for p in preview.created] == [lab.instrument.price_for(lab.enterprise_a, 60)] * 3
    assert [s.code for s in preview.skipped] == ["closed"]
    for model in (Booking, BookingSeries, Occupancy, Notification):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
    real = weekly(lab)
    assert [p.start for p in real.created] == [p.start for p in preview.created]


def test_a_series_nothing_of_which_can_be_booked_is_refused_whole(lab):
    lab.instrument.calibration_valid_until = date(2026, 3, 1)
    with pytest.raises(CalibrationExpired):
        weekly(lab)
    assert db.session.scalar(sa.select(sa.func.count(BookingSeries.id))) == 0


def test_every_two_days_and_every_two_weeks(lab):
    daily = occurrences(at(TUESDAY, "10:00"), at(TUESDAY, "11:00"), "daily", 2, count=3)
    assert [local(s).date().day for s, _e in daily] == [3, 5, 7]
    fortnightly = occurrences(at(TUESDAY, "10:00"), at(TUESDAY, "11:00"), "weekly", 2, until=date(2026, 4, 14))
    assert [local(s).date().isoformat() for s, _e in fortnightly] == ["2026-03-03", "2026-03-17", "2026-03-31",
                                                                    "2026-04-14"]


@pytest.mark.parametrize("rule,field", [
    ({"freq": "weekly", "interval": 1, "count": 53}, "repeat.count"),
    ({"freq": "weekly", "interval": 1, "count": 1}, "repeat.count"),
    ({"freq": "weekly", "interval": 0, "count": 4}, "repeat.interval"),
    ({"freq": "weekly", "interval": 5, "count": 4}, "repeat.interval"),
    ({"freq": "weekly", "interval": "1", "count": 4}, "repeat.interval"),
    ({"freq": "weekly", "interval": True, "count": 4}, "repeat.interval"),
    ({"freq": "monthly", "interval": 1, "count": 4}, "repeat.freq"),
    ({"freq": "weekly", "interval": 1}, "repeat.count"),
    ({"freq": "weekly", "interval": 1, "count": 4, "until": "2026-05-01"}, "repeat.count"),
    ({"freq": "weekly", "interval": 1, "until": "2026-02-30"}, "repeat.until"),
    ({"freq": "weekly", "interval": 1, "until": "2101-01-01"}, "repeat.until"),
])
def test_a_bad_rule_is_a_validation_error_naming_the_field(rule, field):
    with pytest.raises(ValidationError) as refused:
        read_repeat(rule)
    assert field in refused.value.fields


@pytest.mark.parametrize("until,words", [
    (date(2026, 3, 2), "不能早于"),  # before the first occurrence
    (date(2026, 3, 9), "只有一次"),  # one occurrence is not a series
])
def test_an_until_that_leaves_no_series_is_refused(lab, until, words):
    with pytest.raises(ValidationError) as refused:
        series_services.book_series(lab.sme_a, lab.instrument, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"),
                                    Repeat("weekly", 1, until=until), NOW)
    assert words in str(refused.value.fields["repeat.until"])


def test_a_daily_until_that_asks_for_more_than_52_is_refused(lab):
    with pytest.raises(ValidationError) as refused:
        series_services.plan(at(TUESDAY, "10:00"), at(TUESDAY, "11:00"), Repeat("daily", 1, until=date(2026, 6, 1)))
    assert "最多 52 次" in str(refused.value.fields["repeat.until"])


def test_fifty_two_weekly_occurrences_are_allowed(lab):
    assert len(series_services.plan(at(TUESDAY, "10:00"), at(TUESDAY, "11:00"), Repeat("weekly", 1, count=52))) == 52


def test_cancelling_one_occurrence_leaves_the_others(lab):
    bookings = [p.booking for p in weekly(lab).created]
    services.cancel(lab.sme_a, bookings[1], "出差", NOW)
    assert [b.status for b in bookings] == ["confirmed", "cancelled", "confirmed", "confirmed"]


def test_cancelling_the_series_from_a_date_cancels_the_rest_and_says_so_once(lab):
    outcome = weekly(lab)
    db.session.query(Notification).delete()
    cancelled = series_services.cancel_series(lab.sme_a, outcome.series, "项目结束", NOW, since=date(2026, 3, 15))
    assert [local(b.start_at).day for b in cancelled] == [17, 24]
    assert [p.booking.status for p in outcome.created] == ["confirmed", "confirmed", "cancelled", "cancelled"]
    assert kinds() == ["series_cancelled"]
    assert not any(b.late_cancellation for b in cancelled)


def test_cancelling_the_series_leaves_an_occurrence_that_has_begun(lab):
    bookings = [p.booking for p in weekly(lab).created]
    cancelled = series_services.cancel_series(lab.sme_a, bookings[0].series, "", at(TUESDAY, "10:30"))
    assert bookings[0].status == "confirmed" and len(cancelled) == 3


def test_a_late_occurrence_is_cancelled_late_by_itself(lab):
    bookings = [p.booking for p in weekly(lab).created]
    series_services.cancel_series(lab.sme_a, bookings[0].series, "", at(TUESDAY, "08:00"))
    assert [b.late_cancellation for b in bookings] == [True, False, False, False]


def test_another_enterprise_cannot_cancel_the_series(lab):
    outcome = weekly(lab)
    with pytest.raises(Forbidden):
        series_services.cancel_series(lab.sme_b, outcome.series, "", NOW)


def test_a_series_with_nothing_left_to_cancel_is_409(lab):
    outcome = weekly(lab, count=2)
    with pytest.raises(InvalidTransition):
        series_services.cancel_series(lab.sme_a, outcome.series, "", NOW, since=date(2026, 4, 1))


def test_staff_book_a_series_for_an_enterprise_and_it_is_told_once(lab):
    lab.instrument.requires_approval = True
    outcome = weekly(lab, who=lab.lab_a, organization=lab.enterprise_b)
    assert {p.booking.status for p in outcome.created} == {"confirmed"}
    assert outcome.series.organization_id == lab.enterprise_b.id
    assert kinds() == ["series_made_for_you"]


def test_a_daily_series_of_long_bookings_meets_itself(lab, create_instrument):
    round_the_clock = create_instrument(lab.institution_a, requires_approval=False, max_minutes=2880,
                                        open_on_holidays=True, custom_hours=True)
    from models.instrument import OpeningHours
    db.session.add_all(OpeningHours(instrument_id=round_the_clock.id, weekday=d, start_minute=0, end_minute=1440)
                       for d in range(1, 8))
    outcome = series_services.book_series(lab.sme_a, round_the_clock, at(TUESDAY, "20:00"),
                                          at(TUESDAY, "20:00") + timedelta(hours=36), Repeat("daily", 1, count=3), NOW)
    assert [local(p.start).day for p in outcome.created] == [3, 5]
    assert [(local(s.start).day, s.code) for s in outcome.skipped] == [(4, "slot_unavailable")]
