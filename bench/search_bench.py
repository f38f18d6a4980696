"""Issue 19's search figures, in process, one request at a time, on a generated dataset.

    python -m bench.search_bench --database postgresql+psycopg://postgres@127.0.0.1:5432/qishare_bench_19

For each query: the search API as `make bench`'s search scenario sends it (bench/http_bench.py,
/api/v1/instruments?q=<term>, an enterprise's token), the issue's own queries (扫描电镜, SEM, CMM, 拉力, RoHS,
"光谱仪 浦东", filters without a term), and the HTML catalog page as the catalog scenario sends it. Each path is
requested --repeat times after two warm-ups, through Flask's test client in this process; printed: mean and
median wall time, mean CPU time of this process (what the 2 shared cores cannot hide), and the statements
of one request. Prints the load average before and after: compare two checkouts by running them
interleaved on the same dataset. With --cold the page computes its cards' next free slots each time (it keeps
them a minute per worker otherwise).
"""
import argparse
import os
import statistics
import time
import urllib.parse

import sqlalchemy as sa

from .common import BENCH_PG_URL
from .http_bench import SEARCH_TERMS

ISSUE_QUERIES = ["扫描电镜", "SEM", "CMM", "拉力", "RoHS", "光谱仪 浦东"]
FILTERS_ONLY = "category=010000&district=310115&mode=self_operated"


def paths():
    """(label, path, signed in with the token): the scenario's API paths, the issue's, then the catalog page's."""
    api = [(f"API q={t}", f"/api/v1/instruments?q={urllib.parse.quote(t)}", True) for t in SEARCH_TERMS + ISSUE_QUERIES]
    api.append(("API filters, no term", f"/api/v1/instruments?{FILTERS_ONLY}", True))
    html = [("page, no term", "/instruments", False)]
    html += [(f"page q={t}", f"/instruments?q={urllib.parse.quote(t)}", False) for t in SEARCH_TERMS]
    return api + html


def _measured(client, path, headers, repeat, cold):
    for _ in range(2):
        client.get(path, headers=headers)
    walls, cpus = [], []
    for _ in range(repeat):
        if cold:
            client.application.extensions.pop("catalog_next_free", None)
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers=headers)
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    if response.status_code != 200:
        raise SystemExit(f"{path}: {response.status_code}")
    return statistics.mean(walls), statistics.median(walls), statistics.mean(cpus)


def _token(app):
    from models import ApiToken, User, db, utcnow

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.role == "enterprise").order_by(User.id))
        row, token = ApiToken.issue(user, utcnow(), 1)
        db.session.add(row)
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _counted(app):
    """A list that each statement's text is appended to."""
    from models import db

    statements = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    return statements


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=BENCH_PG_URL)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", choices=["api", "page"], help="one face only")
    parser.add_argument("--cold", action="store_true",
                        help="forget the cards' next free slots before each page (the catalog keeps them a minute)")
    args = parser.parse_args()

    from app import create_app

    app = create_app("config.Config", SQLALCHEMY_DATABASE_URI=args.database, RATELIMIT_ENABLED=False)
    bearer, client, statements = _token(app), app.test_client(), _counted(app)
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    totals = {"API": [], "page": []}
    print(f"{'path':28} {'mean':>7} {'median':>7} {'cpu':>7} statements")
    for label, path, api in paths():
        face = "API" if api else "page"
        if args.only and args.only != face.lower():
            continue
        mean, median, cpu = _measured(client, path, bearer if api else {}, args.repeat, args.cold)
        statements.clear()
        if args.cold:
            app.extensions.pop("catalog_next_free", None)
        client.get(path, headers=bearer if api else {})
        totals[face].append((mean, median, cpu))
        print(f"{label:28} {mean:7.1f} {median:7.1f} {cpu:7.1f} {len(statements)}")
    for face, rows in totals.items():
        if rows:
            print(f"{face + ', mean of the rows':28} " + " ".join(f"{statistics.mean(col):7.1f}" for col in zip(*rows, strict=True)))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
