"""PostgreSQL: the statements every request runs are prepared once per connection, and stay prepared.

Which: those marked KEEP_PLAN (models/base.py: every `built_once` statement — the token, the calendar's closures
and holds, the cache version… — and the scoped lookups by id), whose best plan does not depend on the values.
They are prepared at their first run on a connection; every other statement never is. Left to itself psycopg
prepares any statement run five times on a connection, and PostgreSQL then uses a generic plan once it looks no
costlier: for a LIKE pattern or a year's period it was far slower (the catalog search 4.6 → 7.9 ms, the
statistics' distinct enterprises 57 → 266 ms). Prepared, the instrument page's scoped instrument (four tables)
takes 0.14 ms against 0.86 ms parsed and planned each time.

psycopg forgets everything it prepared at every ROLLBACK (a rolled-back transaction may have dropped what the
statements refer to), and a request that only reads ends with a rollback — there is nothing to commit.

A transaction that ran nothing but SELECTs ends the same whether it commits or rolls back (a SELECT … FOR UPDATE's
row locks go either way). So such a transaction is committed just before its rollback; the rollback then finds no
transaction and does nothing, and the prepared statements stay. Anything else — a write, a savepoint, DDL, a
statement that is not a plain SELECT, a failed transaction, a transaction begun outside SQLAlchemy — rolls back as
before.
"""
import contextlib

import psycopg
from psycopg import pq
from sqlalchemy import event

from models.base import begins_with

_ONLY_SELECTS = "pg_only_selects"  # Connection.info: this transaction has run nothing but SELECTs so far
NEVER = 2**31  # psycopg's prepare_threshold: what is not marked is not prepared, however often it runs


def keep_prepared(engine):
    if engine.dialect.name != "postgresql" or event.contains(engine, "rollback", _end_reads_with_commit):
        return
    event.listen(engine, "connect", _connected)
    event.listen(engine, "do_execute", _execute)
    event.listen(engine, "begin", _begun)
    event.listen(engine, "before_cursor_execute", _executing)
    event.listen(engine, "rollback", _end_reads_with_commit)


def _connected(dbapi_connection, _record):
    dbapi_connection.prepare_threshold = NEVER


def _execute(cursor, statement, parameters, context):
    if not context.execution_options.get("keep_plan"):
        return False  # SQLAlchemy executes it, unprepared
    cursor.execute(statement, parameters, prepare=True)
    return True  # done: SQLAlchemy does not execute it again


def _begun(connection):
    connection.info[_ONLY_SELECTS] = True


def _executing(connection, _cursor, statement, *_args):
    if connection.info.get(_ONLY_SELECTS) and not begins_with(statement):
        connection.info[_ONLY_SELECTS] = False


def _end_reads_with_commit(connection):
    if not connection.info.pop(_ONLY_SELECTS, False):
        return
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is None or dbapi_connection.info.transaction_status != pq.TransactionStatus.INTRANS:
        return
    with contextlib.suppress(psycopg.Error):  # the rollback that follows ends it as it would have
        dbapi_connection.commit()
