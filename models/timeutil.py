"""Time in the domain: stored in UTC, shown and accepted in Asia/Shanghai."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(dt):
    """The Shanghai wall-clock view of an aware instant."""
    return dt.astimezone(SHANGHAI)


def local_today(now):
    return local(now).date()


def at_local(day, minute_of_day=0):
    """The instant of `minute_of_day` (may be 1440) on a Shanghai calendar day, in UTC."""
    midnight = datetime.combine(day, time(0), tzinfo=SHANGHAI)
    return (midnight + timedelta(minutes=minute_of_day)).astimezone(UTC)


def day_start(day):
    return at_local(day, 0)


def day_end(day):
    """The first instant after `day` (half-open end)."""
    return at_local(day + timedelta(days=1), 0)


def year_bounds(year):
    return day_start(date(year, 1, 1)), day_start(date(year + 1, 1, 1))


def days_between(first, last):
    """Every calendar day from first to last inclusive."""
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def parse_instant(text):
    """ISO 8601 text to an aware UTC instant; a time without offset means Shanghai.

    Raises ValueError for anything that is not an ISO 8601 date-time.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("empty")
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(UTC)


def iso_local(dt):
    """An instant as ISO 8601 with the +08:00 offset (the API's response form)."""
    if dt is None:
        return None
    return local(dt).isoformat(timespec="seconds")


def minutes_of_day(dt):
    """Minutes since local midnight of an aware instant."""
    lt = local(dt)
    return lt.hour * 60 + lt.minute


def hours(delta):
    return delta.total_seconds() / 3600
