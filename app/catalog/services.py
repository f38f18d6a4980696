"""Publishing instruments: records, opening hours and closures, each change audited.

Input arrives validated by InstrumentForm (shape, lengths, numbers); the rules that need the
database (the category exists, 内部编码 is unique in the institution) are checked here, so the
web, the API and the spreadsheet import apply exactly the same ones.
"""
import re
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import audit, db
from models.booking import Booking
from models.errors import BookingsAffected, ValidationError
from models.instrument import CLOSURE_KINDS, DEFAULT_RULES, Category, Closure, Instrument, OpeningHours
from models.occupancy import active_holds
from models.timeutil import local

from ..policy import require_publisher
from ..stats.changes import EVER, mark_stale
from ..waitlist.offers import offer_freed_time

# (path in the API/form payload, model attribute): one map for reading and writing a record.
FIELDS = [((name,), name) for name in (
    "name", "name_en", "internal_code", "model", "manufacturer", "country_of_origin",
    "original_value_wan", "commissioned_on", "category_code", "location", "specs", "functions",
    "service_content", "sharing_rules", "hourly_rate", "sme_discount_percent", "open_on_holidays",
    "status")]
FIELDS += [(("contact", key), f"contact_{key}") for key in ("name", "phone", "email")]
FIELDS += [(("metrology", key), attr) for key, attr in (
    ("measurement_range", "measurement_range"), ("accuracy", "accuracy"), ("traceability", "traceability"),
    ("certificate_no", "certificate_no"), ("certified_on", "certified_on"),
    ("valid_until", "calibration_valid_until"), ("certifying_body", "certifying_body"))]
FIELDS += [(("rules", name), name) for name in DEFAULT_RULES]
NRII_FIELDS = ("ownership_type", "acquisition", "customs_supervised", "usage_type", "subject_area", "achievements",
               "funding_source", "share_mode", "service_url", "postcode")
FIELDS += [(("nrii", name), name) for name in NRII_FIELDS]
NULLABLE = {"internal_code", "original_value_wan", "commissioned_on", "traceability", "certified_on",
            "calibration_valid_until"}


def category_codes():
    return set(db.session.scalars(sa.select(Category.code)))


def domain_errors(data, institution_id, instrument_id=None, known_categories=None, taken_codes=None):
    """Field errors that need the database. `known_categories`/`taken_codes` may be preloaded."""
    errors = {}
    known = known_categories if known_categories is not None else category_codes()
    if data.get("category_code") and data["category_code"] not in known:
        errors["category_code"] = _l("分类编码“%(code)s”不存在，请从分类列表中选择。", code=data["category_code"])
    code = data.get("internal_code")
    if code:
        if taken_codes is not None:
            clash = taken_codes.get(code) not in (None, instrument_id)
        else:
            clash = db.session.scalar(sa.select(Instrument.id).where(
                Instrument.institution_id == institution_id, Instrument.internal_code == code,
                Instrument.id != (instrument_id or 0))) is not None
        if clash:
            errors["internal_code"] = _l("内部编码“%(code)s”已被本机构的其他仪器使用。", code=code)
    return errors


def _stored(attr, value):
    if attr in NULLABLE:
        return None if value in ("", None) else value
    if attr in ("hourly_rate", "sme_discount_percent"):
        return Decimal(0) if value is None else value
    if attr in ("open_on_holidays", "customs_supervised"):
        return bool(value)
    return "" if value is None else value


def planned_changes(instrument, data):
    """[(attribute, current value, new value)] that writing validated form data would make; nothing changes.

    The import's preview and its confirmation both read it, so the counts they show are the same."""
    planned = []
    for path, attr in FIELDS:
        value = data
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None and path[0] == "rules":
            continue  # an empty rule keeps its current (or default) value
        value = _stored(attr, value)
        if getattr(instrument, attr) != value:
            planned.append((attr, getattr(instrument, attr), value))
    if "service_modes" in data and set(data["service_modes"] or []) != set(instrument.service_modes):
        planned.append(("service_modes", instrument.service_modes, list(data["service_modes"] or [])))
    return planned


def _apply(instrument, data):
    """Copy validated form data onto the model; returns the names of the fields that changed."""
    planned = planned_changes(instrument, data)
    for attr, _current, value in planned:
        setattr(instrument, attr, value)  # service_modes is a property that sets the offers_* flags
    return [attr for attr, *_ in planned]


