"""Order pages for both sides: request, follow, quote, receive, test, report, complete, review."""
import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from models import Organization, audit, db
from models.errors import DomainError, Forbidden, NotFound, ValidationError
from models.instrument import Instrument
from models.order import STATES, ServiceOrder

from .. import clock
from ..formtools import read_instants
from ..i18n import money
from ..pagination import page_args, paginate
from ..policy import get_in_scope, is_party, scoped
from ..reviews import services as reviews
from ..reviews.forms import ReviewForm
from ..web import flash_error, refuse_unapproved_staff, show_errors
from . import attachments, conversation, guidance, reports, services
from .forms import OrderForm, QuoteForm, ReportForm, SampleDeliveryForm, WorkForm
from .sample_label import qr_svg

bp = Blueprint("orders", __name__)

TIMELINE = ["submitted", "quoted", "accepted", "sample_received", "testing", "report_issued", "completed"]


def _approved_institutions():
    return db.session.scalars(sa.select(Organization).where(
        Organization.kind == "institution", Organization.approved.is_(True)).order_by(Organization.name)).all()


@bp.route("/orders/new", methods=["GET", "POST"])
@login_required
def new():
    if not current_user.is_enterprise:
        raise Forbidden(_("只有企业用户可以提交检测委托。"))
    form = OrderForm()
    if request.method == "GET":
        form.institution_id.data = request.args.get("institution_id", type=int)
        form.instrument_id.data = request.args.get("instrument_id", type=int)
        if form.instrument_id.data and not form.institution_id.data:
            instrument = db.session.get(Instrument, form.instrument_id.data)
            form.institution_id.data = instrument.institution_id if instrument else None
    status = 200
    if form.validate_on_submit():
        try:
            order = services.submit(current_user, form.data, clock.now())
        except ValidationError as error:
            show_errors(form, error)
            status = 422
        else:
            db.session.commit()
            flash(_("委托已提交，机构报价后会通知您。"), "success")
            return redirect(url_for(".detail", order_id=order.id))
    elif form.is_submitted():
        status = 422
    instrument = db.session.get(Instrument, form.instrument_id.data) if form.instrument_id.data else None
    return render_template("orders/new.html", form=form, institutions=_approved_institutions(),
                           instrument=instrument), status


@bp.get("/orders")
@login_required
def mine():
    page, per_page = page_args(request.args)
    stmt = scoped(ServiceOrder, current_user).order_by(ServiceOrder.created_at.desc(), ServiceOrder.id.desc())
    return render_template("orders/mine.html", page=paginate(stmt, page, per_page))


@bp.get("/console/orders")
@login_required
def inbox():
    if not current_user.institution_approved:
        return refuse_unapproved_staff()
    status = request.args.get("status", "")
    stmt = scoped(ServiceOrder, current_user)
    if status in STATES:
        stmt = stmt.where(ServiceOrder.status == status)
    page, per_page = page_args(request.args, 50)
    counts = dict(db.session.execute(
        sa.select(ServiceOrder.status, sa.func.count(ServiceOrder.id))
        .where(ServiceOrder.institution_id == current_user.organization_id).group_by(ServiceOrder.status)).all())
    return render_template("orders/inbox.html", page=paginate(stmt.order_by(ServiceOrder.created_at.desc()), page,
                                                              per_page), status=status, counts=counts, states=STATES)


@bp.get("/orders/<int:order_id>")
@login_required
def detail(order_id):
    order = get_in_scope(ServiceOrder, order_id, current_user)
    work_form = WorkForm(formdata=None)
    work_form.instrument_id.choices = _own_instrument_choices(order)
    party = is_party(current_user, order)
    return render_template(
        "orders/detail.html", order=order, trail=audit.trail(order), party=party, now=clock.now(),
        timeline=TIMELINE, next_step=guidance.next_step(order, current_user), work=services.work_of(order),
        quote_form=QuoteForm(formdata=None), report_form=ReportForm(formdata=None), work_form=work_form,
        review=reviews.review_of(order=order), review_form=ReviewForm(formdata=None),
        delivery=conversation.sample_delivery(order, current_user), contacts=conversation.contacts(order, current_user),
        messages=db.session.scalars(conversation.messages_of(current_user, order)).all() if party else [],
        versions=order.reports if party else [])


def _own_instrument_choices(order):
    if not order.is_staff(current_user):
        return []
    rows = db.session.execute(sa.select(Instrument.id, Instrument.name).where(
        Instrument.institution_id == order.institution_id, Instrument.status != "retired")
        .order_by(Instrument.name)).all()
    return [(row.id, row.name) for row in rows]


def _back(order, error=None):
    if error is not None:
        db.session.rollback()
        flash_error(error)
    return redirect(url_for(".detail", order_id=order.id))


@bp.post(f"/orders/<int:order_id>/<any({', '.join(services.STEPS)}):action>")
@login_required
def act(order_id, action):
    order = get_in_scope(ServiceOrder, order_id, current_user)
    try:
        services.perform(current_user, order, action, clock.now(), reason=request.form.get("reason", ""),
                         sample_no=request.form.get("sample_no"))
    except DomainError as error:
        return _back(order, error)
    db.session.commit()
    flash(guidance.done(action, order, current_user), "success")
    return _back(order)


