"""Structured logs: one JSON object per line, carrying the request it came from."""
import io
import json
import logging

from app.logs import JsonFormatter


def test_a_log_line_in_a_request_is_json_with_the_request_id_and_path(app):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("app")
    logger.addHandler(handler)
    try:
        with app.test_request_context("/bookings", headers={"X-Request-ID": "req-42"}):
            app.preprocess_request()
            logger.warning("出了点问题")
    finally:
        logger.removeHandler(handler)
    entry = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert entry["level"] == "WARNING" and entry["message"] == "出了点问题"
    assert entry["request_id"] == "req-42" and entry["method"] == "GET" and entry["path"] == "/bookings"


def test_every_response_carries_a_request_id(client):
    given = client.get("/healthz", headers={"X-Request-ID": "from-nginx-1"})
    assert given.headers["X-Request-ID"] == "from-nginx-1"
    fresh = client.get("/healthz")
    assert len(fresh.headers["X-Request-ID"]) == 32
