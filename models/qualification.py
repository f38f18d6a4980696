"""Operator qualifications (上机资格) and the training that leads to them.

A qualification is one user's licence for one instrument: `independent` (may operate it alone,
so may book self-operated time where the instrument requires_qualification) or `assisted`
(trained, uses it with staff guidance). It stays active until it lapses (unused for the
instrument's qualification_lapse_days), expires (after its date) or is revoked; those states are
final, and a new grant is a new row. At most one active qualification per user × instrument: a
partial unique index, on both databases, so concurrent grants can never leave two.

Training: a user asks (requested); the institution puts requests into a session that holds the
instrument's calendar like order work (scheduled); it records each attendee's outcome (passed,
which grants the level chosen, or failed), or declines a request with a reason. A session is
completed once every attendee has an outcome, cancelled when none is left.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import audit
from .base import UTCDateTime, db
from .errors import InvalidTransition
from .guards import Guarded
from .instrument import Instrument
from .occupancy import Occupancy
from .organization import Organization
from .timeutil import day_end, local_today
from .user import User

LEVELS = ("assisted", "independent")
STATUSES = ("active", "lapsed", "expired", "revoked")
SOURCES = ("direct", "training")
LAPSE_REMINDER_DAYS = 14
EXPIRY_WARNING_DAYS = 30
TRANSITIONS = {"active": {"lapsed", "expired", "revoked"}}
# What people do (models/guards.Guarded): {action: {party: states it is done from}}.
ACTIONS = {"revoke": {"staff": ("active",)}}

REQUEST_STATES = ("requested", "scheduled", "passed", "failed", "declined")
OPEN_REQUEST_STATES = ("requested", "scheduled")
REQUEST_TRANSITIONS = {"requested": {"scheduled", "declined"}, "scheduled": {"passed", "failed", "declined"}}
REQUEST_ACTIONS = {"schedule": {"staff": ("requested",)}, "complete": {"staff": ("scheduled",)},
                   "decline": {"staff": OPEN_REQUEST_STATES}}
SESSION_STATES = ("scheduled", "completed", "cancelled")
LONGEST_SESSION = timedelta(hours=24)
WRONG_STATE = {"schedule": _l("只有待安排的培训申请可以安排时间。"), "complete": _l("只有已安排的培训可以登记结果。"),
               "decline": _l("该培训申请已有结果，不能再不予安排。")}


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Qualification(Guarded, db.Model):
    __tablename__ = "qualifications"
    guarded_actions = ACTIONS

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("instruments.id"), nullable=False)
    level: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="active")
    source: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="direct")
    granted_at = mapped_column(UTCDateTime, nullable=False)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Valid through this Shanghai calendar day; None = no fixed end.
    expires_on = mapped_column(sa.Date)
    last_used_at = mapped_column(UTCDateTime)
    ended_at = mapped_column(UTCDateTime)
    status_reason: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    user = relationship(User, foreign_keys=[user_id], lazy="joined", innerjoin=True)
    instrument = relationship(Instrument, lazy="joined", innerjoin=True)
    granted_by = relationship(User, foreign_keys=[granted_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint(_in("level", LEVELS), name="level"),
        sa.CheckConstraint(_in("status", STATUSES), name="status"),
        sa.CheckConstraint(_in("source", SOURCES), name="source"),
        sa.Index("uq_qualifications_one_active", "user_id", "instrument_id", unique=True,
                 postgresql_where=sa.text("status = 'active'"), sqlite_where=sa.text("status = 'active'")),
        sa.Index("ix_qualifications_instrument_status", "instrument_id", "status"),
        sa.Index("ix_qualifications_user", "user_id"),
    )

    # Validity --------------------------------------------------------------------------
    @property
    def lapses_at(self):
        """When it lapses unless used first: the last use (or the grant) plus the lapse days."""
        return (self.last_used_at or self.granted_at) + timedelta(days=self.instrument.qualification_lapse_days)

    @property
    def expires_at(self):
        return day_end(self.expires_on) if self.expires_on else None

    def status_on(self, now):
        """The status a reader sees: an active one past its date or its lapse already reads so."""
        if self.status != "active":
            return self.status
        if self.expires_on is not None and self.expires_on < local_today(now):
            return "expired"
        if now >= self.lapses_at:
            return "lapsed"
        return "active"

    def is_current(self, now):
        return self.status_on(now) == "active"

    def allows_alone(self, now, until):
        """May operate the instrument alone from now until `until` (the end of a booking)."""
        return (self.level == "independent" and self.is_current(now)
                and (self.expires_at is None or until <= self.expires_at))

    def ends_soon(self, now):
        """(reason, date) when the end is near: its expiry within 30 days or its lapse within 14."""
        if self.expires_on is not None and (self.expires_on - local_today(now)).days <= EXPIRY_WARNING_DAYS:
            return "expires", self.expires_on
        if self.lapses_at - now <= timedelta(days=LAPSE_REMINDER_DAYS):
            return "lapses", local_today(self.lapses_at)
        return None

    # Who may do what -------------------------------------------------------------------
    def is_staff(self, actor):
        return actor is not None and actor.is_staff_of(self.instrument.institution_id)

    def transition(self, to, *, actor, now, reason="", action=None):
        if to not in TRANSITIONS.get(self.status, ()):
            raise InvalidTransition()
        before, self.status, self.ended_at = self.status, to, now
        if reason:
            self.status_reason = reason[:500]
        audit.record(self, action or to, actor=actor, at=now, from_state=before, to_state=to, reason=reason)

    def __repr__(self):
        return f"<Qualification {self.id} user={self.user_id} instrument={self.instrument_id} {self.level} {self.status}>"


class TrainingSession(db.Model):
    """One training slot on an instrument's calendar, for one or more requests."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("instruments.id"), nullable=False)
    occupancy_id: Mapped[int] = mapped_column(sa.ForeignKey("occupancies.id"), nullable=False, unique=True)
    start_at = mapped_column(UTCDateTime, nullable=False)
    end_at = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(10), nullable=False, default="scheduled")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False)
    completed_at = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    instrument = relationship(Instrument, lazy="joined", innerjoin=True)
    occupancy = relationship(Occupancy, lazy="joined", innerjoin=True)
    attendees = relationship("TrainingRequest", back_populates="session", order_by="TrainingRequest.id")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint("start_at < end_at", name="span"),
        sa.CheckConstraint(_in("status", SESSION_STATES), name="status"),
        # Completed sessions by time (the statistics).
        sa.Index("ix_training_sessions_completed_start", "start_at", "instrument_id",
                 postgresql_where=sa.text("status = 'completed'"), sqlite_where=sa.text("status = 'completed'")),
        sa.Index("ix_training_sessions_instrument_start", "instrument_id", "start_at"),
    )

    @property
    def hours(self):
        return (self.end_at - self.start_at) / timedelta(hours=1)

    def settle(self, *, actor, now):
        """Once no attendee waits for an outcome: completed if anyone attended, else cancelled."""
        if self.status != "scheduled" or any(a.status == "scheduled" for a in self.attendees):
            return
        attended = any(a.status in ("passed", "failed") for a in self.attendees)
        self.status = "completed" if attended else "cancelled"
        self.occupancy.active = attended  # a completed session keeps its time; a cancelled one frees it
        self.completed_at = now if attended else None
        audit.record(self, self.status, actor=actor, at=now, from_state="scheduled", to_state=self.status)

    def __repr__(self):
        return f"<TrainingSession {self.id} {self.status} {self.start_at:%Y-%m-%d %H:%M}>"


