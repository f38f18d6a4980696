from flask import Blueprint, render_template
from flask_login import current_user, login_required

from models.errors import Forbidden

bp = Blueprint("console", __name__, url_prefix="/console")


@bp.before_request
@login_required
def _institution_staff_only():
    if not current_user.is_institution_staff:
        raise Forbidden()
    if not current_user.institution_approved:
        return render_template("console/pending.html"), 403
    return None
