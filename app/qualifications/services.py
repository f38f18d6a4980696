"""Qualifications (上机资格): granting, revoking, the booking rule, use, and what a user may do.

Services take `actor` and `now` and flush; the caller commits once, then mail goes out.
The booking write calls require_operator() once; a completed self-operated booking calls
record_use(). At most one active qualification per user × instrument is the database's
guarantee (a partial unique index): a grant that loses a race renews the winner's row instead.
"""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import audit, db
from models.errors import QualificationRequired, ValidationError
from models.qualification import LEVELS, OPEN_REQUEST_STATES, Qualification, TrainingRequest
from models.timeutil import local_today
from models.user import User

from ..claims import insert_unless_taken
from ..notify.services import notify
from ..policy import require_publisher

MAX_REASON = 500


def payload(qualification, **extra):
    return {"qualification_id": qualification.id, "instrument": qualification.instrument.name,
            "instrument_id": qualification.instrument_id, **extra}


def active_of(user_id, instrument_id):
    return db.session.scalar(sa.select(Qualification).where(
        Qualification.user_id == user_id, Qualification.instrument_id == instrument_id,
        Qualification.status == "active"))


# Granting and revoking -------------------------------------------------------------------

def _grant_errors(user, level, expires_on, now):
    fields = {}
    if user is None or not user.is_enterprise or not user.active:
        fields["user_id"] = _l("请选择一位企业用户（上机人员须在平台注册）。")
    if level not in LEVELS:
        fields["level"] = _l("资格级别应为 assisted（人员指导下上机）或 independent（独立上机）。")
    if expires_on is not None and (not isinstance(expires_on, date) or expires_on < local_today(now)):
        fields["expires_on"] = _l("有效期不能早于今天。")
    return fields


def grant(actor, instrument, user, level, now, *, expires_on=None, source="direct"):
    """Grant `level`, or renew the user's active qualification with it (never a second one)."""
    require_publisher(actor, instrument.institution_id)
    fields = _grant_errors(user, level, expires_on, now)
    if fields:
        raise ValidationError(fields=fields)
    current = active_of(user.id, instrument.id)
    if current is None:
        fresh = Qualification(user=user, instrument=instrument, level=level, status="active", source=source,
                              granted_at=now, granted_by=actor, expires_on=expires_on)
        if insert_unless_taken(fresh):  # False: a concurrent grant's row won the unique index
            audit.record(fresh, "granted", actor=actor, at=now, to_state="active",
                         details={"level": level, "expires_on": _day(expires_on), "source": source})
            notify(user, f"qualification_granted_{level}", **payload(fresh))
            return fresh
        current = active_of(user.id, instrument.id)
    return _renew(actor, current, level, expires_on, source, now)


def _renew(actor, qualification, level, expires_on, source, now):
    before = {"level": qualification.level, "expires_on": _day(qualification.expires_on)}
    qualification.level, qualification.expires_on, qualification.source = level, expires_on, source
    qualification.granted_at, qualification.granted_by = now, actor
    audit.record(qualification, "renewed", actor=actor, at=now, from_state="active", to_state="active",
                 details={"before": before, "level": level, "expires_on": _day(expires_on), "source": source})
    notify(qualification.user, f"qualification_granted_{level}", **payload(qualification))
    return qualification


def _day(value):
    return value.isoformat() if value else None


def revoke(actor, qualification, reason, now):
    qualification.require("revoke", actor, now)
    reason = (reason or "").strip() if isinstance(reason, str) else reason
    if not isinstance(reason, str) or not reason or len(reason) > MAX_REASON:
        raise ValidationError(fields={"reason": _l("请填写撤销原因（500 字以内）。")})
    qualification.transition("revoked", actor=actor, now=now, reason=reason)
    notify(qualification.user, "qualification_revoked", **payload(qualification, reason=reason))


def user_by_email(email):
    """The platform user with this e-mail (the pages name people by e-mail)."""
    text = (email or "").strip().lower()
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == text)) if text else None


def operator_named(email):
    """The operator staff name on the walk-in form, by e-mail; None when left blank."""
    if not (email or "").strip():
        return None
    operator = user_by_email(email)
    if operator is None:
        raise ValidationError(fields={"operator_user_id": _l("平台上没有使用该邮箱的用户。")})
    return operator


# The booking rule -------------------------------------------------------------------------

