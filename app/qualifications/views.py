"""Qualification pages: an enterprise user asks for training; the institution's console keeps the
qualification list of each instrument (grant, revoke, filter, .xlsx) and the training queue."""
import itertools

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import db
from models.errors import DomainError, Forbidden, NotFound, ValidationError
from models.instrument import Instrument
from models.qualification import STATUSES, Qualification, TrainingRequest, TrainingSession
from models.timeutil import local_today

from .. import clock
from ..calendar import services as calendar
from ..calendar.links import domain, ics_response
from ..formtools import read_instants
from ..pagination import page_args, paginate
from ..policy import get_in_scope, managed_instrument, parse_id, scoped
from ..web import flash_error, show_errors
from . import export, services, training
from .forms import GrantForm, OutcomeForm, ReasonForm, ScheduleForm, TrainingRequestForm

bp = Blueprint("qualifications", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attempt(action, done):
    """Run a service call; commit and say `done`, or roll back and say why not."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash_error(error)
        return False
    db.session.commit()
    flash(done, "success")
    return True


# The enterprise side ----------------------------------------------------------------------

@bp.route("/instruments/<int:instrument_id>/training", methods=["GET", "POST"])
@login_required
def request_training(instrument_id):
    instrument = get_in_scope(Instrument, instrument_id, current_user)
    if not current_user.is_enterprise:
        raise Forbidden(_("只有企业用户可以申请上机培训。"))
    form = TrainingRequestForm()
    if form.validate_on_submit() and _attempt(
            lambda: training.request_training(current_user, instrument, form.note.data, clock.now()),
            _("培训申请已提交。机构安排好时间后会通知您。")):
        return redirect(url_for("catalog.instrument", instrument_id=instrument.id) + "#book")
    return render_template("qualifications/request.html", form=form, instrument=instrument,
                           standing=services.standing(current_user, instrument, clock.now()))


@bp.get("/training/<int:request_id>.ics")
@login_required
def training_ics(request_id):
    found = get_in_scope(TrainingRequest, request_id, current_user)
    if found.session is None:
        raise NotFound()
    return ics_response(calendar.training_ics(found.session, domain()), f"training-{found.session.id}.ics")


# The institution's qualification list ----------------------------------------------------

def _grant(instrument, form):
    try:
        services.grant(current_user, instrument, services.user_by_email(form.email.data), form.level.data,
                       clock.now(), expires_on=form.expires_on.data)
    except ValidationError as error:
        db.session.rollback()
        show_errors(form, error, rename={"user_id": "email"})
        return False
    db.session.commit()
    flash(_("已授予 %(email)s 上机资格。", email=form.email.data), "success")
    return True


@bp.route("/console/instruments/<int:instrument_id>/qualifications", methods=["GET", "POST"])
@login_required
def instrument_list(instrument_id):
    instrument = managed_instrument(current_user, instrument_id)
    form = GrantForm()
    if form.validate_on_submit() and _grant(instrument, form):
        return redirect(url_for(".instrument_list", instrument_id=instrument.id))
    status = request.args.get("status", "")
    page, per_page = page_args(request.args, 50)
    rows = paginate(services.of_instrument(instrument, status if status in STATUSES else None), page, per_page)
    return render_template("qualifications/instrument.html", instrument=instrument, form=form, page=rows,
                           status=status, statuses=STATUSES, now=clock.now(), reason_form=ReasonForm(formdata=None)), \
        422 if form.is_submitted() and form.errors else 200


@bp.post("/console/qualifications/<int:qualification_id>/revoke")
@login_required
def revoke(qualification_id):
    qualification = get_in_scope(Qualification, qualification_id, current_user)
    reason = ReasonForm().reason.data
    _attempt(lambda: services.revoke(current_user, qualification, reason, clock.now()),
             _("已撤销 %(name)s 的上机资格。", name=qualification.user.name or qualification.user.email))
    return redirect(url_for(".instrument_list", instrument_id=qualification.instrument_id))


@bp.get("/console/instruments/<int:instrument_id>/qualifications.xlsx")
@login_required
def instrument_export(instrument_id):
    instrument = managed_instrument(current_user, instrument_id)
    rows = db.session.scalars(services.of_instrument(instrument, request.args.get("status") or None)).all()
    body = export.workbook(instrument, rows, clock.now())
    name = f"qualifications-{instrument.internal_code or instrument.id}-{local_today(clock.now()).isoformat()}.xlsx"
    return Response(body, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


# The training queue -----------------------------------------------------------------------

def _staff():
    if not current_user.institution_approved:
        raise Forbidden()


@bp.get("/console/training")
@login_required
def queue():
    _staff()
    waiting = db.session.scalars(scoped(TrainingRequest, current_user).where(TrainingRequest.status == "requested")
                                 .order_by(TrainingRequest.instrument_id, TrainingRequest.created_at)).all()
    sessions = db.session.scalars(sa.select(TrainingSession).join(Instrument).where(
        Instrument.institution_id == current_user.organization_id, TrainingSession.status == "scheduled")
        .order_by(TrainingSession.start_at)).all()
    groups = [(instrument, list(rows)) for instrument, rows in itertools.groupby(waiting, lambda r: r.instrument)]
    return render_template("qualifications/queue.html", groups=groups, sessions=sessions, now=clock.now(),
                           schedule_form=ScheduleForm(formdata=None), outcome_form=OutcomeForm(formdata=None),
                           reason_form=ReasonForm(formdata=None))


@bp.post("/console/training/schedule")
@login_required
def schedule():
    _staff()

    def act():
        chosen = [get_in_scope(TrainingRequest, parse_id(i), current_user) for i in request.form.getlist("request_ids")]
        start, end = read_instants(request.form, "start", "end")
        training.schedule(current_user, chosen, start, end, clock.now())

    _attempt(act, _("已安排培训，并通知了参加培训的人员。"))
    return redirect(url_for(".queue"))


@bp.post("/console/training/<int:request_id>/<outcome>")
@login_required
def record(request_id, outcome):
    found = get_in_scope(TrainingRequest, request_id, current_user)
    now = clock.now()
    steps = {
        "pass": (lambda: training.complete(current_user, found, True, OutcomeForm().level.data, now),
                 _("已登记培训通过，并授予了上机资格。")),
        "fail": (lambda: training.complete(current_user, found, False, None, now), _("已登记培训未通过。")),
        "decline": (lambda: training.decline(current_user, found, ReasonForm().reason.data, now),
                    _("已告知申请人不能安排培训。")),
    }
    if outcome not in steps:
        raise Forbidden()
    _attempt(*steps[outcome])
    return redirect(url_for(".queue"))
