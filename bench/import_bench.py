"""How long validating and writing a 1,000-row instrument spreadsheet takes."""
import io
from datetime import UTC, date, datetime

from openpyxl import Workbook

from app.catalog import spreadsheet
from models import Organization, User, db

from .common import fresh_app, timer

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
CATEGORIES = ["010100", "010200", "020100", "030100", "040200", "120100"]


def workbook(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(spreadsheet.HEADERS)
    for n in range(rows):
        values = {"仪器名称": f"高低温湿热试验箱 {n}", "英文名称": f"Climate chamber {n}", "内部编码": f"B-{n:05d}",
                  "规格型号": f"PL-{n % 7}KPH", "生产制造商": "ESPEC", "产地国别": "日本", "原值（万元）": 35.5 + n % 10,
                  "启用日期": date(2019, 1 + n % 12, 1 + n % 28), "分类编码": CATEGORIES[n % len(CATEGORIES)],
                  "安放地址": "浦东新区张衡路 1000 号", "主要技术指标": "温度 −40–150 ℃；湿度 20–98 %RH",
                  "主要功能": "环境适应性试验", "溯源方式": "校准", "证书编号": f"JZ-{n}", "检定/校准日期": date(2026, 1, 5),
                  "有效期至": date(2027, 1, 4), "检定/校准机构": "上海市计量测试技术研究院", "收费标准（元/小时）": 150,
                  "中小企业优惠（%）": 25, "服务方式": "占用共享、代检代测", "状态": "在用"}
        sheet.append([values.get(h, "") for h in spreadsheet.HEADERS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(database, rows=1000):
    data = workbook(rows)
    with fresh_app(database) as app, app.app_context():
        org = Organization(kind="institution", name="基准测试机构", district_code="310115", approved=True)
        user = User(email="bench@example.com", password_hash="x", role="institution", organization=org)
        db.session.add_all([org, user])
        db.session.commit()
        with timer() as validate:
            batch = spreadsheet.stage(user, "bench.xlsx", data, NOW)
            db.session.commit()
        assert batch.status == "validated", batch.errors[:3]
        with timer() as write:
            created, _updated = spreadsheet.commit_batch(user, batch, NOW)
            db.session.commit()
        assert created == rows
        with timer() as revalidate:  # the same file again: every row becomes an update
            again = spreadsheet.stage(user, "bench.xlsx", data, NOW)
            db.session.commit()
        assert again.update_count == rows
    return {"rows": rows, "file_kb": round(len(data) / 1024), "validate_s": round(validate["seconds"], 2),
            "write_s": round(write["seconds"], 2), "revalidate_as_updates_s": round(revalidate["seconds"], 2)}
