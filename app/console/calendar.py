"""Opening hours (the institution's default week and per-instrument weeks) and closures."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models import db
from models.errors import BookingsAffected, NotFound, ValidationError
from models.instrument import DEFAULT_WEEK, Closure, OpeningHours, weekly_hours

from .. import clock
from ..booking import closures as closures_over_bookings
from ..catalog import services as catalog
from ..catalog.forms import ClosureForm, OpeningHoursForm
from ..formtools import read_instants
from ..policy import managed_instrument
from ..web import show_errors
from .blueprint import bp


def _week_texts(spans):
    texts = {day: [] for day in range(1, 8)}
    for day, start, end in spans:
        texts[day].append(f"{OpeningHours.hhmm(start)}-{OpeningHours.hhmm(end)}")
    return {f"day{day}": ", ".join(parts) for day, parts in texts.items()}


def _spans_from(form):
    return catalog.parse_week_texts({day: form[f"day{day}"].data for day in range(1, 8)})


@bp.route("/instruments/<int:instrument_id>/hours", methods=["GET", "POST"])
def hours(instrument_id):
    instrument = managed_instrument(current_user, instrument_id)
    if request.method == "GET":
        form = OpeningHoursForm(data={"inherit": not instrument.custom_hours, **_week_texts(weekly_hours(instrument))})
    else:
        form = OpeningHoursForm()
    if form.validate_on_submit():
        try:
            spans = None if form.inherit.data else _spans_from(form)
            catalog.set_instrument_hours(current_user, instrument, spans, clock.now())
        except ValidationError as error:
            show_errors(form, error)
        else:
            db.session.commit()
            flash(_("开放时间已保存。"), "success")
            return redirect(url_for(".hours", instrument_id=instrument.id))
    return render_template("console/hours.html", form=form, instrument=instrument), 422 if form.errors else 200


@bp.route("/institution", methods=["GET", "POST"])
def institution():
    org = current_user.organization
    if request.method == "GET":
        form = OpeningHoursForm(data=_week_texts(_institution_week(org.id)))
    else:
        form = OpeningHoursForm()
    if form.validate_on_submit():
        try:
            catalog.set_institution_hours(current_user, org, _spans_from(form), clock.now())
        except ValidationError as error:
            show_errors(form, error)
        else:
            db.session.commit()
            flash(_("机构默认开放时间已保存，未单独设置开放时间的仪器都将使用它。"), "success")
            return redirect(url_for(".institution"))
    return render_template("console/institution.html", form=form, org=org), 422 if form.errors else 200


def _institution_week(org_id):
    rows = db.session.execute(sa.select(OpeningHours.weekday, OpeningHours.start_minute, OpeningHours.end_minute)
                              .where(OpeningHours.institution_id == org_id)
                              .order_by(OpeningHours.weekday, OpeningHours.start_minute)).all()
    return [tuple(r) for r in rows] or list(DEFAULT_WEEK)


@bp.route("/instruments/<int:instrument_id>/closures", methods=["GET", "POST"])
def closures(instrument_id):
    instrument = managed_instrument(current_user, instrument_id)
    form = ClosureForm()
    status, affected = 200, []
    if form.validate_on_submit():
        try:
            start, end = read_instants(form.data, "start", "end")
            _closure, cancelled = closures_over_bookings.add_closure(
                current_user, instrument, start, end, form.kind.data, form.reason.data, clock.now(),
                cancel_bookings=form.cancel_bookings.data)
        except ValidationError as error:
            db.session.rollback()
            show_errors(form, error)
            status, affected = 422, _affected_still(instrument, form) if form.cancel_bookings.data else []
        except BookingsAffected as error:
            db.session.rollback()
            flash(error.message, "danger")
            status, affected = 409, error.bookings
        else:
            db.session.commit()
            flash(_("停机时段已添加，已取消 %(n)s 个预约并通知企业。", n=len(cancelled)) if cancelled
                  else _("停机时段已添加。"), "success")
            return redirect(url_for(".closures", instrument_id=instrument.id))
    elif form.is_submitted():
        status = 422
    upcoming = db.session.scalars(sa.select(Closure).where(
        Closure.instrument_id == instrument.id, Closure.end_at > clock.now()).order_by(Closure.start_at)).all()
    return render_template("console/closures.html", form=form, instrument=instrument, closures=upcoming,
                           affected=affected), status


def _affected_still(instrument, form):
    """The bookings a refused closure would cover, to list them again beside a field error."""
    try:
        start, end = read_instants(form.data, "start", "end")
    except ValidationError:
        return []
    return catalog.bookings_under(instrument, [(start, end)])


@bp.post("/instruments/<int:instrument_id>/closures/<int:closure_id>/delete")
def delete_closure(instrument_id, closure_id):
    instrument = managed_instrument(current_user, instrument_id)
    closure = db.session.scalar(sa.select(Closure).where(Closure.id == closure_id,
                                                         Closure.instrument_id == instrument.id))
    if closure is None:
        raise NotFound()
    catalog.remove_closure(current_user, closure, clock.now())
    db.session.commit()
    flash(_("停机时段已删除。"), "success")
    return redirect(url_for(".closures", instrument_id=instrument.id))
