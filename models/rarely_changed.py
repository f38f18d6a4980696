"""Per-process copies of what changes rarely: the working-day calendar and opening hours.

Every availability answer, week view and booking reads both; they change a few times a year. Correctness
first: triggers (migration 0022) give the `calendar` row of cache_versions a new random value whenever
calendar_days or opening_hours change, whoever changes them (a service, a migration, psql, another process),
in the changing transaction. A transaction reads that value once (one primary-key row; again after any
statement that writes, so its own changes are seen), and a process drops its copies when the value differs
from the one they were read under. So the first transaction after a change commits, in any process, reads
the new calendar. A rolled-back change leaves a value nobody will see again (random, not a counter), so
copies read inside it are never used.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from .base import begins_with, built_once, db

CALENDAR = "calendar"  # calendar_days and opening_hours
_READ = "rarely_changed_version"  # Connection.info: the version this transaction read


class CacheVersion(db.Model):
    """One row per group of rarely changed tables; `version` is rewritten by triggers on every change."""

    __tablename__ = "cache_versions"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)


@dataclass
class Copies:
    version: int
    calendar: dict | None = None  # {date: 'holiday' | 'workday'}, every row of calendar_days
    weeks: dict = field(default_factory=dict)  # ('institution' | 'instrument', id) → [(weekday, start, end)]


_copies = {}  # database URL → Copies, in this process


def current():
    """This process's copies for the session's database, valid for the current transaction."""
    if db.session.autoflush:
        db.session.flush()  # as a query would: this session's own pending changes count (nothing to do if none)
    connection = db.session.connection()
    version = connection.info.get(_READ)
    if version is None:
        version = connection.execute(_version_of(), {"name": CALENDAR}).scalar()
        connection.info[_READ] = version
    if version is None:  # no version row: nothing can be kept
        return Copies(None)
    database = connection.engine.url.render_as_string(hide_password=True)
    copies = _copies.get(database)
    if copies is None or copies.version != version:
        copies = _copies[database] = Copies(version)
    return copies


@built_once
def _version_of():
    return sa.select(CacheVersion.version).where(CacheVersion.name == sa.bindparam("name"))


def _forget_version(connection, *_args):
    connection.info.pop(_READ, None)


def _forget_after_write(connection, _cursor, statement, *_args):
    if not begins_with(statement):
        connection.info.pop(_READ, None)


def watch(engine):
    """Read the version again in every transaction and savepoint, and after every write."""
    if event.contains(engine, "before_cursor_execute", _forget_after_write):
        return
    for name in ("begin", "commit", "rollback", "savepoint", "rollback_savepoint", "release_savepoint"):
        event.listen(engine, name, _forget_version)
    event.listen(engine, "before_cursor_execute", _forget_after_write)
