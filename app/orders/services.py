"""Service orders from request to signed-off report, and the instrument time spent on them."""
import unicodedata

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from models import audit, db
from models.errors import Forbidden, InvalidTransition, NotFound, ValidationError
from models.instrument import Instrument
from models.occupancy import LONGEST_HOLD, Occupancy
from models.order import OrderItem, OrderReport, ServiceOrder
from models.organization import Organization
from models.timeutil import local, local_today

from ..booking.services import check_calendar, lock_instrument, write_hold
from ..notify.services import notify, notify_organization
from ..settlement.charges import record_order
from . import reports

MAX_ITEMS = 30


def _payload(order, **extra):
    return {"order_id": order.id, "number": order.number, "title": order.title,
            "organization": order.organization.name, "institution": order.institution.name, **extra}


def _tell_customer(order, kind, **extra):
    notify(order.created_by, kind, **_payload(order, **extra))


def _tell_institution(order, kind, **extra):
    notify_organization(order.institution_id, kind, **_payload(order, **extra))


def _printable(number):
    """A number goes into file names, headers and labels: no line breaks, NULs or other control characters."""
    return not any(unicodedata.category(char).startswith("C") for char in number)


def submit(actor, data, now):
    """A new request from an enterprise. `data` is a validated OrderForm's data."""
    if not actor.is_enterprise:
        raise Forbidden(_l("只有企业用户可以提交检测委托。"))
    institution = db.session.scalar(sa.select(Organization).where(
        Organization.id == data["institution_id"], Organization.kind == "institution",
        Organization.approved.is_(True)))
    if institution is None:
        raise ValidationError(fields={"institution_id": _l("请选择一家入驻的检测机构。")})
    instrument = None
    if data.get("instrument_id"):
        instrument = db.session.scalar(sa.select(Instrument).where(
            Instrument.id == data["instrument_id"], Instrument.institution_id == institution.id,
            Instrument.status != "retired"))
        if instrument is None:
            raise ValidationError(fields={"instrument_id": _l("该仪器不属于所选机构。")})
    if data.get("needed_by") and data["needed_by"] < local_today(now):
        raise ValidationError(fields={"needed_by": _l("需求日期不能早于今天。")})
    items = [i for i in data.get("items") or [] if (i.get("name") or "").strip()]
    if not items:
        raise ValidationError(fields={"items": _l("请至少填写一个检测项目。")})
    sample = data["sample"]
    order = ServiceOrder(
        kind=data["kind"], organization_id=actor.organization_id, institution=institution, instrument=instrument,
        created_by=actor, title=data["title"], description=data.get("description") or "",
        sample_name=sample["name"], sample_model=sample.get("model") or "", sample_quantity=sample["quantity"],
        sample_unit=sample["unit"], sample_disposal=sample["disposal"], needed_by=data.get("needed_by"),
        confidential=bool(data.get("confidential")), status="submitted", created_at=now, updated_at=now,
        items=[OrderItem(position=n, name=i["name"].strip(), standard=(i.get("standard") or "").strip())
               for n, i in enumerate(items[:MAX_ITEMS], start=1)])
    order.organization = actor.organization
    db.session.add(order)
    db.session.flush()
    audit.record(order, "submitted", actor=actor, at=now, to_state="submitted")
    _tell_institution(order, "order_submitted")
    return order


def quote(actor, order, amount, turnaround_days, valid_until, note, now):
    order.require("quote", actor, now)
    fields = {}
    if amount is None or amount < 0:
        fields["amount"] = _l("报价金额不能为负数。")
    if not turnaround_days or turnaround_days < 1 or turnaround_days > 365:
        fields["turnaround_days"] = _l("检测周期应为 1 到 365 天。")
    if valid_until is None or valid_until < local_today(now):
        fields["valid_until"] = _l("报价有效期不能早于今天。")
    if fields:
        raise ValidationError(fields=fields)
    order.transition("quoted", actor=actor, now=now, action="quoted")
    order.quote_amount, order.quote_turnaround_days = amount, turnaround_days
    order.quote_valid_until, order.quote_note, order.quoted_at = valid_until, (note or "")[:500], now
    _tell_customer(order, "order_quoted", amount=f"{amount:.2f}", valid_until=valid_until.isoformat())


def accept(actor, order, now):
    order.require("accept", actor, now)
    order.transition("accepted", actor=actor, now=now, action="accepted")
    _tell_institution(order, "order_accepted")


def decline(actor, order, now, reason=""):
    order.require("decline", actor, now)
    order.transition("declined", actor=actor, now=now, reason=reason, action="declined")
    _tell_institution(order, "order_declined", reason=reason)


