"""Service orders (委托订单): 代检代测 (test_by_proxy) and 实验外包 (outsourced_testing).

submitted → quoted | rejected | cancelled
quoted → accepted | declined | expired | cancelled
accepted → sample_received | cancelled
sample_received → testing | cancelled
testing → report_issued | cancelled
report_issued → completed

The enterprise may cancel until the sample is received; the institution, with a reason,
until the report is issued. ServiceOrder.transition() is the only way the state changes.
A report, once issued, may be reissued with a reason (a new OrderReport version); the order keeps the
first issue time (the statistics count the order once, when its report was first issued) and the
newest version's number and file. ACTIONS names what each party may do and from which states; models/guards.py reads it (403 may
never, 409 not now) for the services, the buttons and the API's `actions` list.
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
from .instrument import Instrument
from .organization import Organization
from .timeutil import local_today

KINDS = ("test_by_proxy", "outsourced_testing")
DISPOSALS = ("return", "retain", "destroy")  # 退样 / 留样 / 销毁
STATES = ("submitted", "quoted", "accepted", "declined", "expired", "rejected", "cancelled", "sample_received",
          "testing", "report_issued", "completed")
TRANSITIONS = {
    "submitted": {"quoted", "rejected", "cancelled"},
    "quoted": {"accepted", "declined", "expired", "cancelled"},
    "accepted": {"sample_received", "cancelled"},
    "sample_received": {"testing", "cancelled"},
    "testing": {"report_issued", "cancelled"},
    "report_issued": {"completed"},
}
OPEN = ("submitted", "quoted", "accepted", "sample_received", "testing", "report_issued")
CUSTOMER_MAY_CANCEL = ("submitted", "quoted", "accepted")
INSTITUTION_MAY_CANCEL = ("submitted", "quoted", "accepted", "sample_received", "testing")
WORK_STATES = ("sample_received", "testing")
# What people do to an order: action → {party: the states it may be done from}. The web posts to
# /orders/<id>/receive_sample, the API to /api/v1/orders/<id>/receive-sample: both are these names.
ACTIONS = {
    "quote": {"staff": ("submitted",)},
    "reject": {"staff": ("submitted",)},
    "accept": {"customer": ("quoted",)},
    "decline": {"customer": ("quoted",)},
    "receive_sample": {"staff": ("accepted",)},
    "start": {"staff": ("sample_received",)},
    "report": {"staff": ("testing",)},
    "log_work": {"staff": WORK_STATES},
    "revise_report": {"staff": ("report_issued", "completed")},
    "complete": {"customer": ("report_issued",)},
    "cancel": {"customer": CUSTOMER_MAY_CANCEL, "staff": INSTITUTION_MAY_CANCEL},
    "message": {"customer": STATES, "staff": STATES},
}
# What the 409 says where the state alone is not explanation enough.
NOT_NOW = {
    "report": _l("只有检测中的委托可以出具报告；报告出具后如需更正，请填写修订原因后重新出具。"),
    "revise_report": _l("报告出具后才能修订。"),
    "log_work": _l("收样之后、出具报告之前才能登记仪器使用时间。"),
}


class ServiceOrder(Guarded, TimestampMixin, db.Model):
    __tablename__ = "service_orders"
    guarded_actions = ACTIONS

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False)
    institution_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False)
    instrument_id: Mapped[int | None] = mapped_column(sa.ForeignKey("instruments.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    description: Mapped[str] = mapped_column(sa.String(1000), nullable=False, default="")
    sample_name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    sample_model: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    sample_quantity: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    sample_unit: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    sample_disposal: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    needed_by: Mapped[date | None] = mapped_column(sa.Date)
    confidential: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="submitted")
    status_reason: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    quote_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    quote_turnaround_days: Mapped[int | None] = mapped_column(sa.Integer)
    quote_valid_until: Mapped[date | None] = mapped_column(sa.Date)
    quote_note: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    quoted_at = mapped_column(UTCDateTime)
    sample_no: Mapped[str | None] = mapped_column(sa.String(40))
    sample_received_at = mapped_column(UTCDateTime)
    testing_started_at = mapped_column(UTCDateTime)
    report_no: Mapped[str | None] = mapped_column(sa.String(50))
    report_file: Mapped[str | None] = mapped_column(sa.String(80))
    report_size: Mapped[int | None] = mapped_column(sa.Integer)
    report_issued_at = mapped_column(UTCDateTime)
    completed_at = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    organization = relationship(Organization, foreign_keys=[organization_id], lazy="joined", innerjoin=True)
    institution = relationship(Organization, foreign_keys=[institution_id], lazy="joined", innerjoin=True)
    instrument = relationship(Instrument)
    created_by = relationship("User")
    items = relationship("OrderItem", order_by="OrderItem.position", cascade="all, delete-orphan",
                         back_populates="order")
    reports = relationship("OrderReport", order_by="OrderReport.version", back_populates="order")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint("kind IN ('test_by_proxy', 'outsourced_testing')", name="kind"),
        sa.CheckConstraint("sample_quantity > 0", name="quantity"),
        sa.CheckConstraint("sample_disposal IN ('return', 'retain', 'destroy')", name="disposal"),
        sa.UniqueConstraint("institution_id", "sample_no", name="uq_service_orders_sample_no"),
        sa.UniqueConstraint("institution_id", "report_no", name="uq_service_orders_report_no"),
        sa.Index("ix_service_orders_institution_status", "institution_id", "status"),
        sa.Index("ix_service_orders_organization", "organization_id", "created_at"),
        sa.Index("ix_service_orders_report_issued", "report_issued_at"),
    )

    @property
    def number(self):
        """The 委托单号 people quote on the phone."""
        return f"WT-{self.created_at:%Y}-{self.id:06d}"

    @property
    def has_report(self):
        return self.report_file is not None

    def is_customer(self, actor):
        return actor is not None and actor.is_enterprise and actor.belongs_to(self.organization_id)

    def is_staff(self, actor):
        return actor is not None and actor.is_staff_of(self.institution_id)

    def quote_expired(self, now):
        return self.status == "quoted" and self.quote_valid_until is not None and \
            self.quote_valid_until < local_today(now)

    def wrong_state(self, action, parties):
        if action == "cancel" and "staff" not in parties:
            return InvalidTransition(_l("委托已进入检测环节，企业不能再取消；如有需要请联系机构。"))
        return InvalidTransition(NOT_NOW.get(action))

    def not_now(self, action, actor, now):
        if action == "accept" and self.quote_expired(now):
            return InvalidTransition(_l("报价已过有效期，请联系机构重新报价。"))
        return None

    def transition(self, to, *, actor, now, reason="", action=None):
        if to not in TRANSITIONS.get(self.status, ()):
            raise InvalidTransition()
        before, self.status, self.updated_at = self.status, to, now
        if reason:
            self.status_reason = reason[:500]
        audit.record(self, action or to, actor=actor, at=now, from_state=before, to_state=to, reason=reason)


class OrderItem(db.Model):
    """One test item and the standard it is tested against (检测依据, e.g. GB/T 2423.1)."""

    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("service_orders.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    standard: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")

    order = relationship(ServiceOrder, back_populates="items")


class OrderReport(db.Model):
    """One issued version of an order's report: the first, then each revision with its reason."""

    __tablename__ = "order_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("service_orders.id"), nullable=False)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    report_no: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    file: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    size: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    issued_at = mapped_column(UTCDateTime, nullable=False)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")

    order = relationship(ServiceOrder, back_populates="reports")
    issued_by = relationship("User")

    __table_args__ = (sa.UniqueConstraint("order_id", "version", name="uq_order_reports_order_version"),)


class Review(db.Model):
    """An enterprise's one review of a completed booking or order: 1 (极差) to 5 (非常满意)."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bookings.id"), unique=True)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_orders.id"), unique=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False)
    institution_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False, index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    score: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    comment: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    created_at = mapped_column(UTCDateTime, nullable=False)

    organization = relationship(Organization, foreign_keys=[organization_id])
    created_by = relationship("User")
    booking = relationship("Booking")
    order = relationship(ServiceOrder)

    __table_args__ = (
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="score"),
        sa.CheckConstraint("(booking_id IS NULL) <> (order_id IS NULL)", name="subject"),
    )
