"""SQLite settings: WAL, synchronous (SQLITE_SYNCHRONOUS), a busy timeout, foreign keys, and writers that
queue fairly.

A transaction that may write begins with BEGIN IMMEDIATE: it takes SQLite's write lock at once, so "check
the slot is free, then insert the booking" is one atomic step on SQLite, which has no exclusion constraint.

Writers queue on a file lock (`<database>-writers.lock`, flock) taken just before BEGIN IMMEDIATE and
released just after COMMIT or ROLLBACK. Without it a writer that finds the database locked sleeps in
SQLite's busy handler with a growing back-off (up to 100 ms a nap) while newcomers slip in, so some
requests starve: booking creation's p99 was three times NEMO's. A waiter on the file lock is woken by the
kernel the moment the lock is released.

Reads need no write lock (WAL: readers never block writers, nor writers readers). A request that only reads
(GET, HEAD, OPTIONS), or a handler marked @reads_first, begins a plain deferred transaction; it becomes a
writer either when it asks to (`become_writer`, called by availability.lock_instrument before the booking's
calendar check) or before its first statement that is not a SELECT. The switch commits the read transaction
(nothing written yet) and begins an immediate one, so whatever must be exact — the calendar check, the
per-organisation limit — is read again after it: the same rule as on PostgreSQL, where the row lock comes
after the request's first reads. Everything else (other POSTs, jobs, the CLI, tests) keeps BEGIN IMMEDIATE
from its first statement.
"""
import contextvars
import fcntl
import os
import threading

from flask import g, request
from sqlalchemy import event

from models.base import begins_with

_reads_first = contextvars.ContextVar("sqlite_reads_first", default=False)
_held = threading.local()  # writer-lock files this thread holds, so a second connection never waits on itself
_STATE = "qishare_sqlite"  # connection.info: "read" (deferred transaction) or "write" (immediate, lock held)
_LOCK = "qishare_writer_lock"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_READS = ("SELECT", "PRAGMA")


def reads_first(view):
    """Mark a view whose service re-checks, after becoming a writer, everything it must be exact about."""
    view.sqlite_reads_first = True
    return view


def init_app(app):
    @app.before_request
    def _choose_transaction_mode():
        view = app.view_functions.get(request.endpoint)
        if request.method in SAFE_METHODS or getattr(view, "sqlite_reads_first", False):
            g.sqlite_mode_token = _reads_first.set(True)

    @app.teardown_request
    def _reset_transaction_mode(_error=None):
        token = g.pop("sqlite_mode_token", None)
        if token is not None:
            _reads_first.reset(token)


def become_writer(connection):
    """Make the connection's current transaction a writer now (a no-op unless it is a deferred SQLite one)."""
    if connection.dialect.name == "sqlite" and connection.info.get(_STATE) == "read":
        connection.info[_STATE] = "switching"
        connection.exec_driver_sql("COMMIT")  # the read transaction wrote nothing
        _lock(connection.info)
        connection.info[_STATE] = "write"
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _lock_path(database):
    return f"{database}-writers.lock"


def _lock(info):
    lock = info.get(_LOCK)
    if lock is None or lock["held"]:
        return
    others = getattr(_held, "count", 0)
    if not others:  # a thread that already writes through another connection must not wait on itself
        fcntl.flock(lock["fd"], fcntl.LOCK_EX)
        lock["held"] = True
    _held.count = others + 1
    lock["counted"] = True


def _unlock(info):
    lock = info.get(_LOCK)
    if lock is None:
        return
    if lock.pop("counted", False):
        _held.count = max(0, getattr(_held, "count", 1) - 1)
    if lock["held"]:
        lock["held"] = False
        fcntl.flock(lock["fd"], fcntl.LOCK_UN)


def configure_sqlite(engine, synchronous="FULL"):
    if engine.dialect.name != "sqlite":
        return
    if synchronous not in ("FULL", "NORMAL"):
        raise ValueError(f"SQLITE_SYNCHRONOUS must be FULL or NORMAL, not {synchronous!r}")
    _configure_connections(engine, synchronous)
    _queue_writers(engine)


def _configure_connections(engine, synchronous):
    """Each new connection: WAL and its writers' lock file (on disk), durability, busy wait, foreign keys."""
    on_disk = engine.url.database not in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, record):
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if on_disk:
            cursor.execute("PRAGMA journal_mode=WAL")
            record.info[_LOCK] = {"fd": os.open(_lock_path(engine.url.database), os.O_RDWR | os.O_CREAT, 0o600),
                                  "held": False}
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "close")
    def _on_close(_dbapi_connection, record):
        _unlock(record.info)
        lock = record.info.pop(_LOCK, None)
        if lock is not None:
            os.close(lock["fd"])


def _queue_writers(engine):
    """Transactions: readers begin plainly, writers take the lock file before BEGIN IMMEDIATE; a reader that
    writes becomes a writer; the lock is released after COMMIT/ROLLBACK and when a connection goes back."""

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if _reads_first.get():
            connection.exec_driver_sql("BEGIN")
            connection.info[_STATE] = "read"
            return
        _lock(connection.info)
        connection.info[_STATE] = "write"
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "before_cursor_execute")
    def _before_write(connection, _cursor, statement, *_args):
        if connection.info.get(_STATE) == "read" and not begins_with(statement, _READS):
            become_writer(connection)

    def _end(verb):
        def end(connection):
            dbapi_connection = connection.connection.dbapi_connection
            try:
                if dbapi_connection is not None and dbapi_connection.in_transaction:
                    dbapi_connection.execute(verb)  # here, so that the lock is released after it, not before
            finally:
                connection.info.pop(_STATE, None)
                _unlock(connection.info)
        return end

    event.listen(engine, "commit", _end("COMMIT"))
    event.listen(engine, "rollback", _end("ROLLBACK"))

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):
        record.info.pop(_STATE, None)
        _unlock(record.info)

