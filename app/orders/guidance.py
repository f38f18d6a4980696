"""What an order's page tells the person reading it: the next step, written for their side of the order,
and what just happened after they acted ("已接受报价，请于 … 前送样至 …")."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .conversation import sample_delivery

FOR_CUSTOMER = {
    "submitted": _l("等待机构报价（通常 1–2 个工作日）。"),
    "quoted": _l("请确认报价：接受后即可按机构的送样信息送样。"),
    "sample_received": _l("样品已收到（样品编号 %(sample_no)s），机构将安排检测。"),
    "testing": _l("检测进行中，报告出具后您会收到通知。"),
    "report_issued": _l("报告已出具，请下载核对后确认完成（出具 14 天后自动确认）。"),
    "completed": _l("委托已完成，欢迎评价本次服务。"),
}
FOR_STAFF = {
    "submitted": _l("请报价，或说明不能受理的原因。"),
    "quoted": _l("等待企业确认报价（有效期至 %(valid_until)s）。"),
    "accepted": _l("企业已接受报价。样品送到后请确认收样，并打印样品标签贴在样品上。"),
    "sample_received": _l("请开始检测；用到仪器时请登记使用时间。"),
    "testing": _l("检测完成后上传报告（PDF）并出具。"),
    "report_issued": _l("等待企业确认完成。报告如有错误，可填写修订原因后重新出具。"),
    "completed": _l("委托已完成。报告如有错误，仍可填写修订原因后重新出具。"),
}


def _words(order):
    return {"sample_no": order.sample_no or "", "valid_until": order.quote_valid_until or ""}


def delivery_text(order, viewer):
    """Where and by when the sample goes: "请于 2026-03-12 前将样品送至 …（王工 021-…）。"."""
    delivery = sample_delivery(order, viewer) or {}
    due = order.quote_valid_until.isoformat() if order.quote_valid_until else "—"
    if not delivery.get("address"):
        return _("请于 %(date)s 前送样；机构尚未填写送样地址，请在下方留言询问。", date=due)
    who = " ".join(part for part in (delivery["contact"], delivery["phone"]) if part)
    return _("请于 %(date)s 前将样品送至 %(address)s%(who)s。", date=due, address=delivery["address"],
             who=f"（{who}）" if who else "")


def next_step(order, viewer):
    """The next step for the reader's side of the order; None for anyone who is not a party."""
    if order.is_staff(viewer):
        text = FOR_STAFF.get(order.status)
    elif order.is_customer(viewer):
        if order.status == "accepted":
            return delivery_text(order, viewer) + _("请在样品上贴好样品标签（见“送样信息”）。")
        text = FOR_CUSTOMER.get(order.status)
    else:
        return None
    return str(text) % _words(order) if text is not None else None


def done(action, order, viewer):
    """What just happened, after `action` succeeded (flashed on the order's page)."""
    if action == "accept":
        return _("已接受报价。") + delivery_text(order, viewer)
    texts = {
        "decline": _("已拒绝报价，委托结束，已通知机构。"),
        "reject": _("已告知企业不能受理该委托及原因。"),
        "cancel": _("委托已取消，已通知企业并说明原因。") if order.is_staff(viewer) else _("委托已取消，已通知机构。"),
        "receive_sample": _("已确认收样，样品编号 %(no)s，已通知企业。", no=order.sample_no),
        "start": _("已开始检测，已通知企业。"),
        "complete": _("已确认完成，欢迎评价本次服务。"),
    }
    return texts[action]
