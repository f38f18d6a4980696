"""The platform operator's tools: find users and organisations, switch accounts on and off."""
import sqlalchemy as sa

from models import Organization, User, audit
from models.errors import Forbidden

from ..auth.sessions import end_sessions


def search_users(q=""):
    stmt = sa.select(User).order_by(User.id)
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(sa.or_(User.email.like(like), User.name.like(like)))
    return stmt


def search_organizations(q="", kind=""):
    stmt = sa.select(Organization).order_by(Organization.id)
    if kind:
        stmt = stmt.where(Organization.kind == kind)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(sa.or_(Organization.name.like(like), Organization.uscc.like(like.upper())))
    return stmt


def set_active(actor, user, active, now):
    if user.id == actor.id:
        raise Forbidden()
    before = "active" if user.active else "inactive"
    user.active = active
    if not active:
        end_sessions(user, now)
    audit.record(user, "activated" if active else "deactivated", actor=actor, at=now,
                 from_state=before, to_state="active" if active else "inactive")
