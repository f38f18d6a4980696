"""Demo service orders in every state, made through the real services with real Chinese PDF reports, a
conversation before a sample goes out and a revised report."""
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from models import db
from models.instrument import Instrument
from models.order import ServiceOrder
from models.timeutil import at_local, days_between, local, local_today

from ..orders import conversation, services
from ..orders.report_pdf import ReportContent, render
from ..reviews import services as reviews
from .accounts import organization, user
from .bookings import first_free_slot

# (customer, institution, kind, title, sample, items, final state, instrument code for work)
PLAN = [
    ("sme", "lab", "test_by_proxy", "电池外壳盐雾试验", ("铝合金电池外壳", "BX-200", 3, "件"),
     [("中性盐雾试验 96h", "GB/T 10125-2021"), ("腐蚀后外观评级", "GB/T 6461-2002")], "submitted", None),
    ("sme2", "lab", "test_by_proxy", "塑料件红外光谱成分鉴定", ("注塑外壳", "PC-01", 2, "件"),
     [("红外光谱定性分析", "GB/T 6040-2019")], "quoted", None),
    ("sme", "lab2", "test_by_proxy", "不锈钢板材化学成分分析", ("304 不锈钢板", "2 mm", 2, "块"),
     [("化学成分（火花放电原子发射光谱法）", "GB/T 11170-2008")], "accepted", None),
    ("sme2", "lab2", "outsourced_testing", "PCBA 温度循环试验", ("控制板 PCBA", "CB-3", 5, "块"),
     [("温度循环 −40 ℃/85 ℃ 100 次", "GB/T 2423.22-2012"), ("功能测试", "企业技术条件")], "sample_received", None),
    ("sme", "lab2", "outsourced_testing", "汽车支架随机振动试验", ("冲压支架", "ZJ-7", 3, "件"),
     [("随机振动 3 轴各 8 h", "GB/T 2423.56-2018")], "testing", "MJ-004"),
    ("sme2", "lab", "test_by_proxy", "金属材料室温拉伸试验", ("Q235 钢棒", "Φ10", 6, "根"),
     [("抗拉强度", "GB/T 228.1-2021"), ("断后伸长率", "GB/T 228.1-2021")], "report_issued", "PJ-010"),
    ("sme", "lab", "test_by_proxy", "涂层成分与厚度检测", ("喷涂钢板", "SP-2", 4, "块"),
     [("涂层成分 FTIR", "GB/T 6040-2019"), ("涂层厚度", "GB/T 13452.2-2008")], "completed", "PJ-003"),
    ("sme2", "lab2", "test_by_proxy", "粉末粒度分布测定", ("氧化铝粉", "A-80", 1, "袋"),
     [("粒度分布（激光衍射法）", "GB/T 19077-2016")], "declined", None),
    ("sme", "lab", "test_by_proxy", "电子秤校准", ("电子计价秤", "ACS-30", 1, "台"),
     [("示值误差", "JJG 539-2016")], "rejected", None),
    ("sme2", "lab", "test_by_proxy", "焊缝超声波探伤", ("焊接结构件", "HJ-1", 2, "件"),
     [("焊缝超声检测", "GB/T 11345-2023")], "cancelled", None),
    ("sme", "lab2", "test_by_proxy", "橡胶密封圈热空气老化试验", ("丁腈密封圈", "O-20", 10, "个"),
     [("热空气老化 70 ℃×72 h", "GB/T 3512-2014")], "expired", None),
]


def _day(at):
    return local_today(at).isoformat() if at else "—"


def report_content(order, report_no, issued):
    """What the demo institution's 检验检测报告 on the order says (every item conforms)."""
    return ReportContent(
        report_no=report_no, order_number=order.number, institution=order.institution.name,
        customer=order.organization.name, customer_address=order.organization.address,
        sample_name=order.sample_name, sample_model=order.sample_model, sample_no=order.sample_no or "—",
        quantity=f"{order.sample_quantity} {order.sample_unit}", received_on=_day(order.sample_received_at),
        tested_on=_day(order.testing_started_at), issued_on=_day(issued),
        items=[(item.name, item.standard, "符合标准要求", "符合") for item in order.items])


def report_pdf(order, report_no, issued):
    return render(report_content(order, report_no, issued))


