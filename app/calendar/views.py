"""Calendar pages: the subscription feed and its settings, a booking's .ics, importing closures."""
import json

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from models import User, db
from models.booking import Booking
from models.errors import BookingsAffected, DomainError, Forbidden, NotFound, ValidationError
from models.instrument import CLOSURE_KINDS
from models.timeutil import parse_instant
from models.user import feed_token_matches

from .. import clock
from ..booking import closures as closures_over_bookings
from ..catalog import services as catalog
from ..policy import get_in_scope, managed_instrument
from ..web import error_text
from . import services
from .importing import parse_closures
from .links import absolute, domain, feed_url, ics_response

bp = Blueprint("calendar", __name__)


def _booking_link(booking):
    return absolute("booking.detail", booking_id=booking.id)


@bp.get("/calendar")
@login_required
def settings():
    if not (current_user.is_enterprise or current_user.is_institution_staff):
        raise Forbidden()
    return render_template("calendar/settings.html", url=feed_url(current_user))


@bp.post("/calendar/rotate")
@login_required
def rotate():
    services.rotate_feed(current_user, clock.now())
    db.session.commit()
    flash(_("已生成新的订阅地址，旧地址已失效。请在日历应用中更新订阅。"), "success")
    return redirect(url_for(".settings"))


@bp.get("/calendar/feed/<int:user_id>/<token>.ics")
def feed(user_id, token):
    user = db.session.get(User, user_id)
    if user is None or not user.active or not feed_token_matches(current_app.config["SECRET_KEY"], user, token):
        raise NotFound()
    if not (user.is_enterprise or user.is_institution_staff):
        raise NotFound()
    return ics_response(services.feed_ics(user, clock.now(), domain(), _booking_link))


@bp.get("/bookings/<int:booking_id>.ics")
@login_required
def booking_ics(booking_id):
    booking = get_in_scope(Booking, booking_id, current_user)
    return ics_response(services.booking_ics(booking, domain(), _booking_link(booking)), f"booking-{booking.id}.ics")


@bp.route("/console/instruments/<int:instrument_id>/closures/import", methods=["GET", "POST"])
@login_required
def import_closures(instrument_id):
    instrument = managed_instrument(current_user, instrument_id)
    kind = request.form.get("kind", "maintenance")
    if request.method == "GET":
        return render_template("calendar/import.html", instrument=instrument, kinds=CLOSURE_KINDS)
    try:
        if request.form.get("confirmed"):
            occurrences = [(parse_instant(s), parse_instant(e), r) for s, e, r in json.loads(request.form["items"])]
            return _save_import(instrument, occurrences, kind)
        catalog.check_closure_kind(kind)  # before the preview, not only when saving
        upload = request.files.get("file")
        data = upload.read(current_app.config["ICS_MAX_BYTES"] + 1) if upload else b""
        occurrences = parse_closures(data, clock.now(), current_app.config["ICS_MAX_BYTES"])
    except RequestEntityTooLarge:
        return render_template("calendar/import.html", instrument=instrument, kinds=CLOSURE_KINDS,
                               problem=_("文件过大。")), 413
    except (DomainError, ValueError, KeyError) as error:
        db.session.rollback()
        problem = error_text(error) if isinstance(error, DomainError) else _("预览数据无效，请重新上传文件。")
        return render_template("calendar/import.html", instrument=instrument, kinds=CLOSURE_KINDS,
                               problem=problem), getattr(error, "status", 422)
    return _preview(instrument, occurrences, kind)


def _save_import(instrument, occurrences, kind):
    """Import, cancelling the bookings under the closures when asked; refused over bookings, the preview
    comes back listing them."""
    try:
        created, cancelled = closures_over_bookings.import_closures(
            current_user, instrument, occurrences, kind, clock.now(),
            cancel_bookings=bool(request.form.get("cancel_bookings")), reason=request.form.get("reason", "")[:200])
    except (BookingsAffected, ValidationError) as error:
        db.session.rollback()
        flash(error_text(error), "danger")
        return _preview(instrument, occurrences, kind, error.status)
    db.session.commit()
    flash(_("已导入 %(n)s 个停机时段，已取消 %(m)s 个预约并通知企业。", n=created, m=len(cancelled)) if cancelled
          else _("已导入 %(n)s 个停机时段。", n=created), "success")
    return redirect(url_for("console.closures", instrument_id=instrument.id))


def _preview(instrument, occurrences, kind, status=200):
    items = json.dumps([(s.isoformat(), e.isoformat(), r) for s, e, r in occurrences])
    affected = catalog.bookings_under(instrument, [(s, e) for s, e, _r in occurrences])
    return render_template("calendar/import_preview.html", instrument=instrument, occurrences=occurrences,
                           items=items, kind=kind, affected=affected), status
