"""Recurring bookings on the web: preview a series from the instrument page, book it, see it, cancel it."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import db
from models.booking import BOOKED
from models.errors import DomainError, ValidationError
from models.instrument import Instrument
from models.series import BookingSeries

from .. import clock
from ..formtools import read_instants
from ..policy import get_in_scope
from ..web import flash_error
from . import series as series_services
from .forms import SeriesCancelForm, booking_form

bp = Blueprint("series", __name__)

REPEAT_FIELDS = ("repeat", "repeat_interval", "repeat_count", "repeat_until")


def _book(instrument, form, dry_run):
    if not form.validate():
        raise ValidationError(fields={k: v[0] for k, v in form.errors.items()})
    start, end = read_instants(form.data, "start", "end")
    repeat = series_services.read_repeat(form.repeat_rule())
    return series_services.book_series(current_user, instrument, start, end, repeat, clock.now(),
                                       purpose=form.purpose.data, service_mode=form.service_mode.data,
                                       dry_run=dry_run)


def _back_to_the_week(instrument, error):
    db.session.rollback()
    flash_error(error)
    kept = {name: request.form.get(name, "") for name in ("week", "start", "end", *REPEAT_FIELDS)}
    return redirect(url_for("catalog.instrument", instrument_id=instrument.id, **kept) + "#book")


def preview(instrument, form):
    """What booking the series would do, booked and skipped, before anything is booked."""
    try:
        outcome = _book(instrument, form, dry_run=True)
    except DomainError as error:
        return _back_to_the_week(instrument, error)
    return render_template("booking/series_preview.html", instrument=instrument, outcome=outcome,
                           fields=request.form)


@bp.post("/instruments/<int:instrument_id>/series")
@login_required
def create(instrument_id):
    instrument = get_in_scope(Instrument, instrument_id, current_user)
    form = booking_form(instrument)
    try:
        outcome = _book(instrument, form, dry_run=False)
    except DomainError as error:
        return _back_to_the_week(instrument, error)
    db.session.commit()
    flash(_("重复预约已提交：%(n)s 次已预约，%(m)s 次未能预约。", n=len(outcome.created), m=len(outcome.skipped)),
          "success")
    return redirect(url_for(".detail", series_id=outcome.series.id))


@bp.get("/series/<int:series_id>")
@login_required
def detail(series_id):
    series = get_in_scope(BookingSeries, series_id, current_user)
    cancellable = any(b.status in BOOKED and b.can("cancel", current_user, clock.now()) for b in series.bookings)
    return render_template("booking/series.html", series=series, now=clock.now(), cancellable=cancellable,
                           form=SeriesCancelForm(formdata=None))


@bp.post("/series/<int:series_id>/cancel")
@login_required
def cancel(series_id):
    series = get_in_scope(BookingSeries, series_id, current_user)
    form = SeriesCancelForm()
    try:
        if not form.validate():
            raise ValidationError(fields={k: v[0] for k, v in form.errors.items()})
        cancelled = series_services.cancel_series(current_user, series, form.reason.data, clock.now(),
                                                  since=form.since.data)
    except DomainError as error:
        db.session.rollback()
        flash_error(error)
    else:
        db.session.commit()
        flash(_("已取消 %(n)s 次预约。", n=len(cancelled)), "success")
    return redirect(url_for(".detail", series_id=series.id))
