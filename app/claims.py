"""Claiming rows so that a re-run or a second scheduler process never acts twice."""
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from models import db
from models.ops import SentAlert


def each_claimed(stmt, act):
    """Run `act` on each row of `stmt` in its own savepoint; count the rows acted on.

    The rows' version column makes their UPDATE conditional (`WHERE id = ? AND version = ?`):
    a row another process changed first raises StaleDataError and is skipped.
    """
    done = 0
    for row in db.session.scalars(stmt).all():
        savepoint = db.session.begin_nested()
        try:
            act(row)
            db.session.flush()
        except StaleDataError:
            savepoint.rollback()
            continue
        savepoint.commit()
        done += 1
    return done


def claim_once(kind, key, now):
    """True the first time (kind, key) is claimed, by anyone, ever; False afterwards."""
    return insert_unless_taken(SentAlert(kind=kind, key=key, sent_at=now))


def insert_unless_taken(row):
    """Add `row` in its own savepoint: False (and nothing written) when a unique index already holds
    its like — another request or process got there first."""
    savepoint = db.session.begin_nested()
    try:
        db.session.add(row)
        db.session.flush()
    except IntegrityError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True
