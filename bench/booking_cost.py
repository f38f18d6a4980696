"""What one booking costs, in process: median wall and CPU time and statements over distinct free slots.

    python -m bench.booking_cost --database postgresql+psycopg://…/qishare_bench --count 200

The same request as http_bench's booking scenario (POST /api/v1/bookings, 1 hour, self-operated, enterprise
tokens in turn), one at a time through Flask's test client, so the host's other load moves the wall time but
hardly the CPU time. The bookings it made, their holds, audit records and notifications are deleted after.
"""
import argparse
import random
import statistics
import time
from datetime import date, timedelta

import sqlalchemy as sa

from .common import BENCH_PG_URL
from .http_bench import prepare, remove_bench_bookings


def _slots(instruments, today, count, seed):
    rng, seen = random.Random(seed), set()
    while len(seen) < count:
        day = today + timedelta(days=rng.randint(2, 80))
        if day.isoweekday() <= 5:
            seen.add((rng.choice(instruments), day, rng.choice((9, 10, 14, 15))))
    return sorted(seen, key=lambda slot: rng.random())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=BENCH_PG_URL)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from app import create_app
    from models import db, utcnow

    app = create_app("config.Config", SQLALCHEMY_DATABASE_URI=args.database, RATELIMIT_ENABLED=False)
    started_at = utcnow()
    params = prepare(app, 16)
    statements = []
    with app.app_context():
        sa.event.listen(db.engine, "after_cursor_execute", lambda *_a: statements.append(1))
    client = app.test_client()
    slots = _slots(params["instruments"], date.fromisoformat(params["today"]), args.count + 10, args.seed)
    walls, cpus, counts, statuses = [], [], [], {}
    try:
        for n, (instrument, day, hour) in enumerate(slots):
            body = {"instrument_id": instrument, "start": f"{day}T{hour:02d}:00:00+08:00",
                    "end": f"{day}T{hour + 1:02d}:00:00+08:00", "purpose": "bench", "service_mode": "self_operated"}
            token = params["enterprise_tokens"][n % len(params["enterprise_tokens"])]
            statements.clear()
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.post("/api/v1/bookings", json=body, headers={"Authorization": f"Bearer {token}"})
            if n >= 10:  # the first ten warm the process up
                cpus.append((time.process_time() - cpu) * 1000)
                walls.append((time.perf_counter() - wall) * 1000)
                counts.append(len(statements))
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    finally:
        removed = remove_bench_bookings(args.database, started_at)
    print(f"{len(walls)} bookings {statuses}: median {statistics.median(walls):.2f} ms wall, "
          f"{statistics.median(cpus):.2f} ms CPU (this process), {statistics.median(counts):g} statements; "
          f"{removed} removed after")


if __name__ == "__main__":
    main()
