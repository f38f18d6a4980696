"""`make bench`'s search scenarios alone: the search API and the catalog page under load, app only (no bare server).

    python -m bench.search_load --database postgresql+psycopg://postgres@127.0.0.1:5432/qishare_bench_19 --seconds 10

The same paths, token, clients and gunicorn as bench/http_bench.py's search_api and catalog_page scenarios; for a
check on a host too busy for the whole `bench.run` (the figures move with everything else the host runs).
"""
import argparse
import json
import os
import tempfile
import urllib.parse

from .common import BENCH_PG_URL
from .http_bench import SEARCH_TERMS, Server, prepare
from .load import run


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=BENCH_PG_URL)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    from app import create_app

    app = create_app("config.Config", SQLALCHEMY_DATABASE_URI=args.database, RATELIMIT_ENABLED=False)
    bearer = {"Authorization": f"Bearer {prepare(app, args.clients)['enterprise_tokens'][0]}"}
    api = [f"/api/v1/instruments?q={urllib.parse.quote(t)}" for t in SEARCH_TERMS]
    pages = ["/instruments"] + [f"/instruments?q={urllib.parse.quote(t)}" for t in SEARCH_TERMS]
    server = Server("wsgi:app", args.database, args.workers, tempfile.gettempdir())
    try:
        results = {"load_average_before": os.getloadavg()[0],
                   "search_api": run(server.port, "get_one_of", {"paths": api, "headers": bearer}, args.clients, args.seconds),
                   "catalog_page": run(server.port, "get_one_of", {"paths": pages}, args.clients, args.seconds),
                   "load_average_after": os.getloadavg()[0]}
    finally:
        server.stop()
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
