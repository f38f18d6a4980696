"""A charge's redemption pack (兑付材料): what an institution files to be reimbursed for a voucher.

One .zip: the statement line (PDF), the report (PDF, for an order), the service record (PDF: who,
what, when, and every recorded step) and the enterprise's review (PDF) when there is one.
"""
import io
import zipfile

from flask_babel import gettext as _

from models import audit
from models.timeutil import local

from ..labels import AUDIT_ACTIONS, DISPOSAL_LABELS, MODE_LABELS, REVIEW_WORDS
from ..orders import reports
from ..orders.services import work_of
from ..reviews.services import review_of
from .documents import write_statement
from .statements import Statement


def _when(instant, fmt="%Y-%m-%d %H:%M"):
    return local(instant).strftime(fmt) if instant else "—"


def statement_line_pdf(charge):
    from ..pdf import Document

    doc = Document(_("兑付材料"))
    statement = Statement(local(charge.created_at).date().replace(day=1), charge.institution, charge.organization,
                          [charge])
    write_statement(doc, statement, _("服务费用结算单（费用 #%(id)s）", id=charge.id))
    if charge.voucher_id:
        voucher = charge.voucher
        doc.fields([(_("创新券券号"), voucher.code), (_("项目"), voucher.programme), (_("发放部门"), voucher.issuer.name),
                    (_("补贴比例"), f"{voucher.subsidy_percent}%"), (_("使用时间"), _when(charge.voucher_applied_at))])
    return doc.to_bytes()


def _trail(doc, subject):
    rows = [[_when(entry.at), str(AUDIT_ACTIONS.get(entry.action, entry.action)),
             entry.actor.name if entry.actor else _("系统"), entry.reason or ""] for entry in audit.trail(subject)]
    doc.paragraph(_("处理记录"), size=11)
    doc.grid([_("时间"), _("操作"), _("操作人"), _("说明")], rows, (34, 44, 34, 68))


def _booking_record(doc, booking):
    doc.fields([
        (_("服务方式"), MODE_LABELS.get(booking.service_mode, booking.service_mode)),
        (_("仪器"), f"{booking.instrument.name}（{booking.instrument.internal_code}）"),
        (_("服务机构"), booking.instrument.institution.name), (_("使用企业"), booking.organization.name),
        (_("预约时间"), f"{_when(booking.start_at)} – {_when(booking.end_at, '%H:%M')}"),
        (_("实际使用"), f"{_when(booking.actual_start)} – {_when(booking.actual_end, '%H:%M')}"),
        (_("实际时长"), _("%(n)s 分钟", n=booking.actual_minutes or 0)), (_("用途说明"), booking.purpose),
    ])
    _trail(doc, booking)


def _order_record(doc, order):
    doc.fields([
        (_("委托单号"), order.number), (_("服务方式"), MODE_LABELS.get(order.kind, order.kind)),
        (_("委托名称"), order.title), (_("服务机构"), order.institution.name), (_("委托企业"), order.organization.name),
        (_("样品"), f"{order.sample_name} {order.sample_model} · {order.sample_quantity} {order.sample_unit} · "
                   f"{DISPOSAL_LABELS.get(order.sample_disposal, '')}"),
        (_("样品编号"), order.sample_no), (_("报告编号"), order.report_no),
        (_("报告出具"), _when(order.report_issued_at)), (_("完成确认"), _when(order.completed_at)),
    ])
    doc.grid([_("检测项目"), _("检测依据（标准）")], [[i.name, i.standard or "—"] for i in order.items], (100, 80))
    work = [[w.instrument.name, _when(w.start_at), _when(w.end_at)] for w in work_of(order)]
    if work:
        doc.grid([_("仪器"), _("开始"), _("结束")], work, (80, 50, 50))
    _trail(doc, order)


def service_record_pdf(charge):
    from ..pdf import Document

    doc = Document(_("服务记录"))
    doc.heading(_("服务记录（费用 #%(id)s）", id=charge.id))
    if charge.source == "booking":
        _booking_record(doc, charge.booking)
    else:
        _order_record(doc, charge.order)
    return doc.to_bytes()


def review_pdf(review):
    from ..pdf import Document

    doc = Document(_("服务评价"))
    doc.heading(_("服务评价"))
    doc.fields([(_("评分"), f"{review.score} / 5 · {REVIEW_WORDS.get(review.score, '')}"),
                (_("评价企业"), review.organization.name), (_("评价时间"), _when(review.created_at)),
                (_("评价内容"), review.comment)])
    return doc.to_bytes()


def redemption_pack(charge, upload_dir):
    subject = charge.subject
    review = review_of(booking=subject) if charge.source == "booking" else review_of(order=subject)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("statement-line.pdf", statement_line_pdf(charge))
        if charge.source == "order" and subject.has_report:
            archive.write(reports.path_of(upload_dir, subject.report_file), f"report-{subject.report_no}.pdf")
        archive.writestr("service-record.pdf", service_record_pdf(charge))
        if review is not None:
            archive.writestr("review.pdf", review_pdf(review))
    return buffer.getvalue()