@bp.post("/orders/<int:order_id>/quote")
@login_required
def quote(order_id):
    order = get_in_scope(ServiceOrder, order_id, current_user)
    form = QuoteForm()
    try:
        if not form.validate():
            raise ValidationError(fields={k: v[0] for k, v in form.errors.items()})
        services.quote(current_user, order, form.amount.data, form.turnaround_days.data, form.valid_until.data,
                       form.note.data, clock.now())
    except DomainError as error:
        return _back(order, error)
    db.session.commit()
    flash(_("报价 %(amount)s 已发送给%(org)s，企业确认后会通知您。", amount=money(order.quote_amount),
            org=order.organization.name), "success")
    return _back(order)


@bp.post("/orders/<int:order_id>/report")
@login_required
def report(order_id):
    order = get_in_scope(ServiceOrder, order_id, current_user)
    limit = current_app.config["REPORT_MAX_BYTES"]
    options = {"upload_dir": current_app.config["UPLOAD_DIR"], "max_bytes": limit}
    try:
        upload = request.files.get("file")
        data = upload.read(limit + 1) if upload else b""
        reason, number = request.form.get("revision_reason", ""), request.form.get("report_no")
        if order.status not in ("report_issued", "completed"):
            services.issue_report(current_user, order, data, number, clock.now(), **options)
            done = _("报告 %(no)s 已出具，已通知企业。", no=order.report_no)
        else:
            version = services.revise_report(current_user, order, data, number, reason, clock.now(), **options)
            done = _("报告已修订为第 %(v)s 版（%(no)s），已通知企业。", v=version, no=order.report_no)
    except RequestEntityTooLarge:
        flash(_("报告文件过大。"), "danger")
        return _back(order)
    except DomainError as error:
        return _back(order, error)
    db.session.commit()
    flash(done, "success")
    return _back(order)


@bp.post("/orders/<int:order_id>/work")
@login_required
def work(order_id):
    order = get_in_scope(ServiceOrder, order_id, current_user)
    try:
        start, end = read_instants(request.form, "start", "end")
        services.log_work(current_user, order, request.form.get("instrument_id", type=int), start, end,
                          clock.now(), request.form.get("note", ""))
    except DomainError as error:
        return _back(order, error)
    db.session.commit()
    flash(_("仪器使用时间已登记，并已占用该仪器的日历。"), "success")
    return _back(order)


@bp.get("/orders/<int:order_id>/report.pdf")
@login_required
def download(order_id):
    order = get_in_scope(ServiceOrder, order_id, current_user)
    name = services.get_report(current_user, order)
    return send_file(reports.path_of(current_app.config["UPLOAD_DIR"], name), mimetype="application/pdf",
                     as_attachment=True, download_name=f"report-{order.report_no}.pdf")


@bp.get("/orders/<int:order_id>/reports/<int:version>.pdf")
@login_required
def download_version(order_id, version):
    order = get_in_scope(ServiceOrder, order_id, current_user)
    row = services.report_version(current_user, order, version)
    return send_file(reports.path_of(current_app.config["UPLOAD_DIR"], row.file), mimetype="application/pdf",
                     as_attachment=True, download_name=f"report-{row.report_no}-v{row.version}.pdf")


@bp.get("/orders/<int:order_id>/label")
@login_required
def label(order_id):
    """The printable sample label: order number, sample number once received, a QR code of the order's page."""
    order = get_in_scope(ServiceOrder, order_id, current_user)
    if conversation.sample_delivery(order, current_user) is None:
        raise NotFound()
    page = url_for(".detail", order_id=order.id, _external=True)
    return render_template("orders/label.html", order=order, qr=qr_svg(page), page=page)


@bp.post("/orders/<int:order_id>/messages")
@login_required
def message(order_id):
    order = get_in_scope(ServiceOrder, order_id, current_user)
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    try:
        files = [(upload.filename, upload.read(limit + 1)) for upload in request.files.getlist("files")
                 if upload.filename]
        conversation.post_message(current_user, order, request.form.get("body", ""), files, clock.now(),
                                  upload_dir=current_app.config["UPLOAD_DIR"], max_bytes=limit)
    except RequestEntityTooLarge:
        flash(_("附件过大：每个文件不超过 %(mb)s MB。", mb=limit // (1024 * 1024)), "danger")
        return _back(order)
    except DomainError as error:
        return _back(order, error)
    db.session.commit()
    flash(_("留言已发送，已通知%(who)s。", who=order.organization.name if order.is_staff(current_user)
            else order.institution.name), "success")
    return redirect(url_for(".detail", order_id=order.id, _anchor="messages"))


@bp.get("/orders/<int:order_id>/attachments/<int:attachment_id>")
@login_required
def attachment(order_id, attachment_id):
    order = get_in_scope(ServiceOrder, order_id, current_user)
    found = conversation.attachment_of(current_user, order, attachment_id)
    return send_file(attachments.path_of(current_app.config["UPLOAD_DIR"], found.stored_name),
                     mimetype=found.content_type, as_attachment=True, download_name=found.name)


@bp.post("/console/institution/sample-delivery")
@login_required
def sample_delivery():
    form = SampleDeliveryForm()
    if not form.validate():
        flash_error(ValidationError(fields={name: errors[0] for name, errors in form.errors.items()}))
    else:
        conversation.update_sample_delivery(current_user, form.data)
        db.session.commit()
        flash(_("送样信息已保存，企业接受报价后会在委托页看到。"), "success")
    return redirect(url_for("console.institution"))


@bp.post("/orders/<int:order_id>/review")
@login_required
def review(order_id):
    order = get_in_scope(ServiceOrder, order_id, current_user)
    try:
        reviews.review_order(current_user, order, request.form.get("score", type=int), request.form.get("comment", ""),
                             clock.now())
    except DomainError as error:
        return _back(order, error)
    db.session.commit()
    flash(_("感谢您的评价。"), "success")
    return _back(order)
