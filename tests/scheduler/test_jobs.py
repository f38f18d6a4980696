"""Every job with a fixed clock, run twice: the second run does nothing."""
import os
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.booking import jobs as booking_jobs
from app.catalog import jobs as catalog_jobs
from app.orders import jobs as order_jobs
from app.orders import services as orders
from models import Booking, Notification, db
from models.timeutil import at_local
from scheduler.jobs import JOBS
from scheduler.runner import build_scheduler
from tests.factories import PDF

TUESDAY = date(2026, 3, 3)


def notes(kind):
    return db.session.execute(sa.select(Notification.recipient_id).where(Notification.kind == kind)).scalars().all()


def twice(job, *args):
    first, second = job(*args), job(*args)
    db.session.commit()
    db.session.expire_all()
    return first, second


@pytest.fixture
def lab(world, create_instrument):
    world.instrument = create_instrument(world.institution_a)
    return world


def test_undecided_requests_expire_at_their_start(lab, create_booking, now):
    late = create_booking(lab.instrument, lab.enterprise_a, start=now - timedelta(minutes=1), status="pending",
                          created_by=lab.sme_a)
    later = create_booking(lab.instrument, lab.enterprise_a, start=now + timedelta(hours=2), status="pending",
                           created_by=lab.sme_a)
    assert twice(booking_jobs.expire_pending, now) == (1, 0)
    assert db.session.get(Booking, late.id).status == "expired"
    assert not db.session.get(Booking, late.id).occupancy.active
    assert db.session.get(Booking, later.id).status == "pending"
    assert notes("booking_expired") == [lab.sme_a.id]


def test_no_shows_are_marked_after_the_grace_period(lab, create_booking, now):
    missed = create_booking(lab.instrument, lab.enterprise_a, start=now - timedelta(minutes=31), created_by=lab.sme_a)
    still_coming = create_booking(lab.instrument, lab.enterprise_b, start=now - timedelta(minutes=10) + timedelta(
        hours=3))
    assert twice(booking_jobs.mark_no_shows, now, 30) == (1, 0)
    assert db.session.get(Booking, missed.id).status == "no_show"
    assert db.session.get(Booking, still_coming.id).status == "confirmed"


def test_reminders_go_out_24h_and_1h_before_once_each(lab, create_booking, now):
    booking = create_booking(lab.instrument, lab.enterprise_a, start=now + timedelta(hours=20), created_by=lab.sme_a)
    create_booking(lab.instrument, lab.enterprise_b, start=now + timedelta(days=3))  # too far ahead
    assert twice(booking_jobs.send_reminders, now) == (1, 0)
    soon = now + timedelta(hours=19, minutes=30)
    assert twice(booking_jobs.send_reminders, soon) == (1, 0)
    assert notes("booking_reminder") == [lab.sme_a.id, lab.sme_a.id]
    stored = db.session.get(Booking, booking.id)
    assert stored.reminded_24h_at == now and stored.reminded_1h_at == soon


def test_cancelled_bookings_get_no_reminder(lab, create_booking, now):
    create_booking(lab.instrument, lab.enterprise_a, start=now + timedelta(hours=2), status="cancelled")
    assert booking_jobs.send_reminders(now) == 0


def test_overdue_check_ins_are_closed_for_staff_review(lab, create_booking, now):
    booking = create_booking(lab.instrument, lab.enterprise_a, start=now - timedelta(hours=3), minutes=60,
                             status="checked_in", actual_start=now - timedelta(hours=3))
    assert twice(booking_jobs.close_overdue_checkins, now, 60) == (1, 0)
    stored = db.session.get(Booking, booking.id)
    assert stored.status == "completed" and stored.auto_closed and stored.actual_end == stored.end_at
    assert stored.charge_amount == Decimal("480.00")
    assert notes("booking_auto_closed") == [lab.lab_a.id]


def _quoted_order(world, now, valid_until):
    order = orders.submit(world.sme_a, {
        "kind": "test_by_proxy", "institution_id": world.institution_a.id, "title": "测试", "items": [{"name": "a"}],
        "sample": {"name": "s", "quantity": 1, "unit": "件", "disposal": "return"}}, now)
    orders.quote(world.lab_a, order, Decimal("10"), 3, valid_until, "", now)
    return order


def test_quotes_expire_after_their_last_valid_day(world, now):
    stale = _quoted_order(world, now - timedelta(days=5), date(2026, 3, 1))
    fresh = _quoted_order(world, now, date(2026, 3, 2))
    assert twice(order_jobs.expire_quotes, now) == (1, 0)
    assert (stale.status, fresh.status) == ("expired", "quoted")


def test_orders_complete_themselves_14_days_after_the_report(world, now, tmp_path):
    order = _quoted_order(world, now - timedelta(days=20), date(2026, 3, 1))
    orders.accept(world.sme_a, order, now - timedelta(days=20))
    orders.receive_sample(world.lab_a, order, now - timedelta(days=19))
    orders.start_testing(world.lab_a, order, now - timedelta(days=18))
    orders.issue_report(world.lab_a, order, PDF, "BG-1", now - timedelta(days=15), upload_dir=tmp_path,
                        max_bytes=10_000)
    assert twice(order_jobs.autocomplete, now - timedelta(days=2), 14) == (0, 0)
    assert twice(order_jobs.autocomplete, now, 14) == (1, 0)
    assert order.status == "completed" and notes("order_auto_completed") == [world.sme_a.id]


