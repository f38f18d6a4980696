"""Files written inside a transaction are removed again if that transaction rolls back.

A report PDF is written before the request commits; when the commit loses (a concurrent upload or
cancellation got there first, the connection dropped), the file must not stay behind as an orphan.
"""
import contextlib
import os
import secrets

from sqlalchemy import event
from sqlalchemy.orm import Session

from models import db

PENDING = "files_written_in_transaction"
DOOMED = "files_removed_in_transaction"


def remove_on_rollback(path):
    """Forget `path` when the current transaction commits; delete it when it rolls back."""
    session = db.session()
    session.connection()  # the file belongs to a transaction: begin one if none is open yet
    session.info.setdefault(PENDING, []).append(str(path))


def remove_on_commit(path):
    """Delete `path` once the current transaction commits; keep it when it rolls back (a deleted photo whose
    deletion is undone must still have its file)."""
    session = db.session()
    session.connection()
    session.info.setdefault(DOOMED, []).append(str(path))


def store_private(folder, data, suffix):
    """Write `data` under a random name in `folder` (outside the web root), readable by this process only;
    removed again if the current transaction rolls back. Returns the name (never the user's file name)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + suffix
    path = folder / name
    with open(path, "xb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)
    remove_on_rollback(path)
    return name


def _committed(session):
    session.info.pop(PENDING, None)
    for path in session.info.pop(DOOMED, []):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


def _rolled_back(session, previous_transaction):
    if previous_transaction.parent is not None:  # a savepoint: the outer transaction may still commit
        return
    session.info.pop(DOOMED, None)
    for path in session.info.pop(PENDING, []):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


def init_app(app):
    if not event.contains(Session, "after_commit", _committed):
        event.listen(Session, "after_commit", _committed)
        event.listen(Session, "after_soft_rollback", _rolled_back)
