"""The real product in a real browser: Debian's Chromium driven by Playwright, against gunicorn
serving a demo database of its own on a free local port (real CSRF, real clock).

Without /usr/bin/chromium the journeys are skipped and the run says so; with REQUIRE_BROWSER=1
(.ci/run) a missing browser is a failure.
"""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from models import utcnow
from tests.demo_db import build_demo_app

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
SERVER_SECRET = "browser-tests"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)")
    skip = pytest.mark.skip(reason=f"browser journeys skipped: {CHROMIUM} is not installed")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live(database_url, tmp_path_factory):
    """gunicorn on a free port over a freshly loaded demo database: (base URL, app on that database)."""
    folder = tmp_path_factory.mktemp("browser")
    demo = build_demo_app(database_url, folder, now=utcnow(), suffix="browser")
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=demo.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY=SERVER_SECRET,
               UPLOAD_DIR=demo.config["UPLOAD_DIR"], INSTANCE_DIR=str(folder),
               FLASK_APP="wsgi", LOG_LEVEL="WARNING")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                               "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("the browser test server did not start")
            time.sleep(0.3)
    yield base, demo
    server.terminate()
    server.wait(15)


@pytest.fixture(scope="session")
def live_server(live):
    return live[0]


@pytest.fixture(scope="session")
def live_app(live):
    """The demo app bound to the server's database, for setting up what a journey needs."""
    return live[1]


# Playwright's assertions wait 5 s by default, its actions 15 s here (open_page). On a loaded 2-core host the
# API reference (Swagger UI building every operation of the spec) took longer than 5 s to show its title (CI,
# stop 23), so the assertions wait as long as the actions: a bound for a hung page, never a timing test.
EXPECT_TIMEOUT_MS = 15000


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, live_server):
    """open_page(viewport=...) → a fresh page (own cookies) on the live server."""
    contexts = []

    def open_page(width=1280, height=900):
        context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server,
                                      locale="zh-CN", accept_downloads=True)
        context.set_default_timeout(EXPECT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page, email, password="demo12345"):
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/auth/login" not in url)
    return page


def accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def shot(page, name, full_page=False):
    """Key screens: written to docs/screenshots when SCREENSHOTS=1 (make screenshots)."""
    folder = SCREENSHOTS if os.environ.get("SCREENSHOTS") == "1" else Path(os.environ.get("TMPDIR", "/tmp"))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)
