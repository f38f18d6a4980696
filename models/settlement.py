"""Settlement (结算): charges, the enterprise's adjustment requests, invoice requests.

Charge: open → invoiced → paid, or open → waived (an approved adjustment to zero). One per completed
booking or order, never deleted. `amount` is what is owed now (after approved adjustments),
`original_amount` what completion charged; `voucher_amount` is the innovation voucher's share and
`net_amount` what the enterprise pays.
Adjustment request: pending → approved | rejected (the institution decides).
Invoice request: requested → issued (the institution records the invoice number and date).
Each names what people do to it, who may and from which states, in an action table that
models/guards.py reads (403 may never, 409 not now).
"""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import audit
from .base import TimestampMixin, UTCDateTime, db
from .booking import Booking
from .errors import Conflict, InvalidTransition
from .guards import Guarded
from .instrument import Instrument
from .order import ServiceOrder
from .organization import Organization
from .timeutil import local
from .voucher import Voucher

CHARGE_STATES = ("open", "invoiced", "paid", "waived")
CHARGE_TRANSITIONS = {"open": {"invoiced", "waived"}, "invoiced": {"paid"}}
SOURCES = ("booking", "order")
INVOICE_KINDS = ("normal", "special")  # 普票 / 专票
CHARGE_ACTIONS = {
    "apply_voucher": {"customer": ("open",)},
    "request_adjustment": {"customer": ("open",)},
    "request_invoice": {"customer": ("open",)},
    "mark_paid": {"staff": ("invoiced",)},
}
WRONG_STATE = {
    "apply_voucher": _l("只有待结算的费用可以使用创新券。"),
    "request_adjustment": _l("只有待结算的费用可以申请调整；已开票或已付款的请联系机构。"),
    "request_invoice": _l("只有待结算的费用可以申请开票。"),
    "mark_paid": _l("开票之后才能确认付款。"),
}


def _move(obj, table, to, actor, now, reason, action):
    if to not in table.get(obj.status, ()):
        raise InvalidTransition()
    before, obj.status = obj.status, to
    audit.record(obj, action or to, actor=actor, at=now, from_state=before, to_state=to, reason=reason)


class Charge(Guarded, TimestampMixin, db.Model):
    __tablename__ = "charges"
    guarded_actions = CHARGE_ACTIONS

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    booking_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bookings.id"), unique=True)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_orders.id"), unique=True)
    institution_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False)
    instrument_id: Mapped[int | None] = mapped_column(sa.ForeignKey("instruments.id"))
    original_amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), nullable=False)
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), nullable=False)
    voucher_id: Mapped[int | None] = mapped_column(sa.ForeignKey("vouchers.id"), index=True)
    voucher_amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), nullable=False, default=Decimal("0.00"))
    voucher_applied_at = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="open")
    invoice_request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoice_requests.id"), index=True)
    paid_on: Mapped[date | None] = mapped_column(sa.Date)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    booking = relationship(Booking)
    order = relationship(ServiceOrder)
    institution = relationship(Organization, foreign_keys=[institution_id], lazy="joined", innerjoin=True)
    organization = relationship(Organization, foreign_keys=[organization_id], lazy="joined", innerjoin=True)
    instrument = relationship(Instrument)
    voucher = relationship(Voucher)
    invoice_request = relationship("InvoiceRequest", back_populates="charges")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint("source IN ('booking', 'order')", name="source"),
        sa.CheckConstraint("status IN ('open', 'invoiced', 'paid', 'waived')", name="status"),
        sa.CheckConstraint("(booking_id IS NULL) <> (order_id IS NULL)", name="subject"),
        sa.CheckConstraint("amount >= 0 AND original_amount >= 0", name="amount"),
        sa.CheckConstraint("voucher_amount >= 0 AND voucher_amount <= amount", name="voucher_amount"),
        sa.Index("ix_charges_institution_created", "institution_id", "created_at"),
        sa.Index("ix_charges_organization_created", "organization_id", "created_at"),
    )

    @property
    def net_amount(self):
        return self.amount - self.voucher_amount

    @property
    def source_id(self):
        return self.booking_id if self.source == "booking" else self.order_id

    @property
    def subject(self):
        return self.booking if self.source == "booking" else self.order

    @property
    def description(self):
        """The service charged, as a statement line names it: the instrument and its time, or the order."""
        if self.source == "order":  # a confidential order's title stays with its page, which bureaus see masked
            return self.order.number if self.order.confidential else f"{self.order.number} {self.order.title}"
        booking = self.booking
        start, end = local(booking.actual_start or booking.start_at), local(booking.actual_end or booking.end_at)
        return f"{booking.instrument.name} {start:%Y-%m-%d %H:%M}–{end:%H:%M}"

    def is_customer(self, actor):
        return actor is not None and actor.is_enterprise and actor.belongs_to(self.organization_id)

    def is_staff(self, actor):
        return actor is not None and actor.is_staff_of(self.institution_id)

    def wrong_state(self, action, parties):
        return InvalidTransition(WRONG_STATE[action])

    def not_now(self, action, actor, now):
        if action == "apply_voucher" and self.voucher_id is not None:
            return Conflict(_l("这笔费用已经使用过创新券。"))
        if action == "request_invoice" and self.invoice_request_id is not None:
            return InvalidTransition(_l("这笔费用已在一个开票申请中。"))
        return None

    def transition(self, to, *, actor, now, reason="", action=None):
        _move(self, CHARGE_TRANSITIONS, to, actor, now, reason, action)
        self.updated_at = now

    def __repr__(self):
        return f"<Charge {self.id} {self.source}:{self.source_id} {self.amount} {self.status}>"


