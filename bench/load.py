"""The load client: N threads in a process of their own, each sending one request after another.

A scenario is a function name in this module plus plain parameters, so it crosses the process
boundary; it returns (method, path, body, headers) for the next request. Each thread opens a new
connection per request (gunicorn's sync workers close after each response anyway).
"""
import http.client
import json
import multiprocessing
import random
import threading
import time
from datetime import date, timedelta

from .common import summary


def request(base_port, method, path, body=None, headers=None, timeout=30):
    connection = http.client.HTTPConnection("127.0.0.1", base_port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return response.status, data, response
    finally:
        connection.close()


# Scenarios: (rng, params, client number) -> (method, path, body, headers) -----------------------

def availability(rng, params, _client):
    instrument = rng.choice(params["instruments"])
    first = date.fromisoformat(params["today"]) + timedelta(days=rng.randint(1, 30))
    path = (params["path"].format(id=instrument) + f"?from={first.isoformat()}"
            f"&to={(first + timedelta(days=6)).isoformat()}")
    return "GET", path, None, params.get("headers", {})


def get_one_of(rng, params, _client):
    return "GET", rng.choice(params["paths"]), None, params.get("headers", {})


def book(rng, params, client):
    instrument = rng.choice(params["instruments"])
    day = date.fromisoformat(params["today"]) + timedelta(days=rng.randint(2, 80))
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    hour, minute = rng.choice([(9, 0), (9, 30), (10, 0), (10, 30), (14, 0), (14, 30), (15, 0), (15, 30)])
    start = f"{day.isoformat()}T{hour:02d}:{minute:02d}:00+08:00"
    end = f"{day.isoformat()}T{hour + 1:02d}:{minute:02d}:00+08:00"
    body = json.dumps({"instrument_id": instrument, "start": start, "end": end, "purpose": "bench",
                       "service_mode": "self_operated"})
    token = params["tokens"][client % len(params["tokens"])]
    return "POST", params["path"], body, {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}


SCENARIOS = {"availability": availability, "get_one_of": get_one_of, "book": book}


def _worker(port, scenario, params, seconds, client, results, seed):
    rng = random.Random(seed * 1000 + client)
    make = SCENARIOS[scenario]
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        method, path, body, headers = make(rng, params, client)
        started = time.perf_counter()
        try:
            status, _data, _response = request(port, method, path, body, headers)
        except OSError:
            status = 0
        results.append((status, time.perf_counter() - started))


def _run(port, scenario, params, clients, seconds, seed, queue):
    results = []
    threads = [threading.Thread(target=_worker, args=(port, scenario, params, seconds, n, results, seed))
               for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((results, time.perf_counter() - started))


def run(port, scenario, params, clients=16, seconds=15, seed=1):
    """Load from a second process; returns throughput, latency percentiles (ms) and status counts."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_run, args=(port, scenario, params, clients, seconds, seed, queue))
    process.start()
    results, elapsed = queue.get()
    process.join()
    statuses = {}
    for status, _seconds in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    ok = [s for status, s in results if 200 <= status < 300]
    latencies = [s * 1000 for _status, s in results]
    return {"requests": len(results), "rps": round(len(results) / elapsed, 1), "ok_per_s": round(len(ok) / elapsed, 1),
            "statuses": statuses, **{k: round(v, 1) for k, v in summary(latencies).items()}}


def timed(port, path, headers=None, repeat=5):
    """Sequential requests, one at a time: the latency a single user sees (ms)."""
    latencies, status = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        status, _data, _response = request(port, "GET", path, headers=headers, timeout=120)
        latencies.append((time.perf_counter() - started) * 1000)
    return {"status": status, "best": round(min(latencies), 1), "median": round(sorted(latencies)[len(latencies) // 2], 1)}
