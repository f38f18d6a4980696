"""A year of demo activity across several districts, so bureaus see a meaningful picture.

More institutions and enterprises (without accounts), a year of completed bookings, no-shows,
cancellations, reported orders, closures and reviews, written in bulk (seeded, so every load
looks alike), then pilot projects in six districts and the snapshots the trend charts read.
History stops a week ago: the last week belongs to the bookings made through the services.
"""
import random
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from models import OpeningHours, Organization, db
from models.booking import Booking
from models.instrument import Closure, Instrument
from models.occupancy import Occupancy
from models.order import OrderItem, OrderReport, Review, ServiceOrder
from models.pilot import Pilot, PilotTable
from models.timeutil import at_local, local_today

from ..orders import reports
from ..orders.report_pdf import render_all
from ..stats import snapshot
from .accounts import organization, uscc, user
from .orders import report_content

SEED = 20261126
INSTITUTIONS = [
    ("310104", "上海徐汇质检技术服务中心（演示）", "12310104MB2X11111"),
    ("310114", "上海嘉定汽车零部件检测中心（演示）", "12310114MB2X22222"),
    ("310117", "上海松江电子电器检测所（演示）", "12310117MB2X33333"),
    ("LG", "临港新片区智能制造检测平台（演示）", "12310000MB2X44444"),
]
KIT = [("盐雾试验箱", "Salt Spray Chamber", "120100", 120), ("万能材料试验机", "Universal Testing Machine", "020100", 380),
       ("三坐标测量机", "Coordinate Measuring Machine", "030100", 450), ("X 射线荧光光谱仪", "XRF Spectrometer", "010500", 600),
       ("高低温湿热试验箱", "Climate Chamber", "120100", 150), ("电磁兼容测试系统", "EMC Test System", "040300", 700)]
ENTERPRISE_WORDS = ["精工", "华创", "远航", "恒信", "博瑞", "晶科", "智联", "新材", "宏达", "卓越", "瑞丰", "海川",
                    "锦程", "鼎盛", "天工", "启明", "众合", "东升", "安泰", "星河"]
SUFFIXES = ["精密机械", "电子科技", "新材料", "汽车部件", "医疗器械", "智能装备"]
INDUSTRY_MIX = ["C"] * 8 + ["M", "I", "F", "E"]
DISTRICT_MIX = ["310115", "310112", "310104", "310114", "310117", "LG", "310115", "310112"]
PILOTS = [
    ("310115", "张江科学城大型仪器共享试点", ["lab"], "draft"),
    ("310115", "浦东新区中小企业质量提升一站式服务", ["lab"], "draft"),
    ("310112", "闵行区新材料检测服务试点", ["lab2"], "submitted"),
    ("310104", "徐汇区计量校准服务进园区", [0], "accepted"),
    ("310114", "嘉定汽车零部件质量一站式服务", [1], "returned"),
    ("310117", "松江电子信息产业检测共享", [2], "draft"),
    ("LG", "临港智能制造质量基础设施服务站", [3], "draft"),
]


def _institutions(now):
    made = []
    for district, name, code17 in INSTITUTIONS:
        code = uscc(code17)
        org = db.session.scalar(sa.select(Organization).where(Organization.uscc == code))
        if org is None:
            org = Organization(kind="institution", name=name, uscc=code, district_code=district, approved=True,
                               approved_at=now, is_demo=True, cma_no=f"23{code17[2:12]}", address="园区检测大楼",
                               contact_name="联系人", contact_phone="021-60000000", created_at=now, updated_at=now)
            db.session.add(org)
        made.append(org)
    db.session.flush()
    return made


def _instruments(orgs, today, now, rng):
    made = []
    for org_index, org in enumerate(orgs):
        kit = (KIT[org_index:] + KIT[:org_index])[:5]  # each institution a different mix
        for kit_index, (name, name_en, category, rate) in enumerate(kit):
            code = f"H{org_index}-{kit_index:02d}"
            instrument = Instrument(
                institution_id=org.id, internal_code=code, name=name, name_en=name_en, category_code=category,
                model=f"M-{rng.randint(100, 999)}", manufacturer="演示厂商", hourly_rate=Decimal(rate),
                sme_discount_percent=Decimal(20), calibration_valid_until=today + timedelta(days=200 + kit_index * 30),
                certified_on=today - timedelta(days=160), traceability="calibration", certificate_no=f"JZ-H{org_index}{kit_index}",
                requires_approval=False, slot_minutes=60, min_minutes=60, max_minutes=480, lead_minutes=60,
                created_at=now - timedelta(days=400), updated_at=now)
            instrument.service_modes = ["self_operated", "test_by_proxy"]
            db.session.add(instrument)
            made.append(instrument)
        for day in range(1, 6):
            db.session.add(OpeningHours(institution_id=org.id, weekday=day, start_minute=540, end_minute=1080))
    db.session.flush()
    return made


