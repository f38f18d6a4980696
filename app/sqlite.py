"""SQLite settings: WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE.

Every SQLite transaction takes the write lock when it begins. That makes "check the slot is
free, then insert the booking" one atomic step on SQLite, which has no exclusion constraint; it costs
read concurrency, which only matters on PostgreSQL, the production database.
"""
from sqlalchemy import event


def configure_sqlite(engine):
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
