"""Pilot projects (试点) and each district's yearly statistics table (附件4).

A district creates its pilots for a year, links the institutions that serve in each and fills
the manual columns; 服务次数 and 服务市场主体数量 are computed from the records. The district
submits the year's table (draft → submitted); the city accepts it or returns it with a comment.
A submitted or accepted table is read-only until returned.
"""
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import audit
from .base import TimestampMixin, UTCDateTime, db
from .errors import InvalidTransition
from .organization import District, Organization

pilot_institutions = sa.Table(
    "pilot_institutions", db.metadata,
    sa.Column("pilot_id", sa.ForeignKey("pilots.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("institution_id", sa.ForeignKey("organizations.id"), primary_key=True),
)

TABLE_STATES = ("draft", "submitted", "returned", "accepted")
TABLE_TRANSITIONS = {"draft": {"submitted"}, "returned": {"submitted"}, "submitted": {"accepted", "returned"}}
EDITABLE = ("draft", "returned")


class Pilot(TimestampMixin, db.Model):
    __tablename__ = "pilots"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    district_code: Mapped[str] = mapped_column(sa.ForeignKey("districts.code"), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    basic_info: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    funds_wan: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    expert_person_times: Mapped[int | None] = mapped_column(sa.Integer)
    # None = use what the records propose; text = what the district wrote instead.
    main_content: Mapped[str | None] = mapped_column(sa.String(200))
    main_industries: Mapped[str | None] = mapped_column(sa.String(200))
    pass_rate_improvement: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    profit_increase_wan: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    new_jobs: Mapped[int | None] = mapped_column(sa.Integer)
    quality_effect: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    other_effects: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")

    district = relationship(District, lazy="joined")
    institutions = relationship(Organization, secondary=pilot_institutions, order_by=Organization.name)

    __table_args__ = (sa.Index("ix_pilots_year_district", "year", "district_code"),)


class PilotTable(db.Model):
    """One district's table for one year: its submission state and the city's review."""

    __tablename__ = "pilot_tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    district_code: Mapped[str] = mapped_column(sa.ForeignKey("districts.code"), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(10), nullable=False, default="draft")
    submitted_at = mapped_column(UTCDateTime)
    reviewed_at = mapped_column(UTCDateTime)
    review_comment: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    district = relationship(District, lazy="joined")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (sa.UniqueConstraint("year", "district_code", name="uq_pilot_tables_year_district"),)

    @property
    def editable(self):
        return self.status in EDITABLE

    def transition(self, to, *, actor, now, reason=""):
        if to not in TABLE_TRANSITIONS.get(self.status, ()):
            raise InvalidTransition()
        before, self.status = self.status, to
        audit.record(self, to, actor=actor, at=now, from_state=before, to_state=to, reason=reason)
