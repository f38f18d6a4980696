"""Concurrent writes that only one side can win: the losers get 409 and leave nothing behind.

Real threads on real connections (`committed`): on PostgreSQL the requests truly overlap; on SQLite
BEGIN IMMEDIATE serialises them, and the answers must be the same.
"""
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.orders import services as orders
from models import ApiToken, ServiceOrder, db
from tests import factories

pytestmark = pytest.mark.committed
CONTENDERS = 8


def _tokens(users):
    tokens = []
    for user in users:
        row, token = ApiToken.issue(user, factories.NOW, 30)
        db.session.add(row)
        tokens.append(token)
    db.session.commit()
    return tokens


def race(app, calls):
    """Run each call(client) in its own thread, all released at once; their responses in order."""
    start_together = threading.Barrier(len(calls))

    def run(call):
        client = app.test_client()
        start_together.wait()
        return call(client)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _order_in_testing(now):
    """An order of an enterprise at an institution with CONTENDERS staff, in `testing`."""
    institution = factories.create_org("institution")
    staff = [factories.create_user("institution", institution) for _ in range(CONTENDERS)]
    customer = factories.create_user("enterprise")
    order = orders.submit(customer, {
        "kind": "test_by_proxy", "institution_id": institution.id, "instrument_id": None, "title": "盐雾试验",
        "description": "", "sample": {"name": "外壳", "model": "", "quantity": 1, "unit": "件", "disposal": "return"},
        "items": [{"name": "中性盐雾试验", "standard": "GB/T 10125-2021"}], "needed_by": date(2026, 3, 30),
        "confidential": False}, now)
    orders.quote(staff[0], order, Decimal("800.00"), 7, date(2026, 3, 9), "", now)
    orders.accept(customer, order, now)
    orders.receive_sample(staff[0], order, now)
    orders.start_testing(staff[0], order, now)
    db.session.commit()
    return order.id, _tokens(staff)


def _upload(order_id, token, number):
    def call(client):
        return client.post(f"/api/v1/orders/{order_id}/report", headers={"Authorization": f"Bearer {token}"},
                           data={"file": (io.BytesIO(factories.PDF), "r.pdf"), "report_no": number},
                           content_type="multipart/form-data").status_code
    return call


def _cancel(order_id, token):
    def call(client):
        return client.post(f"/api/v1/orders/{order_id}/cancel", headers={"Authorization": f"Bearer {token}"},
                           json={"reason": "设备故障"}).status_code
    return call


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    return tmp_path


def _files(uploads):
    folder = uploads / "reports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_of_concurrent_report_uploads_one_wins_and_only_its_file_is_kept(app, uploads, now):
    with app.app_context():
        order_id, tokens = _order_in_testing(now)
    statuses = race(app, [_upload(order_id, token, f"BG-{n}") for n, token in enumerate(tokens)])
    assert sorted(statuses) == [200] + [409] * (CONTENDERS - 1)
    with app.app_context():
        order = db.session.get(ServiceOrder, order_id)
        assert _files(uploads) == [order.report_file]


def test_a_report_racing_a_cancellation_leaves_no_orphan_file(app, uploads, now):
    with app.app_context():
        order_id, tokens = _order_in_testing(now)
    calls = [_upload(order_id, token, f"BG-{n}") if n % 2 else _cancel(order_id, token)
             for n, token in enumerate(tokens)]
    statuses = race(app, calls)
    assert statuses.count(200) == 1 and statuses.count(409) == CONTENDERS - 1
    with app.app_context():
        order = db.session.get(ServiceOrder, order_id)
        assert _files(uploads) == ([order.report_file] if order.status == "report_issued" else [])


def test_a_file_written_by_a_transaction_that_rolls_back_is_removed(app, uploads, now):
    from app.orders import reports

    with app.app_context():
        name = reports.store(str(uploads), factories.PDF)
        assert _files(uploads) == [name]
        db.session.rollback()
        assert _files(uploads) == []
        kept = reports.store(str(uploads), factories.PDF)
        db.session.commit()
        db.session.rollback()
    assert _files(uploads) == [kept]


def test_of_concurrent_reviews_of_one_booking_one_is_saved_the_others_get_409(app, now):
    with app.app_context():
        enterprise = factories.create_org("enterprise")
        colleagues = [factories.create_user("enterprise", enterprise) for _ in range(CONTENDERS)]
        booking = factories.create_booking(organization=enterprise, status="completed",
                                           start=now - timedelta(days=1))
        booking_id, tokens = booking.id, _tokens(colleagues)

    def review(token):
        def call(client):
            response = client.post(f"/api/v1/bookings/{booking_id}/review", json={"score": 5, "comment": "好"},
                                   headers={"Authorization": f"Bearer {token}"})
            return response.status_code, (response.get_json() or {}).get("error", {}).get("code")
        return call

    results = race(app, [review(token) for token in tokens])
    assert results.count((201, None)) == 1
    assert results.count((409, "conflict")) == CONTENDERS - 1
