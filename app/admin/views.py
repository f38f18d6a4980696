"""Admin pages: users and organisations."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import User, db
from models.errors import DomainError, NotFound

from .. import clock
from ..accounts import services as accounts
from ..accounts.forms import UserForm
from ..pagination import page_args, paginate
from ..policy import require_role
from ..web import flash_error, show_errors
from . import services

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    require_role(current_user, "admin")


@bp.get("/users")
def users():
    page, per_page = page_args(request.args, 50)
    q = request.args.get("q", "")
    result = paginate(services.search_users(q), page, per_page)
    return render_template("admin/users.html", page=result, q=q)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(current_user, form.data, clock.now())
        except DomainError as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            db.session.commit()
            flash(_("已开通 %(email)s，设置密码的邮件已发出（7 天内有效）。", email=user.email), "success")
            return redirect(url_for(".users", q=user.email))
    return render_template("admin/new_user.html", form=form), 422 if form.errors else 200


def _user(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


@bp.post("/users/<int:user_id>/password-reset")
def send_password_reset(user_id):
    user = _user(user_id)
    try:
        accounts.send_password_reset(current_user, user, clock.now())
    except DomainError as error:
        db.session.rollback()
        flash_error(error)
    else:
        db.session.commit()
        flash(_("重设密码的邮件已发送给 %(email)s（1 小时内有效）。", email=user.email), "success")
    return redirect(url_for(".users", q=request.args.get("q", "")))


@bp.post("/users/<int:user_id>/active")
def set_active(user_id):
    user = _user(user_id)
    services.set_active(current_user, user, request.form.get("active") == "1", clock.now())
    db.session.commit()
    flash(_("账号状态已更新。"), "success")
    return redirect(url_for(".users", q=request.args.get("q", "")))


@bp.get("/organizations")
def organizations():
    page, per_page = page_args(request.args, 50)
    q, kind = request.args.get("q", ""), request.args.get("kind", "")
    result = paginate(services.search_organizations(q, kind), page, per_page)
    return render_template("admin/organizations.html", page=result, q=q, kind=kind)