def test_calibration_alerts_at_30_7_and_1_days_to_institution_and_affected_enterprises(lab, create_booking, now):
    lab.instrument.calibration_valid_until = TUESDAY + timedelta(days=20)
    create_booking(lab.instrument, lab.enterprise_a, start=at_local(TUESDAY + timedelta(days=25), 600),
                           created_by=lab.sme_a)
    create_booking(lab.instrument, lab.enterprise_b, start=at_local(TUESDAY, 600))  # before the expiry: unaffected
    db.session.commit()
    assert twice(catalog_jobs.calibration_alerts, now) == (1, 0)  # 22 days left: the 30-day alert
    assert notes("calibration_expiring") == [lab.lab_a.id]
    assert notes("calibration_affects_booking") == [lab.sme_a.id]
    assert twice(catalog_jobs.calibration_alerts, now + timedelta(days=16)) == (1, 0)  # 6 days left: 7-day alert
    assert twice(catalog_jobs.calibration_alerts, now + timedelta(days=21)) == (1, 0)  # 1 day left
    assert len(notes("calibration_expiring")) == 3


def test_the_scheduler_is_built_from_the_job_table_in_shanghai_time(app):
    scheduler = build_scheduler(app)
    assert str(scheduler.timezone) == "Asia/Shanghai"
    assert {job.id for job in scheduler.get_jobs()} == {job["id"] for job in JOBS}
    assert scheduler._job_defaults["coalesce"] is True and scheduler._job_defaults["misfire_grace_time"] >= 600


# The WSGI app on its own (migrated) database, asked /healthz now and a few seconds later: a started scheduler
# writes its heartbeat at once (run_at_start), which /healthz reports. Then the heartbeat job is run by
# hand, to show that this probe does see a scheduler's work.
WEB_ONLY = """
import time
from flask_migrate import upgrade
from app import create_app
with create_app().app_context():
    upgrade()
import wsgi
from scheduler.runner import run_job
client = wsgi.app.test_client()
seen = [client.get("/healthz").get_json()["checks"]["scheduler"]]
time.sleep(3)
seen.append(client.get("/healthz").get_json()["checks"]["scheduler"])
run_job(wsgi.app, "heartbeat")
seen.append(client.get("/healthz").get_json()["checks"]["scheduler"])
print(" ".join(seen))
"""


def test_the_web_app_never_starts_a_scheduler(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'web.sqlite3'}", SECRET_KEY="web-only", INSTANCE_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", WEB_ONLY], cwd=Path(__file__).resolve().parents[2], env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["never_seen", "never_seen", "ok"]


def test_the_snapshot_job_retakes_stale_days_however_old_and_yesterday_the_same_way_twice(
        world, create_instrument, create_booking, now):
    from app.stats import snapshot
    from models.stats import StaleDay, UsageSnapshot

    instrument = create_instrument(world.institution_a)
    today = (now + timedelta(hours=8)).date()
    snapshot.backfill(today - timedelta(days=60), today - timedelta(days=1), now)
    db.session.commit()
    start = now - timedelta(days=40)  # a walk-in entered forty days late
    create_booking(instrument, world.enterprise_a, start=start, status="completed", actual_start=start,
                   actual_end=start + timedelta(hours=2))
    booked_day = (start + timedelta(hours=8)).date()
    assert [(s.day, s.institution_id) for s in db.session.query(StaleDay)] == [(booked_day, world.institution_a.id)]
    assert snapshot.refresh(now) == [booked_day, today - timedelta(days=1)]
    first = [(s.day, s.institution_id, s.service_count, round(s.external_hours, 6))
             for s in db.session.query(UsageSnapshot)]
    assert snapshot.refresh(now) == [today - timedelta(days=1)]
    second = [(s.day, s.institution_id, s.service_count, round(s.external_hours, 6))
              for s in db.session.query(UsageSnapshot)]
    assert first == second
    assert [row for row in first if row[2]] == [(booked_day, world.institution_a.id, 1, 2.0)]


def test_a_change_to_a_whole_year_is_retaken_over_several_runs_and_read_live_meanwhile(world, create_instrument, now):
    from app.catalog import services as catalog
    from app.stats import snapshot
    from app.stats.scope import Period, Scope
    from app.stats.services import summary
    from models.stats import StaleDay

    create_instrument(world.institution_a, created_at=now - timedelta(days=400))
    today = (now + timedelta(hours=8)).date()
    snapshot.backfill(today - timedelta(days=100), today - timedelta(days=1), now)
    catalog.set_institution_hours(world.lab_a, world.institution_a, [(d, 8 * 60, 12 * 60) for d in range(1, 6)], now)
    db.session.flush()
    assert db.session.query(StaleDay).filter(StaleDay.day < today).count() == 100  # every snapshotted day
    ahead = (date(today.year, 12, 31) - today).days + 1
    assert db.session.query(StaleDay).filter(StaleDay.day >= today).count() == ahead  # and every day kept ahead
    period = Period(today - timedelta(days=100), today)
    assert summary(Scope(None), period, now) == summary(Scope(None), period, now, live=True)
    retaken = snapshot.refresh(now)
    assert len(retaken) == snapshot.MOST_DAYS_PER_RUN  # the most recent first, yesterday among them
    # the days ahead are kept again in the same run (only the institution's, a few instruments)
    assert db.session.query(StaleDay).count() == 100 - snapshot.MOST_DAYS_PER_RUN
    assert summary(Scope(None), period, now) == summary(Scope(None), period, now, live=True)
    snapshot.refresh(now)
    assert db.session.query(StaleDay).count() == 0
    assert summary(Scope(None), period, now) == summary(Scope(None), period, now, live=True)
