"""`flask serve` (what `make run` starts) keeps the site up when its scheduler dies, and restarts it.

A real `flask serve` on a free port over its own SQLite file: gunicorn, the scheduler, the supervisor.
"""
import os
import queue
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTED = re.compile(r"scheduler started \(pid (\d+)\)")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def _until(what, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting after {seconds} s")


class Served:
    def __init__(self, tmp_path):
        self.port, self.database = _free_port(), tmp_path / "serve.sqlite3"
        self.env = dict(os.environ, DATABASE_URL=f"sqlite:///{self.database}", SECRET_KEY="serve-test",
                        INSTANCE_DIR=str(tmp_path), UPLOAD_DIR=str(tmp_path / "uploads"), FLASK_APP="wsgi",
                        HOST="127.0.0.1", PORT=str(self.port), LOG_LEVEL="INFO", LOG_FORMAT="text")
        subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=self.env, check=True,
                       capture_output=True)
        self.process = subprocess.Popen([sys.executable, "-m", "flask", "serve", "--workers", "1"], cwd=ROOT,
                                        env=self.env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self.log = queue.Queue()
        threading.Thread(target=self._read_log, daemon=True).start()

    def _read_log(self):
        for line in self.process.stderr:
            self.log.put(line)

    def next_scheduler_pid(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                match = STARTED.search(self.log.get(timeout=1))
            except queue.Empty:
                continue
            if match:
                return int(match.group(1))
        raise AssertionError("no scheduler started")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def heartbeat(self):
        with sqlite3.connect(self.database) as connection:
            row = connection.execute("SELECT beat_at FROM heartbeats WHERE name = 'scheduler'").fetchone()
        return row[0] if row else None

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


@pytest.fixture
def served(tmp_path):
    server = Served(tmp_path)
    yield server
    if server.process.poll() is None:
        server.process.kill()


@pytest.mark.sqlite_only  # it serves its own SQLite file: the PostgreSQL pass would only repeat it
def test_killing_the_scheduler_leaves_the_site_serving_and_a_new_scheduler_beats(served):
    first = served.next_scheduler_pid()
    _until(lambda: _status(served.url("/healthz")) == 200)  # the web answers and the scheduler has beaten
    beaten = _until(served.heartbeat)
    os.kill(first, signal.SIGKILL)
    assert all(_status(served.url("/auth/login")) == 200 for _ in range(5))
    second = served.next_scheduler_pid()
    assert second != first
    _until(lambda: served.heartbeat() not in (None, beaten))  # the new scheduler beats
    assert _status(served.url("/healthz")) == 200
    assert served.stop() == 0


def test_the_supervisor_waits_longer_after_each_quick_failure(monkeypatch):
    from app.ops import supervise

    monkeypatch.setattr(supervise.subprocess, "Popen", lambda *args, **kwargs: _Exited())
    supervisor = supervise.Supervisor(["web"], ["scheduler"], {})
    supervisor._start_scheduler()
    pauses = []
    for second in range(0, 200):
        supervisor._watch_scheduler(float(second))
        if supervisor.restart_at is not None and (not pauses or pauses[-1][0] != supervisor.restart_at):
            pauses.append((supervisor.restart_at, supervisor.restart_at - second))
    assert [round(pause) for _at, pause in pauses[:7]] == [1, 2, 4, 8, 16, 32, 60]


class _Exited:
    pid, returncode = 4242, 1

    def poll(self):
        return 1
