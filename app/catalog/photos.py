"""Instrument photos: up to five JPEG or PNG images, checked by their content, resized, stored as JPEG.

The upload's bytes are decoded by Pillow (never trusted by name or content type); EXIF orientation is
applied and the metadata dropped (no location leaks); a large image (≤ 1600 px) and a card image
(≤ 480 px) are written under random names through app/files.py, so a rolled-back upload leaves no file and
a deleted photo's files go only when the deletion commits.
"""
import io
import warnings
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import audit, db
from models.base import built_once
from models.errors import NotFound, PayloadTooLarge, ValidationError
from models.instrument import MAX_PHOTOS, InstrumentPhoto

from ..files import remove_on_commit, store_private

FORMATS = ("JPEG", "PNG")
LARGE, CARD = 1600, 480
CHOOSE_A_PHOTO = _l("请选择照片（JPEG 或 PNG）。")
MAX_PIXELS = 50_000_000  # a 50-megapixel camera image; more is a decompression bomb, not a photo


def folder(upload_dir):
    return Path(upload_dir) / "photos"


def photos_of(instrument_id):
    return db.session.scalars(_photos_of(), {"id": instrument_id}).all()


@built_once
def _photos_of():
    return (sa.select(InstrumentPhoto).where(InstrumentPhoto.instrument_id == sa.bindparam("id"))
            .order_by(InstrumentPhoto.position, InstrumentPhoto.id))


def first_photos(instrument_ids):
    """{instrument id: its first photo}, in one query, for the catalog's cards."""
    if not instrument_ids:
        return {}
    rows = db.session.scalars(sa.select(InstrumentPhoto).where(InstrumentPhoto.instrument_id.in_(instrument_ids))
                              .order_by(InstrumentPhoto.position.desc(), InstrumentPhoto.id.desc())).all()
    return {photo.instrument_id: photo for photo in rows}  # the last written per instrument is its first


def _decoded(data, max_bytes):
    from PIL import Image, ImageOps

    if not data:
        raise ValidationError(fields={"file": CHOOSE_A_PHOTO})
    if len(data) > max_bytes:
        raise PayloadTooLarge(_l("照片不能超过 %(mb)s MB。", mb=max_bytes // (1024 * 1024)))
    refused = ValidationError(fields={"file": _l("只能上传 JPEG 或 PNG 照片（文件内容不是这两种图片）。")})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in FORMATS or probe.width * probe.height > MAX_PIXELS:
                raise refused
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except ValidationError:
        raise
    except Exception:  # Pillow raises many kinds of errors for damaged or hostile files
        raise refused from None
    return ImageOps.exif_transpose(image).convert("RGB")


def _jpeg(image, longest):
    copy = image.copy()
    copy.thumbnail((longest, longest))
    buffer = io.BytesIO()
    copy.save(buffer, "JPEG", quality=85, optimize=True)
    return buffer.getvalue(), copy.size


def add_photo(actor, instrument, data, now, upload_dir, max_bytes):
    """Check and store one photo of an instrument the actor manages (the caller checked that)."""
    existing = photos_of(instrument.id)
    if len(existing) >= MAX_PHOTOS:
        raise ValidationError(fields={"file": _l("每台仪器最多 %(n)s 张照片，请先删除一张。", n=MAX_PHOTOS)})
    image = _decoded(data, max_bytes)
    large, (width, height) = _jpeg(image, LARGE)
    card, _size = _jpeg(image, CARD)
    photo = InstrumentPhoto(instrument_id=instrument.id, position=max((p.position for p in existing), default=-1) + 1,
                            file=store_private(folder(upload_dir), large, ".jpg"),
                            thumbnail=store_private(folder(upload_dir), card, ".jpg"),
                            width=width, height=height, created_by_id=actor.id, created_at=now)
    db.session.add(photo)
    db.session.flush()
    audit.record(instrument, "photo_added", actor=actor, at=now, details={"photo": photo.id})
    return photo


def photo_of(instrument, photo_id):
    photo = db.session.get(InstrumentPhoto, photo_id)
    if photo is None or photo.instrument_id != instrument.id:
        raise NotFound()
    return photo


def delete_photo(actor, instrument, photo, now, upload_dir):
    for name in (photo.file, photo.thumbnail):
        remove_on_commit(folder(upload_dir) / name)
    audit.record(instrument, "photo_deleted", actor=actor, at=now, details={"photo": photo.id})
    db.session.delete(photo)


def path_of(upload_dir, photo, size):
    return folder(upload_dir) / (photo.thumbnail if size == "card" else photo.file)
