"""Report PDFs: checked, stored outside the web root under a random name, served as attachments."""
import io
import os
import secrets
from pathlib import Path

from flask_babel import lazy_gettext as _l
from pypdf import PdfReader

from models.errors import PayloadTooLarge, ValidationError

from ..files import remove_on_rollback

PDF_SIGNATURE = b"%PDF-"


def check_pdf(data, max_bytes):
    if not data:
        raise ValidationError(fields={"file": _l("请选择报告文件（PDF）。")})
    if len(data) > max_bytes:
        raise PayloadTooLarge(_l("报告文件不能超过 %(mb)s MB。", mb=max_bytes // (1024 * 1024)))
    if not data[:1024].lstrip().startswith(PDF_SIGNATURE):
        raise ValidationError(fields={"file": _l("只能上传 PDF 格式的报告（文件内容不是 PDF）。")})
    if _page_count(data) < 1:
        raise ValidationError(fields={"file": _l("PDF 文件已损坏或没有页面，请重新导出报告后上传。")})


def _page_count(data):
    """Pages of a readable PDF; 0 when the file cannot be read as one."""
    try:
        return len(PdfReader(io.BytesIO(data)).pages)
    except Exception:  # pypdf raises many kinds of errors for damaged files
        return 0


def store(upload_dir, data):
    """Write the PDF under a random name; returns the name (never the user's file name).

    The file is removed again if the transaction that records it rolls back."""
    folder = Path(upload_dir) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + ".pdf"
    path = folder / name
    with open(path, "xb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)
    remove_on_rollback(path)
    return name


def path_of(upload_dir, name):
    return Path(upload_dir) / "reports" / name
