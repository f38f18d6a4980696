"""The city bureau's page for the search's synonym groups."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import db
from models.errors import ValidationError

from .. import clock
from . import synonyms

bp = Blueprint("synonyms", __name__, url_prefix="/admin/synonyms")


@bp.before_request
@login_required
def _city_only():
    synonyms.require_city(current_user)


@bp.get("/")
def index():
    return render_template("catalog/synonyms.html", groups=synonyms.groups(), errors={}, typed="")


@bp.post("/", defaults={"group_id": None})
@bp.post("/<int:group_id>")
def save(group_id):
    group = synonyms.get_group(group_id) if group_id else None
    typed = request.form.get("terms", "")
    try:
        synonyms.save_group(current_user, typed, clock.now(), group)
    except ValidationError as error:
        db.session.rollback()
        return render_template("catalog/synonyms.html", groups=synonyms.groups(), errors=error.fields,
                               typed=typed, editing=group_id), 422
    db.session.commit()
    flash(_("已保存同义词组。"), "success")
    return redirect(url_for(".index"))


@bp.post("/<int:group_id>/delete")
def delete(group_id):
    synonyms.delete_group(current_user, synonyms.get_group(group_id), clock.now())
    db.session.commit()
    flash(_("已删除同义词组。"), "success")
    return redirect(url_for(".index"))
