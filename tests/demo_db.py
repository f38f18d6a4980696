"""A separate database holding the demo, built once per module, for tests that only read it.

SQLite: its own file. PostgreSQL: its own database beside TEST_DATABASE_URL (<name>_demo).
Tests that use it are marked `committed`, so they talk to it through the ordinary session.
"""
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.demo import load
from models import db
from tests.factories import NOW


def demo_database_url(base_url, tmp_path, suffix="demo"):
    if not base_url.startswith("postgresql"):
        return f"sqlite:///{tmp_path / f'{suffix}.sqlite3'}"
    url = sa.engine.make_url(base_url)
    name = f"{url.database}_{suffix}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def build_demo_app(base_url, tmp_path, now=NOW, suffix="demo", **config):
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=demo_database_url(base_url, tmp_path, suffix),
                     UPLOAD_DIR=str(tmp_path / "uploads"), **config)
    with app.app_context():
        upgrade()
        load(now)
        db.session.commit()
        db.session.remove()
    return app


def assert_intact():
    """No dangling reference and, on SQLite, no damaged page: what a migration over the demo must leave."""
    if db.engine.dialect.name == "sqlite":
        assert db.session.execute(sa.text("PRAGMA foreign_key_check")).all() == []
        assert db.session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
