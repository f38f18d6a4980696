"""The working-day calendar: seeding from the `holidays` package and the city bureau's edits."""
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import audit, db
from models.errors import Forbidden, ValidationError
from models.workday import DAY_KINDS, CalendarDay


def official_days(years):
    """{date: (kind, name)} for China's public holidays and weekend working days (调休)."""
    import holidays

    days = {}
    for year in years:
        calendar = holidays.China(years=year, language="zh_CN")
        for day, name in calendar.items():
            days[day] = ("holiday", name)
        for day in calendar.weekend_workdays:
            if day.year == year:
                days[day] = ("workday", "调休上班")
    return days


def sync(years):
    """Add the package's days for these years; days the city bureau entered by hand are kept."""
    known = {row.day: row for row in db.session.scalars(sa.select(CalendarDay).where(
        CalendarDay.day.between(date(min(years), 1, 1), date(max(years), 12, 31))))}
    added = 0
    for day, (kind, name) in sorted(official_days(years).items()):
        if day not in known:
            db.session.add(CalendarDay(day=day, kind=kind, name=name[:100], source="holidays"))
            added += 1
    return added


def require_city(actor):
    if actor is None or not actor.is_city:
        raise Forbidden(_l("节假日日历由市局维护。"))


def set_day(actor, day, kind, name, now):
    require_city(actor)
    if kind not in DAY_KINDS:
        raise ValidationError(fields={"kind": _l("请选择“法定节假日”或“调休上班日”。")})
    if kind == "workday" and day.isoweekday() < 6:
        raise ValidationError(fields={"day": _l("调休上班日应为周六或周日。")})
    row = db.session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(day=day)
        db.session.add(row)
    before = row.kind
    row.kind, row.name, row.source = kind, (name or "")[:100], "manual"
    db.session.flush()
    audit.record(_Day(day), "calendar_day_set", actor=actor, at=now, from_state=before, to_state=kind,
                 reason=name or "")
    return row


def remove_day(actor, day, now):
    require_city(actor)
    row = db.session.get(CalendarDay, day)
    if row is None:
        return
    audit.record(_Day(day), "calendar_day_removed", actor=actor, at=now, from_state=row.kind)
    db.session.delete(row)


class _Day:
    """Lets a calendar day appear in the audit trail (object id = yyyymmdd)."""

    __tablename__ = "calendar_days"

    def __init__(self, day):
        self.id = int(day.strftime("%Y%m%d"))


def days_of_year(year):
    return db.session.scalars(sa.select(CalendarDay).where(
        CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))).order_by(CalendarDay.day)).all()
