"""An instrument's photos: listed with the instrument, added and deleted by its institution's staff."""
from flask import current_app, g, jsonify, request, url_for

from models import Instrument, db
from models.errors import ValidationError

from .. import clock
from ..catalog import photos
from ..policy import get_in_scope, managed_instrument, parse_id
from .base import actor, bp, created
from .declare import FILE, operation


def photo_json(photo):
    values = {"instrument_id": photo.instrument_id, "photo_id": photo.id}
    return {"id": photo.id, "width": photo.width, "height": photo.height,
            "url": url_for("catalog.photo", **values), "card_url": url_for("catalog.photo", size="card", **values)}


@bp.get("/instruments/<instrument_id>/photos")
@operation("仪器照片 · an instrument's photos", public=True)
def instrument_photos(instrument_id):
    found = get_in_scope(Instrument, instrument_id, g.actor)
    return jsonify(items=[photo_json(p) for p in photos.photos_of(found.id)])


@bp.post("/instruments/<instrument_id>/photos")
@operation("上传照片 · add a photo (JPEG/PNG)", status=201, multipart={"file": FILE})
def add_instrument_photo(instrument_id):
    found = managed_instrument(actor(), instrument_id)
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError(fields={"file": photos.CHOOSE_A_PHOTO})
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    photo = photos.add_photo(g.actor, found, upload.read(limit + 1), clock.now(), current_app.config["UPLOAD_DIR"],
                             limit)
    db.session.commit()
    return created(photo_json(photo))


@bp.delete("/instruments/<instrument_id>/photos/<photo_id>")
@operation("删除照片 · delete a photo", returns="empty")
def delete_instrument_photo(instrument_id, photo_id):
    found = managed_instrument(actor(), instrument_id)
    photos.delete_photo(g.actor, found, photos.photo_of(found, parse_id(photo_id)), clock.now(),
                        current_app.config["UPLOAD_DIR"])
    db.session.commit()
    return "", 204
