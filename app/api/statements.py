"""Monthly statements (JSON, PDF, .xlsx, a month's .zip) and invoice requests."""
from flask import Response, jsonify, request

from models import db
from models.errors import Forbidden
from models.money import decimal_text
from models.settlement import InvoiceRequest
from models.timeutil import iso_local, local_today

from .. import clock
from ..policy import get_in_scope
from ..settlement import documents, invoices
from ..settlement.statements import parse_month, statement_for, statements_of_month
from .base import actor, bp, created, declared_body, listing
from .charges import charge_json, party
from .declare import XLSX, Body, Choice, Day, Idents, Query, QueryInt, Text, operation
from .strict import Fields


def statement_json(statement):
    return {"month": statement.label, "institution": party(statement.institution),
            "organization": party(statement.organization), "lines": [charge_json(c) for c in statement.lines],
            "total": decimal_text(statement.total), "voucher_total": decimal_text(statement.voucher_total),
            "net_total": decimal_text(statement.net_total)}


def _statement():
    who, fields = actor(), Fields(request.args)
    institution_id, organization_id = fields.query_ident("institution_id"), fields.query_ident("organization_id")
    fields.done()
    month = parse_month(request.args.get("month"), local_today(clock.now()))
    return statement_for(who, month, institution_id, organization_id)


def attachment(data, mimetype, name):
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.get("/statements")
@operation("对账单 · a monthly statement", query=Query(month=Text(7), institution_id=QueryInt(), organization_id=QueryInt()))
def get_statement():
    return jsonify(statement_json(_statement()))


@bp.get("/statements.pdf")
@operation("对账单 PDF · the statement as PDF", query=Query(month=Text(7), institution_id=QueryInt(), organization_id=QueryInt()), returns="application/pdf")
def statement_pdf():
    statement = _statement()
    return attachment(documents.statement_pdf(statement), "application/pdf",
                      f"statement-{statement.label}-{statement.institution.id}-{statement.organization.id}.pdf")


@bp.get("/statements.xlsx")
@operation("对账单 Excel · the statement as .xlsx", query=Query(month=Text(7), institution_id=QueryInt(), organization_id=QueryInt()), returns=XLSX)
def statement_xlsx():
    statement = _statement()
    return attachment(documents.statement_xlsx(statement), XLSX,
                      f"statement-{statement.label}-{statement.institution.id}-{statement.organization.id}.xlsx")


@bp.get("/statements.zip")
@operation("全部客户对账单 · all of the month's statements (.zip)", query=Query(month=Text(7), institution_id=QueryInt(), organization_id=QueryInt()), returns="application/zip")
def statements_zip():
    """An institution's statements of all its customers for a month, one PDF each."""
    who = actor()
    if not who.is_institution_staff:
        raise Forbidden()
    month = parse_month(request.args.get("month"), local_today(clock.now()))
    label = month.strftime("%Y-%m")
    return attachment(documents.statements_zip(statements_of_month(who, month), label), "application/zip",
                      f"statements-{label}.zip")


def invoice_request_json(invoice):
    return {"id": invoice.id, "status": invoice.status, "institution": party(invoice.institution),
            "organization": party(invoice.organization), "title": invoice.title, "tax_no": invoice.tax_no,
            "kind": invoice.kind, "email": invoice.email, "charge_ids": [c.id for c in invoice.charges],
            "total": decimal_text(invoice.total), "voucher_total": decimal_text(invoice.voucher_total),
            "net_total": decimal_text(invoice.net_total), "invoice_no": invoice.invoice_no,
            "issued_on": invoice.issued_on.isoformat() if invoice.issued_on else None,
            "created_at": iso_local(invoice.created_at)}


INVOICE = Body(charge_ids=Idents(), title=Text(100, required=True), tax_no=Text(20, required=True),
               kind=Choice(("normal", "special")), email=Text(254, required=True))


@bp.post("/invoice-requests")
@operation("申请开票 · ask for an invoice", body=INVOICE, status=201)
def request_invoice():
    who = actor()
    data = declared_body()
    invoice = invoices.request_invoice(who, data.pop("charge_ids"), data, clock.now())
    db.session.commit()
    return created(invoice_request_json(invoice))


@bp.get("/invoice-requests")
@operation("开票申请 · invoice requests in scope", query=Query(status=Text(20)), paged=True)
def list_invoice_requests():
    who, fields = actor(), Fields(request.args)
    status = request.args.get("status")
    if status:
        fields.choice("status", ("requested", "issued"))
    fields.done()
    return listing(invoices.requests_in_scope(who, status), invoice_request_json)


@bp.get("/invoice-requests/<request_id>")
@operation("开票申请详情 · an invoice request")
def get_invoice_request(request_id):
    return jsonify(invoice_request_json(get_in_scope(InvoiceRequest, request_id, actor())))


@bp.post("/invoice-requests/<request_id>/issue")
@operation("登记发票 · record the issued invoice", body=Body(invoice_no=Text(40, required=True), issued_on=Day()))
def issue_invoice(request_id):
    who = actor()
    invoice = get_in_scope(InvoiceRequest, request_id, who)
    body = declared_body()
    invoices.issue_invoice(who, invoice, body["invoice_no"], body["issued_on"], clock.now())
    db.session.commit()
    return jsonify(invoice_request_json(invoice))
