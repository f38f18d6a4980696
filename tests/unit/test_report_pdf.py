"""The demo's test reports are Chinese 检验检测报告 whose text can be read back from the PDF."""
import io

from pypdf import PdfReader

from app.orders.report_pdf import ReportContent, render, render_all


def content(**overrides):
    fields = dict(report_no="BG-2026-00006", order_number="WT-2026-000006", institution="上海浦江计量测试技术研究院",
                  customer="上海虹桥新材料科技有限公司", customer_address="上海市闵行区申长路990号", sample_name="Q235 钢棒",
                  sample_model="Φ10", sample_no="YP-2026-000006", quantity="6 根", received_on="2026-02-20",
                  tested_on="2026-02-21", issued_on="2026-02-23",
                  items=[("抗拉强度", "GB/T 228.1-2021", "Rm = 452 MPa", "符合"), ("断后伸长率", "GB/T 228.1-2021", "A = 27 %", "符合")])
    fields.update(overrides)
    return ReportContent(**fields)


def pages_of(data):
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_the_report_reads_like_a_chinese_test_report():
    cover, results = pages_of(render(content()))
    assert "检验检测报告" in cover and "报告编号：BG-2026-00006" in cover and "上海虹桥新材料科技有限公司" in cover
    for words in ("委托单位", "样品名称", "样品编号 YP-2026-000006", "检测项目与依据", "抗拉强度 GB/T 228.1-2021",
                  "结论：", "主检：李工", "审核：张工", "批准：王工", "签发日期：2026-02-23"):
        assert words in results, words


def test_every_page_says_which_of_how_many_it_is():
    pages = pages_of(render(content()))
    assert [("第 1 页 共 2 页" in pages[0]), ("第 2 页 共 2 页" in pages[1])] == [True, True]


def test_many_items_run_onto_a_third_page_and_the_count_follows():
    many = [(f"检测项目{n}", "GB/T 2423.1-2008", "合格", "符合") for n in range(40)]
    pages = pages_of(render(content(items=many)))
    assert len(pages) >= 3 and f"共 {len(pages)} 页" in pages[-1] and "检测项目39" in "".join(pages)


def test_a_batch_writes_each_report_with_its_own_data():
    first, second = render_all([content(report_no="BG-A"), content(report_no="BG-B", customer="生僻字企业：犇羴鱻")])
    assert "BG-A" in pages_of(first)[0] and "BG-B" in pages_of(second)[0]
    assert "犇羴鱻" in pages_of(second)[0]
