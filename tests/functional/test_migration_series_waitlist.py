"""Migration 0013 upgrades and downgrades a database that holds data (the demo), on a database of its own."""
import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.demo import load
from models import Booking, db
from tests import factories
from tests.demo_db import assert_intact, demo_database_url

pytestmark = pytest.mark.committed
BEFORE = "0014_settlement"


def test_0013_adds_and_removes_the_series_column_beside_existing_bookings(database_url, tmp_path):
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=demo_database_url(database_url, tmp_path,
                                                                                    "series_migration"))
    with app.app_context():
        upgrade()
        load(factories.NOW)  # bookings, and reviews and charges that reference them
        db.session.commit()
        before = db.session.scalar(sa.select(sa.func.count(Booking.id)))
        db.session.remove()
        downgrade(revision=BEFORE)
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("bookings")}
        assert "series_id" not in columns and not sa.inspect(db.engine).has_table("waitlist_entries")
        assert_intact()
        db.session.remove()
        upgrade()
        assert db.session.scalar(sa.select(sa.func.count(Booking.id)).where(Booking.series_id.is_(None))) == before
        assert_intact()
        db.session.remove()
    assert before > 10
