"""Report PDFs: checked, stored outside the web root under a random name, served as attachments."""
import io
from pathlib import Path

from flask_babel import lazy_gettext as _l

from models.errors import PayloadTooLarge, ValidationError

from ..files import store_private

PDF_SIGNATURE = b"%PDF-"


def check_pdf(data, max_bytes):
    if not data:
        raise ValidationError(fields={"file": _l("请选择报告文件（PDF）。")})
    if len(data) > max_bytes:
        raise PayloadTooLarge(_l("报告文件不能超过 %(mb)s MB。", mb=max_bytes // (1024 * 1024)))
    if not data[:1024].lstrip().startswith(PDF_SIGNATURE):
        raise ValidationError(fields={"file": _l("只能上传 PDF 格式的报告（文件内容不是 PDF）。")})
    if page_count(data) < 1:
        raise ValidationError(fields={"file": _l("PDF 文件已损坏或没有页面，请重新导出报告后上传。")})


def page_count(data):
    """Pages of a readable PDF; 0 when the file cannot be read as one."""
    from pypdf import PdfReader

    try:
        return len(PdfReader(io.BytesIO(data)).pages)
    except Exception:  # pypdf raises many kinds of errors for damaged files
        return 0


def store(upload_dir, data):
    """Write the PDF under a random name; returns the name. Removed again if the transaction rolls back."""
    return store_private(Path(upload_dir) / "reports", data, ".pdf")


def path_of(upload_dir, name):
    return Path(upload_dir) / "reports" / name
