"""Booking pages: book from the week view, my bookings, a booking's page, the institution's desk."""
import contextlib
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from models import audit, db
from models.booking import ACTIONS, ACTIVE, STATES, Booking
from models.errors import DomainError, ValidationError
from models.instrument import Instrument
from models.timeutil import at_local, local_today

from .. import clock
from ..formtools import read_instants
from ..pagination import page_args, paginate
from ..policy import get_in_scope, managed_instrument, parse_id, scoped
from ..qualifications import services as qualifications
from ..reviews import services as reviews
from ..reviews.forms import ReviewForm
from ..web import flash_error, redirect_back, refuse_unapproved_staff, safe_target, show_errors
from . import credit, series_views, services
from .enterprises import enterprise_for_walk_in
from .forms import ActualTimeForm, OnBehalfForm, ReasonForm, booking_form

bp = Blueprint("booking", __name__)


def _times(form):
    return read_instants(form.data, "start", "end")


@bp.post("/instruments/<int:instrument_id>/bookings")
@login_required
def create(instrument_id):
    instrument = get_in_scope(Instrument, instrument_id, current_user)
    form = booking_form(instrument)
    if form.repeat.data:
        return series_views.preview(instrument, form)
    week = request.form.get("week", "")
    try:
        if not form.validate():
            raise ValidationError(fields={k: v[0] for k, v in form.errors.items()})
        start, end = _times(form)
        booking = services.book(current_user, instrument, start, end, clock.now(), purpose=form.purpose.data,
                                service_mode=form.service_mode.data)
    except DomainError as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for("catalog.instrument", instrument_id=instrument.id, week=week,
                                start=form.start.data, end=form.end.data) + "#book")
    db.session.commit()
    flash(_("预约已提交，等待机构审批。") if booking.status == "pending" else _("预约成功。"), "success")
    return redirect(url_for(".detail", booking_id=booking.id))


@bp.get("/bookings")
@login_required
def mine():
    now = clock.now()
    base = scoped(Booking, current_user)
    upcoming = db.session.scalars(base.where(Booking.end_at > now, Booking.status.in_(ACTIVE))
                                  .order_by(Booking.start_at)).all()
    page, per_page = page_args(request.args)
    past = paginate(base.where(sa.or_(Booking.end_at <= now, Booking.status.not_in(ACTIVE)))
                    .order_by(Booking.start_at.desc()), page, per_page)
    return render_template("booking/mine.html", upcoming=upcoming, past=past, now=now)


@bp.get("/bookings/<int:booking_id>")
@login_required
def detail(booking_id):
    booking = get_in_scope(Booking, booking_id, current_user)
    now = clock.now()
    standing = None
    if booking.is_customer(current_user) or booking.is_staff(current_user):
        standing = credit.standing(booking.organization_id, booking.instrument.institution_id, now)
    return render_template("booking/detail.html", booking=booking, now=now, trail=audit.trail(booking),
                           reason_form=ReasonForm(formdata=None), time_form=ActualTimeForm(formdata=None),
                           review=reviews.review_of(booking=booking), review_form=ReviewForm(formdata=None),
                           credit_standing=standing, credit_institution=booking.instrument.institution.name)


def _do(action, booking, now):
    reason = (request.form.get("reason") or "").strip()[:500]
    (at,) = read_instants(request.form, "at", optional=True)
    services.perform(current_user, booking, action, now, reason=reason, at=at)


DONE = {"approve": _l("已批准该预约。"), "reject": _l("已拒绝该预约。"), "cancel": _l("预约已取消。"),
        "check_in": _l("已签到。"), "check_out": _l("已签退，本次使用已完成。"), "no_show": _l("已记为爽约。")}


