"""Closures from an institution's .ics file: every event checked, its repetitions expanded within bounds.

A file is refused (422) before expanding when an event is broken (an unreadable date, an end before its
start, a negative or over-long duration) or repeats more often than hourly, or every 0 periods. The
expansion stops at the horizon or past the maximum count, within a time budget: an impossible rule
(every day of the 31st of February) would otherwise have the library search up to the year 9999.
"""
import contextlib
import ctypes
import threading
import time
from datetime import UTC, date, datetime, timedelta

import recurring_ical_events
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import Calendar

from models.errors import PayloadTooLarge, ValidationError
from models.timeutil import SHANGHAI, at_local

IMPORT_HORIZON_DAYS = 365
IMPORT_MAX_EVENTS = 500
LONGEST_CLOSURE = timedelta(days=366)
EXPANSION_SECONDS = 0.5  # of CPU time
SUB_HOURLY = {"SECONDLY", "MINUTELY"}


def refuse(message):
    raise ValidationError(fields={"file": message})


def parse_closures(data, now, max_bytes):
    """Occurrences [(start, end, summary)] in the next year; RRULE/EXDATE/RDATE expanded."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(_l("日历文件不能超过 %(kb)s KB。", kb=max_bytes // 1024))
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError):
        refuse(_l("无法读取该文件，请上传有效的 iCalendar（.ics）文件。"))
    events = calendar.walk("VEVENT")
    if not events:
        refuse(_l("文件中没有日程（VEVENT）。"))
    if len(events) > IMPORT_MAX_EVENTS:
        refuse(_l("一年内的停机超过 %(n)s 次，请拆分文件。", n=IMPORT_MAX_EVENTS))
    for event in events:
        check_event(event)
    occurrences = expand(calendar, now)
    if not occurrences:
        refuse(_l("文件中没有今后一年内的日程。"))
    return occurrences


def check_event(event):
    summary = str(event.get("SUMMARY", "") or _("未命名日程"))
    if event.errors:
        refuse(_l("日程“%(s)s”的 %(prop)s 无法解析（%(why)s）。", s=summary, prop=event.errors[0][0],
                  why=event.errors[0][1]))
    start = event.get("DTSTART")
    if start is None:
        refuse(_l("日程“%(s)s”缺少开始时间（DTSTART）。", s=summary))
    length = _length(event, start.dt)
    if length is None and isinstance(start.dt, datetime):
        refuse(_l("日程“%(s)s”缺少结束时间（DTEND）。", s=summary))
    if length is not None and length <= timedelta(0):
        refuse(_l("日程“%(s)s”的结束时间不晚于开始时间。", s=summary))
    if length is not None and length > LONGEST_CLOSURE:
        refuse(_l("日程“%(s)s”长于一年，请核对结束时间或时长。", s=summary))
    for rule in _rules(event):
        check_rule(rule, summary)


def _length(event, start):
    if event.get("DTEND") is not None:
        end = event["DTEND"].dt
        if isinstance(start, datetime) != isinstance(end, datetime):
            refuse(_l("日程的开始和结束应同为日期或同为时间。"))
        return _instant(end) - _instant(start)
    if event.get("DURATION") is not None:
        return event["DURATION"].dt
    return None


def _rules(event):
    rules = event.get("RRULE")
    if rules is None:
        return []
    return rules if isinstance(rules, list) else [rules]


def check_rule(rule, summary):
    frequency = (rule.get("FREQ") or [""])[0]
    if frequency in SUB_HOURLY or len(rule.get("BYMINUTE", [])) > 1 or len(rule.get("BYSECOND", [])) > 1:
        refuse(_l("日程“%(s)s”重复得比每小时一次还频繁，停机不能这样导入。", s=summary))
    if any(not isinstance(n, int) or n < 1 for n in rule.get("INTERVAL", [1])):
        refuse(_l("日程“%(s)s”的重复间隔（INTERVAL）应为正整数。", s=summary))


def expand(calendar, now):
    """The occurrences ending after `now` and starting within the horizon, in start order.

    Read in windows growing from a day to the horizon, stopping as soon as there are too many: a rule
    repeating hourly stops after three weeks, not after a year of occurrences."""
    query = recurring_ical_events.of(calendar)
    found = set()
    try:
        with time_budget(EXPANSION_SECONDS):
            for start, stop in _windows(now):
                found.update(_occurrence(event) for event in query.between(start, stop))
                if len(found) > IMPORT_MAX_EVENTS:
                    refuse(_l("一年内的停机超过 %(n)s 次，请拆分文件。", n=IMPORT_MAX_EVENTS))
    except OutOfTime:
        refuse(_l("文件中的重复规则无法在时限内展开（可能永远不会发生），请简化后重试。"))
    except (ValueError, TypeError, AttributeError, KeyError, OverflowError):
        refuse(_l("文件中的重复规则无法解析。"))
    return sorted((max(start, now), end, summary) for start, end, summary in found if end > now)


def _windows(now):
    horizon, start, length = now + timedelta(days=IMPORT_HORIZON_DAYS), now, timedelta(days=1)
    while start < horizon:
        stop = min(start + length, horizon)
        yield start, stop
        start, length = stop, length * 4


def _occurrence(event):
    start = _instant(event["DTSTART"].dt)
    end = _instant(event["DTEND"].dt if "DTEND" in event else event["DTSTART"].dt + event["DURATION"].dt)
    return start, end, str(event.get("SUMMARY", ""))[:200]


def _instant(value):
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=SHANGHAI)).astimezone(UTC)
    if isinstance(value, date):
        return at_local(value)
    raise ValueError(value)


class OutOfTime(Exception):
    pass


@contextlib.contextmanager
def time_budget(cpu_seconds, wall_seconds=5.0):
    """Raise OutOfTime in this thread once it has used `cpu_seconds` of CPU (CPU, not wall time: a busy
    machine slows the answer, not the verdict), or after `wall_seconds` whatever happens.

    A watchdog thread measures and, when the budget is spent, raises the exception asynchronously in
    the expanding thread (pure-Python code, so it stops at its next bytecode), and again every 20 ms
    until the block ends: an exception that lands in a callback Python runs on the side (a weakref's,
    a finalizer) is ignored there. Costs nothing while the budget lasts, unlike tracing every call."""
    target, state, lock = threading.get_ident(), {"finished": False}, threading.Lock()
    clock = time.pthread_getcpuclockid(target)
    cpu_deadline, wall_deadline = time.clock_gettime(clock) + cpu_seconds, time.monotonic() + wall_seconds
    stop = threading.Event()

    def watch():
        while not stop.wait(0.02):
            if time.clock_gettime(clock) > cpu_deadline or time.monotonic() > wall_deadline:
                with lock:
                    if state["finished"]:
                        return
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target),
                                                               ctypes.py_object(OutOfTime))

    watchdog = threading.Thread(target=watch, name="ics-time-budget", daemon=True)
    watchdog.start()
    try:
        yield
    finally:
        _disarm(target, state, lock)
        stop.set()
        watchdog.join()


def _disarm(target, state, lock):
    """End the budget: no exception raised after this, and none left pending (one may arrive while this
    runs — the budget was spent anyway, and whatever ends the block is already on its way)."""
    while True:
        try:
            with lock:
                state["finished"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)  # clears a pending one
            return
        except OutOfTime:
            continue
