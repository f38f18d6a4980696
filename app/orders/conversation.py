"""Talking about an order without a phone call: where to deliver the sample, whom to call, and messages
with files between the ordering enterprise and the institution. Bureaus that see an order do not see
its conversation (403); anyone else does not see the order (404)."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import db
from models.conversation import BODY_MAX, OrderAttachment, OrderMessage
from models.errors import Forbidden, NotFound, ValidationError

from ..notify.services import notify, notify_organization
from ..policy import is_party, parse_id
from . import attachments

# From acceptance on, the enterprise needs to know where the sample goes.
DELIVERY_STATES = ("accepted", "sample_received", "testing", "report_issued", "completed")
DELIVERY_FIELDS = ("sample_address", "sample_contact", "sample_phone", "sample_instructions")


def sample_delivery(order, viewer):
    """{"address", "contact", "phone", "instructions"} for the two parties once the quote is accepted, else None.
    The institution's own sample-delivery details, or its address and contact where it has none."""
    if not is_party(viewer, order) or order.status not in DELIVERY_STATES:
        return None
    lab = order.institution
    return {"address": lab.sample_address or lab.address, "contact": lab.sample_contact or lab.contact_name,
            "phone": lab.sample_phone or lab.contact_phone, "instructions": lab.sample_instructions}


def contacts(order, viewer):
    """Both parties' contacts, for the two parties only."""
    if not is_party(viewer, order):
        return None
    customer, enterprise, lab = order.created_by, order.organization, order.institution
    return {
        "enterprise": {"organization": enterprise.name, "name": customer.name or enterprise.contact_name,
                       "phone": customer.phone or enterprise.contact_phone, "email": customer.email},
        "institution": {"organization": lab.name, "name": lab.contact_name, "phone": lab.contact_phone,
                        "email": lab.contact_email},
    }


def update_sample_delivery(actor, data):
    """The institution's sample-delivery details (`data`: a validated SampleDeliveryForm's data)."""
    if not actor.institution_approved:
        raise Forbidden(_l("只有已入驻机构的人员可以修改送样信息。"))
    for name in DELIVERY_FIELDS:
        setattr(actor.organization, name, data.get(name) or "")


def _require_reader(actor, order):
    if not is_party(actor, order):
        raise Forbidden(_l("委托留言仅委托双方可见。"))


def messages_of(actor, order):
    """The order's messages, oldest first (a SELECT, for paging)."""
    _require_reader(actor, order)
    return sa.select(OrderMessage).where(OrderMessage.order_id == order.id).order_by(
        OrderMessage.created_at, OrderMessage.id)


def _excerpt(body, files):
    if body:
        return body[:60] + ("…" if len(body) > 60 else "")
    return str(_l("（附件：%(names)s）", names=", ".join(name for name, _kind, _data in files)))


def post_message(actor, order, body, files, now, *, upload_dir, max_bytes):
    """A message from one party to the other, with up to five checked files; the other party is notified.
    `files`: [(file name, bytes)]."""
    order.require("message", actor, now)
    body = "" if body is None else body
    if not isinstance(body, str) or "\x00" in body or len(body.strip()) > BODY_MAX:
        raise ValidationError(fields={"body": _l("留言应为 %(n)d 字以内的文字。", n=BODY_MAX)})
    body = body.strip()
    accepted = attachments.checked(files, max_bytes)
    if not body and not accepted:
        raise ValidationError(fields={"body": _l("请填写留言内容或附上文件。")})
    message = OrderMessage(order_id=order.id, author=actor, body=body, created_at=now)
    db.session.add(message)
    db.session.flush()
    for name, kind, data in accepted:
        db.session.add(OrderAttachment(message=message, order_id=order.id, name=name, size=len(data),
                                       content_type=attachments.KINDS[kind][0],
                                       stored_name=attachments.store(upload_dir, data, kind)))
    _tell_other_party(order, actor, _excerpt(body, accepted))
    return message


def _tell_other_party(order, author, excerpt):
    payload = {"order_id": order.id, "number": order.number, "title": order.title, "excerpt": excerpt,
               "author": author.name or author.email, "author_organization": author.organization.name}
    if order.is_staff(author):
        notify(order.created_by, "order_message", **payload)
    else:
        notify_organization(order.institution_id, "order_message", **payload)


def attachment_of(actor, order, attachment_id):
    """One of the order's attachments, for the two parties; 404 for any other id."""
    _require_reader(actor, order)
    attachment = db.session.scalar(sa.select(OrderAttachment).where(
        OrderAttachment.id == parse_id(attachment_id), OrderAttachment.order_id == order.id))
    if attachment is None:
        raise NotFound()
    return attachment