def require_operator(actor, instrument, service_mode, *, organization, operator, staff, end, now):
    """Who operates the instrument during a booking, and that they may: returns the operator.

    An enterprise user operates what they book. Staff booking on behalf name the operator, a user
    of that enterprise. Self-operated use of an instrument that requires_qualification needs the
    operator's active `independent` qualification, valid until the booking ends.
    """
    if not staff:
        if operator is not None and operator.id != actor.id:
            raise ValidationError(fields={"operator_user_id": _l("只有机构人员代企业预约时才指定上机人员。")})
        operator = actor
    elif operator is not None and not (operator.is_enterprise and operator.belongs_to(organization.id)):
        raise ValidationError(fields={"operator_user_id": _l("上机人员须是该预约企业在平台注册的用户。")})
    if service_mode != "self_operated" or not instrument.requires_qualification:
        return operator
    if operator is None:
        raise ValidationError(fields={"operator_user_id": _l("自主上机须指定上机人员（已取得独立上机资格的企业用户）。")})
    qualification = active_of(operator.id, instrument.id)
    if qualification is None or not qualification.allows_alone(now, end):
        raise QualificationRequired(_refusal(qualification, operator, staff, now))
    return operator


def _refusal(qualification, operator, staff, now):
    if staff:
        return _l("上机人员 %(name)s 没有该仪器有效的独立上机资格，请改为技术共享（人员指导）或先为其安排培训。",
                  name=operator.name or operator.email)
    if qualification is None:
        return None  # the default message: ask for training
    if qualification.status_on(now) != "active":
        return _l("您在该仪器上的上机资格已过期或因长期未使用而失效，请重新申请培训。")
    if qualification.level != "independent":
        return _l("您目前只能在人员指导下使用该仪器（技术共享）；自主上机须通过独立上机培训。")
    return _l("您的上机资格有效期至 %(date)s，自主上机的预约须在此之前结束。", date=qualification.expires_on.isoformat())


def record_use(booking, now):
    """A completed self-operated booking keeps its operator's qualification from lapsing."""
    if booking.service_mode != "self_operated" or booking.operator_id is None:
        return
    qualification = active_of(booking.operator_id, booking.instrument_id)
    if qualification is None or not qualification.is_current(now):
        return
    used = booking.actual_end or now
    if qualification.last_used_at is None or qualification.last_used_at < used:
        qualification.last_used_at = used


# What a user may do on an instrument ------------------------------------------------------

@dataclass
class Standing:
    """An enterprise user's position on one instrument, for its page."""

    qualification: Qualification | None = None
    open_request: TrainingRequest | None = None
    may_operate_alone: bool = False
    needs_training: bool = False
    modes: list = field(default_factory=list)
    ends: tuple | None = None  # ("expires" | "lapses", date) when the end is near


def standing(user, instrument, now):
    """What `user` may book on `instrument` now, and why; None for anyone but enterprise users."""
    if user is None or not getattr(user, "is_enterprise", False):
        return None
    qualification = active_of(user.id, instrument.id)
    current = qualification if qualification is not None and qualification.is_current(now) else None
    alone = current is not None and current.level == "independent"
    gated = instrument.requires_qualification and "self_operated" in instrument.bookable_modes
    open_request = db.session.scalar(sa.select(TrainingRequest).where(
        TrainingRequest.user_id == user.id, TrainingRequest.instrument_id == instrument.id,
        TrainingRequest.status.in_(OPEN_REQUEST_STATES)))
    modes = [m for m in instrument.bookable_modes if m != "self_operated" or alone or not gated]
    return Standing(qualification=current, open_request=open_request, may_operate_alone=alone or not gated,
                    needs_training=gated and not alone, modes=modes, ends=current.ends_soon(now) if current else None)


def of_user(user):
    """Every qualification the user holds or held, the active ones first."""
    return db.session.scalars(sa.select(Qualification).where(Qualification.user_id == user.id).order_by(
        sa.case((Qualification.status == "active", 0), else_=1), Qualification.granted_at.desc())).all()


def of_instrument(instrument, status=None):
    stmt = sa.select(Qualification).where(Qualification.instrument_id == instrument.id)
    if status:
        stmt = stmt.where(Qualification.status == status)
    return stmt.order_by(sa.case((Qualification.status == "active", 0), else_=1), Qualification.granted_at.desc(),
                         Qualification.id.desc())