@bp.post(f"/bookings/<int:booking_id>/<any({', '.join(ACTIONS)}):action>")
@login_required
def act(booking_id, action):
    booking = get_in_scope(Booking, booking_id, current_user)
    try:
        _do(action, booking, clock.now())
    except DomainError as error:
        db.session.rollback()
        flash_error(error)
        return redirect_back(request.form.get("next") or url_for(".detail", booking_id=booking_id))
    db.session.commit()
    flash(DONE[action], "success")
    return redirect(safe_target(request.form.get("next"), "booking.mine")
                    if request.form.get("next") else url_for(".detail", booking_id=booking.id))


# The institution's desk ------------------------------------------------------------------

def _own_instruments():
    return db.session.scalars(sa.select(Instrument).where(
        Instrument.institution_id == current_user.organization_id).order_by(Instrument.name)).all()


@bp.get("/console/bookings/pending")
@login_required
def console_queue():
    if not current_user.institution_approved:
        return refuse_unapproved_staff()
    pending = db.session.scalars(scoped(Booking, current_user).where(Booking.status == "pending")
                                 .order_by(Booking.start_at)).all()
    return render_template("booking/queue.html", pending=pending, now=clock.now(),
                           reason_form=ReasonForm(formdata=None))


@bp.get("/console/today")
@login_required
def console_today():
    if not current_user.institution_approved:
        return refuse_unapproved_staff()
    now = clock.now()
    day = local_today(now)
    if request.args.get("day"):
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(request.args["day"])
    rows = db.session.scalars(scoped(Booking, current_user).where(
        Booking.start_at < at_local(day + timedelta(days=1)), Booking.end_at > at_local(day),
        Booking.status.in_(("confirmed", "checked_in", "completed", "no_show"))).order_by(Booking.start_at)).all()
    return render_template("booking/today.html", bookings=rows, day=day, now=now,
                           prev_day=day - timedelta(days=1), next_day=day + timedelta(days=1))


@bp.get("/console/bookings")
@login_required
def console_history():
    if not current_user.institution_approved:
        return refuse_unapproved_staff()
    stmt = scoped(Booking, current_user)
    status, instrument_id = request.args.get("status", ""), request.args.get("instrument_id", "")
    if status in STATES:
        stmt = stmt.where(Booking.status == status)
    if instrument_id:
        with contextlib.suppress(DomainError):
            stmt = stmt.where(Booking.instrument_id == parse_id(instrument_id))
    page, per_page = page_args(request.args, 50)
    result = paginate(stmt.order_by(Booking.start_at.desc()), page, per_page)
    return render_template("booking/history.html", page=result, status=status, instrument_id=instrument_id,
                           instruments=_own_instruments(), states=STATES)


@bp.route("/console/instruments/<int:instrument_id>/book", methods=["GET", "POST"])
@login_required
def on_behalf(instrument_id):
    instrument = managed_instrument(current_user, instrument_id)
    form = booking_form(instrument, form_class=OnBehalfForm)
    if form.validate_on_submit():
        try:
            start, end = _times(form)
            enterprise = enterprise_for_walk_in(form.data, clock.now())
            booking = services.book(current_user, instrument, start, end, clock.now(), purpose=form.purpose.data,
                                    service_mode=form.service_mode.data, organization=enterprise,
                                    operator=qualifications.operator_named(form.operator_email.data))
        except DomainError as error:
            db.session.rollback()
            show_errors(form, error, rename={"operator_user_id": "operator_email"})
        else:
            db.session.commit()
            flash(_("已为“%(name)s”登记预约。", name=booking.organization.name), "success")
            return redirect(url_for(".detail", booking_id=booking.id))
    return render_template("booking/on_behalf.html", form=form, instrument=instrument), \
        422 if form.is_submitted() else 200


@bp.post("/bookings/<int:booking_id>/review")
@login_required
def review(booking_id):
    booking = get_in_scope(Booking, booking_id, current_user)
    try:
        reviews.review_booking(current_user, booking, request.form.get("score", type=int),
                               request.form.get("comment", ""), clock.now())
    except DomainError as error:
        db.session.rollback()
        flash_error(error)
    else:
        db.session.commit()
        flash(_("感谢您的评价。"), "success")
    return redirect(url_for(".detail", booking_id=booking.id))
