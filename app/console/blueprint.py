from flask import Blueprint
from flask_login import current_user, login_required

from ..web import refuse_unapproved_staff

bp = Blueprint("console", __name__, url_prefix="/console")


@bp.before_request
@login_required
def _institution_staff_only():
    if not current_user.institution_approved:
        return refuse_unapproved_staff()
    return None
