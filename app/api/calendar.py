"""Calendar: the feed URL and its rotation, a booking's .ics, importing closures."""
from flask import current_app, g, jsonify, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from models import db
from models.booking import Booking
from models.errors import Forbidden, PayloadTooLarge, ValidationError

from .. import clock
from ..booking import closures as closures_over_bookings
from ..calendar import services
from ..calendar.importing import parse_closures
from ..calendar.links import absolute, domain, feed_url, ics_response
from ..policy import get_in_scope, managed_instrument
from .base import actor, bp, created
from .declare import FILE, operation


def _subscriber():
    who = actor()
    if not (who.is_enterprise or who.is_institution_staff):
        raise Forbidden()
    return who


@bp.get("/calendar/feed")
@operation("日历订阅地址 · the calendar feed URL")
def calendar_feed():
    return jsonify(url=feed_url(_subscriber()))


@bp.post("/calendar/feed/rotate")
@operation("更换订阅地址 · rotate the feed URL")
def rotate_calendar_feed():
    who = _subscriber()
    services.rotate_feed(who, clock.now())
    db.session.commit()
    return jsonify(url=feed_url(who))


@bp.get("/bookings/<booking_id>/ics")
@operation("预约的 .ics · a booking as iCalendar", returns="text/calendar")
def booking_ics(booking_id):
    booking = get_in_scope(Booking, booking_id, actor())
    link = absolute("booking.detail", booking_id=booking.id)
    return ics_response(services.booking_ics(booking, domain(), link), f"booking-{booking.id}.ics")


@bp.post("/instruments/<instrument_id>/closures/import")
@operation("导入停机 .ics · import closures from an .ics file", status=201, multipart={"file": FILE})
def import_closures(instrument_id):
    instrument = managed_instrument(actor(), instrument_id)
    limit = current_app.config["ICS_MAX_BYTES"]
    try:
        upload = request.files.get("file")
        kind = request.form.get("kind", "maintenance")
        cancelling = request.form.get("cancel_bookings", "false")
        reason = request.form.get("reason", "")
    except RequestEntityTooLarge:
        raise PayloadTooLarge() from None
    if cancelling not in ("true", "false"):
        raise ValidationError(fields={"cancel_bookings": _l("应为 true 或 false。")})
    data = upload.read(limit + 1) if upload else b""
    occurrences = parse_closures(data, clock.now(), limit)
    count, cancelled = closures_over_bookings.import_closures(g.actor, instrument, occurrences, kind, clock.now(),
                                                              cancel_bookings=cancelling == "true", reason=reason)
    db.session.commit()
    if cancelling == "false":
        return created({"created": count})
    return created({"created": count, "cancelled_booking_ids": [b.id for b in cancelled]})