def reject(actor, order, reason, now):
    order.require("reject", actor, now)
    if not (reason or "").strip():
        raise ValidationError(fields={"reason": _l("请说明不能受理的原因。")})
    order.transition("rejected", actor=actor, now=now, reason=reason, action="rejected")
    _tell_customer(order, "order_rejected", reason=reason)


def cancel(actor, order, reason, now):
    order.require("cancel", actor, now)
    if order.is_staff(actor) and not (reason or "").strip():
        raise ValidationError(fields={"reason": _l("机构取消委托须说明原因。")})
    order.transition("cancelled", actor=actor, now=now, reason=reason or "", action="cancelled")
    if order.is_staff(actor):
        _tell_customer(order, "order_cancelled_by_institution", reason=reason)
    else:
        _tell_institution(order, "order_cancelled", reason=reason or "")


def receive_sample(actor, order, now, sample_no=None):
    order.require("receive_sample", actor, now)
    number = (sample_no or "").strip() or f"YP-{local_today(now).year}-{order.id:06d}"
    if len(number) > 40 or not _printable(number):
        raise ValidationError(fields={"sample_no": _l("样品编号最多 40 个字符，不能含换行等控制字符。")})
    taken = db.session.scalar(sa.select(ServiceOrder.id).where(
        ServiceOrder.institution_id == order.institution_id, ServiceOrder.sample_no == number,
        ServiceOrder.id != order.id))
    if taken:
        raise ValidationError(fields={"sample_no": _l("样品编号“%(no)s”已被使用。", no=number)})
    order.transition("sample_received", actor=actor, now=now, action="sample_received")
    order.sample_no, order.sample_received_at = number, now
    _tell_customer(order, "order_sample_received", sample_no=number)


def start_testing(actor, order, now):
    order.require("start", actor, now)
    order.transition("testing", actor=actor, now=now, action="testing")
    order.testing_started_at = now
    _tell_customer(order, "order_testing")


def issue_report(actor, order, data, report_no, now, *, upload_dir, max_bytes):
    """Check the PDF, store it, then record the issue: a refused file changes nothing."""
    order.require("report", actor, now)
    ahead = db.session.scalar(sa.select(sa.func.max(Occupancy.end_at)).where(
        Occupancy.order_id == order.id, Occupancy.kind == "order_work", Occupancy.active.is_(True),
        Occupancy.end_at > now))
    if ahead is not None:
        raise InvalidTransition(_l("本订单登记的仪器机时到 %(t)s 才结束，报告须在机时用完后出具；如登记有误，请先更正。",
                                   t=local(ahead).strftime("%Y-%m-%d %H:%M")))
    number = (report_no or "").strip()
    if not number or len(number) > 50 or not _printable(number):
        raise ValidationError(fields={"report_no": _l("请填写报告编号（50 个字符以内，不能含换行等控制字符）。")})
    if db.session.scalar(sa.select(ServiceOrder.id).where(ServiceOrder.institution_id == order.institution_id,
                                                          ServiceOrder.report_no == number)):
        raise ValidationError(fields={"report_no": _l("报告编号“%(no)s”已被使用。", no=number)})
    reports.check_pdf(data, max_bytes)
    order.transition("report_issued", actor=actor, now=now, action="report_issued")
    order.report_no, order.report_issued_at, order.report_size = number, now, len(data)
    _claim_report(order, number)
    order.report_file = reports.store(upload_dir, data)
    db.session.add(OrderReport(order=order, version=1, report_no=number, file=order.report_file, size=len(data),
                               issued_at=now, issued_by_id=actor.id))
    _tell_customer(order, "order_report_issued", report_no=number)


def revise_report(actor, order, data, report_no, reason, now, *, upload_dir, max_bytes):
    """A corrected report, issued again with its reason: a new version that the order now serves. The order's
    state and first issue time stay (the statistics count the order once); the enterprise is told why."""
    order.require("revise_report", actor, now)
    reason = (reason or "").strip()
    if not reason or len(reason) > 500 or "\x00" in reason:
        raise ValidationError(fields={"revision_reason": _l("请说明修订原因（500 字以内），企业会看到它。")})
    number = (report_no or "").strip() or order.report_no
    if len(number) > 50 or not _printable(number):
        raise ValidationError(fields={"report_no": _l("请填写报告编号（50 个字符以内，不能含换行等控制字符）。")})
    taken = db.session.scalar(sa.select(OrderReport.id).where(
        OrderReport.report_no == number, OrderReport.order_id != order.id,
        OrderReport.order.has(ServiceOrder.institution_id == order.institution_id)))
    if taken:
        raise ValidationError(fields={"report_no": _l("报告编号“%(no)s”已被使用。", no=number)})
    reports.check_pdf(data, max_bytes)
    version = len(order.reports) + 1
    order.report_no, order.report_size, order.updated_at = number, len(data), now
    _claim_report(order, number)
    order.report_file = reports.store(upload_dir, data)
    db.session.add(OrderReport(order=order, version=version, report_no=number, file=order.report_file,
                               size=len(data), issued_at=now, issued_by_id=actor.id, reason=reason))
    audit.record(order, "report_revised", actor=actor, at=now, reason=reason,
                 details={"version": version, "report_no": number})
    _tell_customer(order, "order_report_revised", version=version, report_no=number, reason=reason)
    return version


