"""HTTP benchmarks: QI-Share under gunicorn, each scenario paired with the bare endpoint (bench/bare.py).

Both servers run with the same worker count on the same database, one after the other, loaded by
the same client from a second process (bench/load.py); the ratio app/bare is the figure that holds
on a noisy machine.
"""
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from . import load

ROOT = Path(__file__).resolve().parents[1]
SEARCH_TERMS = ["光谱", "显微镜", "盐雾", "三坐标", "色谱", "spectrometer", "试验箱", "硬度计"]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving `target` on a free port; knows its workers' memory."""

    def __init__(self, target, url, workers, upload_dir):
        self.port = _free_port()
        env = dict(os.environ, DATABASE_URL=url, BARE_DATABASE_URL=url, SECRET_KEY="bench", LOG_LEVEL="WARNING",
                   UPLOAD_DIR=upload_dir, FLASK_APP="wsgi")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "--timeout", "120", target], cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__ready", timeout=2)
            except urllib.error.HTTPError:
                break  # any HTTP answer means a worker is up
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise SystemExit(f"{target} did not start") from None
                time.sleep(0.3)
        time.sleep(1)  # let every worker boot

    def worker_rss_mb(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        sizes = []
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
        return round(max(sizes), 1) if sizes else None

    def stop(self):
        self.process.terminate()
        self.process.wait(30)


def prepare(app, clients):
    """Tokens for enterprises, the city and a district; instruments that can be booked; today."""
    from models import ApiToken, Instrument, User, db, utcnow
    from models.timeutil import local_today

    now = utcnow()
    with app.app_context():
        today = local_today(now)
        enterprises = db.session.scalars(sa.select(User).where(User.role == "enterprise").order_by(User.id)
                                         .limit(clients * 4)).all()
        city = db.session.scalar(sa.select(User).where(User.role == "city"))
        tokens = []
        for user in [*enterprises, city]:
            row, token = ApiToken.issue(user, now, 1)
            db.session.add(row)
            tokens.append(token)
        bookable = db.session.scalars(sa.select(Instrument.id).where(
            Instrument.status == "active", Instrument.offers_self_operated.is_(True),
            Instrument.calibration_valid_until > today + timedelta(days=90)).order_by(Instrument.id)).all()
        db.session.commit()
    return {"enterprise_tokens": tokens[:-1], "city_token": tokens[-1], "instruments": bookable,
            "today": today.isoformat(), "year": today.year}


def login(port, email, password="bench12345"):
    """A browser session for the HTML dashboards: the login form with its CSRF token."""
    status, page, response = load.request(port, "GET", "/auth/login")
    cookie = response.getheader("Set-Cookie").split(";")[0]
    csrf = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    token = (csrf.group(1) or csrf.group(2)).decode()
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    status, _page, response = load.request(port, "POST", "/auth/login", body, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    if status != 302:
        raise SystemExit(f"bench login as {email} failed ({status})")
    return {"Cookie": response.getheader("Set-Cookie").split(";")[0]}


def overlaps(url):
    """Pairs of active holds of one instrument that overlap: must be zero."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = connection.execute(sa.text(
            "SELECT count(*) FROM occupancies a JOIN occupancies b ON a.instrument_id = b.instrument_id "
            "AND a.id < b.id AND a.start_at < b.blocks_until AND b.start_at < a.blocks_until "
            "WHERE a.active AND b.active")).scalar()
    engine.dispose()
    return found


def remove_bench_bookings(url, since):
    """Put the dataset back: the benchmark's bookings, their holds, audit records and notifications."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        ids = [row[0] for row in connection.execute(sa.text("SELECT occupancy_id FROM bookings WHERE purpose = 'bench'"))]
        connection.execute(sa.text("DELETE FROM notifications WHERE created_at >= :t"), {"t": since})
        connection.execute(sa.text("DELETE FROM audit_records WHERE at >= :t"), {"t": since})
        connection.execute(sa.text("DELETE FROM bookings WHERE purpose = 'bench'"))
        delete = sa.text("DELETE FROM occupancies WHERE id IN :ids").bindparams(sa.bindparam("ids", expanding=True))
        for start in range(0, len(ids), 5000):
            connection.execute(delete, {"ids": ids[start:start + 5000]})
    engine.dispose()
    return len(ids)


def _pair(app_server, bare_server, scenario, app_params, bare_params, clients, seconds):
    result = {"app": load.run(app_server.port, scenario, app_params, clients, seconds),
              "bare": load.run(bare_server.port, scenario, bare_params, clients, seconds)}
    result["ratio"] = round(result["app"]["ok_per_s"] / result["bare"]["ok_per_s"], 2) if result["bare"]["ok_per_s"] else None
    return result


def run(url, app, clients=16, seconds=15, workers=4, upload_dir="/tmp"):
    from models import utcnow

    started_at = utcnow()
    params = prepare(app, clients)
    bearer = {"Authorization": f"Bearer {params['enterprise_tokens'][0]}"}
    city = {"Authorization": f"Bearer {params['city_token']}"}
    sample = params["instruments"][:: max(1, len(params["instruments"]) // 2000)]
    common = {"instruments": sample, "today": params["today"]}
    results = {}
    app_server = Server("wsgi:app", url, workers, upload_dir)
    bare_server = Server("bench.bare:create()", url, workers, upload_dir)
    try:
        results["availability_7_days"] = _pair(
            app_server, bare_server, "availability",
            dict(common, path="/api/v1/instruments/{id}/availability", headers=bearer),
            dict(common, path="/availability/{id}"), clients, seconds)
        results["instrument_page"] = _pair(
            app_server, bare_server, "get_one_of", {"paths": [f"/instruments/{i}" for i in sample]},
            {"paths": [f"/instrument/{i}" for i in sample]}, clients, seconds)
        results["search_api"] = _pair(
            app_server, bare_server, "get_one_of",
            {"paths": [f"/api/v1/instruments?q={urllib.parse.quote(t)}" for t in SEARCH_TERMS], "headers": bearer},
            {"paths": [f"/search?q={urllib.parse.quote(t)}" for t in SEARCH_TERMS]}, clients, seconds)
        results["catalog_page"] = _pair(
            app_server, bare_server, "get_one_of",
            {"paths": ["/instruments"] + [f"/instruments?q={urllib.parse.quote(t)}" for t in SEARCH_TERMS]},
            {"paths": ["/search?q="] + [f"/search?q={urllib.parse.quote(t)}" for t in SEARCH_TERMS]}, clients, seconds)
        booking = dict(common, tokens=params["enterprise_tokens"])
        results["booking_creation"] = _pair(app_server, bare_server, "book", dict(booking, path="/api/v1/bookings"),
                                            dict(booking, path="/book"), clients, seconds)
        results["booking_creation"]["overlapping_active_holds"] = overlaps(url)
        year = params["year"]
        district = login(app_server.port, "d310115@bench.local")
        city_page = login(app_server.port, "city@bench.local")
        results["stats"] = {
            "city_summary_api": load.timed(app_server.port, f"/api/v1/stats/summary?year={year}", city),
            "city_dashboard_html": load.timed(app_server.port, "/stats/", city_page, repeat=3),
            "district_dashboard_html": load.timed(app_server.port, "/stats/", district),
            "pilot_table_xlsx": load.timed(app_server.port, f"/api/v1/stats/pilot-table.xlsx?year={year}", city),
            "bare_year_scan": load.timed(bare_server.port, f"/summary?year={year}"),
        }
        results["worker_rss_mb"] = {"app": app_server.worker_rss_mb(), "bare": bare_server.worker_rss_mb()}
    finally:
        app_server.stop()
        bare_server.stop()
        results["bench_bookings_removed"] = remove_bench_bookings(url, started_at)
    return results