def editable_payload(instrument=None, as_json=True):
    """The record as the API and the forms write it; a new instrument's defaults when None.

    as_json=False keeps dates and decimals as Python values (to fill a web form).
    """
    source = instrument or Instrument(**DEFAULT_RULES, status="active", open_on_holidays=False,
                                      hourly_rate=Decimal(0), sme_discount_percent=Decimal(0),
                                      **{name: "" for name in NRII_FIELDS if name != "customs_supervised"},
                                      customs_supervised=False)
    payload = {"contact": {}, "metrology": {}, "rules": {}, "nrii": {}}
    for path, attr in FIELDS:
        value = getattr(source, attr)
        if as_json and isinstance(value, Decimal):
            value = str(value)
        elif as_json and isinstance(value, date):
            value = value.isoformat()
        target = payload if len(path) == 1 else payload[path[0]]
        target[path[-1]] = value
    payload["service_modes"] = source.service_modes if instrument else ["self_operated"]
    return payload


def merged(base, changes):
    """`changes` laid over `base`, nested objects merged key by key (JSON merge-patch style)."""
    out = dict(base)
    for key, value in (changes or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def create_instrument(actor, data, now):
    require_publisher(actor)
    errors = domain_errors(data, actor.organization_id)
    if errors:
        raise ValidationError(fields=errors)
    instrument = Instrument(institution_id=actor.organization_id, created_at=now, updated_at=now)
    _apply(instrument, data)
    db.session.add(instrument)
    db.session.flush()
    audit.record(instrument, "created", actor=actor, at=now, to_state=instrument.status)
    return instrument


def update_instrument(actor, instrument, data, now):
    require_publisher(actor, instrument.institution_id)
    errors = domain_errors(data, instrument.institution_id, instrument.id)
    if errors:
        raise ValidationError(fields=errors)
    before = instrument.status
    changed = _apply(instrument, data)
    if changed:
        instrument.updated_at = now
        audit.record(instrument, "updated", actor=actor, at=now, from_state=before,
                     to_state=instrument.status, details={"changed": sorted(changed)})
    return changed


def set_status(actor, instrument, status, now, reason=""):
    require_publisher(actor, instrument.institution_id)
    if instrument.status == status:
        return
    before, instrument.status, instrument.updated_at = instrument.status, status, now
    audit.record(instrument, "status", actor=actor, at=now, from_state=before, to_state=status, reason=reason)


# Opening hours ----------------------------------------------------------------------------

TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def _minute(text, allow_24=False):
    match = TIME.match((text or "").strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if minute > 59 or hour > 24 or (hour == 24 and (minute or not allow_24)):
        return None
    return hour * 60 + minute


def parse_hours(items):
    """[{weekday, start, end}] → sorted [(weekday, start_minute, end_minute)], or ValidationError."""
    if not isinstance(items, list):
        raise ValidationError(fields={"hours": _l("应为开放时段的列表。")})
    spans, errors = [], {}
    for index, item in enumerate(items):
        where = f"hours.{index}"
        if not isinstance(item, dict):
            errors[where] = _l("每个时段应包含 weekday、start、end。")
            continue
        weekday = item.get("weekday")
        start, end = _minute(item.get("start")), _minute(item.get("end"), allow_24=True)
        if not isinstance(weekday, int) or isinstance(weekday, bool) or not 1 <= weekday <= 7:
            errors[f"{where}.weekday"] = _l("星期应为 1（周一）到 7（周日）。")
        elif start is None or end is None:
            errors[f"{where}.start"] = _l("时间格式应为 HH:MM（结束可为 24:00）。")
        elif start >= end:
            errors[f"{where}.end"] = _l("结束时间应晚于开始时间。")
        else:
            spans.append((weekday, start, end))
    spans.sort()
    for (day_a, _sa, end_a), (day_b, start_b, _eb) in zip(spans, spans[1:], strict=False):
        if day_a == day_b and start_b < end_a:
            errors.setdefault("hours", _l("同一天的开放时段不能重叠。"))
    if errors:
        raise ValidationError(fields=errors)
    return spans


def parse_week_texts(texts):
    """The web page's seven texts ("09:00-12:00, 13:00-17:00") → parse_hours()."""
    items, errors = [], {}
    for weekday, text in texts.items():
        for piece in filter(None, (p.strip() for p in re.split(r"[,，;；\s]+(?=\d)", text or ""))):
            start, _, end = piece.replace("—", "-").replace("～", "-").replace("~", "-").partition("-")
            if not end:
                errors[f"day{weekday}"] = _l("请按“09:00-12:00, 13:00-17:00”的格式填写。")
                break
            items.append({"weekday": weekday, "start": start.strip(), "end": end.strip()})
    if errors:
        raise ValidationError(fields=errors)
    try:
        return parse_hours(items)
    except ValidationError as error:
        raise ValidationError(fields={f"day{_day_of(items, key)}": why for key, why in error.fields.items()}) from None


def _day_of(items, key):
    parts = key.split(".")
    if len(parts) > 1 and parts[1].isdigit():
        return items[int(parts[1])]["weekday"]
    return 1


def _replace_hours(owner_column, owner_id, spans):
    # Open hours of every past day follow the week: those days' snapshots no longer hold.
    institution = owner_id if owner_column is OpeningHours.institution_id else db.session.get(Instrument, owner_id)
    mark_stale(db.session, institution, EVER, date.max)
    db.session.execute(sa.delete(OpeningHours).where(owner_column == owner_id))
    for weekday, start, end in spans:
        db.session.add(OpeningHours(weekday=weekday, start_minute=start, end_minute=end,
                                    **{owner_column.key: owner_id}))


def set_instrument_hours(actor, instrument, spans, now):
    """Give the instrument its own week, or (spans=None) follow the institution's default."""
    require_publisher(actor, instrument.institution_id)
    if spans is None:
        mark_stale(db.session, instrument, EVER, date.max)
        db.session.execute(sa.delete(OpeningHours).where(OpeningHours.instrument_id == instrument.id))
        instrument.custom_hours = False
    else:
        _replace_hours(OpeningHours.instrument_id, instrument.id, spans)
        instrument.custom_hours = True
    audit.record(instrument, "opening_hours", actor=actor, at=now,
                 details={"hours": None if spans is None else [list(s) for s in spans]})


def set_institution_hours(actor, institution, spans, now):
    require_publisher(actor, institution.id)
    _replace_hours(OpeningHours.institution_id, institution.id, spans)
    audit.record(institution, "opening_hours", actor=actor, at=now, details={"hours": [list(s) for s in spans]})


# Closures --------------------------------------------------------------------------------

UNKNOWN_KIND = _l("停机类型应为 maintenance、calibration、internal_use 或 other。")


def check_closure_kind(kind):
    if kind not in CLOSURE_KINDS:
        raise ValidationError(fields={"kind": UNKNOWN_KIND})


def closure_errors(start, end, kind, reason):
    """What is wrong with a closure; its times arrive parsed (formtools.read_instants)."""
    errors = {}
    if start >= end:
        errors["end"] = _l("结束时间应晚于开始时间。")
    if kind not in CLOSURE_KINDS:
        errors["kind"] = UNKNOWN_KIND
    if reason is not None and len(reason) > 200:
        errors["reason"] = _l("最多 %(max)d 个字。", max=200)
    return errors


def bookings_under(instrument, spans):
    """The active bookings that closures over `spans` [(start, end), ...] would cover, earliest first."""
    holds = {hold.id for start, end in spans for hold in active_holds(instrument.id, start, end)
             if hold.kind == "booking"}
    if not holds:
        return []
    return db.session.scalars(sa.select(Booking).where(Booking.occupancy_id.in_(holds))
                              .order_by(Booking.start_at, Booking.id)).all()


def refuse_closures_over_bookings(instrument, spans):
    """A closure may not silently swallow bookings: the customer is told and the booking cancelled first
    (booking/closures.py does both when the institution asks). Every way of adding closures (one by one,
    or imported from a calendar) calls this; the refusal names the bookings."""
    covered = bookings_under(instrument, spans)
    if covered:
        raise BookingsAffected(covered, _l(
            "停机时段与 %(n)s 个有效预约冲突（最早 %(t)s 开始）。请先与企业沟通，或选择“取消这些预约并通知企业”并填写原因。",
            n=len(covered), t=local(covered[0].start_at).strftime("%Y-%m-%d %H:%M")))


def add_closure(actor, instrument, start, end, kind, reason, now, source="manual"):
    require_publisher(actor, instrument.institution_id)
    errors = closure_errors(start, end, kind, reason)
    if errors:
        raise ValidationError(fields=errors)
    refuse_closures_over_bookings(instrument, [(start, end)])
    closure = Closure(instrument_id=instrument.id, start_at=start, end_at=end, kind=kind,
                      reason=reason or "", source=source, created_by_id=actor.id, created_at=now)
    db.session.add(closure)
    db.session.flush()
    audit.record(instrument, "closure_added", actor=actor, at=now, reason=reason or "",
                 details={"closure_id": closure.id, "kind": kind, "start": start.isoformat(),
                          "end": end.isoformat()})
    return closure


def remove_closure(actor, closure, now):
    """The time is open again: the waitlist hears of it in the same transaction."""
    instrument = closure.instrument
    require_publisher(actor, instrument.institution_id)
    audit.record(instrument, "closure_removed", actor=actor, at=now,
                 details={"closure_id": closure.id, "kind": closure.kind,
                          "start": closure.start_at.isoformat(), "end": closure.end_at.isoformat()})
    db.session.delete(closure)
    db.session.flush()
    offer_freed_time(instrument, now)
