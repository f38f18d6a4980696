from datetime import timedelta

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
