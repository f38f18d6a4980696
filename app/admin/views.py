"""Admin pages: users and organisations."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import User, db
from models.errors import NotFound

from .. import clock
from ..pagination import page_args, paginate
from ..policy import require_role
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


@bp.post("/users/<int:user_id>/active")
def set_active(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
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
