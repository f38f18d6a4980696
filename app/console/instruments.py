"""List, create, edit and retire the institution's instruments."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models import db
from models.errors import ValidationError
from models.instrument import Instrument
from models.timeutil import local_today

from .. import clock
from ..catalog import services as catalog
from ..catalog.forms import InstrumentForm
from ..catalog.search import categories
from ..exchange import services as exchange
from ..pagination import page_args, paginate
from ..policy import managed_instrument
from ..web import show_errors
from .blueprint import bp


@bp.get("/instruments")
def instruments():
    status, q = request.args.get("status", ""), request.args.get("q", "").strip()
    stmt = sa.select(Instrument).where(Instrument.institution_id == current_user.organization_id)
    if status:
        stmt = stmt.where(Instrument.status == status)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(sa.or_(Instrument.search_text.like(like), Instrument.internal_code.like(f"%{q}%")))
    page, per_page = page_args(request.args, 50)
    result = paginate(stmt.order_by(Instrument.internal_code, Instrument.id), page, per_page)
    return render_template("console/instruments.html", page=result, status=status, q=q,
                           today=local_today(clock.now()), missing=exchange.missing_of(result.items))


def _render_form(form, instrument=None, status=200):
    return render_template("console/instrument_form.html", form=form, instrument=instrument,
                           categories=categories()), status


@bp.route("/instruments/new", methods=["GET", "POST"])
def new():
    form = InstrumentForm(data=catalog.editable_payload(as_json=False)) if request.method == "GET" else InstrumentForm()
    if not form.validate_on_submit():
        return _render_form(form, status=422 if form.is_submitted() else 200)
    try:
        instrument = catalog.create_instrument(current_user, form.data, clock.now())
    except ValidationError as error:
        show_errors(form, error)
        return _render_form(form, status=422)
    db.session.commit()
    flash(_("仪器“%(name)s”已发布。请确认开放时间。", name=instrument.name), "success")
    return redirect(url_for(".hours", instrument_id=instrument.id))


@bp.route("/instruments/<int:instrument_id>/edit", methods=["GET", "POST"])
def edit(instrument_id):
    instrument = managed_instrument(current_user, instrument_id)
    if request.method == "GET":
        form = InstrumentForm(data=catalog.editable_payload(instrument, as_json=False))
    else:
        form = InstrumentForm()
    if not form.validate_on_submit():
        return _render_form(form, instrument, 422 if form.is_submitted() else 200)
    try:
        changed = catalog.update_instrument(current_user, instrument, form.data, clock.now())
    except ValidationError as error:
        show_errors(form, error)
        return _render_form(form, instrument, 422)
    db.session.commit()
    flash(_("已保存。") if changed else _("没有需要保存的修改。"), "success")
    return redirect(url_for("catalog.instrument", instrument_id=instrument.id))


@bp.post("/instruments/<int:instrument_id>/status")
def set_status(instrument_id):
    instrument = managed_instrument(current_user, instrument_id)
    status = request.form.get("status")
    if status not in ("active", "maintenance", "retired"):
        raise ValidationError(fields={"status": _("请选择有效的状态。")})
    catalog.set_status(current_user, instrument, status, clock.now(), request.form.get("reason", ""))
    db.session.commit()
    flash(_("“%(name)s”的状态已更新。", name=instrument.name), "success")
    return redirect(url_for(".instruments"))
