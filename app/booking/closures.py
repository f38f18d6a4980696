"""A closure over bookings, when the institution asks: cancel them with its reason, tell each enterprise, close.

Without the institution's say-so a closure over active bookings is refused naming them
(catalog.services.refuse_closures_over_bookings). With it, each booking is cancelled by the
institution (never a late cancellation), its enterprise is told the reason with a link to book again,
and then the closure is added through the same service as any other, in one transaction.
"""
from flask_babel import lazy_gettext as _l

from models.errors import ValidationError

from ..calendar import services as calendar
from ..catalog import services as catalog
from ..policy import require_publisher
from . import services


def cancel_under(actor, instrument, spans, reason, now):
    """Cancel every active booking the spans cover, telling each customer why. Returns them."""
    require_publisher(actor, instrument.institution_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(fields={"reason": _l("取消企业的预约须填写原因，企业会收到这条说明。")})
    covered = catalog.bookings_under(instrument, spans)
    for booking in covered:
        services.withdraw(actor, booking, reason, now)
        services.tell_customer(booking, "booking_cancelled_for_closure", reason=reason,
                               instrument_id=instrument.id)
    return covered


def add_closure(actor, instrument, start, end, kind, reason, now, *, cancel_bookings=False):
    """(closure, the bookings cancelled for it)."""
    errors = catalog.closure_errors(start, end, kind, reason)
    if errors:
        raise ValidationError(fields=errors)
    cancelled = cancel_under(actor, instrument, [(start, end)], reason, now) if cancel_bookings else []
    return catalog.add_closure(actor, instrument, start, end, kind, reason, now), cancelled


def import_closures(actor, instrument, occurrences, kind, now, *, cancel_bookings=False, reason=""):
    """(number of closures imported, the bookings cancelled for them)."""
    catalog.check_closure_kind(kind)
    spans = [(start, end) for start, end, _summary in occurrences]
    cancelled = cancel_under(actor, instrument, spans, reason, now) if cancel_bookings else []
    return calendar.import_closures(actor, instrument, occurrences, kind, now), cancelled
