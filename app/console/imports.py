"""Spreadsheet template, export, and the upload → preview → confirm import."""
import io

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from models import db
from models.errors import NotFound, ValidationError
from models.importing import ImportBatch
from models.instrument import Instrument
from models.timeutil import local_today

from .. import clock
from ..catalog import spreadsheet, workbook
from ..catalog.search import categories
from ..exchange import importing
from .blueprint import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data, name):
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


@bp.get("/instruments/template.xlsx")
def template():
    return _xlsx(workbook.template_workbook(categories()), "仪器导入模板.xlsx")


@bp.get("/instruments/export.xlsx")
def export():
    instruments = db.session.scalars(sa.select(Instrument).where(
        Instrument.institution_id == current_user.organization_id).order_by(Instrument.internal_code, Instrument.id))
    day = local_today(clock.now()).isoformat()
    return _xlsx(workbook.export_workbook(instruments, categories()), f"仪器目录-{day}.xlsx")


def _recent_batches():
    return db.session.scalars(sa.select(ImportBatch).where(
        ImportBatch.institution_id == current_user.organization_id).order_by(ImportBatch.id.desc()).limit(5)).all()


def _upload_page(problem=None, status=200):
    return render_template("console/import.html", problem=problem, batches=_recent_batches(),
                           limit_mb=current_app.config["IMPORT_MAX_BYTES"] // (1024 * 1024),
                           max_rows=spreadsheet.MAX_ROWS), status


@bp.route("/import", methods=["GET", "POST"])
def upload():
    if request.method == "GET":
        return _upload_page()
    limit = current_app.config["IMPORT_MAX_BYTES"]
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        return _upload_page(_("文件过大：一次最多上传 %(mb)s MB。", mb=limit // (1024 * 1024)), 413)
    if upload is None or not upload.filename:
        return _upload_page(_("请选择要上传的 .xlsx 或 .csv 文件。"), 422)
    data = upload.read(limit + 1)
    if len(data) > limit:
        return _upload_page(_("文件过大：一次最多上传 %(mb)s MB。", mb=limit // (1024 * 1024)), 413)
    try:
        if request.form.get("layout") == "national":
            base_url = current_app.config.get("PUBLIC_BASE_URL") or request.host_url.rstrip("/")
            batch = importing.stage(current_user, upload.filename, data, clock.now(), base_url)
        else:
            batch = spreadsheet.stage(current_user, upload.filename, data, clock.now())
    except spreadsheet.FileProblem as problem:
        return _upload_page(problem.message, 422)
    db.session.commit()
    return redirect(url_for(".preview", batch_id=batch.id))


def _own_batch(batch_id):
    batch = db.session.scalar(sa.select(ImportBatch).where(
        ImportBatch.id == batch_id, ImportBatch.institution_id == current_user.organization_id))
    if batch is None:
        raise NotFound()
    return batch


@bp.get("/import/<int:batch_id>")
def preview(batch_id):
    batch = _own_batch(batch_id)
    return render_template("console/import_preview.html", batch=batch, headers=spreadsheet.HEADERS)


@bp.post("/import/<int:batch_id>/confirm")
def confirm(batch_id):
    batch = _own_batch(batch_id)
    try:
        created, updated = spreadsheet.commit_batch(current_user, batch, clock.now())
    except ValidationError as error:
        flash(error.message, "danger")
        return redirect(url_for(".preview", batch_id=batch.id))
    db.session.commit()
    flash(_("导入完成：新增 %(c)s 台，更新 %(u)s 台。", c=created, u=updated), "success")
    return redirect(url_for(".instruments"))
