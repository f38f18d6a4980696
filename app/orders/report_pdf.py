"""A test report (检验检测报告) as a Chinese PDF: a cover, the results with each item's standard, the
conclusion and the three signatures (主检/审核/批准), and "第 x 页 共 y 页" on every page.

The demo issues its reports with it; an institution uploads its own. The font is the CJK font app/pdf.py
finds (PDF_FONT, Debian's fonts-wqy-zenhei or fonts-noto-cjk), cut to the characters a batch of reports
uses, so that writing one takes milliseconds rather than the second a whole CJK font costs; fpdf2 embeds it
with a ToUnicode map, so the Chinese text can be read back from the file (pypdf, search). The report has no
platform header: it is the institution's document.
"""
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTFont
from fpdf import FPDF

from ..pdf import FAMILY, HEADINGS, font_in_use


@dataclass
class ReportContent:
    report_no: str
    order_number: str
    institution: str
    customer: str
    customer_address: str
    sample_name: str
    sample_model: str
    sample_no: str
    quantity: str
    received_on: str
    tested_on: str
    issued_on: str
    # (item, standard, result, verdict)
    items: list = field(default_factory=list)
    conclusion: str = "经检测，所检项目均符合所列检测依据的要求。"
    signatories: tuple = ("李工", "张工", "王工")  # 主检, 审核, 批准


# The report's own words: a Chinese official form, the same whoever reads it (so not translated). The font
# embedded in a batch of reports is cut to these characters and those of the reports' data.
WORDS = {
    "title": "检验检测报告", "results": "检验检测结果", "report_no": "报告编号", "sample_name": "样品名称",
    "customer": "委托单位", "category": "检验检测类别", "category_value": "委托检测", "order_no": "委托单号",
    "issued_on": "签发日期", "customer_address": "委托单位地址", "sample_no": "样品编号", "model": "规格型号",
    "quantity": "样品数量", "received_on": "收样日期", "tested_on": "检测日期", "items": "检测项目与依据",
    "headings": "序号 检测项目 检测依据 检测结果 单项判定", "conclusion": "结论", "roles": "主检 审核 批准",
    "seal": "（检验检测专用章）", "page": "第 页 共 页：—",
    "notes": "注：1. 本报告无主检、审核、批准人签字，或涂改，均无效。|2. 检测结果仅对所检样品负责。|"
             "3. 对本报告如有异议，请于收到报告之日起十五日内向本机构提出。",
}
BASIC = "".join(chr(code) for code in range(0x20, 0x7F)) + "，。：；（）、“”《》±×÷°℃μΦφ–—−≤≥%"


def _text_of(content):
    strings = [value for value in vars(content).values() if isinstance(value, str)]
    strings += [text for row in content.items for text in row] + list(content.signatories)
    return "".join(strings)


def _cut_font(text, target):
    """Write to `target` the CJK font cut to the glyphs of `text` (loading the whole font once per batch)."""
    path, index = font_in_use()
    font = TTFont(path, fontNumber=index, lazy=True)
    options = Options(notdef_outline=True, recommended_glyphs=True, hinting=False)
    options.drop_tables += ["EBDT", "EBLC", "EBSC", "GSUB", "GPOS", "GDEF"]
    subsetter = Subsetter(options)
    subsetter.populate(text=text + "".join(WORDS.values()) + BASIC)
    subsetter.subset(font)
    font.save(str(target))


class _Report(FPDF):
    def __init__(self, content, font_file):
        super().__init__(unit="mm", format="A4")
        self.add_font(FAMILY, "", str(font_file))
        # The cut font's bounding boxes are right already: recomputing them on output costs ~2 ms a glyph.
        self.fonts[FAMILY].ttfont.recalcBBoxes = False
        self.content = content
        self.set_title(f"{WORDS['title']} {content.report_no}")
        self.set_creator("QI-Share")
        self.set_lang("zh-CN")
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(True, margin=22)

    def footer(self):
        self.set_y(-15)
        self.set_font(FAMILY, size=9)
        self.cell(0, 6, f"{WORDS['report_no']}：{self.content.report_no}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 6, f"第 {self.page_no()} 页 共 {{nb}} 页", align="R")


def _cover(pdf, c):
    pdf.add_page()
    pdf.set_font(FAMILY, size=26)
    pdf.ln(35)
    pdf.cell(0, 16, WORDS["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=12)
    pdf.cell(0, 10, f"{WORDS['report_no']}：{c.report_no}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(30)
    for key, value in (("sample_name", c.sample_name), ("customer", c.customer),
                       ("category", WORDS["category_value"]), ("order_no", c.order_number)):
        pdf.set_x(45)
        pdf.cell(35, 11, f"{WORDS[key]}：")
        pdf.cell(0, 11, value, border="B", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(45)
    pdf.set_font(FAMILY, size=14)
    pdf.cell(0, 10, c.institution, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=12)
    pdf.cell(0, 8, f"{WORDS['issued_on']}：{c.issued_on}", align="C", new_x="LMARGIN", new_y="NEXT")


def _results(pdf, c):
    pdf.add_page()
    pdf.set_font(FAMILY, size=15)
    pdf.cell(0, 10, WORDS["results"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)
    facts = [("customer", c.customer), ("customer_address", c.customer_address or "—"), ("sample_name", c.sample_name),
             ("sample_no", c.sample_no), ("model", c.sample_model or "—"), ("quantity", c.quantity),
             ("received_on", c.received_on), ("tested_on", c.tested_on)]
    for key, value in facts:
        pdf.cell(30, 7, WORDS[key], border=1)
        pdf.cell(140, 7, value, border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.cell(0, 8, WORDS["items"], new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=(12, 50, 48, 38, 22), line_height=7, text_align="CENTER",
                   headings_style=HEADINGS) as table:
        table.row(WORDS["headings"].split())
        for number, (item, standard, result, verdict) in enumerate(c.items, start=1):
            table.row((str(number), item, standard or "—", result, verdict))
    pdf.ln(4)
    pdf.multi_cell(0, 7, f"{WORDS['conclusion']}：{c.conclusion}", align="L", new_x="LMARGIN", new_y="NEXT")
    _signatures(pdf, c)


def _signatures(pdf, c):
    pdf.ln(10)
    for role, name in zip(WORDS["roles"].split(), c.signatories, strict=True):
        pdf.cell(56, 8, f"{role}：{name}")
    pdf.ln(12)
    pdf.cell(0, 8, f"{WORDS['issued_on']}：{c.issued_on}{WORDS['seal']}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FAMILY, size=8)
    for note in WORDS["notes"].split("|"):
        pdf.cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")


def render_all(contents):
    """Each report's PDF bytes. The font is cut once for the whole batch: loading a CJK font takes about a
    second, the cut one a few milliseconds per report."""
    with tempfile.TemporaryDirectory() as folder:
        font_file = Path(folder) / "cjk.ttf"
        _cut_font("".join(_text_of(content) for content in contents), font_file)
        out = []
        for content in contents:
            pdf = _Report(content, font_file)
            _cover(pdf, content)
            _results(pdf, content)
            out.append(bytes(pdf.output()))
        return out


def render(content):
    """One report's PDF bytes."""
    return render_all([content])[0]
