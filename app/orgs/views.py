"""District bureaus approve institutions that signed up in their district."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import Organization, db

from .. import clock
from ..auth import services as accounts
from ..policy import get_in_scope, require_role

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