def report_versions(actor, order):
    """Every issued version of the order's report, oldest first: for the two parties only."""
    if not (order.is_customer(actor) or order.is_staff(actor)):
        raise NotFound()
    return list(order.reports)


def report_version(actor, order, version):
    """One version's stored file name; 404 for a version that does not exist."""
    found = [row for row in report_versions(actor, order) if str(row.version) == str(version)]
    if not found:
        raise NotFound()
    return found[0]


def _claim_report(order, number):
    """Write the order's new state first: a concurrent report or cancellation that got there first makes this
    flush fail (409, or 422 for a number taken meanwhile) before any file is written."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ValidationError(fields={"report_no": _l("报告编号“%(no)s”已被使用。", no=number)}) from None


def complete(actor, order, now):
    """The enterprise confirms; the scheduler completes it 14 days after the report anyway."""
    if actor is not None:
        order.require("complete", actor, now)
    order.transition("completed", actor=actor, now=now, action="completed")
    order.completed_at = now
    record_order(order, now)
    if actor is None:
        _tell_customer(order, "order_auto_completed")
    else:
        _tell_institution(order, "order_completed")


def expire_quote(order, now):
    order.transition("expired", actor=None, now=now, action="expired")
    _tell_customer(order, "order_quote_expired")


def log_work(actor, order, instrument_id, start, end, now, note=""):
    """Instrument time spent on the order: it holds the calendar exactly like a booking."""
    order.require("log_work", actor, now)
    instrument = db.session.scalar(sa.select(Instrument).where(
        Instrument.id == instrument_id, Instrument.institution_id == order.institution_id))
    if instrument is None:
        raise ValidationError(fields={"instrument_id": _l("请选择本机构的仪器。")})
    if start >= end:
        raise ValidationError(fields={"end": _l("结束时间应晚于开始时间。")})
    if end - start > LONGEST_HOLD:
        raise ValidationError(fields={"end": _l("单次登记不能超过 31 天。")})
    if end > now:
        raise ValidationError(fields={"end": _l("只能登记已经用过的机时：结束时间不能晚于现在。")})
    lock_instrument(instrument)
    check_calendar(instrument, start, end, now, staff=True)
    hold = Occupancy.hold(instrument, start, end, now, "order_work", order_id=order.id, logged_by_id=actor.id,
                          note=(note or "")[:200])
    write_hold(hold)
    audit.record(order, "work_logged", actor=actor, at=now,
                 details={"instrument_id": instrument.id, "start": start.isoformat(), "end": end.isoformat()})
    return hold


def work_of(order):
    return db.session.scalars(sa.select(Occupancy).where(Occupancy.order_id == order.id)
                              .order_by(Occupancy.start_at)).all()


# The order's ACTIONS that need nothing but a reason or a sample number, by name: what the web's and the
# API's action routes call (quote, report and log_work have routes of their own).
STEPS = {
    "accept": lambda actor, order, now, reason, sample_no: accept(actor, order, now),
    "decline": lambda actor, order, now, reason, sample_no: decline(actor, order, now, reason),
    "reject": lambda actor, order, now, reason, sample_no: reject(actor, order, reason, now),
    "cancel": lambda actor, order, now, reason, sample_no: cancel(actor, order, reason, now),
    "receive_sample": lambda actor, order, now, reason, sample_no: receive_sample(actor, order, now, sample_no),
    "start": lambda actor, order, now, reason, sample_no: start_testing(actor, order, now),
    "complete": lambda actor, order, now, reason, sample_no: complete(actor, order, now),
}


def perform(actor, order, action, now, *, reason="", sample_no=None):
    STEPS[action](actor, order, now, reason, sample_no)


def get_report(actor, order):
    """Only the ordering enterprise and the institution ever get the file."""
    if not (order.is_customer(actor) or order.is_staff(actor)) or not order.has_report:
        raise NotFound()
    return order.report_file

