"""`make bench`: generate the city-scale dataset, run the benchmarks, print the figures.

Never part of `make test`. By default: PostgreSQL (BENCH_DATABASE_URL, default the local server's
database qishare_bench, created if missing) at scale 1.0, 16 clients, 4 gunicorn workers, 15 s
per run. A dataset already generated with the same scale and seed is reused (bench/dataset.json
in the instance folder says which); the booking benchmark's own bookings are removed afterwards.

    python -m bench.run                              # everything, PostgreSQL, scale 1.0
    python -m bench.run --scales 0.1,0.3,1.0         # how cost grows with the data
    python -m bench.run --database sqlite --only http
"""
import argparse
import json
import os
import platform
import tempfile
from pathlib import Path

import sqlalchemy as sa

from . import http_bench, import_bench
from .common import BENCH_PG_URL, pg_available
from .report import markdown

INSTANCE = Path(os.environ.get("INSTANCE_DIR", Path(__file__).resolve().parents[1] / "instance"))


def machine():
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "sqlite": __import__("sqlite3").sqlite_version}


def dataset(url, scale, seed, regenerate=False):
    """An app on a generated dataset of this scale and seed, generating only when needed."""
    from flask_migrate import upgrade

    from app import create_app

    from .generate import build

    marker = INSTANCE / "bench" / "dataset.json"
    known = json.loads(marker.read_text()) if marker.exists() else {}
    wanted = {"scale": scale, "seed": seed}
    if not regenerate and known.get(url) == wanted and _has_rows(url):
        print(f"reusing the scale-{scale} dataset at {url}", flush=True)
        app = create_app("config.Config", SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False)
        with app.app_context():
            upgrade()  # a dataset generated before the newest migration gets it (nothing to do when at head)
        return app, None
    print(f"generating the scale-{scale} dataset at {url}", flush=True)
    app, counts, seconds = build(url, scale, seed, log=lambda line: print(line, flush=True))
    marker.parent.mkdir(parents=True, exist_ok=True)
    known[url] = wanted
    marker.write_text(json.dumps(known, indent=2))
    return app, {"rows": counts, "seconds": round(seconds, 1)}


def _has_rows(url):
    try:
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            found = connection.execute(sa.text("SELECT count(*) FROM bookings")).scalar()
        engine.dispose()
        return found > 0
    except sa.exc.SQLAlchemyError:
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default=None)
    parser.add_argument("--only", default="import,http", help="comma-separated: import, http")
    parser.add_argument("--scales", default="1.0", help="comma-separated dataset scales (1.0 = the city)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    wanted = set(args.only.split(","))
    database = args.database or ("postgresql" if pg_available() else "sqlite")
    url = BENCH_PG_URL if database == "postgresql" else f"sqlite:///{INSTANCE / 'bench' / 'city.sqlite3'}"
    results = {"machine": machine(), "database": database, "clients": args.clients, "workers": args.workers,
               "seconds": args.seconds, "runs": {}}
    if "import" in wanted:
        results["import_1000_rows"] = {db: import_bench.run(db) for db in ["sqlite"] + (
            ["postgresql"] if pg_available() else [])}
    if "http" in wanted:
        for scale in [float(s) for s in args.scales.split(",")]:
            app, generated = dataset(url, scale, args.seed, args.regenerate)
            with tempfile.TemporaryDirectory() as uploads:
                figures = http_bench.run(url, app, args.clients, args.seconds, args.workers, uploads)
            results["runs"][str(scale)] = {"generated": generated, **figures}
    text = json.dumps(results, ensure_ascii=False, indent=2, default=str)
    if args.json:
        Path(args.json).write_text(text)
    print(text)
    print(markdown(results))


if __name__ == "__main__":
    main()
