"""Reporting units and organisations (enterprise, institution, bureau)."""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TimestampMixin, UTCDateTime, db
from .reference import DEFAULT_ENTERPRISE_TARGET, DISTRICT_LABELS, INDUSTRY_LABELS, SIZE_LABELS

ORG_KINDS = ("enterprise", "institution", "bureau")


class District(db.Model):
    """A reporting unit: one of the 16 districts, 临港新片区 (LG) or 市局机场分局 (JC)."""

    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    enterprise_target: Mapped[int] = mapped_column(
        sa.Integer, nullable=False, default=DEFAULT_ENTERPRISE_TARGET
    )

    @property
    def label(self):
        return DISTRICT_LABELS.get(self.code, self.name)


class Organization(TimestampMixin, db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    uscc: Mapped[str | None] = mapped_column(sa.String(18), unique=True)
    district_code: Mapped[str | None] = mapped_column(sa.ForeignKey("districts.code"), index=True)
    address: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    contact_name: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(30), nullable=False, default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), nullable=False, default="")
    # Enterprises
    industry: Mapped[str | None] = mapped_column(sa.String(1))
    size: Mapped[str | None] = mapped_column(sa.String(8))
    # Institutions
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    cma_no: Mapped[str | None] = mapped_column(sa.String(50))
    cma_valid_until: Mapped[date | None] = mapped_column(sa.Date)
    cnas_no: Mapped[str | None] = mapped_column(sa.String(50))
    approved: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    approved_at = mapped_column(UTCDateTime)
    # A sign-up the district turned down: why, and when (cleared when the institution applies again).
    rejected_at = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    # Where and how enterprises deliver samples (shown on an order once its quote is accepted).
    sample_address: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    sample_contact: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="")
    sample_phone: Mapped[str] = mapped_column(sa.String(30), nullable=False, default="")
    sample_instructions: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    is_demo: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)

    district = relationship(District, lazy="joined")
    users = relationship("User", back_populates="organization", foreign_keys="User.organization_id")

    __table_args__ = (
        sa.CheckConstraint("kind IN ('enterprise', 'institution', 'bureau')", name="kind"),
        sa.Index("ix_organizations_kind_approved", "kind", "approved"),
        # The public scope's approved institutions (policy._approved_institutions), 300 among 30,000 organizations.
        sa.Index("ix_organizations_approved_institutions", "id",
                 postgresql_where=sa.text("kind = 'institution' AND approved IS TRUE"),
                 sqlite_where=sa.text("kind = 'institution' AND approved IS TRUE")),
    )

    @property
    def is_enterprise(self):
        return self.kind == "enterprise"

    @property
    def is_institution(self):
        return self.kind == "institution"

    @property
    def application_status(self):
        """An institution's sign-up: pending, rejected (it may apply again) or approved."""
        if self.approved:
            return "approved"
        return "rejected" if self.rejected_at is not None else "pending"

    @property
    def is_city_bureau(self):
        return self.kind == "bureau" and self.district_code is None

    @property
    def is_sme(self):
        """An SME (中小微企业) is any enterprise whose size is not 大型 (large): it gets the SME price."""
        return self.kind == "enterprise" and self.size != "large"

    @property
    def industry_label(self):
        return INDUSTRY_LABELS.get(self.industry, "")

    @property
    def size_label(self):
        return SIZE_LABELS.get(self.size, "")

    @property
    def district_label(self):
        return self.district.label if self.district else ""

    def __repr__(self):
        return f"<Organization {self.id} {self.kind} {self.name}>"
