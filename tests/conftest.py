"""Test fixtures. The suite runs on SQLite, or on PostgreSQL when TEST_DATABASE_URL is set.

`make test` runs it with pytest-xdist: each worker (gw0, gw1 …) has a database of its own — a SQLite file in
the worker's temporary folder, or on PostgreSQL the database `<name>_<worker>` beside TEST_DATABASE_URL —
and every database the suite derives from it (tests/demo_db.py) carries the worker's name too.

Each test runs inside a transaction that is rolled back afterwards (views' commits release
savepoints), so tests are isolated and fast. Tests marked `committed` use real connections
and commits (threads, processes) and clean the tables afterwards.
"""
import os
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import appcontext_popped, has_app_context
from flask.globals import app_ctx as current_app_context
from sqlalchemy import orm

from app import create_app
from app.auth.sessions import begin_session
from models import db

from . import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# A Monday, 09:00 in Shanghai: an ordinary working day away from public holidays.
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def pytest_collection_modifyitems(config, items):
    on_postgres = bool(TEST_DATABASE_URL)
    for item in items:
        if on_postgres and "sqlite_only" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="SQLite-only behaviour"))
        if not on_postgres and "postgres_only" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (TEST_DATABASE_URL)"))
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: not _runs_long(item))  # stable: otherwise in the usual order


def _runs_long(item):
    """Handed out first under xdist, so a run does not end with one worker idle while another runs a long
    test: the ones that commit (threads, processes, live servers, demo databases) and the property tests."""
    return "committed" in item.keywords or getattr(getattr(item, "obj", None), "is_hypothesis_test", False)


def _worker_database(url):
    """TEST_DATABASE_URL itself, or under xdist `<name>_<worker>` on the same server, created if missing."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    url = sa.engine.make_url(url)
    name = f"{url.database}_{worker}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if exists.first() is None:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        pytest.exit(f"TEST_DATABASE_URL is set but PostgreSQL is unreachable: {error}", returncode=3)
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


# Under xdist, tests that share an expensive session or module fixture go to one worker, so it is built once:
# the browser journeys' gunicorn, demo database and Chromium; the fuzzer's server; a module's demo database.
# Everything else is handed out test by test. (xdist's own `--dist loadgroup` does not group on pytest 9.2:
# the group suffix it writes into `item._nodeid` no longer reaches the node id.)
SHARED = {"tests/browser/": "browser", "tests/fuzz/": "fuzz", "tests/functional/test_demo.py": "demo",
          "tests/ops/test_backup.py": "backup"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "load":  # an explicit --dist loadfile etc. is left to xdist
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        """Work units are single tests, or all the tests of a SHARED group; the largest units go first."""

        def _split_scope(self, nodeid):
            path = nodeid.split("::")[0]
            return next((group for prefix, group in SHARED.items() if path.startswith(prefix)), nodeid)

    return SharedFixtureScheduling(config, log)


def _reset_postgres(url):
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    except sa.exc.OperationalError as error:
        pytest.exit(f"TEST_DATABASE_URL is set but PostgreSQL is unreachable: {error}", returncode=3)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if TEST_DATABASE_URL:
        url = _worker_database(TEST_DATABASE_URL)
        _reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=database_url,
                     UPLOAD_DIR=str(tmp_path_factory.mktemp("uploads")))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    return app


@pytest.fixture(scope="session")
def is_postgres(database_url):
    return database_url.startswith("postgresql")


@pytest.fixture
def now():
    return NOW


@pytest.fixture(autouse=True)
def _isolated(request, app):
    """Roll back everything a test wrote (sign-in attempts too); pin the web's clock."""
    app.config["NOW_OVERRIDE"] = NOW
    app.extensions.pop("catalog_next_free", None)  # the catalog cards' minute-long hints (catalog/views.py)
    if "committed" in request.keywords:
        yield
        _clean_tables(app)
        return
    with app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    original = db.session
    # One connection, one outer transaction. The test's code and each request get their own
    # session on it (scoped by app context), each working in savepoints: a request that rolls
    # back undoes only its own work, as it would against a real database.
    db.session = orm.scoped_session(
        orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False),
        scopefunc=_scope,
    )

    def _refresh_test_session(sender, **extra):
        test_session = db.session.registry.registry.get(TEST_SCOPE)
        if test_session is not None:
            test_session.expire_all()  # the test reads what the request wrote

    appcontext_popped.connect(_refresh_test_session, app)
    try:
        yield
    finally:
        appcontext_popped.disconnect(_refresh_test_session, app)
        for session in list(db.session.registry.registry.values()):
            session.close()
        db.session = original
        transaction.rollback()
        connection.close()
        app.config["NOW_OVERRIDE"] = NOW


TEST_SCOPE = "test"


def _scope():
    return id(current_app_context._get_current_object()) if has_app_context() else TEST_SCOPE


SEEDED = {"districts", "alembic_version", "categories", "calendar_days", "search_synonyms", "cache_versions"}  # what migrations wrote


def _clean_tables(app):
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in SEEDED]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(t.name for t in tables)
                connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(table.delete())
            _restore_seeds(connection)


def _restore_seeds(connection):
    """Tests may edit seeded rows (targets, holidays); put back what migrations wrote."""
    connection.execute(sa.text("UPDATE districts SET enterprise_target = 60"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def app_ctx(app):
    with app.test_request_context():
        yield


# Factories -------------------------------------------------------------------------------

@pytest.fixture
def create_org():
    return factories.create_org


@pytest.fixture
def create_user():
    return factories.create_user


@pytest.fixture
def create_instrument():
    return factories.create_instrument


@pytest.fixture
def create_booking():
    return factories.create_booking


@pytest.fixture
def world():
    """Two enterprises, two institutions, two districts, the city and an admin (DEVELOPERS 5)."""
    return factories.World.build()


@pytest.fixture
def sign_in(client):
    def sign_in(user):
        token = begin_session(user, NOW)
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True
        return client

    return sign_in


@pytest.fixture
def api(client):
    """api(user).get(path) etc.: calls /api/v1 with a bearer token for `user` (None = anonymous)."""
    return factories.ApiCaller.factory(client)