def _enterprises(now, rng):
    made = []
    for n in range(60):
        word, suffix = ENTERPRISE_WORDS[n % len(ENTERPRISE_WORDS)], SUFFIXES[n % len(SUFFIXES)]
        made.append(Organization(
            kind="enterprise", name=f"上海{word}{suffix}有限公司（演示{n + 1:02d}）", uscc=uscc(f"913101{n:03d}MA1D{n:04d}"),
            district_code=DISTRICT_MIX[n % len(DISTRICT_MIX)], industry=INDUSTRY_MIX[n % len(INDUSTRY_MIX)],
            size=rng.choice(["small", "small", "micro", "medium"]), is_demo=True, created_at=now, updated_at=now))
    db.session.add_all(made)
    db.session.flush()
    return made


def _bookings(instruments, enterprises, booker, today, now, rng):
    """Up to two sessions a working day per instrument (09:00 and 14:00): they never overlap."""
    rows = []
    for instrument in instruments:
        rate = instrument.hourly_rate
        for back in range(8, 366):
            day = today - timedelta(days=back)
            if day.isoweekday() > 5:
                continue
            for start_minute in (540, 840):
                if rng.random() > 0.28:
                    continue
                customer = rng.choice(enterprises)
                start = at_local(day, start_minute)
                hours = rng.choice([1, 2, 2, 3])
                end = start + timedelta(hours=hours)
                status = rng.choices(["completed", "no_show", "cancelled"], [88, 5, 7])[0]
                price = (rate * hours * (Decimal("0.8") if customer.is_sme else 1)).quantize(Decimal("0.01"))
                hold = Occupancy(instrument_id=instrument.id, kind="booking", start_at=start, end_at=end,
                                 blocks_until=end, active=False, created_at=start - timedelta(days=3))
                booking = Booking(
                    instrument_id=instrument.id, organization_id=customer.id, created_by_id=booker.id, occupancy=hold,
                    start_at=start, end_at=end, status=status, purpose="历史演示数据", service_mode="self_operated",
                    staff_booked=True, price_amount=price, created_at=start - timedelta(days=3), updated_at=end,
                    late_cancellation=status == "cancelled" and rng.random() < 0.3)
                if status == "completed":
                    booking.actual_start = start + timedelta(minutes=rng.choice([0, 5, 10]))
                    booking.actual_end = end - timedelta(minutes=rng.choice([0, 10]))
                    booking.charge_amount = price
                rows.append(booking)
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _closures(instruments, creator, today, now):
    for instrument in instruments:
        for back in range(14, 366, 14):
            day = today - timedelta(days=back)
            if day.isoweekday() > 5:
                continue
            db.session.add(Closure(instrument_id=instrument.id, start_at=at_local(day, 1080 - 120),
                                   end_at=at_local(day, 1080), kind="internal_use", reason="内部比对试验",
                                   created_by_id=creator.id, created_at=now))
        maintenance = today - timedelta(days=100)
        db.session.add(Closure(instrument_id=instrument.id, start_at=at_local(maintenance, 540),
                               end_at=at_local(maintenance, 1080), kind="maintenance", reason="年度保养",
                               created_by_id=creator.id, created_at=now))


