"""The open hours of today and the days after it, kept by the snapshot job (open_hours_ahead): read for the
year's figures, equal to the recount whatever changed since the job ran, and kept again by the next run."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.catalog import services as catalog
from app.stats import openhours, snapshot
from app.stats.scope import Period, Scope
from app.stats.services import figures, summary
from app.workdays import services as workdays
from models import db
from models.instrument import Instrument
from models.stats import AheadDay, OpenHoursAhead, StaleDay
from models.timeutil import at_local, local_today
from tests.factories import NOW

TODAY = local_today(NOW)  # Monday 2 March 2026
YEAR = Period.year(TODAY.year)
NEXT_WEEK = TODAY + timedelta(days=7)


@pytest.fixture
def lab(world, create_instrument):
    joined = NOW - timedelta(days=60)
    x = create_instrument(world.institution_a, created_at=joined)
    y = create_instrument(world.institution_b, created_at=joined)
    z = create_instrument(world.institution_a, created_at=joined, open_on_holidays=True)
    snapshot.backfill(TODAY - timedelta(days=10), TODAY - timedelta(days=1), NOW)
    db.session.flush()
    return world, (x, y, z)


def kept_open_hours(institution_id, day):
    return db.session.scalar(sa.select(OpenHoursAhead.open_hours).where(
        OpenHoursAhead.day == day, OpenHoursAhead.institution_id == institution_id)) or 0.0


def stale_ahead():
    return db.session.scalars(sa.select(StaleDay.day).where(StaleDay.day >= TODAY).distinct()).all()


def assert_recount():
    for group in (None, "institution", "district"):
        assert figures(Scope(None), YEAR, group, NOW) == figures(Scope(None), YEAR, group, NOW, live=True), group
    assert summary(Scope(None), YEAR, NOW) == summary(Scope(None), YEAR, NOW, live=True)


def test_the_job_keeps_today_to_31_december_once_and_day_by_day_equal_to_the_period(lab):
    world, _instruments = lab
    days = db.session.scalars(sa.select(AheadDay.day).order_by(AheadDay.day)).all()
    assert days[0] == TODAY and days[-1] == date(TODAY.year, 12, 31) and len(days) == len(set(days))
    rows = db.session.query(OpenHoursAhead).count()
    snapshot.keep_ahead(NOW)
    assert db.session.query(OpenHoursAhead).count() == rows  # idempotent
    ahead = Period(TODAY, date(TODAY.year, 12, 31))
    by_period = openhours.by_group(Scope(None), ahead, "institution")
    for institution in (world.institution_a, world.institution_b):
        kept = sum(h for (_day, i), h in openhours.by_day(Scope(None), ahead).items() if i == institution.id)
        assert round(kept, 6) == round(by_period[institution.id], 6) > 0
    assert kept_open_hours(world.institution_a.id, TODAY) == 2 * 8  # two instruments, 09:00-17:00 (the default week)


def test_the_kept_rows_are_what_the_year_reads(lab):
    world, _instruments = lab
    row = db.session.get(OpenHoursAhead, (NEXT_WEEK, world.institution_a.id))
    row.open_hours += 100  # nobody marked it stale: the cache is read as it is
    db.session.flush()
    recount = summary(Scope(None), YEAR, NOW, live=True)
    assert summary(Scope(None), YEAR, NOW)["open_hours"] == round(recount["open_hours"] + 100, 2)


def test_a_maintenance_closure_next_week_reaches_the_year_at_once_and_the_job_keeps_it(lab):
    world, (x, _y, _z) = lab
    before = kept_open_hours(world.institution_a.id, NEXT_WEEK)
    start = at_local(NEXT_WEEK, 9 * 60)
    closure = catalog.add_closure(world.lab_a, x, start, start + timedelta(hours=3), "maintenance", "", NOW)
    db.session.flush()
    assert stale_ahead() == [NEXT_WEEK]
    assert_recount()
    snapshot.refresh(NOW)
    assert stale_ahead() == [] and kept_open_hours(world.institution_a.id, NEXT_WEEK) == before - 3
    assert_recount()
    catalog.remove_closure(world.lab_a, closure, NOW)
    db.session.flush()
    assert stale_ahead() == [NEXT_WEEK]
    assert_recount()


def test_an_internal_use_closure_ahead_leaves_the_open_hours_kept(lab):
    world, (x, _y, _z) = lab
    start = at_local(NEXT_WEEK, 9 * 60)
    catalog.add_closure(world.lab_a, x, start, start + timedelta(hours=3), "internal_use", "", NOW)
    db.session.flush()
    assert stale_ahead() == []
    assert_recount()


def test_a_retired_instrument_and_a_new_one_change_every_day_ahead(lab):
    world, (x, _y, _z) = lab
    catalog.set_status(world.lab_a, x, "retired", NOW)
    db.session.add(Instrument(institution_id=world.institution_b.id, name="新仪器", internal_code="NEW-1",
                              category_code="030100", status="active", created_at=NOW, updated_at=NOW))
    db.session.flush()
    assert len(stale_ahead()) == (date(TODAY.year, 12, 31) - TODAY).days + 1
    assert_recount()
    snapshot.refresh(NOW)
    assert stale_ahead() == [] and kept_open_hours(world.institution_a.id, NEXT_WEEK) == 8
    assert kept_open_hours(world.institution_b.id, NEXT_WEEK) == 16
    assert_recount()


def test_a_holiday_ahead_and_new_opening_hours_are_read_live_until_the_job(lab):
    world, _instruments = lab
    workdays.set_day(world.city, NEXT_WEEK, "holiday", "临时调整", NOW)
    catalog.set_institution_hours(world.lab_b, world.institution_b, [(d, 8 * 60, 12 * 60) for d in range(1, 6)], NOW)
    db.session.flush()
    assert NEXT_WEEK in stale_ahead()
    assert_recount()
    snapshot.refresh(NOW)
    assert kept_open_hours(world.institution_a.id, NEXT_WEEK) == 8  # only the instrument open on holidays
    assert kept_open_hours(world.institution_b.id, NEXT_WEEK + timedelta(days=1)) == 4
    assert_recount()


def test_a_booking_ahead_marks_nothing(lab, create_booking):
    world, (x, _y, _z) = lab
    create_booking(x, world.enterprise_a, start=at_local(NEXT_WEEK, 10 * 60))
    db.session.flush()
    assert db.session.query(StaleDay).count() == 0


def test_days_that_passed_leave_the_cache_to_the_snapshot(lab):
    world, _instruments = lab
    later = NOW + timedelta(days=3)
    snapshot.refresh(later)
    assert db.session.scalar(sa.select(sa.func.min(AheadDay.day))) == TODAY + timedelta(days=3)
    assert db.session.scalar(sa.select(sa.func.min(OpenHoursAhead.day))) >= TODAY + timedelta(days=3)
    assert summary(Scope(None), YEAR, later) == summary(Scope(None), YEAR, later, live=True)
