"""Shared bench helpers: a throwaway database, timing, and result formatting."""
import os
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

BENCH_PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/qishare_bench")


def pg_available(url=BENCH_PG_URL):
    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            name = url.rsplit("/", 1)[1]
            exists = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False


def reset_database(url):
    """An empty database at `url`: a removed SQLite file, or a PostgreSQL database (created if missing)
    with a clean public schema."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    if not pg_available(url):
        raise SystemExit(f"PostgreSQL is not reachable at {url}")
    reset_postgres(url)


def reset_postgres(url):
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@contextmanager
def fresh_app(database="sqlite", **config):
    """A migrated, empty database and an app bound to it."""
    from flask_migrate import upgrade

    from app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        if database == "sqlite":
            url = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            url = BENCH_PG_URL + "_scratch"  # never the generated city dataset
            pg_available(url)
            reset_postgres(url)
        app = create_app("config.Config", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=tmp, TESTING=True,
                         WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False, **config)
        with app.app_context():
            upgrade()
        yield app


@contextmanager
def timer():
    result = {}
    start = time.perf_counter()
    yield result
    result["seconds"] = time.perf_counter() - start


def percentile(values, pct):
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values):
    return {"p50": statistics.median(values), "p95": percentile(values, 95), "p99": percentile(values, 99)}