class TrainingRequest(Guarded, db.Model):
    __tablename__ = "training_requests"
    guarded_actions = REQUEST_ACTIONS

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("instruments.id"), nullable=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False)
    note: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    status: Mapped[str] = mapped_column(sa.String(10), nullable=False, default="requested")
    session_id: Mapped[int | None] = mapped_column(sa.ForeignKey("training_sessions.id"))
    level: Mapped[str | None] = mapped_column(sa.String(12))  # the level a pass granted
    status_reason: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    created_at = mapped_column(UTCDateTime, nullable=False)
    updated_at = mapped_column(UTCDateTime, nullable=False)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    instrument = relationship(Instrument, lazy="joined", innerjoin=True)
    user = relationship(User, lazy="joined", innerjoin=True)
    organization = relationship(Organization, lazy="joined", innerjoin=True)
    session = relationship(TrainingSession, back_populates="attendees")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint(_in("status", REQUEST_STATES), name="status"),
        sa.CheckConstraint(f"level IS NULL OR {_in('level', LEVELS)}", name="level"),
        sa.CheckConstraint("(status IN ('scheduled', 'passed', 'failed')) = (session_id IS NOT NULL)",
                           name="session_when_scheduled"),
        # One open request per user and instrument, whatever the concurrency.
        sa.Index("uq_training_requests_one_open", "user_id", "instrument_id", unique=True,
                 postgresql_where=sa.text("status IN ('requested', 'scheduled')"),
                 sqlite_where=sa.text("status IN ('requested', 'scheduled')")),
        sa.Index("ix_training_requests_instrument_status", "instrument_id", "status"),
        sa.Index("ix_training_requests_organization", "organization_id"),
        sa.Index("ix_training_requests_session", "session_id"),
    )

    @property
    def is_open(self):
        return self.status in OPEN_REQUEST_STATES

    def is_staff(self, actor):
        return actor is not None and actor.is_staff_of(self.instrument.institution_id)

    def wrong_state(self, action, parties):
        return InvalidTransition(WRONG_STATE[action])

    def not_now(self, action, actor, now):
        if action == "complete" and now < self.session.start_at:
            return InvalidTransition(_l("培训开始后才能登记结果。"))
        return None

    def transition(self, to, *, actor, now, reason="", action=None):
        if to not in REQUEST_TRANSITIONS.get(self.status, ()):
            raise InvalidTransition()
        before, self.status, self.updated_at = self.status, to, now
        if reason:
            self.status_reason = reason[:500]
        audit.record(self, action or to, actor=actor, at=now, from_state=before, to_state=to, reason=reason)

    def __repr__(self):
        return f"<TrainingRequest {self.id} {self.status} user={self.user_id} instrument={self.instrument_id}>"
