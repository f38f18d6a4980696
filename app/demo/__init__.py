"""Demo data: the README's demo accounts and organisations (accounts.py), then activity for every feature.

Idempotent: running it again changes nothing. It refuses a database that holds anything that
is not demo data, so it can never mix invented records into a real platform.
"""
import sqlalchemy as sa

from models import Organization, User, db

from . import accounts, bookings, catalog, history, orders, qualifications, settlement

DEMO_DOMAIN = "@demo.local"
STEPS = [accounts, catalog, qualifications, bookings, orders, history, settlement]


class DemoRefused(Exception):
    pass


def database_is_empty():
    return db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def _holds_real_data():
    real_user = db.session.scalar(
        sa.select(User.id).where(sa.not_(User.email.like(f"%{DEMO_DOMAIN}"))).limit(1)
    )
    real_org = db.session.scalar(sa.select(Organization.id).where(Organization.is_demo.is_(False)).limit(1))
    return real_user is not None or real_org is not None


def load(now):
    if _holds_real_data():
        raise DemoRefused("the database holds non-demo users or organisations; demo data not loaded")
    summary = {}
    for step in STEPS:
        summary.update(step.load(now))
        db.session.flush()
    return summary
