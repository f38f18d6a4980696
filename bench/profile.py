"""Where one request's time goes, on the generated city: its SQL (each statement timed) and a profile.

    python -m bench.profile "/api/v1/stats/summary?year=2026" --as city
    python -m bench.profile "/instruments/1234" --as enterprise --repeat 50
    python -m bench.profile "/api/v1/bookings" --as enterprise --post '{"instrument_id": 12, ...}'

In-process (Flask's test client), against BENCH_DATABASE_URL or --database; needs pyinstrument
(requirements-dev.txt). The figures in docs/PERFORMANCE.md's "before/after" came from this.
"""
import argparse
import json
import statistics
import time

import sqlalchemy as sa

from .common import BENCH_PG_URL


def per_request_cost(once, statements, repeat):
    """Medians over `repeat` single requests, unprofiled: wall and this process's CPU time, and statements."""
    walls, cpus, counts = [], [], []
    for _ in range(repeat):
        statements.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        once()
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
        counts.append(len(statements))
    return (f"median of {repeat} requests: {statistics.median(walls):.2f} ms wall, "
            f"{statistics.median(cpus):.2f} ms CPU (this process), {statistics.median(counts):g} statements")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--as", dest="role", default="enterprise", help="a role; its first user is used")
    parser.add_argument("--database", default=BENCH_PG_URL)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--post", help="a JSON body: POST instead of GET")
    args = parser.parse_args()

    from app import create_app

    app = create_app("config.Config", SQLALCHEMY_DATABASE_URI=args.database, RATELIMIT_ENABLED=False)
    statements = []
    token = _signed_in(app, args.role, statements)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def once():
        if args.post:
            return client.post(args.path, json=json.loads(args.post), headers=headers)
        return client.get(args.path, headers=headers)

    for _ in range(3):
        once()
    print(per_request_cost(once, statements, args.repeat))
    _statements_of_one(once, statements)
    _profile(once, args.repeat)


def _signed_in(app, role, statements):
    """A bearer token of the role's first user; from then on each statement is timed into `statements`."""
    from models import ApiToken, User, db, utcnow

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.role == role).order_by(User.id))
        row, token = ApiToken.issue(user, utcnow(), 1)
        db.session.add(row)
        db.session.commit()

        @sa.event.listens_for(db.engine, "before_cursor_execute")
        def _started(connection, _cursor, _statement, _parameters, _context, _many):
            connection.info["started"] = time.perf_counter()

        @sa.event.listens_for(db.engine, "after_cursor_execute")
        def _finished(connection, _cursor, statement, _parameters, _context, _many):
            statements.append(((time.perf_counter() - connection.info["started"]) * 1000, " ".join(statement.split())))
    return token


def _statements_of_one(once, statements):
    statements.clear()
    started = time.perf_counter()
    response = once()
    total = (time.perf_counter() - started) * 1000
    print(f"{response.status_code}: {total:.1f} ms, {len(statements)} statements, "
          f"{sum(ms for ms, _s in statements):.1f} ms in the database")
    for ms, statement in statements:
        print(f"  {ms:8.2f} ms  {statement[:150]}")


def _profile(once, repeat):
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    started = time.perf_counter()
    for _ in range(repeat):
        once()
    mean = (time.perf_counter() - started) / repeat * 1000
    profiler.stop()
    print(f"\nmean of {repeat}: {mean:.1f} ms")
    print(profiler.output_text(unicode=False, color=False))


if __name__ == "__main__":
    main()
