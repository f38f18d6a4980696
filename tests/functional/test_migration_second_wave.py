"""The second wave's last migrations (0017_nrii, 0018_no_show_index, 0019_stats_truth, 0020_search_indexes,
0021_stats_ahead, 0022_cache_versions) go down to 0015 and up again over a database that holds the demo, on a
database of its own, and leave every row in place."""
import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.demo import load
from models import AheadDay, Booking, Instrument, SearchSynonym, db
from tests import factories
from tests.demo_db import assert_intact, demo_database_url

pytestmark = pytest.mark.committed
BEFORE = "0015_accounts"


def test_the_second_wave_migrations_go_down_and_up_over_the_demo(database_url, tmp_path):
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=demo_database_url(database_url, tmp_path,
                                                                                    "wave2_migration"))
    with app.app_context():
        upgrade()
        load(factories.NOW)
        db.session.commit()
        counts = (db.session.scalar(sa.select(sa.func.count(Booking.id))),
                  db.session.scalar(sa.select(sa.func.count(Instrument.id))))
        db.session.remove()

        downgrade(revision=BEFORE)
        inspector = sa.inspect(db.engine)
        assert not inspector.has_table("stale_days") and not inspector.has_table("search_synonyms")
        assert not inspector.has_table("open_hours_ahead") and not inspector.has_table("ahead_days")
        assert not inspector.has_table("cache_versions")
        assert not inspector.has_table("instrument_photos")
        assert "ownership_type" not in {c["name"] for c in inspector.get_columns("instruments")}
        assert_intact()
        db.session.remove()

        upgrade()
        assert (db.session.scalar(sa.select(sa.func.count(Booking.id))),
                db.session.scalar(sa.select(sa.func.count(Instrument.id)))) == counts
        assert db.session.scalar(sa.select(sa.func.count(SearchSynonym.id))) > 20  # seeded again
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AheadDay)) == 0  # read live until the job
        found = db.session.scalars(sa.select(Instrument.name).where(Instrument.search_text.like("%浦东%"))).all()
        assert found  # the place names are back in the search text
        assert_intact()
        db.session.remove()
    assert counts[0] > 10
