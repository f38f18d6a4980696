"""Voucher pages: an enterprise's vouchers; a bureau issues, revokes and follows redemptions."""
import io

from flask import current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models import Organization, db
from models.errors import Forbidden, NotFound, ValidationError
from models.settlement import Charge
from models.timeutil import local_today
from models.uscc import normalize_uscc
from models.voucher import Voucher

from .. import clock
from ..pagination import page_args, paginate
from ..policy import get_in_scope, scoped
from ..stats.scope import parse_year
from . import documents, vouchers
from .blueprint import act, bp, checked
from .forms import RevokeForm, VoucherForm

PAGE_REDEMPTIONS = 200  # the latest on the page; the workbook has them all


def _year():
    return parse_year(request.args.get("year"), local_today(clock.now()))


@bp.get("/vouchers")
def vouchers_page():
    if current_user.is_institution_staff:
        raise Forbidden()
    page, per_page = page_args(request.args)
    stmt = scoped(Voucher, current_user).order_by(Voucher.created_at.desc(), Voucher.id.desc())
    bureau, year = current_user.is_bureau, _year()
    redemptions = db.session.scalars(vouchers.redemptions(current_user, year).order_by(None).order_by(
        Charge.voucher_applied_at.desc()).limit(PAGE_REDEMPTIONS)).all() if bureau else []
    today = local_today(clock.now())
    form = VoucherForm(formdata=None, valid_from=today)
    return render_template("settlement/vouchers.html", page=paginate(stmt, page, per_page), bureau=bureau, year=year,
                           redemptions=redemptions, form=form, revoke_form=RevokeForm(formdata=None), now=clock.now(),
                           limit=PAGE_REDEMPTIONS)


def _enterprise(uscc):
    """The enterprise a bureau names by its USCC; one outside a district bureau's district is not found."""
    found = db.session.scalar(scoped(Organization, current_user).where(
        Organization.uscc == normalize_uscc(uscc), Organization.kind == "enterprise"))
    if found is None:
        raise ValidationError(fields={"uscc": _("本辖区内没有该统一社会信用代码的企业。")})
    return found


@bp.post("/vouchers")
def issue_voucher():
    if not current_user.is_bureau:
        raise Forbidden()

    def issue():
        form = checked(VoucherForm())
        vouchers.issue(current_user, _enterprise(form.uscc.data), form.data, clock.now(),
                       current_app.config["VOUCHER_YEARLY_CAP"])

    return act(url_for(".vouchers_page"), issue, _("创新券已发放，已通知企业。"))


@bp.post("/vouchers/<int:voucher_id>/revoke")
def revoke_voucher(voucher_id):
    found = get_in_scope(Voucher, voucher_id, current_user)
    return act(url_for(".vouchers_page"), lambda: vouchers.revoke(current_user, found, RevokeForm().reason.data,
                                                                  clock.now()), _("创新券已撤销。"))


@bp.get("/vouchers.xlsx")
def vouchers_xlsx():
    if not current_user.is_bureau:
        raise NotFound()
    year = _year()
    rows = [vouchers.redemption_row(c) for c in db.session.scalars(vouchers.redemptions(current_user, year))]
    issued = db.session.scalars(vouchers.vouchers_in_sight(current_user, year)).all()
    return send_file(io.BytesIO(documents.vouchers_xlsx(issued, rows)), as_attachment=True,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     download_name=f"vouchers-{year}.xlsx")

