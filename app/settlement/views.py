"""Charge pages: the list (an enterprise picks charges to invoice), one charge with what can be done to it."""
import io

from flask import current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from models import audit
from models.errors import Forbidden, NotFound
from models.settlement import CHARGE_STATES, AdjustmentRequest, Charge
from models.timeutil import local_today

from .. import clock
from ..pagination import page_args, paginate
from ..policy import get_in_scope, scoped
from . import charges, invoices, pack, vouchers
from .blueprint import act, bp, checked
from .forms import AdjustmentForm, DecisionForm, InvoiceRequestForm, PaidForm


def _invoice_form():
    form = InvoiceRequestForm(formdata=None)
    if current_user.is_enterprise:
        org = current_user.organization
        form.title.data, form.tax_no.data, form.email.data = org.name, org.uscc, current_user.email
    return form


@bp.get("/")
def charges_page():
    status = request.args.get("status", "")
    stmt = scoped(Charge, current_user)
    if status in CHARGE_STATES:
        stmt = stmt.where(Charge.status == status)
    page, per_page = page_args(request.args, 50)
    pending = paginate(scoped(AdjustmentRequest, current_user).where(AdjustmentRequest.status == "pending"), 1, 1)
    return render_template("settlement/charges.html", page=paginate(stmt.order_by(
        Charge.created_at.desc(), Charge.id.desc()), page, per_page), status=status, states=CHARGE_STATES,
        invoice_form=_invoice_form(), pending_adjustments=pending.total, now=clock.now(),
        pending_invoices=invoices.pending_count(current_user))


@bp.get("/charges/<int:charge_id>")
def charge(charge_id):
    found = get_in_scope(Charge, charge_id, current_user)
    today = local_today(clock.now())
    usable = [(v, v.share_of(found.amount)) for v in vouchers.usable_vouchers(found.organization_id, today)] \
        if found.can("apply_voucher", current_user, clock.now()) else []
    return render_template("settlement/charge.html", charge=found, adjustments=charges.adjustments_of(found),
                           pending=charges.pending_adjustment(found), trail=audit.trail(found), usable=usable,
                           adjustment_form=AdjustmentForm(formdata=None), decision_form=DecisionForm(formdata=None),
                           paid_form=PaidForm(formdata=None, paid_on=today), now=clock.now())


def _back(charge_id):
    return url_for(".charge", charge_id=charge_id)


@bp.post("/charges/<int:charge_id>/voucher")
def apply_voucher(charge_id):
    found = get_in_scope(Charge, charge_id, current_user)
    return act(_back(charge_id), lambda: vouchers.apply(current_user, found, request.form.get("voucher_id"),
                                                        clock.now()), _("已使用创新券。"))


@bp.post("/charges/<int:charge_id>/adjustments")
def request_adjustment(charge_id):
    found = get_in_scope(Charge, charge_id, current_user)

    def submit():
        form = checked(AdjustmentForm())
        charges.request_adjustment(current_user, found, form.amount.data, form.reason.data, clock.now())

    return act(_back(charge_id), submit, _("调整申请已提交，机构处理后会通知您。"))


DECISIONS = {
    "approve": (lambda adjustment, form: charges.approve_adjustment(current_user, adjustment, clock.now()),
                _l("已同意调整，费用金额已更新。")),
    "reject": (lambda adjustment, form: charges.reject_adjustment(current_user, adjustment, form.reason.data,
                                                                 clock.now()), _l("已回复企业：不同意调整。")),
}


@bp.post("/adjustments/<int:adjustment_id>/<decision>")
def decide_adjustment(adjustment_id, decision):
    if decision not in DECISIONS:
        raise NotFound()
    adjustment = get_in_scope(AdjustmentRequest, adjustment_id, current_user)
    decide, done = DECISIONS[decision]
    return act(_back(adjustment.charge_id), lambda: decide(adjustment, DecisionForm()), done)


@bp.post("/charges/<int:charge_id>/paid")
def mark_paid(charge_id):
    found = get_in_scope(Charge, charge_id, current_user)

    def record():
        charges.mark_paid(current_user, found, checked(PaidForm()).paid_on.data, clock.now())

    return act(_back(charge_id), record, _("已确认付款。"))


@bp.get("/charges/<int:charge_id>/pack.zip")
def redemption_pack(charge_id):
    found = get_in_scope(Charge, charge_id, current_user)
    if not (found.is_staff(current_user) or found.is_customer(current_user)):
        raise Forbidden(_("兑付材料由服务机构提交，只有费用的双方可以下载。"))
    data = pack.redemption_pack(found, current_app.config["UPLOAD_DIR"])
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True,
                     download_name=f"redemption-pack-{found.id}.zip")
