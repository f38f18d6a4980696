"""Training (上机培训): requests, sessions that hold the calendar, and their outcomes.

A session holds the instrument's calendar exactly like order work: the same availability check
and the same exclusion constraint (a hold of kind 'training'), so scheduling over a booking is
refused with 409. Requests scheduled at the very same time on the same instrument share one
session. A pass grants the level chosen through the same grant() as a direct grant.

Training sits above booking, as orders do (it holds the calendar with booking's check and writer);
the rule the booking write asks (services.require_operator) sits below it.
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import audit, db
from models.errors import Conflict, Forbidden, ValidationError
from models.instrument import Instrument
from models.occupancy import Occupancy
from models.qualification import LEVELS, LONGEST_SESSION, TrainingRequest, TrainingSession
from models.timeutil import local

from ..booking.services import check_calendar, lock_instrument, write_hold
from ..claims import insert_unless_taken
from ..notify.services import notify, notify_organization
from . import services

MAX_TEXT = 500


def _payload(request, **extra):
    payload = {"request_id": request.id, "instrument": request.instrument.name,
               "instrument_id": request.instrument_id, "user": request.user.name or request.user.email,
               "organization": request.organization.name}
    if request.session is not None:
        payload.update(start=local(request.session.start_at).strftime("%Y-%m-%d %H:%M"),
                       end=local(request.session.end_at).strftime("%H:%M"))
    return {**payload, **extra}


def _text(value, name, required=False):
    text = value.strip() if isinstance(value, str) else value
    if text is None or text == "":
        if required:
            raise ValidationError(fields={name: _l("请填写此项（500 字以内）。")})
        return ""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise ValidationError(fields={name: _l("应为 500 字以内的文字。")})
    return text


def request_training(actor, instrument, note, now):
    """An enterprise user asks to be trained on an instrument (one open request at a time)."""
    if actor is None or not actor.is_enterprise:
        raise Forbidden(_l("只有企业用户可以申请上机培训。"))
    note = _text(note, "note")
    if instrument.status == "retired" or not instrument.bookable_modes:
        raise ValidationError(_l("该仪器不提供上机服务，无需培训。"))
    current = services.active_of(actor.id, instrument.id)
    if current is not None and current.is_current(now) and current.level == "independent":
        raise Conflict(_l("您已取得该仪器的独立上机资格，无需再申请培训。"))
    request = TrainingRequest(instrument=instrument, user=actor, organization_id=actor.organization_id, note=note,
                              status="requested", created_at=now, updated_at=now)
    if not insert_unless_taken(request):  # the unique index: one open request per user and instrument
        raise Conflict(_l("您已申请过该仪器的培训，请等待机构安排。"))
    audit.record(request, "requested", actor=actor, at=now, to_state="requested", reason=note)
    notify_organization(instrument.institution_id, "training_requested", **_payload(request))
    return request


def _session_at(instrument, start, end, now, actor):
    """The scheduled session at exactly [start, end) on this instrument, or a new one holding it."""
    lock_instrument(instrument)
    same = db.session.scalar(sa.select(TrainingSession).where(
        TrainingSession.instrument_id == instrument.id, TrainingSession.status == "scheduled",
        TrainingSession.start_at == start, TrainingSession.end_at == end))
    if same is not None:
        return same
    check_calendar(instrument, start, end, now, staff=True)
    hold = Occupancy.hold(instrument, start, end, now, "training", logged_by_id=actor.id)
    session = TrainingSession(instrument=instrument, occupancy=hold, start_at=start, end_at=end, status="scheduled",
                              created_by_id=actor.id, created_at=now)
    write_hold(hold, session)
    audit.record(session, "scheduled", actor=actor, at=now, to_state="scheduled")
    return session


def schedule(actor, requests, start, end, now):
    """Put one or more requests on one instrument into a session at [start, end)."""
    if not requests:
        raise ValidationError(fields={"request_ids": _l("请至少选择一个培训申请。")})
    instrument = requests[0].instrument
    for request in requests:
        request.require("schedule", actor, now)
        if request.instrument_id != instrument.id:
            raise ValidationError(fields={"request_ids": _l("同一场培训只能安排同一台仪器的申请。")})
    if start >= end:
        raise ValidationError(fields={"end": _l("结束时间应晚于开始时间。")})
    if end - start > LONGEST_SESSION:
        raise ValidationError(fields={"end": _l("一场培训不能超过 24 小时。")})
    session = _session_at(instrument, start, end, now, actor)
    for request in requests:
        request.session = session
        request.transition("scheduled", actor=actor, now=now)
        notify(request.user, "training_scheduled", **_payload(request))
    db.session.flush()
    return session


def complete(actor, request, passed, level, now):
    """Record one attendee's outcome; a pass grants `level`."""
    request.require("complete", actor, now)
    if passed and level not in LEVELS:
        raise ValidationError(fields={"level": _l("资格级别应为 assisted（人员指导下上机）或 independent（独立上机）。")})
    request.transition("passed" if passed else "failed", actor=actor, now=now,
                       action="passed" if passed else "failed")
    if passed:
        request.level = level
        services.grant(actor, request.instrument, request.user, level, now, source="training")
    else:
        notify(request.user, "training_failed", **_payload(request))
    request.session.settle(actor=actor, now=now)


def decline(actor, request, reason, now):
    """The institution will not train (or no longer trains) this requester; the reason is told."""
    request.require("decline", actor, now)
    reason = _text(reason, "reason", required=True)
    session = request.session
    request.transition("declined", actor=actor, now=now, reason=reason)
    request.session = None
    if session is not None:
        session.settle(actor=actor, now=now)
    notify(request.user, "training_declined", **_payload(request, reason=reason))


def waiting_count(institution_id):
    """Requests the institution has yet to schedule: the count beside the menu item."""
    return db.session.scalar(sa.select(sa.func.count(TrainingRequest.id))
                             .join(Instrument, Instrument.id == TrainingRequest.instrument_id)
                             .where(TrainingRequest.status == "requested", Instrument.institution_id == institution_id))


def completed_sessions(institution_id=None, start=None, end=None):
    """Completed sessions (start in [start, end)) with their attendees: the NRII service records'
    技术 entries and anything else that lists trainings given."""
    stmt = sa.select(TrainingSession).where(TrainingSession.status == "completed")
    if institution_id is not None:
        stmt = stmt.join(Instrument, Instrument.id == TrainingSession.instrument_id).where(
            Instrument.institution_id == institution_id)
    if start is not None:
        stmt = stmt.where(TrainingSession.start_at >= start)
    if end is not None:
        stmt = stmt.where(TrainingSession.start_at < end)
    return db.session.scalars(stmt.options(sa.orm.selectinload(TrainingSession.attendees))
                              .order_by(TrainingSession.start_at, TrainingSession.id)).all()
