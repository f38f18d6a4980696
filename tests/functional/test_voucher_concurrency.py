"""A voucher never pays more than it holds, whatever the concurrency (real threads, real commits)."""
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from models import ApiToken, db
from models.settlement import Charge
from models.voucher import Voucher
from tests import factories
from tests.settlement import charge_of, completed_booking, issue_voucher

APPLICATIONS = 10


def _ten_open_charges_and_one_voucher(app):
    with app.app_context():
        world = factories.World.build()
        voucher = issue_voucher(world, amount="1000.00", percent=50)
        charge_ids = [charge_of(completed_booking(world, 60, day_offset=-n)).id for n in range(APPLICATIONS)]
        row, token = ApiToken.issue(world.sme_a, factories.NOW, 30)
        db.session.add(row)
        db.session.commit()
        return voucher.id, charge_ids, token


@pytest.mark.committed
def test_ten_concurrent_applications_of_one_voucher_never_spend_more_than_it_holds(app):
    voucher_id, charge_ids, token = _ten_open_charges_and_one_voucher(app)
    start_together = threading.Barrier(APPLICATIONS)

    def apply(charge_id):
        client = app.test_client()
        start_together.wait()
        response = client.post(f"/api/v1/charges/{charge_id}/apply-voucher", json={"voucher_id": voucher_id},
                               headers={"Authorization": f"Bearer {token}"})
        return response.status_code, (response.get_json() or {}).get("error", {}).get("code")

    with ThreadPoolExecutor(max_workers=APPLICATIONS) as pool:
        results = list(pool.map(apply, charge_ids))
    with app.app_context():
        paid = db.session.scalars(sa.select(Charge.voucher_amount).where(Charge.id.in_(charge_ids))).all()
        voucher = db.session.get(Voucher, voucher_id)
        # Each ¥480.00 charge asks for ¥240.00: four are paid in full, the fifth gets the last ¥40.00.
        assert sum(paid) + voucher.balance == Decimal("1000.00")
        assert sorted(paid, reverse=True)[:5] == [Decimal("240.00")] * 4 + [Decimal("40.00")]
        assert (voucher.balance, voucher.status) == (Decimal("0.00"), "used_up")
    assert results.count((200, None)) == 5
    assert results.count((422, "voucher_unusable")) == APPLICATIONS - 5


def test_the_database_refuses_a_balance_below_zero(world):
    voucher = issue_voucher(world, amount="100.00")
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(sa.update(Voucher).where(Voucher.id == voucher.id).values(balance=Decimal("-0.01")))
