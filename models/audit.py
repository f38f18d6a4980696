"""The audit trail: who moved what from which state to which, when and why."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow


class AuditRecord(db.Model):
    __tablename__ = "audit_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    object_type: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    object_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    action: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    from_state: Mapped[str | None] = mapped_column(sa.String(32))
    to_state: Mapped[str | None] = mapped_column(sa.String(32))
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    details = mapped_column(sa.JSON)

    actor = relationship("User", lazy="joined")

    __table_args__ = (sa.Index("ix_audit_records_object", "object_type", "object_id", "at"),)


def record(obj, action, *, actor=None, at=None, from_state=None, to_state=None, reason="",
           details=None):
    """Add an audit record for `obj` to the session (the caller commits)."""
    if obj.id is None:
        db.session.flush()
    entry = AuditRecord(
        object_type=obj.__tablename__, object_id=obj.id, action=action,
        actor_id=getattr(actor, "id", None), at=at or utcnow(),
        from_state=from_state, to_state=to_state, reason=reason or "", details=details,
    )
    db.session.add(entry)
    return entry


def trail(obj):
    return db.session.scalars(
        sa.select(AuditRecord)
        .where(AuditRecord.object_type == obj.__tablename__, AuditRecord.object_id == obj.id)
        .order_by(AuditRecord.at, AuditRecord.id)
    ).all()
