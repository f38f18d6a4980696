"""The bell's page: a user's notifications, newest first."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from models import db

from .. import clock
from ..web import redirect_back
from . import services
from .messages import render

bp = Blueprint("notify", __name__, url_prefix="/notifications")


@bp.app_context_processor
def bell():
    if current_user and current_user.is_authenticated:
        return {"unread_notifications": services.unread_count(current_user)}
    return {"unread_notifications": 0}


@bp.get("/")
@login_required
def index():
    notes = [(note, *render(note)) for note in services.recent(current_user)]
    return render_template("notify/index.html", notes=notes)


@bp.post("/<int:note_id>/open")
@login_required
def open_one(note_id):
    note = services.get_own(current_user, note_id)
    services.mark_read(current_user, clock.now(), note.id)
    db.session.commit()
    _title, _body, url = render(note)
    return redirect(url or url_for(".index"))


@bp.post("/read-all")
@login_required
def read_all():
    services.mark_read(current_user, clock.now())
    db.session.commit()
    return redirect_back(request.form.get("next"), "notify.index")
