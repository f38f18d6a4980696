"""The yardstick: bare Flask + SQLAlchemy endpoints doing the same database reads as QI-Share's.

No forms, no policy, no templates beyond a line, no domain rules: what is left of a request when
only the database work remains. Served by gunicorn exactly like the app:

    BARE_DATABASE_URL=... gunicorn 'bench.bare:create()'
"""
import hashlib
import os
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, current_app, jsonify, render_template_string, request

PAGE = "<!doctype html><title>{{ i.name }}</title><h1>{{ i.name }}</h1><p>{{ i.specs }}</p><p>{{ i.org }}</p>" \
       "{% for c in closures %}<li>{{ c.start_at }}</li>{% endfor %}"


def _instant(day):
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=8)


bp = Blueprint("bare", __name__)


def create():
    app = Flask(__name__)
    app.extensions["bare_engine"] = sa.create_engine(os.environ["BARE_DATABASE_URL"], pool_size=2)
    app.register_blueprint(bp)
    return app


def _engine():
    return current_app.extensions["bare_engine"]


def rows(sql, **params):
    with _engine().connect() as connection:
        return [dict(r._mapping) for r in connection.execute(sa.text(sql), params)]


@bp.get("/availability/<int:instrument_id>")
def availability(instrument_id):
    first, last = date.fromisoformat(request.args["from"]), date.fromisoformat(request.args["to"])
    start, end = _instant(first), _instant(last + timedelta(days=1))
    with _engine().connect() as connection:
        instrument = connection.execute(sa.text(
            "SELECT id, institution_id, custom_hours, status FROM instruments WHERE id = :id"),
            {"id": instrument_id}).first()
        if instrument is None:
            abort(404)
        params = {"id": instrument_id, "s": start, "e": end}
        holds = connection.execute(sa.text(
            "SELECT start_at, blocks_until, kind FROM occupancies WHERE instrument_id = :id AND active "
            "AND start_at < :e AND blocks_until > :s ORDER BY start_at"), params).all()
        closures = connection.execute(sa.text(
            "SELECT start_at, end_at FROM closures WHERE instrument_id = :id AND start_at < :e AND end_at > :s"),
            params).all()
        hours = connection.execute(sa.text(
            "SELECT weekday, start_minute, end_minute FROM opening_hours WHERE institution_id = :org "
            "OR instrument_id = :id"), {"org": instrument.institution_id, "id": instrument_id}).all()
        days = connection.execute(sa.text("SELECT day, kind FROM calendar_days WHERE day BETWEEN :f AND :l"),
                                  {"f": first, "l": last}).all()
    return jsonify(busy=[[str(h.start_at), str(h.blocks_until)] for h in holds] +
                   [[str(c.start_at), str(c.end_at)] for c in closures],
                   hours=[list(h) for h in hours], days=[[str(d.day), d.kind] for d in days])

@bp.get("/instrument/<int:instrument_id>")
def instrument(instrument_id):
    found = rows("SELECT i.name, i.specs, o.name AS org, c.name AS category FROM instruments i "
                 "JOIN organizations o ON o.id = i.institution_id JOIN categories c ON c.code = i.category_code "
                 "WHERE i.id = :id", id=instrument_id)
    if not found:
        abort(404)
    closures = rows("SELECT start_at FROM closures WHERE instrument_id = :id AND end_at > :now "
                    "ORDER BY start_at LIMIT 10", id=instrument_id, now=datetime.now(UTC))
    return render_template_string(PAGE, i=found[0], closures=closures)

@bp.get("/search")
def search():
    like = f"%{request.args.get('q', '')}%"
    where = "status != 'retired' AND search_text LIKE :q"
    total = rows(f"SELECT count(*) AS n FROM instruments WHERE {where}", q=like)[0]["n"]
    found = rows(f"SELECT id, name FROM instruments WHERE {where} ORDER BY name, id LIMIT 20", q=like)
    return jsonify(total=total, items=found)

@bp.post("/book")
def book():
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    body = request.get_json()
    start, end = datetime.fromisoformat(body["start"]), datetime.fromisoformat(body["end"])
    with _engine().begin() as connection:
        user = connection.execute(sa.text(
            "SELECT u.id, u.organization_id FROM api_tokens t JOIN users u ON u.id = t.user_id "
            "WHERE t.token_hash = :h"), {"h": hashlib.sha256(token.encode()).hexdigest()}).first()
        if user is None:
            abort(401)
        lock = " FOR UPDATE" if connection.dialect.name == "postgresql" else ""
        connection.execute(sa.text(f"SELECT id FROM instruments WHERE id = :id{lock}"), {"id": body["instrument_id"]})
        clash = connection.execute(sa.text(
            "SELECT 1 FROM occupancies WHERE instrument_id = :id AND active AND start_at < :e AND "
            "blocks_until > :s LIMIT 1"), {"id": body["instrument_id"], "s": start, "e": end}).first()
        if clash:
            return jsonify(error="slot_unavailable"), 409
        now = datetime.now(UTC)
        hold = connection.execute(sa.text(
            "INSERT INTO occupancies (instrument_id, kind, start_at, end_at, blocks_until, active, created_at, "
            "note) VALUES (:i, 'booking', :s, :e, :e, true, :now, '') RETURNING id"),
            {"i": body["instrument_id"], "s": start, "e": end, "now": now}).scalar()
        connection.execute(sa.text(
            "INSERT INTO bookings (instrument_id, organization_id, created_by_id, occupancy_id, start_at, end_at, "
            "status, purpose, service_mode, staff_booked, price_amount, late_cancellation, auto_closed, "
            "status_reason, sequence, version, created_at, updated_at) VALUES (:i, :o, :u, :h, :s, :e, "
            "'confirmed', 'bench', 'self_operated', false, 0, false, false, '', 0, 1, :now, :now)"),
            {"i": body["instrument_id"], "o": user.organization_id, "u": user.id, "h": hold, "s": start,
             "e": end, "now": now})
    return jsonify(ok=True), 201

@bp.get("/summary")
def summary():
    year = int(request.args["year"])
    start, end = _instant(date(year, 1, 1)), _instant(date(year + 1, 1, 1))
    found = rows("SELECT count(*) AS n, count(DISTINCT organization_id) AS orgs, sum(price_amount) AS revenue "
                 "FROM bookings WHERE status = 'completed' AND start_at >= :s AND start_at < :e", s=start, e=end)
    return jsonify({k: str(v) for k, v in found[0].items()})