def _make(row, today, now, index):
    customer_key, lab_key, kind, title, sample, items, final, work_code = row
    customer, staff = user(customer_key), user(lab_key)
    start = now - timedelta(days=12 - index)  # earlier plans started earlier
    data = {"kind": kind, "institution_id": organization(lab_key).id, "title": title,
            "sample": {"name": sample[0], "model": sample[1], "quantity": sample[2], "unit": sample[3],
                       "disposal": "return"},
            "items": [{"name": n, "standard": s} for n, s in items], "needed_by": today + timedelta(days=20),
            "description": "", "confidential": False}
    order = services.submit(customer, data, start)
    if final == "submitted":
        return order
    quoted_at = start + timedelta(hours=5)
    if final == "rejected":
        services.reject(staff, order, "本机构暂无该项目的 CMA 资质，建议联系计量院。", quoted_at)
        return order
    if final == "cancelled":
        services.cancel(customer, order, "已在本厂完成自检。", quoted_at)
        return order
    valid_until = local_today(quoted_at) + timedelta(days=0 if final == "expired" else 10)
    services.quote(staff, order, Decimal(800 + 150 * index), 5 + index % 5, valid_until,
                   "含样品制备与报告费。", quoted_at)
    if final == "quoted":
        return order
    if final == "expired":
        services.expire_quote(order, at_local(valid_until + timedelta(days=1)))
        return order
    decided = quoted_at + timedelta(hours=20)
    if final == "declined":
        services.decline(customer, order, decided, "预算不足，暂缓。")
        return order
    services.accept(customer, order, decided)
    if final == "accepted":
        _converse(order, customer, staff, decided + timedelta(hours=2))
        return order
    services.receive_sample(staff, order, decided + timedelta(days=1))
    if final == "sample_received":
        return order
    testing = decided + timedelta(days=1, hours=2)
    services.start_testing(staff, order, testing)
    issued = decided + timedelta(days=3)
    if work_code:  # done between the start of testing and the report (or now, for an order still in testing)
        _log_work(staff, order, work_code, testing, now if final == "testing" else min(issued, now), now)
    if final == "testing":
        return order
    report_no = f"BG-{today.year}-{order.id:05d}"
    files = {"upload_dir": current_app.config["UPLOAD_DIR"], "max_bytes": current_app.config["REPORT_MAX_BYTES"]}
    services.issue_report(staff, order, report_pdf(order, report_no, issued), report_no, issued, **files)
    if final == "completed":
        services.complete(customer, order, issued + timedelta(days=1))
        reviews.review_order(customer, order, 5, "报告规范、周期短，工程师讲解很耐心。", issued + timedelta(days=1, hours=1))
        revised = issued + timedelta(days=1, hours=3)
        services.revise_report(staff, order, report_pdf(order, f"{report_no}-R1", revised), f"{report_no}-R1",
                               "更正第 2 项检测依据的标准年号。", revised, **files)
    return order


def _converse(order, customer, staff, at):
    """The questions an accepted order raises before the sample goes out, asked and answered on the order."""
    options = {"upload_dir": current_app.config["UPLOAD_DIR"], "max_bytes": current_app.config["ATTACHMENT_MAX_BYTES"]}
    conversation.post_message(customer, order, "请问板材样品需要做防锈包装吗？我们周三上午送到。", [], at, **options)
    conversation.post_message(staff, order, "需要，请用气泡膜包好并贴上样品标签；周三上午 9:00–11:30 可以收样。", [],
                              at + timedelta(hours=1), **options)


def _log_work(staff, order, code, began, until, now):
    instrument = db.session.scalar(sa.select(Instrument).where(Instrument.internal_code == code))
    for day in days_between(local(began).date(), local(until).date()):
        slot = first_free_slot(instrument, day, 120, began) if day.isoweekday() <= 5 else None
        if slot and slot[1] <= until:
            services.log_work(staff, order, instrument.id, slot[0], slot[1], now, "按委托要求完成试验")
            return


def load(now):
    if db.session.scalar(sa.select(sa.func.count(ServiceOrder.id))):
        return {"orders": "kept"}
    today = local_today(now)
    made = [_make(row, today, now, index) for index, row in enumerate(PLAN)]
    db.session.flush()
    return {"orders": len(made)}
