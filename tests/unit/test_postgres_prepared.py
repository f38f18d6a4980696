"""app/postgres.py: the statements marked KEEP_PLAN are prepared and stay prepared after a transaction that only
read ends; nothing else is ever prepared; a transaction that wrote, or failed, still rolls back."""
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DataError

from models import Organization, db
from models.instrument import Instrument
from models.rarely_changed import CALENDAR, _version_of
from tests import factories

pytestmark = [pytest.mark.postgres_only, pytest.mark.committed]


def _prepared(connection):
    return connection.exec_driver_sql("SELECT statement FROM pg_prepared_statements").scalars().all()


def test_a_kept_statement_is_prepared_and_survives_the_rollback_of_a_transaction_that_only_read(app):
    with app.app_context(), db.engine.connect() as connection:
        connection.execute(_version_of(), {"name": CALENDAR}).scalar()
        connection.execute(sa.select(Instrument.id).where(Instrument.id == 1).with_for_update()).all()
        connection.rollback()  # what every GET ends with
        assert any("cache_versions" in statement for statement in _prepared(connection))


def test_a_statement_not_marked_is_never_prepared_however_often_it_runs(app):
    search = sa.select(Instrument.id).where(Instrument.search_text.like("%光谱%"))
    with app.app_context(), db.engine.connect() as connection:
        for _ in range(12):  # psycopg alone prepares what runs five times
            connection.execute(search).all()
        connection.execute(_version_of(), {"name": CALENDAR}).scalar()
        prepared = _prepared(connection)
    assert any("cache_versions" in statement for statement in prepared)
    assert not any("search_text LIKE" in statement for statement in prepared)


def test_a_transaction_that_wrote_still_rolls_back_after_reading(app):
    with app.app_context():
        db.session.execute(_version_of(), {"name": CALENDAR}).scalar()
        db.session.add(Organization(kind="enterprise", name="回滚测试有限公司", district_code="310115", industry="C",
                                    size="small", uscc=factories.valid_uscc(990001)))
        db.session.flush()
        db.session.execute(sa.text("UPDATE districts SET enterprise_target = 99"))
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization).where(
            Organization.name == "回滚测试有限公司")) == 0
        assert db.session.scalar(sa.text("SELECT max(enterprise_target) FROM districts")) == 60
        db.session.remove()


def test_a_failed_transaction_rolls_back_and_the_connection_goes_on(app):
    with app.app_context(), db.engine.connect() as connection:
        connection.execute(_version_of(), {"name": CALENDAR}).scalar()
        with pytest.raises(DataError):
            connection.execute(sa.text("SELECT 1 / 0"))
        connection.rollback()
        assert connection.execute(_version_of(), {"name": CALENDAR}).scalar() is not None
