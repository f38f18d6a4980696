"""Issue 12's four statistics figures, in process, one request at a time, on a generated dataset.

    python -m bench.stats_bench --database postgresql+psycopg://postgres@127.0.0.1:5432/qishare_bench_city

The city yearly summary (API), the 附件4 export of every district (.xlsx, status=all), the city
dashboard (HTML, signed in as the city) — best and median of --repeat after two warm-up requests —
and the snapshot job (scheduler's usage_snapshot) on a normal day's stale set: yesterday plus three
(day, institution) pairs marked stale (two recent days, one 40 days old), best and median of --job
runs, each rolled back so the dataset stays as generated. Prints the load average before and after,
so that runs of two branches on the same dataset can be compared (run them interleaved).
"""
import argparse
import os
import statistics
import time
from datetime import timedelta

import sqlalchemy as sa

from .common import BENCH_PG_URL


def _timed(call, repeat, warm=2):
    for _ in range(warm):
        call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return {"best": round(min(times)), "median": round(statistics.median(times))}


def _signed_in_clients(app, now):
    """An API client with a city token, and a page client signed in as the city (the bench password)."""
    from models import ApiToken, User, db

    with app.app_context():
        city = db.session.scalar(sa.select(User).where(User.role == "city").order_by(User.id))
        row, token = ApiToken.issue(city, now, 1)
        db.session.add(row)
        db.session.commit()
        email, token_id = city.email, row.id
    page = app.test_client()
    signed_in = page.post("/auth/login", data={"email": email, "password": "bench12345"})
    if signed_in.status_code != 302:
        raise SystemExit(f"login as {email} failed ({signed_in.status_code})")
    return app.test_client(), {"Authorization": f"Bearer {token}"}, page, token_id


def _job_figure(app, now, repeat):
    """The snapshot job on yesterday plus three stale (day, institution) pairs, rolled back each time."""
    from app.stats import snapshot
    from app.stats.changes import mark_stale
    from models import Organization, db
    from models.timeutil import local_today

    with app.app_context():
        today = local_today(now)
        institutions = db.session.scalars(sa.select(Organization.id).where(
            Organization.kind == "institution").order_by(Organization.id).limit(3)).all()

        def job():
            for institution_id, back in zip(institutions, (2, 3, 40), strict=False):
                mark_stale(db.session, institution_id, today - timedelta(days=back), today - timedelta(days=back))
            started = time.perf_counter()
            days = snapshot.refresh(now)
            db.session.flush()
            elapsed = (time.perf_counter() - started) * 1000
            db.session.rollback()
            return elapsed, len(days)

        runs = [job() for _ in range(repeat)]
    times = [ms for ms, _n in runs]
    return f"snapshot job ({runs[0][1]} days)", {"best": round(min(times)), "median": round(statistics.median(times))}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=BENCH_PG_URL)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--job", type=int, default=3)
    parser.add_argument("--only", default="summary,xlsx,dashboard,job")
    args = parser.parse_args()
    wanted = set(args.only.split(","))

    from app import create_app
    from models import ApiToken, db, utcnow
    from models.timeutil import local_today

    print(f"load average before: {os.getloadavg()}")
    app = create_app("config.Config", SQLALCHEMY_DATABASE_URI=args.database, RATELIMIT_ENABLED=False,
                     WTF_CSRF_ENABLED=False)
    now = utcnow()
    year = local_today(now).year
    api, headers, page, token_id = _signed_in_clients(app, now)

    def get(client, path, **kw):
        response = client.get(path, **kw)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
        return response

    results = {}
    if "summary" in wanted:
        results["city yearly summary (API)"] = _timed(
            lambda: get(api, f"/api/v1/stats/summary?year={year}", headers=headers), args.repeat)
    if "xlsx" in wanted:
        results["附件4 export, all districts (.xlsx, status=all)"] = _timed(
            lambda: get(api, f"/api/v1/stats/pilot-table.xlsx?year={year}&status=all", headers=headers), args.repeat)
    if "dashboard" in wanted:
        results["city dashboard (HTML)"] = _timed(lambda: get(page, "/stats/"), args.repeat)
    if "job" in wanted:
        label, figure = _job_figure(app, now, args.job)
        results[label] = figure
    with app.app_context():
        db.session.execute(sa.delete(ApiToken).where(ApiToken.id == token_id))
        db.session.commit()
    for label, figure in results.items():
        print(f"| {label} | {figure['best']} / {figure['median']} ms |")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
