"""The database handle and the column types every aggregate shares."""
import functools
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=sa.MetaData(naming_convention=NAMING_CONVENTION))


class UTCDateTime(TypeDecorator):
    """A timezone-aware instant, stored in UTC.

    PostgreSQL keeps it as timestamptz; SQLite as naive UTC text, which sorts and compares
    correctly because every value is written the same way. Naive datetimes are refused: a
    time without a zone is a bug at the edge that parsed it.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Execution option: this statement's best plan does not depend on its values (a lookup by key or on an index), so
# the database may keep its plan (app/postgres.py prepares it on PostgreSQL). Never for a statement whose plan
# should follow its values: a LIKE pattern, a period of a year or of a day (search and statistics).
KEEP_PLAN = {"keep_plan": True}


def begins_with(statement, verbs=("SELECT",)):
    """Whether an SQL statement about to be sent begins with one of `verbs` (by default: it is a plain read). The
    connection hooks that tell reads from writes ask this (models/rarely_changed.py, app/sqlite.py, app/postgres.py)."""
    return statement.lstrip()[:6].upper().startswith(verbs)


def built_once(build):
    """A statement built once per process; its values are bound at execution (`sa.bindparam`), and its plan may be
    kept by the database (KEEP_PLAN).

    For the queries every request runs (the token, the calendar, the booking's checks). Building a SELECT —
    coercing each comparison, its loader options, its cache key — costs more CPU than running a small indexed
    one; SQLAlchemy keeps a statement object's cache key, so a statement kept is neither built nor keyed again.
    """
    @functools.cache
    def kept(*args):
        return build(*args).execution_options(**KEEP_PLAN)

    return functools.update_wrapper(kept, build)


def utcnow():
    return datetime.now(UTC)


class TimestampMixin:
    created_at = sa.orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = sa.orm.mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


def commit_keeping_loaded():
    """Commit without expiring what the session holds, so an answer built from the rows just written is built
    after the commit (on SQLite, outside the write lock) and without reading them back."""
    session = db.session()
    previous = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = previous
