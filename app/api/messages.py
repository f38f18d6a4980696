"""The conversation on an order: messages between the two parties, with attached files."""
from flask import current_app, request, send_file
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from models import db
from models.errors import PayloadTooLarge, ValidationError
from models.order import ServiceOrder
from models.timeutil import iso_local

from .. import clock
from ..orders import attachments, conversation
from ..policy import get_in_scope
from .base import actor, bp, created, json_body, listing
from .declare import Body, Text, operation


def message_json(message):
    author = message.author
    return {"id": message.id, "author": {"id": author.id, "name": author.name or author.email,
                                         "organization": author.organization.name if author.organization else None},
            "body": message.body, "created_at": iso_local(message.created_at),
            "attachments": [{"id": a.id, "name": a.name, "size": a.size, "content_type": a.content_type}
                            for a in message.attachments]}


@bp.get("/orders/<order_id>/messages")
@operation("委托留言 · the order conversation", paged=True)
def list_messages(order_id):
    who = actor()
    order = get_in_scope(ServiceOrder, order_id, who)
    return listing(conversation.messages_of(who, order), message_json, default_per_page=50)


def _posted():
    """(body, [(file name, bytes)]) of a JSON body {"body"} or a multipart form (body + files)."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    if request.mimetype != "multipart/form-data":
        body = json_body().get("body")
        if body is not None and not isinstance(body, str):
            raise ValidationError(fields={"body": _l("应为文本（字符串），且不能含 NUL 字符。")})
        return body, []
    try:
        uploads = [upload for upload in request.files.getlist("files") if upload.filename or upload.content_length]
        body = request.form.get("body", "")
    except RequestEntityTooLarge:
        raise PayloadTooLarge() from None
    return body, [(upload.filename or "file", upload.read(limit + 1)) for upload in uploads]


@bp.post("/orders/<order_id>/messages")
@operation("发送留言 · post a message (JSON or multipart with files)", body=Body(body=Text(5000)), status=201)
def post_message(order_id):
    who = actor()
    order = get_in_scope(ServiceOrder, order_id, who)
    body, files = _posted()
    message = conversation.post_message(who, order, body, files, clock.now(),
                                        upload_dir=current_app.config["UPLOAD_DIR"],
                                        max_bytes=current_app.config["ATTACHMENT_MAX_BYTES"])
    db.session.commit()
    return created(message_json(message))


@bp.get("/orders/<order_id>/attachments/<attachment_id>")
@operation("下载留言附件 · download an attachment", returns="application/octet-stream")
def download_attachment(order_id, attachment_id):
    who = actor()
    order = get_in_scope(ServiceOrder, order_id, who)
    attachment = conversation.attachment_of(who, order, attachment_id)
    return send_file(attachments.path_of(current_app.config["UPLOAD_DIR"], attachment.stored_name),
                     mimetype=attachment.content_type, as_attachment=True, download_name=attachment.name)
