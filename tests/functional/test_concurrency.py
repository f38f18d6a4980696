"""Two people can never hold the same instrument at the same time, whatever the concurrency."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from models import ApiToken, Booking, Occupancy, db
from tests import factories
from tests.statements import statements_sent

SLOT = {"start": "2026-03-03T10:00", "end": "2026-03-03T11:00", "service_mode": "self_operated"}
CONTENDERS = 20


def _contenders(app):
    with app.app_context():
        instrument = factories.create_instrument(requires_approval=False)
        tokens = []
        for _ in range(CONTENDERS):
            user = factories.create_user("enterprise")
            row, token = ApiToken.issue(user, factories.NOW, 30)
            db.session.add(row)
            tokens.append(token)
        db.session.commit()
        return instrument.id, tokens


@pytest.mark.committed
def test_twenty_concurrent_requests_for_one_slot_make_exactly_one_booking(app):
    instrument_id, tokens = _contenders(app)
    start_together = threading.Barrier(CONTENDERS)

    def attempt(token):
        client = app.test_client()
        start_together.wait()
        response = client.post("/api/v1/bookings", json={"instrument_id": instrument_id, **SLOT},
                               headers={"Authorization": f"Bearer {token}"})
        return response.status_code, (response.get_json() or {}).get("error", {}).get("code")

    with ThreadPoolExecutor(max_workers=CONTENDERS) as pool:
        results = list(pool.map(attempt, tokens))
    assert sorted(results, key=str).count((201, None)) == 1
    assert results.count((409, "slot_unavailable")) == CONTENDERS - 1
    with app.app_context():
        active = db.session.scalar(sa.select(sa.func.count(Booking.id)).where(
            Booking.instrument_id == instrument_id, Booking.status.in_(("pending", "confirmed"))))
        holds = db.session.scalar(sa.select(sa.func.count(Occupancy.id)).where(
            Occupancy.instrument_id == instrument_id, Occupancy.active.is_(True)))
    assert (active, holds) == (1, 1)


@pytest.mark.postgres_only
def test_the_database_itself_refuses_an_overlapping_hold(create_instrument, now):
    instrument = create_instrument()
    start = now + timedelta(days=1)
    insert = sa.insert(Occupancy)
    db.session.execute(insert.values(instrument_id=instrument.id, kind="booking", start_at=start,
                                     end_at=start + timedelta(hours=1), blocks_until=start + timedelta(hours=1),
                                     active=True, created_at=now))
    with pytest.raises(IntegrityError) as refused, db.session.begin_nested():
        db.session.execute(insert.values(instrument_id=instrument.id, kind="booking",
                                         start_at=start + timedelta(minutes=30), end_at=start + timedelta(hours=2),
                                         blocks_until=start + timedelta(hours=2), active=True, created_at=now))
    assert refused.value.orig.sqlstate == "23P01"  # exclusion_violation
    # back-to-back, inactive, or on another instrument: all fine
    db.session.execute(insert.values(instrument_id=instrument.id, kind="booking", start_at=start + timedelta(hours=1),
                                     end_at=start + timedelta(hours=2), blocks_until=start + timedelta(hours=2),
                                     active=True, created_at=now))
    db.session.execute(insert.values(instrument_id=instrument.id, kind="booking", start_at=start,
                                     end_at=start + timedelta(hours=1), blocks_until=start + timedelta(hours=1),
                                     active=False, created_at=now))


@pytest.mark.sqlite_only
@pytest.mark.committed
def test_on_sqlite_the_check_and_the_insert_share_one_immediate_transaction(app):
    instrument_id, tokens = _contenders(app)
    with app.app_context():
        engine = db.engine
    with statements_sent(engine) as sent:
        response = app.test_client().post("/api/v1/bookings", json={"instrument_id": instrument_id, **SLOT},
                                          headers={"Authorization": f"Bearer {tokens[0]}"})
    statements = [" ".join(statement.split()) for statement in sent]
    assert response.status_code == 201
    insert = next(i for i, s in enumerate(statements) if s.startswith("INSERT INTO occupancies"))
    check = max(i for i, s in enumerate(statements[:insert]) if s.startswith("SELECT") and "FROM occupancies" in s)
    begins = [i for i, s in enumerate(statements[:insert]) if s.startswith("BEGIN")]
    assert statements[begins[-1]] == "BEGIN IMMEDIATE"
    assert begins[-1] < check < insert  # no new transaction between the check and the insert


@pytest.mark.postgres_only
def test_without_the_lock_and_the_check_the_constraint_still_answers_409(monkeypatch, world, create_instrument, now):
    from app.booking import services
    from models.errors import SlotUnavailable
    from models.timeutil import at_local

    instrument = create_instrument(world.institution_a, requires_approval=False)
    monkeypatch.setattr(services, "lock_instrument", lambda instrument: None)
    monkeypatch.setattr(services, "check_calendar", lambda *args, **kwargs: None)
    start = at_local(now.date() + timedelta(days=1), 600)
    services.book(world.sme_a, instrument, start, start + timedelta(hours=1), now)
    db.session.commit()
    with pytest.raises(SlotUnavailable):
        services.book(world.sme_b, instrument, start, start + timedelta(hours=1), now)
