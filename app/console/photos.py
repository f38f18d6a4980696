"""An instrument's photos in the console: upload (checked by content) and delete."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models import db
from models.errors import PayloadTooLarge, ValidationError

from .. import clock
from ..catalog import photos
from ..policy import managed_instrument
from .blueprint import bp


def _page(instrument, problem=None, status=200):
    return render_template("console/photos.html", instrument=instrument, photos=photos.photos_of(instrument.id),
                           problem=problem, max_photos=photos.MAX_PHOTOS), status


@bp.get("/instruments/<int:instrument_id>/photos")
def photos_page(instrument_id):
    return _page(managed_instrument(current_user, instrument_id))


@bp.post("/instruments/<int:instrument_id>/photos")
def add_photo(instrument_id):
    instrument = managed_instrument(current_user, instrument_id)
    upload = request.files.get("file")
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    try:
        photos.add_photo(current_user, instrument, upload.read(limit + 1) if upload else b"", clock.now(),
                         current_app.config["UPLOAD_DIR"], limit)
    except (ValidationError, PayloadTooLarge) as error:
        db.session.rollback()
        return _page(instrument, error.fields.get("file", error.message), error.status)
    db.session.commit()
    flash(_("照片已上传。"), "success")
    return redirect(url_for(".photos_page", instrument_id=instrument.id))


@bp.post("/instruments/<int:instrument_id>/photos/<int:photo_id>/delete")
def delete_photo(instrument_id, photo_id):
    instrument = managed_instrument(current_user, instrument_id)
    photos.delete_photo(current_user, instrument, photos.photo_of(instrument, photo_id), clock.now(),
                        current_app.config["UPLOAD_DIR"])
    db.session.commit()
    flash(_("照片已删除。"), "success")
    return redirect(url_for(".photos_page", instrument_id=instrument.id))
