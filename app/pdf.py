"""Chinese PDF documents: the CJK font of this machine, and a page with a header and a
“第 x 页 共 y 页” footer. Statements and redemption packs are built with it; so can test reports.

The font is a distribution package's, never a file in the repository (.ci/run installs
`fonts-wqy-zenhei`; `PDF_FONT` may name another file). Debian ships CJK fonts as TrueType
collections (.ttc): fpdf2 2.8 opens one face of a collection (`add_font(...,
collection_font_number=i)`, fontTools underneath) and embeds the subset of glyphs used. WenQuanYi
Zen Hei has TrueType outlines, so the PDF carries a CID TrueType font with Identity-H encoding and a
ToUnicode map: every reader, pypdf included, gets the Chinese text back exactly. Noto Sans CJK SC
(fonts-noto-cjk) works as well, but its outlines are CFF and pypdf then extracts its text with spaces
between the characters, so it is the second choice.
"""
import logging
from functools import lru_cache
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import gettext as _
from fontTools.ttLib import TTCollection
from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace

FAMILY = "cjk"
# (file, face) in order of preference: the Debian packages fonts-wqy-zenhei and fonts-noto-cjk.
CANDIDATES = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYi Zen Hei"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "WenQuanYi Micro Hei"),
)
GREY = (110, 110, 110)
HEADINGS = FontFace(emphasis="", fill_color=(232, 238, 246))


class FontMissing(RuntimeError):
    """No CJK font is installed: Chinese PDFs cannot be made."""


def _face_index(path, family):
    if Path(path).suffix.lower() not in (".ttc", ".otc"):
        return 0
    names = [face["name"].getDebugName(1) for face in TTCollection(path, lazy=True).fonts]
    return names.index(family) if family in names else 0


@lru_cache(maxsize=4)
def cjk_font(configured=""):
    """(file, face index) of the CJK font to embed: `configured` (PDF_FONT) or the first installed candidate."""
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "BDF NOT subset": bitmaps we never embed
    candidates = ((configured, None),) if configured else CANDIDATES
    for path, family in candidates:
        if Path(path).is_file():
            return path, _face_index(path, family)
    raise FontMissing(f"no CJK font at {configured or ', '.join(p for p, _f in CANDIDATES)}: "
                      "install fonts-wqy-zenhei (apt-get install fonts-wqy-zenhei) or set PDF_FONT")


def _configured_font():
    return current_app.config.get("PDF_FONT", "") if has_app_context() else ""


def font_in_use():
    """(file, face index) of the CJK font this app embeds (PDF_FONT or the first installed candidate)."""
    return cjk_font(_configured_font())


class Document(FPDF):
    """An A4 document: a header with the platform and the title, a page-numbered footer."""

    def __init__(self, title, *, orientation="P", font_file=None):
        super().__init__(orientation=orientation, unit="mm", format="A4")
        path, index = cjk_font(font_file if font_file is not None else _configured_font())
        self.add_font(FAMILY, "", path, collection_font_number=index)
        self.doc_title = str(title)
        self.set_title(self.doc_title)
        self.set_creator("QI-Share")
        self.set_lang("zh-CN")
        self.set_margins(15, 18, 15)
        self.set_auto_page_break(True, margin=18)
        self.add_page()

    def header(self):
        self.set_font(FAMILY, size=8)
        self.set_text_color(*GREY)
        self.cell(0, 5, _("上海市质量基础设施“一站式”服务平台 · 仪器共享"), new_x="LMARGIN")
        self.cell(0, 5, self.doc_title, align="R", new_x="LMARGIN", new_y="NEXT")
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(4)
        self.set_text_color(0)

    def footer(self):
        self.set_y(-13)
        self.set_font(FAMILY, size=8)
        self.set_text_color(*GREY)
        self.cell(0, 6, _("第 %(page)s 页 共 %(pages)s 页", page=self.page_no(), pages=self.str_alias_nb_pages),
                  align="C")
        self.set_text_color(0)

    # Building blocks ---------------------------------------------------------------------
    def heading(self, text, size=15):
        self.set_font(FAMILY, size=size)
        self.multi_cell(0, size * 0.5, str(text), align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def paragraph(self, text, size=10):
        self.set_font(FAMILY, size=size)
        self.multi_cell(0, 5.5, str(text), new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
        self.ln(1)

    def fields(self, pairs, label_width=32, size=10):
        """Label: value lines (labels in grey), for the parties of a statement or a service record."""
        self.set_font(FAMILY, size=size)
        for label, value in pairs:
            self.set_text_color(*GREY)
            self.cell(label_width, 6, str(label))
            self.set_text_color(0)
            self.multi_cell(0, 6, str(value if value not in (None, "") else "—"), new_x="LMARGIN", new_y="NEXT",
                            wrapmode=WrapMode.CHAR)
        self.ln(2)

    def grid(self, headings, rows, widths, right=(), size=9):
        """A table with a shaded heading row repeated on each page; columns in `right` align right."""
        self.set_font(FAMILY, size=size)
        aligns = tuple("RIGHT" if i in right else "LEFT" for i in range(len(headings)))
        with self.table(col_widths=widths, text_align=aligns, headings_style=HEADINGS, line_height=5.5,
                        wrapmode=WrapMode.CHAR, padding=1) as table:
            for row in [headings, *rows]:
                cells = table.row()
                for value in row:
                    cells.cell(str(value))
        self.ln(3)

    def to_bytes(self):
        return bytes(self.output())
