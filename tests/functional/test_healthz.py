from datetime import timedelta

import pytest

from app.ops.services import beat
from models import db


def test_healthz_is_unhealthy_until_the_scheduler_beats(client, now):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "migrations": "ok", "scheduler": "never_seen"}
    beat("scheduler", now - timedelta(seconds=30))
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"


def test_a_stale_heartbeat_makes_it_unhealthy(client, now):
    beat("scheduler", now - timedelta(minutes=10))
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["scheduler"] == "stale"


def test_a_schema_behind_the_code_makes_it_unhealthy(client, now, monkeypatch):
    from app.ops import services

    beat("scheduler", now)
    db.session.commit()
    monkeypatch.setattr(services, "migration_heads", lambda: frozenset({"9999_not_applied"}))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["migrations"] == "behind"


@pytest.mark.committed  # its own app and engine, not the test's shared connection
def test_an_unreachable_database_makes_it_unhealthy_not_an_error(tmp_path):
    from app import create_app

    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unhealthy",
                                   "checks": {"database": "unreachable", "migrations": "unknown"}}
