"""Invoice requests: the enterprise asks for an invoice on charges it picked; the institution issues it."""
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models.settlement import InvoiceRequest
from models.timeutil import local_today

from .. import clock
from ..pagination import page_args, paginate
from ..policy import get_in_scope
from . import invoices
from .blueprint import act, bp, checked
from .forms import InvoiceRequestForm, IssueInvoiceForm


@bp.get("/invoices")
def invoices_page():
    status = request.args.get("status", "")
    page, per_page = page_args(request.args)
    stmt = invoices.requests_in_scope(current_user, status if status in ("requested", "issued") else None)
    return render_template("settlement/invoices.html", page=paginate(stmt, page, per_page), status=status,
                           issue_form=IssueInvoiceForm(formdata=None, issued_on=local_today(clock.now())),
                           now=clock.now())


@bp.post("/invoices")
def request_invoice():
    def submit():
        form = checked(InvoiceRequestForm())
        charge_ids = request.form.getlist("charge_ids", type=int)
        invoices.request_invoice(current_user, charge_ids, form.data, clock.now())

    return act(url_for(".invoices_page"), submit, _("开票申请已提交，机构开票后会通知您。"),
               failed_to=url_for(".charges_page", status="open"))


@bp.post("/invoices/<int:request_id>/issue")
def issue_invoice(request_id):
    found = get_in_scope(InvoiceRequest, request_id, current_user)

    def issue():
        form = checked(IssueInvoiceForm())
        invoices.issue_invoice(current_user, found, form.invoice_no.data, form.issued_on.data, clock.now())

    return act(url_for(".invoices_page"), issue, _("发票已登记，已通知企业。"))
