"""Service orders, their report and the instrument time spent on them; reviews."""
from flask import current_app, jsonify, request, send_file
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from models import db
from models.booking import Booking
from models.errors import PayloadTooLarge, ValidationError
from models.order import ACTIONS, KINDS, STATES, ServiceOrder
from models.timeutil import iso_local

from .. import clock
from ..orders import conversation, reports
from ..orders import services as orders
from ..orders.forms import OrderForm, QuoteForm
from ..policy import get_in_scope, is_party, scoped
from ..reviews import services as reviews
from .base import (
    actor,
    bp,
    created,
    declared_body,
    hyphenated,
    json_body,
    listing,
    unhyphenated,
    validated,
)
from .declare import FILE, Body, Ident, Instant, Integer, Query, Text, operation
from .vouchers import net_estimate_fields


def order_json(order, viewer):
    masked = order.confidential and not is_party(viewer, order)
    body = {
        "id": order.id, "number": order.number, "kind": order.kind, "status": order.status,
        "institution_id": order.institution_id, "institution": {"id": order.institution_id,
                                                                "name": order.institution.name},
        "instrument_id": order.instrument_id, "organization": {"id": order.organization_id,
                                                               "name": order.organization.name},
        "title": _l("保密委托") if masked else order.title, "confidential": order.confidential,
        "needed_by": order.needed_by.isoformat() if order.needed_by else None,
        "quote": None if order.quote_amount is None else {
            "amount": f"{order.quote_amount:.2f}", "currency": "CNY", "turnaround_days": order.quote_turnaround_days,
            "valid_until": order.quote_valid_until.isoformat(), "note": order.quote_note},
        "sample_no": order.sample_no, "report_no": order.report_no, "has_report": order.has_report,
        "status_reason": order.status_reason, "created_at": iso_local(order.created_at),
        "report_issued_at": iso_local(order.report_issued_at),
        "actions": [a for a in ACTIONS if order.can(a, viewer, clock.now())],
        "sample_delivery": conversation.sample_delivery(order, viewer), "contacts": conversation.contacts(order, viewer),
    }
    body["title"] = str(body["title"])
    body.update(net_estimate_fields(order, viewer))
    if not masked:
        body["description"] = order.description
        body["sample"] = {"name": order.sample_name, "model": order.sample_model, "quantity": order.sample_quantity,
                          "unit": order.sample_unit, "disposal": order.sample_disposal}
        body["items"] = [{"name": i.name, "standard": i.standard} for i in order.items]
    return body


@bp.post("/orders")
@operation("提交委托 · request testing", body=OrderForm, status=201)
def create_order():
    who = actor()
    body = json_body()
    form = validated(OrderForm, body)
    order = orders.submit(who, form.data, clock.now())
    db.session.commit()
    return created(order_json(order, who))


@bp.get("/orders")
@operation("委托列表 · orders in scope", query=Query(status=Text(30), kind=Text(30)), paged=True)
def list_orders():
    who = actor()
    stmt, fields = scoped(ServiceOrder, who), {}
    status, kind = request.args.get("status"), request.args.get("kind")
    if status:
        if status not in STATES:
            fields["status"] = _l("状态应为 %(states)s 之一。", states=", ".join(STATES))
        stmt = stmt.where(ServiceOrder.status == status)
    if kind:
        if kind not in KINDS:
            fields["kind"] = _l("类型应为 test_by_proxy 或 outsourced_testing。")
        stmt = stmt.where(ServiceOrder.kind == kind)
    if fields:
        raise ValidationError(fields=fields)
    return listing(stmt.order_by(ServiceOrder.created_at.desc(), ServiceOrder.id.desc()),
                   lambda o: order_json(o, who))


@bp.get("/orders/<order_id>")
@operation("委托详情 · an order")
def get_order(order_id):
    who = actor()
    return jsonify(order_json(get_in_scope(ServiceOrder, order_id, who), who))


@bp.post("/orders/<order_id>/quote")
@operation("报价 · quote an order", body=QuoteForm)
def quote_order(order_id):
    who = actor()
    order = get_in_scope(ServiceOrder, order_id, who)
    order.require("quote", who, clock.now())  # 403/409 before 422: a stranger learns nothing from the checks
    form = validated(QuoteForm)
    orders.quote(who, order, form.amount.data, form.turnaround_days.data, form.valid_until.data, form.note.data or "",
                 clock.now())
    db.session.commit()
    return jsonify(order_json(order, who))


