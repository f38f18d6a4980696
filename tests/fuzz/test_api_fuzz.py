"""Issue 14: Schemathesis against the real server. gunicorn serves a demo database of its own on a free port;
Schemathesis reads /api/v1/openapi.json and sends what it generates from it — anonymously and as bearer
users of several roles — and no answer may be a server error. Operations that declare a response schema are
also held to it. `make test` gives it FUZZ_SECONDS (default 10) per role; `make fuzz` gives it minutes.

Excluded: DELETE /auth/token and POST /me/password (they end the caller's own token, which would leave the
rest of the run anonymous) and GET /statements.zip (half a minute per call on the demo: a PDF per customer)."""
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from models import utcnow
from tests.demo_db import build_demo_app

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
ROLES = ["sme@demo.local", "lab@demo.local", "pudong@demo.local", "city@demo.local", "admin@demo.local", None]
SECONDS = int(os.environ.get("FUZZ_SECONDS", "10"))
# What they do is not in question here, and they would end the run's own token or take half a minute each:
EXCLUDED = ["revoke_token_delete", "change_password_post", "statements_zip_get"]

pytestmark = [pytest.mark.committed, pytest.mark.fuzz]


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(database_url, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    demo = build_demo_app(database_url, folder, now=utcnow(), suffix="fuzz")
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=demo.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY="fuzz",
               UPLOAD_DIR=demo.config["UPLOAD_DIR"], INSTANCE_DIR=str(folder), FLASK_APP="wsgi",
               LOG_LEVEL="WARNING")
    log = open(folder / "server.log", "w")  # noqa: SIM115 - open for the server's lifetime
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                                "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/api/v1/districts", timeout=2):
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("the fuzz server did not start")
            time.sleep(0.3)
    yield base, folder
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
    log.close()


def _token(base, email):
    request = urllib.request.Request(base + "/api/v1/auth/token", method="POST",
                                     data=json.dumps({"email": email, "password": "demo12345"}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["token"]


def _config(folder):
    """Path ids fixed to the demo's first rows, so that the signed-in runs get past 404 into the handlers'
    logic (ids themselves are fuzzed by the anonymous run and tests/functional/test_typed_input.py)."""
    path = folder / "schemathesis.toml"
    names = ["instrument_id", "booking_id", "order_id", "charge_id", "institution_id", "voucher_id", "pilot_id",
             "series_id", "closure_id", "user_id", "request_id", "adjustment_id", "qualification_id", "entry_id"]
    path.write_text("[parameters]\n" + "".join(f"{name} = 1\n" for name in names))
    return path


@pytest.mark.parametrize("email", ROLES, ids=[r.split("@")[0] if r else "anonymous" for r in ROLES])
def test_no_generated_request_gets_a_server_error(server, email):
    base, folder = server
    headers = [] if email is None else ["-H", f"Authorization: Bearer {_token(base, email)}"]
    config = [] if email is None else ["--config-file", str(_config(folder))]
    command = [str(SCHEMATHESIS), *config, "run", f"{base}/api/v1/openapi.json", "--checks",
               "not_a_server_error,response_schema_conformance", "--max-time", str(SECONDS),
               "--phases", "examples,coverage,fuzzing", "--workers", "1", "--request-timeout", "20",
               *[arg for name in EXCLUDED for arg in ("--exclude-operation-id", name)],
               "--suppress-health-check", "all", "--seed", "14", *headers]
    result = subprocess.run(command, capture_output=True, text=True, timeout=SECONDS * 3 + 120, cwd=folder,
                            env=dict(os.environ, SCHEMATHESIS_HOOKS=""))
    server_log = (folder / "server.log").read_text()
    assert result.returncode == 0, result.stdout[-6000:] + "\n--- server log ---\n" + server_log[-4000:]
