"""Files attached to an order's messages: PDF, PNG, JPEG, XLSX and DOCX, each at most ATTACHMENT_MAX_BYTES.

The type is read from the content, never from the name: a web page or a program renamed .pdf is refused,
and so is an Office file that carries macros. Stored outside the web root under a random name.
"""
import io
import unicodedata
import zipfile
from pathlib import Path, PurePosixPath

from flask_babel import lazy_gettext as _l

from models.errors import PayloadTooLarge, ValidationError

from ..files import store_private
from .reports import PDF_SIGNATURE, page_count

MAX_FILES = 5
# kind -> (MIME type, the file-name ending it is served with)
KINDS = {
    "pdf": ("application/pdf", ".pdf"),
    "png": ("image/png", ".png"),
    "jpeg": ("image/jpeg", ".jpg"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
}
OFFICE_PARTS = {"xl/workbook.xml": "xlsx", "word/document.xml": "docx"}


def _office_kind(data):
    """xlsx or docx for an Office Open XML package without macros; None for any other zip or a broken one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names or any(name.lower().endswith("vbaproject.bin") for name in names):
        return None
    kinds = [kind for part, kind in OFFICE_PARTS.items() if part in names]
    return kinds[0] if len(kinds) == 1 else None


def kind_of(data):
    """What the bytes are (a key of KINDS), or None."""
    if data[:1024].lstrip().startswith(PDF_SIGNATURE):
        return "pdf" if page_count(data) >= 1 else None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    return None


def display_name(filename, kind):
    """The user's file name, made safe to show and to send back: no path, no control characters, the
    ending of its real type."""
    base = PurePosixPath((filename or "").replace("\\", "/")).name
    base = "".join(char for char in base if not unicodedata.category(char).startswith("C")).strip() or "file"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return stem[:100] + KINDS[kind][1]


def checked(files, max_bytes):
    """[(name, kind, data)] for uploaded (filename, data) pairs; 413 for one too large, 422 for a wrong type."""
    if len(files) > MAX_FILES:
        raise ValidationError(fields={"files": _l("每条留言最多附 %(n)d 个文件。", n=MAX_FILES)})
    out = []
    for filename, data in files:
        if len(data) > max_bytes:
            raise PayloadTooLarge(_l("“%(name)s”超过 %(mb)s MB，请压缩后再上传。", name=filename,
                                     mb=max_bytes // (1024 * 1024)))
        kind = kind_of(data) if data else None
        if kind is None:
            raise ValidationError(fields={"files": _l(
                "“%(name)s”不是允许的文件类型：只能上传 PDF、PNG、JPEG 图片、Excel（.xlsx）或 Word（.docx）文件，"
                "且文件内容须与类型相符（不含宏）。", name=filename)})
        out.append((display_name(filename, kind), kind, data))
    return out


def store(upload_dir, data, kind):
    return store_private(Path(upload_dir) / "attachments", data, KINDS[kind][1])


def path_of(upload_dir, stored_name):
    return Path(upload_dir) / "attachments" / stored_name
