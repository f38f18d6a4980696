"""/healthz for load balancers and monitors: 200 when healthy, 503 otherwise."""
from flask import Blueprint, current_app, jsonify

from .. import clock
from . import services

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    healthy, checks = services.health(clock.now(), current_app.config["SCHEDULER_HEARTBEAT_MAX_AGE"])
    return jsonify(status="ok" if healthy else "unhealthy", checks=checks), 200 if healthy else 503
