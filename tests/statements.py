"""The SQL a block of code sends: how tests count statements or check their order."""
from contextlib import contextmanager

import sqlalchemy as sa

from models import db


@contextmanager
def statements_sent(target=None):
    """Yields the list of statements (as sent) that the block runs on `target` (an engine or a connection;
    default: the session's engine)."""
    sent = []

    def record(_connection, _cursor, statement, *_args):
        sent.append(statement)

    target = target if target is not None else db.session.get_bind().engine
    sa.event.listen(target, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(target, "before_cursor_execute", record)
