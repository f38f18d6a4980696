"""District bureaus approve, or turn down with a reason, institutions that signed up in their district."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import Organization, db
from models.errors import ValidationError

from .. import clock
from ..auth import services as accounts
from ..policy import get_in_scope, require_role
from ..web import flash_error

bp = Blueprint("orgs", __name__, url_prefix="/district")


@bp.get("/signups")
@login_required
def signups():
    require_role(current_user, "district")
    return render_template("orgs/signups.html", pending=accounts.pending_institutions(current_user))


@bp.post("/signups/<int:org_id>/approve")
@login_required
def approve(org_id):
    organization = get_in_scope(Organization, org_id, current_user)
    accounts.approve_institution(current_user, organization, clock.now())
    db.session.commit()
    flash(_("已通过“%(name)s”的入驻申请。", name=organization.name), "success")
    return redirect(url_for(".signups"))


@bp.post("/signups/<int:org_id>/reject")
@login_required
def reject(org_id):
    organization = get_in_scope(Organization, org_id, current_user)
    try:
        accounts.reject_institution(current_user, organization, request.form.get("reason", ""), clock.now())
    except ValidationError as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for(".signups"))
    db.session.commit()
    flash(_("已退回“%(name)s”的入驻申请，并告知其原因；机构修改后可重新提交。", name=organization.name), "success")
    return redirect(url_for(".signups"))
