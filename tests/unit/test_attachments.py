"""An attachment's type is read from its content, never from its name."""
import io
import zipfile

import pytest
from openpyxl import Workbook

from app.orders.attachments import display_name, kind_of
from tests.factories import PDF


def package(*parts):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for part in parts:
            zf.writestr(part, "<x/>")
    return buffer.getvalue()


def xlsx():
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("data, kind", [
    (PDF, "pdf"), (b"\x89PNG\r\n\x1a\n....", "png"), (b"\xff\xd8\xff\xe0JFIF", "jpeg"), (xlsx(), "xlsx"),
    (package("[Content_Types].xml", "word/document.xml"), "docx"),
])
def test_allowed_types_are_recognised_by_content(data, kind):
    assert kind_of(data) == kind


@pytest.mark.parametrize("data", [
    b"<html><body>hi</body></html>", b"MZ\x90\x00", b"\x7fELF\x02\x01", b"%PDF-1.4 broken", b"GIF89a",
    package("word/document.xml"), package("[Content_Types].xml", "xl/workbook.xml", "xl/vbaProject.bin"),
    package("[Content_Types].xml", "xl/workbook.xml", "word/document.xml"), b"",
])
def test_anything_else_is_refused(data):
    assert kind_of(data) is None


@pytest.mark.parametrize("name, kind, shown", [
    ("图纸.pdf", "pdf", "图纸.pdf"), ("photo.PNG", "png", "photo.png"), ("../../etc/passwd", "pdf", "passwd.pdf"),
    ("C:\\docs\\表.xlsx", "xlsx", "表.xlsx"), ("a\r\nb.jpg", "jpeg", "ab.jpg"), ("", "png", "file.png"),
    ("real.png.pdf", "png", "real.png.png"),
])
def test_the_shown_name_is_safe_and_ends_as_its_type(name, kind, shown):
    assert display_name(name, kind) == shown
