"""The settlement pages' blueprint, and what every one of its views shares."""
from flask import Blueprint, flash, redirect
from flask_login import current_user, login_required

from models import db
from models.errors import DomainError, Forbidden, ValidationError
from models.settlement import Charge
from models.timeutil import local_today

from .. import clock
from ..formtools import field_errors
from ..policy import scoped
from . import vouchers

bp = Blueprint("settlement", __name__, url_prefix="/settlement")


@bp.before_request
@login_required
def _parties_and_bureaus():
    if current_user.is_admin or (current_user.is_institution_staff and not current_user.institution_approved):
        raise Forbidden()


def checked(form):
    """The form's data, or the ValidationError its field errors make."""
    if not form.validate():
        raise ValidationError(fields=field_errors(form))
    return form


def act(back_to, action, done, failed_to=None):
    """Run one service call; commit and say `done`, or roll back and say what went wrong. Then go back."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(" ".join([str(error.message)] + [str(v) for v in error.fields.values()]), "danger")
        return redirect(failed_to or back_to)
    db.session.commit()
    flash(str(done), "success")
    return redirect(back_to)


@bp.app_template_global()
def charge_for(booking=None, order=None):
    """The charge of a completed booking or order, if the reader may see it (booking and order pages)."""
    link = Charge.booking_id == booking.id if booking is not None else Charge.order_id == order.id
    return db.session.scalar(scoped(Charge, current_user).where(link))


@bp.app_template_global()
def net_estimate_for(order):
    """What a quote costs the enterprise with its best usable voucher (order page)."""
    return vouchers.net_estimate(order, current_user, local_today(clock.now()))
