"""A spreadsheet import waiting for confirmation: its validated rows and every problem found."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db

BATCH_STATES = ("validated", "invalid", "imported")


class ImportBatch(db.Model):
    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False, index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False)
    filename: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    status: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    rows = mapped_column(sa.JSON, nullable=False)
    errors = mapped_column(sa.JSON, nullable=False)
    error_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    create_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    update_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    imported_at = mapped_column(UTCDateTime)
