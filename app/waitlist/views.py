"""The waitlist on the web: join from the week view, see one's places in line, claim an offer, leave."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import db
from models.errors import DomainError
from models.instrument import Instrument
from models.waitlist import WaitlistEntry

from .. import clock
from ..formtools import read_instants
from ..policy import get_in_scope, scoped
from ..web import flash_error
from . import services

bp = Blueprint("waitlist", __name__)


@bp.post("/instruments/<int:instrument_id>/waitlist")
@login_required
def join(instrument_id):
    instrument = get_in_scope(Instrument, instrument_id, current_user)
    try:
        start, end = read_instants(request.form, "start", "end")
        services.join(current_user, instrument, start, end, clock.now())
    except DomainError as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for("catalog.instrument", instrument_id=instrument.id, week=request.form.get("week", ""),
                                start=request.form.get("start", ""), end=request.form.get("end", "")) + "#book")
    db.session.commit()
    flash(_("已加入候补。该时段空出时，排在最前的企业会收到通知，请留意站内消息和邮件。"), "success")
    return redirect(url_for(".index"))


@bp.get("/waitlist")
@login_required
def index():
    entries = db.session.scalars(scoped(WaitlistEntry, current_user)
                                 .order_by(WaitlistEntry.created_at.desc(), WaitlistEntry.id.desc()).limit(100)).all()
    return render_template("waitlist/index.html", entries=entries, now=clock.now())


@bp.post("/waitlist/<int:entry_id>/claim")
@login_required
def claim(entry_id):
    entry = get_in_scope(WaitlistEntry, entry_id, current_user)
    try:
        booking = services.claim(current_user, entry, clock.now(), purpose=request.form.get("purpose", "")[:500])
    except DomainError as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for(".index"))
    db.session.commit()
    flash(_("已确认候补时段，预约已提交。") if booking.status == "pending" else _("已确认候补时段，预约成功。"), "success")
    return redirect(url_for("booking.detail", booking_id=booking.id))


@bp.post("/waitlist/<int:entry_id>/leave")
@login_required
def leave(entry_id):
    entry = get_in_scope(WaitlistEntry, entry_id, current_user)
    try:
        services.leave(current_user, entry, clock.now())
    except DomainError as error:
        db.session.rollback()
        flash_error(error)
    else:
        db.session.commit()
        flash(_("已退出候补。"), "success")
    return redirect(url_for(".index"))
