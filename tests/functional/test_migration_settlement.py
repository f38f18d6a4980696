"""Migration 0014 gives every service completed before it its one charge, on a database of its own."""
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade

from app import create_app
from models import db
from models.settlement import Charge
from tests import factories
from tests.demo_db import demo_database_url

pytestmark = pytest.mark.committed
START = factories.NOW - timedelta(days=3)


def before_settlement():
    """Whatever revision 0014 follows, whatever follows 0014 ("0014_settlement@-1" means one below the head
    of 0014's branch, which is 0014's own predecessor only while 0014 is the head)."""
    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    return script.get_revision("0014_settlement").down_revision


def _history():
    """Services of before the migration: what they were charged, or nothing recorded."""
    small = factories.create_org("enterprise", size="small")
    large = factories.create_org("enterprise", size="large")
    instrument = factories.create_instrument()  # 600/h, 20 % off for SMEs, 30-minute slots
    made = {}
    made["recorded"] = factories.create_booking(instrument, small, start=START, status="completed",
                                                charge_amount=Decimal("480.00"))
    made["ten_minutes"] = factories.create_booking(instrument, small, start=START + timedelta(hours=2),
                                                   status="completed", actual_start=START + timedelta(hours=2),
                                                   actual_end=START + timedelta(hours=2, minutes=10))
    made["booked_90_large"] = factories.create_booking(instrument, large, start=START + timedelta(hours=4),
                                                       minutes=90, status="completed", charge_amount=Decimal(0))
    made["cancelled"] = factories.create_booking(instrument, small, start=START + timedelta(hours=6),
                                                 status="cancelled")
    return made, instrument


def _order(organization, institution_id, status, amount):
    from models.order import ServiceOrder

    order = ServiceOrder(kind="test_by_proxy", organization_id=organization.id, institution_id=institution_id,
                         created_by_id=factories.create_user("enterprise", organization).id, title="盐雾试验",
                         sample_name="外壳", sample_quantity=1, sample_unit="件", sample_disposal="return",
                         status=status, quote_amount=Decimal(amount), created_at=START, updated_at=START,
                         completed_at=START if status == "completed" else None)
    db.session.add(order)
    db.session.commit()
    return order


def test_the_migration_charges_every_completed_booking_and_order_once(database_url, tmp_path):
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=demo_database_url(database_url, tmp_path,
                                                                                    "settlement_migration"))
    with app.app_context():
        upgrade()  # the history is written with today's models, then the schema goes back to before 0014
        bookings, instrument = _history()
        completed = _order(bookings["recorded"].organization, instrument.institution_id, "completed", "1800.00")
        reported = _order(bookings["recorded"].organization, instrument.institution_id, "report_issued", "900.00")
        ids = {name: b.id for name, b in bookings.items()}
        completed_id, reported_id = completed.id, reported.id
        db.session.remove()  # SQLite: the migration needs the write lock
        downgrade(revision=before_settlement())
        upgrade()
        db.session.expire_all()
        charged = {c.booking_id or ("order", c.order_id): c for c in db.session.scalars(sa.select(Charge))}
        db.session.remove()
    assert charged[ids["recorded"]].amount == Decimal("480.00")
    assert charged[ids["ten_minutes"]].amount == Decimal("240.00")        # one slot at the SME price
    assert charged[ids["booked_90_large"]].amount == Decimal("900.00")    # the booked span, full price
    assert charged[("order", completed_id)].amount == Decimal("1800.00")
    assert ids["cancelled"] not in charged and ("order", reported_id) not in charged
    assert {c.status for c in charged.values()} == {"open"} and len(charged) == 4
    assert all(c.original_amount == c.amount and c.voucher_amount == 0 for c in charged.values())
