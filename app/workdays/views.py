"""The city bureau's page for the working-day calendar."""
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import db
from models.errors import ValidationError
from models.timeutil import local_today

from .. import clock
from ..web import show_errors
from . import services
from .forms import DayForm

bp = Blueprint("workdays", __name__, url_prefix="/admin/calendar")


@bp.before_request
@login_required
def _city_only():
    services.require_city(current_user)


def _year():
    try:
        return int(request.args.get("year", ""))
    except ValueError:
        return local_today(clock.now()).year


@bp.route("/", methods=["GET", "POST"])
def index():
    form = DayForm()
    year = _year()
    if form.validate_on_submit():
        try:
            services.set_day(current_user, form.day.data, form.kind.data, form.name.data, clock.now())
        except ValidationError as error:
            show_errors(form, error)
        else:
            db.session.commit()
            flash(_("已保存 %(day)s。", day=form.day.data.isoformat()), "success")
            return redirect(url_for(".index", year=form.day.data.year))
    return render_template("workdays/index.html", form=form, year=year, days=services.days_of_year(year)), \
        422 if form.errors else 200


@bp.post("/<day>/delete")
def delete(day):
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        return redirect(url_for(".index"))
    services.remove_day(current_user, parsed, clock.now())
    db.session.commit()
    flash(_("已删除 %(day)s。", day=day), "success")
    return redirect(url_for(".index", year=parsed.year))
