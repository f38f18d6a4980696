"""科技创新券 (innovation vouchers): a bureau's grant that pays part of an enterprise's services.

active → used_up | expired | revoked; used_up → active (an adjustment gave some back).
The balance never goes below zero or above the amount: the database checks it, and the service
that spends it holds the voucher's row while it does (app/settlement/vouchers.py).
"""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import audit
from .base import TimestampMixin, UTCDateTime, db
from .errors import InvalidTransition
from .guards import Guarded
from .money import ZERO, cents
from .organization import Organization

STATES = ("active", "expired", "used_up", "revoked")
TRANSITIONS = {"active": {"used_up", "expired", "revoked"}, "used_up": {"active"}}
LONGEST_VALIDITY_DAYS = 92  # "validity ≤ 3 months"
REMINDER_DAYS = 7


class Voucher(Guarded, TimestampMixin, db.Model):
    __tablename__ = "vouchers"
    guarded_actions = {"revoke": {"issuer": ("active",)}}

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(24), nullable=False, unique=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False, index=True)
    issuer_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False, index=True)
    issued_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    programme: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), nullable=False)
    balance: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), nullable=False)
    subsidy_percent: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    valid_from: Mapped[date] = mapped_column(sa.Date, nullable=False)
    valid_until: Mapped[date] = mapped_column(sa.Date, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="active")
    status_reason: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    reminded_at = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    organization = relationship(Organization, foreign_keys=[organization_id], lazy="joined", innerjoin=True)
    issuer = relationship(Organization, foreign_keys=[issuer_id], lazy="joined", innerjoin=True)
    issued_by = relationship("User")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount"),
        sa.CheckConstraint("balance >= 0 AND balance <= amount", name="balance"),
        sa.CheckConstraint("subsidy_percent BETWEEN 1 AND 100", name="subsidy_percent"),
        sa.CheckConstraint("valid_from <= valid_until", name="validity"),
        sa.CheckConstraint("status IN ('active', 'expired', 'used_up', 'revoked')", name="status"),
        sa.Index("ix_vouchers_status_valid_until", "status", "valid_until"),
    )

    @property
    def spent(self):
        return self.amount - self.balance

    def counts_towards_cap(self):
        """What the voucher takes of its enterprise's yearly cap: all of it, or what was spent of a revoked one."""
        return self.spent if self.status == "revoked" else self.amount

    def unusable_reason(self, organization_id, today):
        """Why this voucher cannot pay a charge of `organization_id` today, or None."""
        if self.organization_id != organization_id:
            return _l("该创新券不属于贵单位。")
        if self.status == "revoked":
            return _l("该创新券已被发放部门撤销。")
        if self.status == "expired" or today > self.valid_until:
            return _l("该创新券已于 %(date)s 过期。", date=self.valid_until.isoformat())
        if self.status == "used_up" or self.balance <= 0:
            return _l("该创新券额度已用完。")
        if today < self.valid_from:
            return _l("该创新券自 %(date)s 起才能使用。", date=self.valid_from.isoformat())
        return None

    def share_of(self, amount):
        """What the voucher pays of `amount`: min(balance, amount × subsidy %)."""
        return max(ZERO, min(self.balance, cents(Decimal(amount) * self.subsidy_percent / 100)))

    def is_issuer(self, actor):
        """The bureau that issued the voucher, or the city bureau (which oversees every voucher)."""
        return actor is not None and (actor.is_city or (actor.is_district and actor.organization_id == self.issuer_id))

    def wrong_state(self, action, parties):
        return InvalidTransition(_l("只有可使用的创新券可以撤销。"))

    def transition(self, to, *, actor, now, reason="", action=None):
        if to not in TRANSITIONS.get(self.status, ()):
            raise InvalidTransition()
        before, self.status, self.updated_at = self.status, to, now
        if reason:
            self.status_reason = reason[:500]
        audit.record(self, action or to, actor=actor, at=now, from_state=before, to_state=to, reason=reason)

    def spend(self, share, *, actor, now):
        self.balance -= share
        if self.balance <= 0:
            self.transition("used_up", actor=actor, now=now)

    def give_back(self, share, *, actor, now):
        self.balance += share
        if self.status == "used_up" and self.balance > 0:
            self.transition("active", actor=actor, now=now, action="refunded")

    def __repr__(self):
        return f"<Voucher {self.code} {self.status} {self.balance}/{self.amount}>"
