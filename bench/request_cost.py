"""CPU per request in process: the week's availability (bearer token) and booking creation, side by side.

    python -m bench.request_cost postgresql+psycopg://…/qishare_bench_city --count 300
    python -m bench.request_cost sqlite:////abs/path/instance/peer.sqlite3        # the peer's data

Medians of `time.process_time` over --count requests of each, alternated, after 20 warm-ups, through Flask's
test client, so the host's other load moves them less than wall time. On the peer's data (SQLite: every
instrument open around the clock) any hour 2–58 days ahead; on the city's, 9, 10, 14 or 15 o'clock on a weekday.
The bookings it made, their holds, audit records and notifications are deleted after. Run two checkouts
interleaved to compare them (each from its own directory).
"""
import argparse
import random
import statistics
import time
from datetime import date, datetime, timedelta

import sqlalchemy as sa

PURPOSE = "request-cost"


def _setup(app, peer):
    from models import db

    with app.app_context():
        if peer:
            emails = [f"ent{i}@bench.local" for i in range(8)]
            ids = db.session.scalars(sa.text("SELECT id FROM instruments WHERE status = 'active' ORDER BY id")).all()
        else:
            emails = db.session.scalars(sa.text(
                "SELECT u.email FROM users u JOIN organizations o ON o.id = u.organization_id "
                "WHERE o.kind = 'enterprise' AND u.active ORDER BY u.id LIMIT 8")).all()
            ids = db.session.scalars(sa.text(
                "SELECT id FROM instruments WHERE status = 'active' AND NOT requires_approval AND "
                "calibration_valid_until > CURRENT_DATE + 90 ORDER BY id LIMIT 2000")).all()[::4]
    client = app.test_client()
    tokens = [client.post("/api/v1/auth/token", json={"email": e, "password": "bench12345"}).get_json()["token"]
              for e in emails]
    return client, tokens, ids


def _requests(ids, peer, rng):
    today = date.today()
    monday = today - timedelta(days=today.weekday())

    def availability():
        first = monday + timedelta(weeks=rng.randint(-4, 4))
        return f"/api/v1/instruments/{rng.choice(ids)}/availability?from={first}&to={first + timedelta(days=6)}"

    def booking():
        while True:
            day = today + timedelta(days=rng.randint(2, 58))
            if peer or day.isoweekday() <= 5:
                break
        start = datetime.combine(day, datetime.min.time()) + timedelta(
            hours=rng.randint(0, 23) if peer else rng.choice((9, 10, 14, 15)))
        return {"instrument_id": rng.choice(ids), "start": f"{start.isoformat()}+08:00",
                "end": f"{(start + timedelta(hours=1)).isoformat()}+08:00", "purpose": PURPOSE,
                "service_mode": "self_operated"}

    return availability, booking


def _remove(url, since):
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        holds = connection.scalars(sa.text("SELECT occupancy_id FROM bookings WHERE purpose = :p"), {"p": PURPOSE}).all()
        connection.execute(sa.text("DELETE FROM notifications WHERE created_at >= :t"), {"t": since})
        connection.execute(sa.text("DELETE FROM audit_records WHERE at >= :t"), {"t": since})
        connection.execute(sa.text("DELETE FROM bookings WHERE purpose = :p"), {"p": PURPOSE})
        if holds:
            connection.execute(sa.text("DELETE FROM occupancies WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)), {"ids": holds})
    engine.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database")
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()

    from app import create_app
    from models import utcnow

    app = create_app("config.Config", SQLALCHEMY_DATABASE_URI=args.database, RATELIMIT_ENABLED=False)
    peer = args.database.startswith("sqlite")
    client, tokens, ids = _setup(app, peer)
    availability, booking = _requests(ids, peer, random.Random(7))
    since, reads, writes = utcnow(), [], []
    try:
        for n in range(20 + args.count):
            bearer = {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}
            started = time.process_time()
            assert client.get(availability(), headers=bearer).status_code == 200
            read = (time.process_time() - started) * 1000
            body, started = booking(), time.process_time()
            status = client.post("/api/v1/bookings", json=body, headers=bearer).status_code
            if n >= 20:
                reads.append(read)
                if status == 201:
                    writes.append((time.process_time() - started) * 1000)
    finally:
        _remove(args.database, since)
    print(f"availability {statistics.median(reads):.2f} ms CPU, booking {statistics.median(writes):.2f} ms CPU "
          f"({len(writes)} created), medians in process")


if __name__ == "__main__":
    main()
