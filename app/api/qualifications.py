"""Qualifications and training (上机资格): API.md "Qualifications and training".

Input is typed strictly: a wrong type, an unknown level, a NUL byte or a date outside 2000–2099
answers 422 naming the field, before any service runs.
"""

from flask import g, jsonify, request
from flask_babel import lazy_gettext as _l

from models import db
from models.errors import NotFound, ValidationError
from models.instrument import Instrument
from models.qualification import LEVELS, REQUEST_STATES, STATUSES, Qualification, TrainingRequest
from models.timeutil import iso_local
from models.user import User

from .. import clock
from ..calendar import services as calendar
from ..calendar.links import domain, ics_response
from ..formtools import read_instants
from ..policy import get_in_scope, managed_instrument, parse_id, scoped
from ..qualifications import services as qualifications
from ..qualifications import training
from .base import actor, bp, created, declared_body, json_body, listing
from .declare import Body, Choice, Day, Flag, Ident, Instant, ListOf, Query, QueryInt, Text, operation

ACTIONS = ("schedule", "complete", "decline")


def _person(user):
    org = user.organization
    return {"id": user.id, "name": user.name, "email": user.email,
            "organization": {"id": org.id, "name": org.name} if org else None}


def qualification_json(q, now):
    return {"id": q.id, "user": _person(q.user), "instrument": {"id": q.instrument_id, "name": q.instrument.name},
            "level": q.level, "status": q.status_on(now), "source": q.source, "granted_at": iso_local(q.granted_at),
            "expires_on": q.expires_on.isoformat() if q.expires_on else None, "expires_at": iso_local(q.expires_at),
            "last_used_at": iso_local(q.last_used_at), "lapses_at": iso_local(q.lapses_at) if q.status == "active"
            else None, "reason": q.status_reason}


def request_json(r, viewer, now):
    session = r.session
    return {"id": r.id, "status": r.status, "note": r.note, "level": r.level, "reason": r.status_reason,
            "instrument": {"id": r.instrument_id, "name": r.instrument.name}, "user": _person(r.user),
            "organization": {"id": r.organization_id, "name": r.organization.name},
            "session": None if session is None else {"id": session.id, "start": iso_local(session.start_at),
                                                     "end": iso_local(session.end_at), "status": session.status},
            "created_at": iso_local(r.created_at), "actions": [a for a in ACTIONS if r.can(a, viewer, now)]}


# Strict readers ---------------------------------------------------------------------------

def _text(body, name, fields, required=False):
    value = body.get(name)
    if value is not None and (not isinstance(value, str) or "\x00" in value or len(value) > 500):
        fields[name] = _l("应为 500 字以内的文字。")
        return None
    if required and not (value or "").strip():
        fields[name] = _l("请填写此项（500 字以内）。")
    return value or ""


def _level(body, fields, required):
    value = body.get("level")
    if value is None and not required:
        return "independent"
    if not isinstance(value, str) or value not in LEVELS:
        fields["level"] = _l("资格级别应为 assisted 或 independent。")
        return None
    return value






def _raise(fields):
    if fields:
        raise ValidationError(fields=fields)


def _status_arg(allowed):
    status = request.args.get("status", "")
    if status and status not in allowed:
        raise ValidationError(fields={"status": _l("状态应为 %(states)s 之一。", states=", ".join(allowed))})
    return status


# Qualifications ---------------------------------------------------------------------------

@bp.get("/instruments/<instrument_id>/qualifications")
@operation("上机资格列表 · qualifications on an instrument", query=Query(status=Text(20)), paged=True)
def instrument_qualifications(instrument_id):
    instrument = managed_instrument(actor(), instrument_id)
    now = clock.now()
    return listing(qualifications.of_instrument(instrument, _status_arg(STATUSES)),
                   lambda q: qualification_json(q, now), default_per_page=100)


@bp.post("/instruments/<instrument_id>/qualifications")
@operation("授予上机资格 · grant a qualification", body=Body(user_id=Ident(), level=Choice(LEVELS), expires_on=Day(required=False)), status=201)
def grant_qualification(instrument_id):
    instrument = managed_instrument(actor(), instrument_id)
    body = declared_body()
    user = db.session.get(User, body["user_id"])
    if user is None:
        raise ValidationError(fields={"user_id": _l("找不到该用户。")})
    now = clock.now()
    qualification = qualifications.grant(g.actor, instrument, user, body["level"], now, expires_on=body["expires_on"])
    answer = qualification_json(qualification, now)
    db.session.commit()
    return created(answer)


