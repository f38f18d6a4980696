"""The conversation on a service order: messages between the two parties, with attached files.

Attachments are stored outside the web root under a random name (like reports) and served only to
the parties, always as downloads. Their type was read from their content when they were uploaded.
"""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db

BODY_MAX = 2000


class OrderMessage(db.Model):
    __tablename__ = "order_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("service_orders.id"), nullable=False)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    created_at = mapped_column(UTCDateTime, nullable=False)

    author = relationship("User", lazy="joined")
    attachments = relationship("OrderAttachment", order_by="OrderAttachment.id", back_populates="message",
                               lazy="selectin")

    __table_args__ = (sa.Index("ix_order_messages_order", "order_id", "created_at"),)


class OrderAttachment(db.Model):
    __tablename__ = "order_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("order_messages.id"), nullable=False, index=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("service_orders.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    stored_name: Mapped[str] = mapped_column(sa.String(80), nullable=False, unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    size: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    message = relationship(OrderMessage, back_populates="attachments")
