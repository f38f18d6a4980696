"""On SQLite, writers queue on the app's lock file and a booking reads before it becomes a writer.

The guarantee against double booking is tested in test_concurrency.py; these tests pin how it is kept
without starving anyone: readers never take SQLite's write lock, a booking takes it only for its calendar
check and its inserts, and a writer waits on the lock file (woken when it is released), not in SQLite's
busy handler.
"""
import fcntl
import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from models import ApiToken, Booking, db
from tests import factories

pytestmark = [pytest.mark.sqlite_only, pytest.mark.committed]
SLOT = {"start": "2026-03-03T10:00", "end": "2026-03-03T11:00", "service_mode": "self_operated"}


def _enterprise_token():
    user = factories.create_user("enterprise")
    row, token = ApiToken.issue(user, factories.NOW, 30)
    db.session.add(row)
    return {"Authorization": f"Bearer {token}"}


def _world(app):
    with app.app_context():
        instrument = factories.create_instrument(requires_approval=False)
        headers = _enterprise_token()
        db.session.commit()
        return instrument.id, headers, db.engine.url.database


def _statements(app):
    with app.app_context():
        engine = db.engine
    seen = []

    def log(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    sa.event.listen(engine, "before_cursor_execute", log)
    return seen, lambda: sa.event.remove(engine, "before_cursor_execute", log)


def test_a_booking_reads_its_token_and_instrument_before_it_takes_the_write_lock(app):
    instrument_id, headers, _path = _world(app)
    seen, stop = _statements(app)
    try:
        response = app.test_client().post("/api/v1/bookings", json={"instrument_id": instrument_id, **SLOT},
                                          headers=headers)
    finally:
        stop()
    assert response.status_code == 201
    immediate = seen.index("BEGIN IMMEDIATE")
    assert seen[0] == "BEGIN"  # deferred: the token and the instrument are read without the write lock
    assert any("FROM api_tokens" in s for s in seen[:immediate])
    assert any("FROM instruments" in s for s in seen[:immediate])
    check = next(i for i, s in enumerate(seen) if s.startswith("SELECT") and "FROM occupancies" in s)
    insert = next(i for i, s in enumerate(seen) if s.startswith("INSERT INTO occupancies"))
    assert immediate < check < insert
    assert not any(s.startswith("BEGIN") for s in seen[immediate + 1:insert])


def test_reading_availability_never_waits_for_a_writer(app):
    instrument_id, headers, path = _world(app)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        response = app.test_client().get(f"/api/v1/instruments/{instrument_id}/availability?from=2026-03-03",
                                         headers=headers)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert response.status_code == 200
    assert response.get_json()["free"]


def test_a_booking_waits_on_the_lock_file_then_books(app):
    instrument_id, headers, path = _world(app)
    holder = os.open(f"{path}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another worker is writing
    seen, stop = _statements(app)
    reached_the_queue = threading.Event()
    original_flock = fcntl.flock

    def flock(fd, operation):
        if operation == fcntl.LOCK_EX:
            reached_the_queue.set()
        return original_flock(fd, operation)

    fcntl.flock = flock
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            answer = pool.submit(lambda: app.test_client().post(
                "/api/v1/bookings", json={"instrument_id": instrument_id, **SLOT}, headers=headers))
            assert reached_the_queue.wait(30)
            assert "BEGIN IMMEDIATE" not in seen  # queued on the file, not inside SQLite's busy handler
            assert not answer.done()
            original_flock(holder, fcntl.LOCK_UN)
            response = answer.result(60)
    finally:
        fcntl.flock = original_flock
        stop()
        os.close(holder)
    assert response.status_code == 201
    assert "BEGIN IMMEDIATE" in seen
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Booking.id)).where(
            Booking.instrument_id == instrument_id)) == 1


def test_a_read_that_turns_into_a_write_takes_the_write_lock_first(app):
    """A deferred transaction becomes a writer before its first INSERT, so it never fails on a stale snapshot."""
    from app import sqlite as sqlite_mode

    _instrument_id, _headers, _path = _world(app)
    seen, stop = _statements(app)
    token = sqlite_mode._reads_first.set(True)
    try:
        with app.app_context():
            factories.create_org("enterprise")
            db.session.commit()
    finally:
        sqlite_mode._reads_first.reset(token)
        stop()
    writes = [i for i, s in enumerate(seen) if s.startswith("INSERT")]
    assert writes and "BEGIN IMMEDIATE" in seen
    assert seen.index("BEGIN IMMEDIATE") < writes[0]


@pytest.mark.parametrize(("setting", "pragma"), [("FULL", 2), ("NORMAL", 1)])
def test_sqlite_synchronous_is_what_the_operator_chose(tmp_path, setting, pragma):
    from app import create_app

    other = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/sync.sqlite3",
                       SQLITE_SYNCHRONOUS=setting)
    with other.app_context():
        assert db.session.execute(sa.text("PRAGMA synchronous")).scalar() == pragma
        db.session.rollback()
        db.engine.dispose()


def test_an_unknown_sqlite_synchronous_is_refused_at_start(tmp_path):
    from app import create_app

    with pytest.raises(ValueError, match="SQLITE_SYNCHRONOUS"):
        create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/sync.sqlite3",
                   SQLITE_SYNCHRONOUS="OFF")
