"""Recurring bookings (重复预约): a rule that makes ordinary bookings, each obeying every rule by itself.

Each occurrence goes through services.book() in a savepoint of its own: one that fails a rule is
undone whole and reported with its error code, never half-written, and the others stand. A dry run
does the same and then undoes everything, so the preview is exactly what booking would do (the
per-organisation limit counting earlier occurrences, a daily series of long bookings meeting
itself). The series is announced once, not once per occurrence.
"""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from models import audit, db
from models.booking import BOOKED
from models.errors import DomainError, Forbidden, InvalidTransition, ValidationError
from models.series import DAYS_PER_STEP, FEWEST, INTERVALS, MOST, BookingSeries, occurrences
from models.timeutil import local

from ..notify.services import notify, notify_organization
from ..waitlist.offers import offer_freed_time
from . import services

EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


@dataclass(frozen=True)
class Repeat:
    freq: str
    every: int
    count: int | None = None
    until: date | None = None


@dataclass(frozen=True)
class Skipped:
    start: object
    end: object
    code: str
    message: str


@dataclass(frozen=True)
class Planned:
    """An occurrence that was booked (booking) or, in a dry run, would be."""

    start: object
    end: object
    status: str
    price_amount: object
    booking: object = None


@dataclass
class Outcome:
    series: BookingSeries | None
    created: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


def _whole_number(value):
    return isinstance(value, int) and not isinstance(value, bool)


def read_repeat(data):
    """{"freq", "interval", "count"? | "until"?} as sent (JSON types, or the web form's), or one
    ValidationError naming each field under "repeat."."""
    data = data if isinstance(data, dict) else {}
    errors, until = {}, None
    freq, every, count = data.get("freq"), data.get("interval"), data.get("count")
    if freq not in DAYS_PER_STEP:
        errors["repeat.freq"] = _l("重复方式应为 daily（每天）或 weekly（每周）。")
    if not _whole_number(every) or every not in INTERVALS:
        errors["repeat.interval"] = _l("重复间隔应为 1 到 4 的整数。")
    if (count is None) == (data.get("until") in (None, "")):
        errors["repeat.count"] = _l("请填写重复次数，或填写截止日期（二选一）。")
    elif count is not None and (not _whole_number(count) or not FEWEST <= count <= MOST):
        errors["repeat.count"] = _l("重复次数应为 %(a)s 到 %(b)s 的整数。", a=FEWEST, b=MOST)
    elif count is None:
        until = read_date(data["until"])
        if until is None:
            errors["repeat.until"] = _l("截止日期格式应为 YYYY-MM-DD。")
    if errors:
        raise ValidationError(fields=errors)
    return Repeat(freq, every, count, until)


def read_date(text):
    """A YYYY-MM-DD date between 2000 and 2099 as sent, or None."""
    try:
        day = date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return day if day is not None and EARLIEST <= day <= LATEST else None


def plan(start, end, repeat):
    """The rule's occurrences, or a ValidationError when it asks for fewer than 2 or more than 52."""
    if start >= end:
        raise ValidationError(fields={"end": _l("结束时间应晚于开始时间。")})
    if repeat.until is not None and repeat.until < local(start).date():
        raise ValidationError(fields={"repeat.until": _l("截止日期不能早于第一次预约的日期。")})
    found = occurrences(start, end, repeat.freq, repeat.every, repeat.count, repeat.until)
    if len(found) < FEWEST:
        raise ValidationError(fields={"repeat.until": _l("到截止日期只有一次，不构成重复预约；请直接预约或推后截止日期。")})
    if len(found) > MOST:
        raise ValidationError(fields={"repeat.until": _l("重复预约最多 %(n)s 次，请提前截止日期或加大间隔。", n=MOST)})
    return found


def book_series(actor, instrument, start, end, repeat, now, *, purpose="", service_mode=None, organization=None,
                dry_run=False):
    """Book every occurrence that passes every rule; report the others. Nothing is kept in a dry run,
    and a real run in which no occurrence can be booked refuses with the first occurrence's error."""
    found = plan(start, end, repeat)
    everything = db.session.begin_nested()
    series = _new_series(actor, instrument, start, end, repeat, organization, now)
    outcome = Outcome(None if dry_run else series)
    first_error = None
    for s, e in found:
        try:
            with db.session.begin_nested():
                booking = services.book(actor, instrument, s, e, now, purpose=purpose, service_mode=service_mode,
                                        organization=organization, series=series)
        except DomainError as error:
            first_error = first_error or error
            outcome.skipped.append(Skipped(s, e, error.code, " ".join(
                [str(error.message)] + [str(why) for why in error.fields.values()])))
            continue
        outcome.created.append(Planned(s, e, booking.status, booking.price_amount, None if dry_run else booking))
    if dry_run or not outcome.created:
        everything.rollback()
        if not dry_run:
            raise first_error
        return outcome
    everything.commit()
    audit.record(series, "created", actor=actor, at=now,
                 details={"created": [p.booking.id for p in outcome.created], "skipped": len(outcome.skipped)})
    _announce(series, outcome)
    return outcome


def _new_series(actor, instrument, start, end, repeat, organization, now):
    customer = organization if organization is not None else actor.organization
    series = BookingSeries(instrument=instrument, organization=customer, created_by=actor, freq=repeat.freq,
                           every=repeat.every, count=repeat.count, until=repeat.until, start_at=start, end_at=end,
                           created_at=now, updated_at=now)
    db.session.add(series)
    db.session.flush()
    return series


def _announce(series, outcome):
    """One notification to each side for the whole series."""
    first = outcome.created[0].booking
    payload = {"series_id": series.id, "instrument": series.instrument.name, "organization": series.organization.name,
               "start": local(first.start_at).strftime("%Y-%m-%d %H:%M"), "created": len(outcome.created),
               "skipped": len(outcome.skipped)}
    if first.staff_booked:
        notify_organization(series.organization_id, "series_made_for_you", **payload)
        return
    notify_organization(series.instrument.institution_id,
                                 "series_requested" if first.status == "pending" else "series_created", **payload)
    notify(series.created_by, "series_received" if first.status == "pending" else "series_confirmed",
                    **payload)


def cancel_series(actor, series, reason, now, since=None):
    """Cancel the occurrences still booked that start on or after the local date `since` (all of them
    when None); one that has begun is left to the institution. Returns the cancelled bookings."""
    if not (series.is_customer(actor) or series.is_staff(actor)):
        raise Forbidden()
    chosen = [b for b in series.bookings
              if b.status in BOOKED and (since is None or local(b.start_at).date() >= since)]
    cancelled = [b for b in chosen if b.can("cancel", actor, now)]
    if not cancelled:
        raise InvalidTransition(_l("该重复预约在所选日期之后没有可以取消的预约。"))
    for booking in cancelled:
        services.withdraw(actor, booking, reason, now)
    payload = {"series_id": series.id, "instrument": series.instrument.name, "organization": series.organization.name,
               "start": local(cancelled[0].start_at).strftime("%Y-%m-%d %H:%M"), "cancelled": len(cancelled),
               "reason": reason or ""}
    if series.is_staff(actor):
        notify_organization(series.organization_id, "series_cancelled_by_institution", **payload)
    else:
        notify_organization(series.instrument.institution_id, "series_cancelled", **payload)
    offer_freed_time(series.instrument, now)
    return cancelled
