"""Each process keeps its copy of the working-day calendar and opening hours (models/rarely_changed.py):
a change made anywhere — another process, plain SQL, the same transaction — shows in the next answer."""
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from models import CalendarDay, OpeningHours, db
from models.instrument import weekly_hours
from models.workday import special_days
from tests import factories

TUESDAY = "2026-03-03"
WINDOW = f"?from={TUESDAY}&to={TUESDAY}"
ROOT = Path(__file__).resolve().parents[2]

# Another process: its own app, the city's calendar page's service, its own commit.
MAKE_TUESDAY_A_HOLIDAY = """
import sys
from datetime import date
from app import create_app
from app.workdays.services import set_day
from models import User, db, utcnow
app = create_app("config.Config", SQLALCHEMY_DATABASE_URI=sys.argv[1])
with app.app_context():
    city = db.session.get(User, int(sys.argv[2]))
    set_day(city, date(2026, 3, 3), "holiday", "临时休假", utcnow())
    db.session.commit()
"""


def _instrument_and_city(app):
    with app.app_context():
        instrument = factories.create_instrument()
        city = factories.create_user("city")
        db.session.commit()
        return instrument.id, instrument.institution_id, city.id


def _availability(client, instrument_id):
    body = client.get(f"/api/v1/instruments/{instrument_id}/availability{WINDOW}").get_json()
    return [(f["start"][11:16], f["end"][11:16]) for f in body["free"]], [b["kind"] for b in body["busy"]]


@pytest.mark.committed
def test_a_holiday_set_by_another_process_shows_in_the_next_availability_answer(app, database_url):
    instrument_id, _institution_id, city_id = _instrument_and_city(app)
    client = app.test_client()
    assert _availability(client, instrument_id) == ([("09:00", "17:00")], [])  # this process now has a copy

    try:
        subprocess.run([sys.executable, "-c", MAKE_TUESDAY_A_HOLIDAY, database_url, str(city_id)], cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True, timeout=120)

        assert _availability(client, instrument_id) == ([], ["holiday"])
    finally:
        with app.app_context():  # calendar_days is seeded: the suite's cleaning keeps its rows
            db.session.execute(sa.delete(CalendarDay).where(CalendarDay.day == date(2026, 3, 3)))
            db.session.commit()
    assert _availability(client, instrument_id) == ([("09:00", "17:00")], [])


@pytest.mark.committed
def test_opening_hours_changed_in_plain_sql_show_in_the_next_availability_answer(app, database_url):
    instrument_id, institution_id, _city_id = _instrument_and_city(app)
    client = app.test_client()
    assert _availability(client, instrument_id) == ([("09:00", "17:00")], [])

    other = sa.create_engine(database_url)  # not the app's engine, pool or process copy
    try:
        with other.begin() as connection:
            connection.execute(sa.text("INSERT INTO opening_hours (institution_id, weekday, start_minute, end_minute) "
                                       "VALUES (:id, 2, 480, 720)"), {"id": institution_id})
    finally:
        other.dispose()

    assert _availability(client, instrument_id) == ([("08:00", "12:00")], [])


@pytest.mark.committed
def test_a_change_rolled_back_is_never_served_from_a_copy(app):
    instrument_id, _institution_id, _city_id = _instrument_and_city(app)
    client = app.test_client()
    with app.app_context():
        db.session.add(CalendarDay(day=date(2026, 3, 3), kind="holiday", name="撤回"))
        db.session.flush()
        assert special_days(date(2026, 3, 3), date(2026, 3, 3))  # read into the copy
        db.session.rollback()
    assert _availability(client, instrument_id) == ([("09:00", "17:00")], [])


def test_a_transaction_sees_its_own_new_hours_before_it_commits(create_instrument):
    instrument = create_instrument()
    assert weekly_hours(instrument)[0] == (1, 540, 1020)  # the default week, now in the copy
    db.session.execute(sa.insert(OpeningHours).values(institution_id=instrument.institution_id, weekday=1,
                                                      start_minute=600, end_minute=660))
    assert weekly_hours(instrument) == [(1, 600, 660)]