@bp.post(f"/orders/<order_id>/<any({hyphenated(orders.STEPS)}):action>")
@operation("委托状态变更 · accept, decline, reject, receive the sample, start, complete, cancel", body=Body(reason=Text(500), sample_no=Text(50)))
def order_action(order_id, action):
    who = actor()
    order = get_in_scope(ServiceOrder, order_id, who)
    body = declared_body()
    orders.perform(who, order, unhyphenated(action), clock.now(), reason=body["reason"],
                   sample_no=body["sample_no"] or None)
    db.session.commit()
    return jsonify(order_json(order, who))


@bp.post("/orders/<order_id>/report")
@operation("上传报告 · upload the report PDF (or a revision)", multipart={"file": FILE, "report_no": {"type": "string", "maxLength": 50}, "revision_reason": {"type": "string", "maxLength": 500}})
def upload_report(order_id):
    """The report, or with `revision_reason` (after report_issued or completed) a revised version of it."""
    who = actor()
    order = get_in_scope(ServiceOrder, order_id, who)
    try:
        upload = request.files.get("file")
        report_no, reason = request.form.get("report_no", ""), request.form.get("revision_reason", "")
    except RequestEntityTooLarge:
        raise PayloadTooLarge() from None
    limit = current_app.config["REPORT_MAX_BYTES"]
    data = upload.read(limit + 1) if upload else b""
    options = {"upload_dir": current_app.config["UPLOAD_DIR"], "max_bytes": limit}
    if reason.strip():
        orders.revise_report(who, order, data, report_no, reason, clock.now(), **options)
    else:
        orders.issue_report(who, order, data, report_no, clock.now(), **options)
    db.session.commit()
    return jsonify(order_json(order, who))


def _pdf(name, report_no):
    return send_file(reports.path_of(current_app.config["UPLOAD_DIR"], name), mimetype="application/pdf",
                     as_attachment=True, download_name=f"report-{report_no}.pdf")


@bp.get("/orders/<order_id>/report")
@operation("下载报告 · the latest report", returns="application/pdf")
def download_report(order_id):
    """The newest version of the report."""
    who = actor()
    order = get_in_scope(ServiceOrder, order_id, who)
    return _pdf(orders.get_report(who, order), order.report_no)


@bp.get("/orders/<order_id>/reports")
@operation("报告版本 · report versions")
def report_versions(order_id):
    who = actor()
    order = get_in_scope(ServiceOrder, order_id, who)
    rows = orders.report_versions(who, order)
    return jsonify(items=[{"version": row.version, "report_no": row.report_no, "issued_at": iso_local(row.issued_at),
                           "reason": row.reason, "size": row.size} for row in rows], total=len(rows))


@bp.get("/orders/<order_id>/reports/<int:version>")
@operation("下载某版报告 · one version of the report", returns="application/pdf")
def download_report_version(order_id, version):
    who = actor()
    order = get_in_scope(ServiceOrder, order_id, who)
    row = orders.report_version(who, order, version)
    return _pdf(row.file, row.report_no)


@bp.post("/orders/<order_id>/work")
@operation("登记委托机时 · instrument time spent on an order", body=Body(instrument_id=Ident(), start=Instant(), end=Instant(), note=Text(200)), status=201)
def log_work(order_id):
    who = actor()
    order = get_in_scope(ServiceOrder, order_id, who)
    body = declared_body()
    hold = orders.log_work(who, order, body["instrument_id"], body["start"], body["end"], clock.now(), body["note"])
    db.session.commit()
    return created({"id": hold.id, "order_id": order.id, "instrument_id": hold.instrument_id,
                    "start": iso_local(hold.start_at), "end": iso_local(hold.end_at)})


def _review_body():
    body = declared_body()
    return body["score"], body["comment"]


def review_json(review):
    return {"id": review.id, "score": review.score, "comment": review.comment,
            "created_at": iso_local(review.created_at)}


@bp.post("/orders/<order_id>/review")
@operation("评价委托 · review an order", body=Body(score=Integer(1, 5), comment=Text(500)), status=201)
def review_order(order_id):
    who = actor()
    order = get_in_scope(ServiceOrder, order_id, who)
    score, comment = _review_body()
    review = reviews.review_order(who, order, score, comment, clock.now())
    db.session.commit()
    return created(review_json(review))


@bp.post("/bookings/<booking_id>/review")
@operation("评价预约 · review a booking", body=Body(score=Integer(1, 5), comment=Text(500)), status=201)
def review_booking(booking_id):
    who = actor()
    booking = get_in_scope(Booking, booking_id, who)
    score, comment = _review_body()
    review = reviews.review_booking(who, booking, score, comment, clock.now())
    db.session.commit()
    return created(review_json(review))