@bp.post("/qualifications/<qualification_id>/revoke")
@operation("撤销上机资格 · revoke a qualification", body=Body(reason=Text(500, required=True)))
def revoke_qualification(qualification_id):
    who = actor()
    qualification = get_in_scope(Qualification, qualification_id, who)
    now = clock.now()
    qualifications.revoke(who, qualification, declared_body()["reason"], now)
    db.session.commit()
    return jsonify(qualification_json(qualification, now))


@bp.get("/me/qualifications")
@operation("我的上机资格 · my qualifications")
def my_qualifications():
    now = clock.now()
    return jsonify(items=[qualification_json(q, now) for q in qualifications.of_user(actor())])


# Training ---------------------------------------------------------------------------------

@bp.post("/instruments/<instrument_id>/training-requests")
@operation("申请培训 · ask for training", body=Body(note=Text(500)), status=201)
def request_training(instrument_id):
    who = actor()
    instrument = get_in_scope(Instrument, instrument_id, who)
    now = clock.now()
    made = training.request_training(who, instrument, declared_body()["note"], now)
    answer = request_json(made, who, now)
    db.session.commit()
    return created(answer)


@bp.get("/training-requests")
@operation("培训申请 · training requests in scope", query=Query(status=Text(20), instrument_id=QueryInt()), paged=True)
def list_training_requests():
    who, now = actor(), clock.now()
    stmt = scoped(TrainingRequest, who)
    status = _status_arg(REQUEST_STATES)
    if status:
        stmt = stmt.where(TrainingRequest.status == status)
    if request.args.get("instrument_id"):
        try:
            stmt = stmt.where(TrainingRequest.instrument_id == parse_id(request.args["instrument_id"]))
        except NotFound:
            raise ValidationError(fields={"instrument_id": _l("应为仪器编号（正整数）。")}) from None
    return listing(stmt.order_by(TrainingRequest.created_at.desc(), TrainingRequest.id.desc()),
                   lambda r: request_json(r, who, now))


@bp.get("/training-requests/<request_id>")
@operation("培训申请详情 · a training request")
def get_training_request(request_id):
    who = actor()
    return jsonify(request_json(get_in_scope(TrainingRequest, request_id, who), who, clock.now()))


def _schedule(who, found, body, now):
    start, end = read_instants(body, "start", "end")
    training.schedule(who, [found], start, end, now)


def _complete(who, found, body, now):
    fields = {}
    passed = body.get("passed")
    if not isinstance(passed, bool):
        fields["passed"] = _l("应为 true 或 false。")
    level = _level(body, fields, required=False)
    _raise(fields)
    training.complete(who, found, passed, level, now)


def _decline(who, found, body, now):
    fields = {}
    reason = _text(body, "reason", fields, required=True)
    _raise(fields)
    training.decline(who, found, reason, now)


STEPS = {"schedule": _schedule, "complete": _complete, "decline": _decline}


@bp.post("/training-requests/<request_id>/<step>")
@operation("培训安排/完成/拒绝 · schedule, complete or decline training", body=Body(start=Instant(required=False), end=Instant(required=False), passed=Flag(), level=Choice(("assisted", "independent"), required=False), reason=Text(500), request_ids=ListOf(item=Ident(), max_items=100, required=False)))
def training_step(request_id, step):
    if step not in STEPS:
        raise NotFound()
    who = actor()
    found = get_in_scope(TrainingRequest, request_id, who)
    now = clock.now()
    STEPS[step](who, found, json_body(), now)
    answer = request_json(found, who, now)
    db.session.commit()
    return jsonify(answer)


@bp.get("/training-requests/<request_id>/ics")
@operation("培训的 .ics · a training session as iCalendar", returns="text/calendar")
def training_ics(request_id):
    found = get_in_scope(TrainingRequest, request_id, actor())
    if found.session is None:
        raise NotFound()
    return ics_response(calendar.training_ics(found.session, domain()), f"training-{found.session.id}.ics")
