"""Health: is the database reachable, is its schema current, is the scheduler alive."""
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from models import db
from models.ops import Heartbeat

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def beat(name, now):
    row = db.session.get(Heartbeat, name)
    if row is None:
        db.session.add(Heartbeat(name=name, beat_at=now))
    else:
        row.beat_at = now


@lru_cache(maxsize=1)
def migration_heads():
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def health(now, heartbeat_max_age):
    checks = {}
    try:
        connection = db.session.connection()
        connection.execute(sa.text("SELECT 1"))
        current = frozenset(MigrationContext.configure(connection).get_current_heads())
        checks["database"] = "ok"
        checks["migrations"] = "ok" if current == migration_heads() else "behind"
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        checks["database"] = "unreachable"
        checks["migrations"] = "unknown"
        return False, checks
    row = db.session.get(Heartbeat, "scheduler")
    if row is None:
        checks["scheduler"] = "never_seen"
    else:
        age = (now - row.beat_at).total_seconds()
        checks["scheduler"] = "ok" if age <= heartbeat_max_age else "stale"
        checks["scheduler_age_seconds"] = int(age)
    healthy = all(checks[k] == "ok" for k in ("database", "migrations", "scheduler"))
    return healthy, checks
