"""Invoice requests (开票申请): the enterprise asks, the institution issues and records the number.

One request covers open charges of one institution; a charge is in at most one request. Issuing
moves its charges to `invoiced`; payment is then recorded per charge (charges.mark_paid).
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import audit, db
from models.errors import Forbidden, InvalidTransition, ValidationError
from models.money import decimal_text
from models.settlement import INVOICE_KINDS, Charge, InvoiceRequest
from models.timeutil import local_today
from models.uscc import normalize_uscc, taxpayer_number_error

from ..formtools import email_problem
from ..notify.services import notify, notify_organization
from ..policy import scoped

INVOICE_NO_CHARACTERS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-")


def _check_details(data):
    fields = {}
    title = (data.get("title") or "").strip()
    if not title or len(title) > 100:
        fields["title"] = _l("请填写发票抬头（100 字以内）。")
    tax_no = normalize_uscc(data.get("tax_no"))
    problem = taxpayer_number_error(tax_no) if tax_no else _l("请填写纳税人识别号。")
    if problem:
        fields["tax_no"] = problem
    if data.get("kind") not in INVOICE_KINDS:
        fields["kind"] = _l("发票类型应为普票（normal）或专票（special）。")
    email = (data.get("email") or "").strip() if isinstance(data.get("email"), str) else ""
    if email_problem(email):
        fields["email"] = _l("请填写有效的电子邮箱，发票将发送到这里。")
    if fields:
        raise ValidationError(fields=fields)
    return {"title": title, "tax_no": tax_no, "kind": data["kind"], "email": email}


def _charges(actor, charge_ids, now):
    ids = list(dict.fromkeys(charge_ids or []))
    if not ids:
        raise ValidationError(fields={"charge_ids": _l("请选择要开票的费用。")})
    found = db.session.scalars(scoped(Charge, actor).where(Charge.id.in_(ids)).order_by(Charge.id)
                               .with_for_update(of=Charge).execution_options(populate_existing=True)).all()
    missing = sorted(set(ids) - {c.id for c in found})
    if missing:
        raise ValidationError(fields={"charge_ids": _l("找不到这些费用：%(ids)s。",
                                                       ids=", ".join(str(i) for i in missing))})
    if len({c.institution_id for c in found}) > 1:
        raise ValidationError(fields={"charge_ids": _l("一张发票只能包含同一家机构的费用，请按机构分别申请。")})
    taken = [c.id for c in found if not c.can("request_invoice", actor, now)]
    if taken:
        raise InvalidTransition(_l("这些费用已开票、已免收或已在其他开票申请中：%(ids)s。",
                                   ids=", ".join(str(i) for i in taken)))
    return found


def request_invoice(actor, charge_ids, data, now):
    """发票抬头, 纳税人识别号, 普票/专票 and where to send it, for open charges of one institution."""
    if actor is None or not actor.is_enterprise:
        raise Forbidden(_l("只有企业用户可以申请开票。"))
    details = _check_details(data)
    charges = _charges(actor, charge_ids, now)
    request = InvoiceRequest(institution_id=charges[0].institution_id, organization_id=actor.organization_id,
                             requested_by=actor, status="requested", created_at=now, updated_at=now, **details)
    db.session.add(request)
    for charge in charges:
        charge.invoice_request, charge.updated_at = request, now
    db.session.flush()
    audit.record(request, "requested", actor=actor, at=now, to_state="requested",
                 details={"charge_ids": [c.id for c in charges]})
    notify_organization(request.institution_id, "invoice_requested", organization=actor.organization.name,
                        count=len(charges), total=decimal_text(request.total))
    return request


def _check_issue(invoice_no, issued_on, now):
    fields, number = {}, (invoice_no or "").strip()
    if not number or len(number) > 40 or not set(number) <= INVOICE_NO_CHARACTERS:
        fields["invoice_no"] = _l("请填写发票号码（40 位以内的数字、字母或连字符）。")
    if issued_on is None or issued_on > local_today(now):
        fields["issued_on"] = _l("请填写开票日期（不能晚于今天）。")
    if fields:
        raise ValidationError(fields=fields)
    return number


def issue_invoice(actor, request, invoice_no, issued_on, now):
    """The institution records the invoice it issued; the charges it covers become invoiced."""
    request.require("issue", actor, now)
    number = _check_issue(invoice_no, issued_on, now)
    request.transition("issued", actor=actor, now=now)
    request.invoice_no, request.issued_on, request.issued_by_id = number, issued_on, actor.id
    for charge in request.charges:
        charge.transition("invoiced", actor=actor, now=now, action="invoiced")
    notify(request.requested_by, "invoice_issued", institution=request.institution.name, invoice_no=number,
           issued_on=issued_on.isoformat(), total=decimal_text(request.total), email=request.email)


def requests_in_scope(actor, status=None):
    stmt = scoped(InvoiceRequest, actor)
    if status:
        stmt = stmt.where(InvoiceRequest.status == status)
    return stmt.order_by(InvoiceRequest.created_at.desc(), InvoiceRequest.id.desc())


def pending_count(actor):
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        requests_in_scope(actor, "requested").order_by(None).subquery()))