def _orders(institutions, enterprises, booker, today, now, rng):
    made = []
    for n in range(160):
        institution = rng.choice(institutions)
        issued = at_local(today - timedelta(days=rng.randint(9, 360)), 600)
        order = ServiceOrder(
            kind=rng.choice(["test_by_proxy", "test_by_proxy", "outsourced_testing"]), organization=rng.choice(enterprises),
            institution=institution, created_by_id=booker.id, title=rng.choice(["盐雾试验", "材料成分分析", "尺寸检测",
                                                                                  "环境可靠性试验", "电磁兼容预测试"]),
            sample_name="演示样品", sample_quantity=rng.randint(1, 6), sample_unit="件", sample_disposal="return",
            status="completed", quote_amount=Decimal(rng.randint(5, 40) * 100), quote_turnaround_days=7,
            quote_valid_until=(issued - timedelta(days=5)).date(), quoted_at=issued - timedelta(days=9),
            sample_no=f"YP-H-{n:05d}", sample_received_at=issued - timedelta(days=7),
            testing_started_at=issued - timedelta(days=6), report_no=f"BG-H-{n:05d}",
            report_issued_at=issued, completed_at=issued + timedelta(days=2),
            created_at=issued - timedelta(days=10), updated_at=issued + timedelta(days=2),
            items=[OrderItem(position=1, name="按标准检测", standard="GB/T 2423.1-2008")])
        made.append(order)
    db.session.add_all(made)
    db.session.flush()
    # a real PDF per report, as an institution would have uploaded: written in one batch (one font cut)
    for row, data in zip(made, render_all([report_content(row, row.report_no, row.report_issued_at) for row in made]),
                         strict=True):
        row.report_file, row.report_size = reports.store(current_app.config["UPLOAD_DIR"], data), len(data)
        db.session.add(OrderReport(order_id=row.id, version=1, report_no=row.report_no, file=row.report_file,
                                   size=len(data), issued_at=row.report_issued_at))
    return made


def _reviews(bookings, orders, booker, rng):
    institution_of = dict(db.session.execute(sa.select(Instrument.id, Instrument.institution_id)).all())
    for booking in bookings:
        if booking.status == "completed" and rng.random() < 0.35:
            db.session.add(Review(booking_id=booking.id, organization_id=booking.organization_id,
                                  institution_id=institution_of[booking.instrument_id], created_by_id=booker.id,
                                  score=rng.choices([5, 4, 3, 2], [60, 30, 8, 2])[0], comment="",
                                  created_at=booking.end_at + timedelta(days=1)))
    for order in orders:
        if rng.random() < 0.5:
            db.session.add(Review(order_id=order.id, organization_id=order.organization_id,
                                  institution_id=order.institution_id, created_by_id=booker.id,
                                  score=rng.choices([5, 4, 3], [65, 30, 5])[0], comment="",
                                  created_at=order.completed_at))


def _pilots(year, extra, now):
    for n, (district, name, members, status) in enumerate(PILOTS):
        institutions = [organization(m) if isinstance(m, str) else extra[m] for m in members]
        db.session.add(Pilot(year=year, district_code=district, name=name, institutions=institutions,
                             basic_info=f"依托{institutions[0].name}等机构，面向区内中小企业开放大型仪器，提供检测、计量、认证一站式服务。",
                             funds_wan=Decimal(80 + 25 * n), expert_person_times=24 + 6 * n,
                             pass_rate_improvement=f"重点产品抽检合格率提升 {1.2 + 0.3 * n:.1f} 个百分点",
                             profit_increase_wan=Decimal(500 + 120 * n), new_jobs=20 + 5 * n,
                             quality_effect=f"帮助企业建立质量控制点 {20 + 4 * n} 个",
                             other_effects=f"带动企业技改投资约 {1500 + 500 * n} 万元", created_at=now, updated_at=now))
        table = db.session.scalar(sa.select(PilotTable).where(PilotTable.year == year,
                                                              PilotTable.district_code == district))
        if table is None:
            table = PilotTable(year=year, district_code=district, status=status)
            if status != "draft":
                table.submitted_at = now
            if status == "returned":
                table.review_comment = "请补充“服务产业产品质量合格率提升情况”的统计口径。"
            db.session.add(table)


def load(now):
    if db.session.scalar(sa.select(sa.func.count(Pilot.id))):
        return {"history": "kept"}
    rng = random.Random(SEED)
    today = local_today(now)
    extra = _institutions(now)
    new_instruments = _instruments(extra, today, now, rng)
    enterprises = _enterprises(now, rng) + [organization("sme"), organization("sme2")]
    instruments = db.session.scalars(sa.select(Instrument).where(Instrument.status == "active")).all()
    booker = user("admin")
    bookings = _bookings(instruments, enterprises, booker, today, now, rng)
    _closures(instruments, booker, today, now)
    orders = _orders([organization("lab"), organization("lab2"), *extra], enterprises, booker, today, now, rng)
    _reviews(bookings, orders, booker, rng)
    _pilots(today.year, extra, now)
    db.session.flush()
    snapshot.backfill(today - timedelta(days=30), today - timedelta(days=1), now)  # older days are read live
    return {"history_bookings": len(bookings), "history_orders": len(orders), "new_instruments": len(new_instruments)}