class AdjustmentRequest(Guarded, db.Model):
    """The enterprise disputes a charge: the amount it thinks right, and why."""

    __tablename__ = "adjustment_requests"
    guarded_actions = {"approve": {"staff": ("pending",)}, "reject": {"staff": ("pending",)}}

    id: Mapped[int] = mapped_column(primary_key=True)
    charge_id: Mapped[int] = mapped_column(sa.ForeignKey("charges.id"), nullable=False, index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    amount_before: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), nullable=False)
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    created_at = mapped_column(UTCDateTime, nullable=False)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    charge = relationship(Charge, lazy="joined", innerjoin=True)
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
        sa.CheckConstraint("amount >= 0 AND amount <= amount_before", name="amount"),
    )

    def is_staff(self, actor):
        return self.charge.is_staff(actor)

    def not_now(self, action, actor, now):
        if action == "approve" and self.charge.status != "open":
            return InvalidTransition(_l("这笔费用已开票或已付款，不能再调整金额。"))
        return None

    def transition(self, to, *, actor, now, reason=""):
        _move(self, {"pending": {"approved", "rejected"}}, to, actor, now, reason, None)
        self.decided_by_id, self.decided_at = getattr(actor, "id", None), now
        self.decision_reason = (reason or "")[:500]


class InvoiceRequest(Guarded, TimestampMixin, db.Model):
    """开票申请: 发票抬头, 纳税人识别号, 普票/专票, where to send it, and the charges it covers."""

    __tablename__ = "invoice_requests"
    guarded_actions = {"issue": {"staff": ("requested",)}}

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False, index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False, index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    tax_no: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(10), nullable=False, default="requested")
    invoice_no: Mapped[str | None] = mapped_column(sa.String(40))
    issued_on: Mapped[date | None] = mapped_column(sa.Date)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    institution = relationship(Organization, foreign_keys=[institution_id], lazy="joined", innerjoin=True)
    organization = relationship(Organization, foreign_keys=[organization_id], lazy="joined", innerjoin=True)
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    charges = relationship(Charge, back_populates="invoice_request", order_by=Charge.id)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint("kind IN ('normal', 'special')", name="kind"),
        sa.CheckConstraint("status IN ('requested', 'issued')", name="status"),
    )

    @property
    def total(self):
        return sum((c.amount for c in self.charges), Decimal("0.00"))

    @property
    def voucher_total(self):
        return sum((c.voucher_amount for c in self.charges), Decimal("0.00"))

    @property
    def net_total(self):
        return self.total - self.voucher_total

    def is_staff(self, actor):
        return actor is not None and actor.is_staff_of(self.institution_id)

    def not_now(self, action, actor, now):
        if action == "issue" and not self.charges:
            return InvalidTransition(_l("该申请中的费用均已免收，无需开票。"))
        return None

    def transition(self, to, *, actor, now, reason=""):
        _move(self, {"requested": {"issued"}}, to, actor, now, reason, "invoice_issued")
        self.updated_at = now
