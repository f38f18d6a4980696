"""The Chinese working-day calendar: public holidays and 调休 make-up working days.

Seeded from the `holidays` package by a migration; the city bureau edits it when the State
Council announces next year's arrangement (usually in November).
"""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from . import rarely_changed
from .base import db

DAY_KINDS = ("holiday", "workday")


class CalendarDay(db.Model):
    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    source: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="holidays")

    __table_args__ = (sa.CheckConstraint("kind IN ('holiday', 'workday')", name="kind"),)


def special_days(first, last):
    """{date: 'holiday' | 'workday'} for days between first and last inclusive, from this process's copy of
    the calendar (a few hundred rows; models/rarely_changed.py keeps it current)."""
    copies = rarely_changed.current()
    if copies.calendar is None:
        copies.calendar = dict(db.session.execute(sa.select(CalendarDay.day, CalendarDay.kind)).all())
    return {day: kind for day, kind in copies.calendar.items() if first <= day <= last}
