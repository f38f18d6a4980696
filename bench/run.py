"""`make bench`: run the benchmarks and print the figures docs/PERFORMANCE.md reports.

Never part of `make test`. PostgreSQL figures need a server (BENCH_DATABASE_URL, default the
local one with database qishare_bench, created if missing).
"""
import argparse
import json
import platform

from . import import_bench
from .common import pg_available


def machine():
    import os

    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="comma-separated benchmark names (import)")
    args = parser.parse_args()
    wanted = set(args.only.split(",")) if args.only else {"import"}
    databases = ["sqlite"] + (["postgresql"] if pg_available() else [])
    results = {"machine": machine(), "databases": databases}
    if "import" in wanted:
        results["import_1000_rows"] = {db: import_bench.run(db) for db in databases}
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
