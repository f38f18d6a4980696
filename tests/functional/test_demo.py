import pytest
import sqlalchemy as sa

from app.demo import DemoRefused, load
from models import User, db
from tests.demo_db import build_demo_app
from tests.factories import create_user

pytestmark = pytest.mark.committed

DEMO = {"admin": "admin", "city": "city", "pudong": "district", "minhang": "district", "lab": "institution",
        "lab2": "institution", "sme": "enterprise", "sme2": "enterprise"}


@pytest.fixture(scope="module")
def demo_app(app, database_url, tmp_path_factory):
    """The demo, loaded once for this module into a database of its own."""
    demo = build_demo_app(database_url, tmp_path_factory.mktemp("demo"))
    yield demo
    with demo.app_context():
        db.engine.dispose()


@pytest.fixture
def demo(demo_app):
    with demo_app.app_context():
        yield demo_app


def test_the_demo_has_exactly_the_api_md_accounts(demo):
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    assert {email.split("@")[0]: u.role for email, u in users.items()} == DEMO
    assert users["pudong@demo.local"].district_code == "310115"
    assert users["minhang@demo.local"].district_code == "310112"
    assert users["lab@demo.local"].organization.district_code == "310115"
    assert users["lab2@demo.local"].organization.district_code == "310112"
    assert users["sme2@demo.local"].organization.district_code == "310112"
    assert users["city@demo.local"].organization.district_code is None


def test_every_demo_account_gets_a_token_with_demo12345(demo):
    client = demo.test_client()
    for name, role in DEMO.items():
        response = client.post("/api/v1/auth/token", json={"email": f"{name}@demo.local", "password": "demo12345"})
        assert response.status_code == 201, name
        assert response.get_json()["user"]["role"] == role


def test_every_demo_account_signs_in_on_the_web(demo):
    for name in DEMO:
        client = demo.test_client()
        response = client.post("/auth/login", data={"email": f"{name}@demo.local", "password": "demo12345"})
        assert response.status_code == 302, name


def test_loading_twice_changes_nothing(demo, now):
    before = db.session.scalar(sa.select(sa.func.count(User.id)))
    assert load(now)["bookings"] == "kept"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before


def test_it_refuses_a_database_with_real_data(app, now):
    with app.app_context():
        create_user(email="real.person@company.cn")
        with pytest.raises(DemoRefused):
            load(now)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_the_cli_loads_only_into_an_empty_database(app):
    with app.app_context():
        create_user(email="real.person@company.cn")
    result = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
    assert "not loaded" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_the_demo_holds_instruments_of_many_categories_in_both_institutions(demo):
    from app.demo.accounts import organization
    from models import Instrument

    both = {organization("lab").id, organization("lab2").id}
    rows = db.session.execute(sa.select(Instrument.institution_id, Instrument.category_code).where(
        Instrument.institution_id.in_(both))).all()
    assert len(rows) >= 30
    assert {institution for institution, _ in rows} == both
    assert len({category[:2] for _, category in rows}) >= 6


def test_the_demo_holds_a_week_of_bookings_in_every_state(demo):
    from models.booking import STATES, Booking

    states = set(db.session.scalars(sa.select(Booking.status)))
    assert states == set(STATES)


def test_searching_the_demo_finds_its_spectrometers(demo):
    client = demo.test_client()
    for q in ("光谱", "spectro"):
        names = [i["name"] for i in client.get(f"/api/v1/instruments?q={q}&per_page=100").get_json()["items"]]
        assert "电感耦合等离子体发射光谱仪" in names and "火花直读光谱仪" in names, q


def test_the_demo_holds_orders_in_every_state_with_real_reports(demo):
    from pypdf import PdfReader

    from app.orders.reports import path_of
    from models.order import STATES, ServiceOrder

    orders = db.session.scalars(sa.select(ServiceOrder)).all()
    assert {o.status for o in orders} == set(STATES)
    with_reports = [o for o in orders if o.has_report]
    assert with_reports
    for order in with_reports:
        text = PdfReader(path_of(demo.config["UPLOAD_DIR"], order.report_file)).pages[0].extract_text()
        assert order.report_no in text


def test_the_demo_spans_a_year_across_districts_and_pilots(demo, now):
    from app.stats.scope import Period, Scope, district_scope
    from app.stats.services import summary
    from models import District
    from models.pilot import Pilot, PilotTable

    year = Period.year(now.year)
    city = summary(Scope(None), year)
    per_district = [summary(district_scope(d.code), year) for d in db.session.scalars(sa.select(District))]
    active = [s for s in per_district if s["service_count"]]
    assert len(active) >= 6
    assert sum(s["service_count"] for s in per_district) == city["service_count"] > 1000
    assert db.session.scalar(sa.select(sa.func.count(Pilot.id))) >= 7
    assert set(db.session.scalars(sa.select(PilotTable.status))) == {"draft", "submitted", "accepted", "returned"}


def test_the_demo_figures_add_up_on_every_page(demo, now):
    """District rows to the city, institutions to their district, the cache to the recount, pilots to 合计."""
    from app.stats import services as stats
    from app.stats.scope import Period, Scope
    from app.stats.table import build

    year = Period.year(now.year)
    city = stats.summary(Scope(None), year, now)
    assert city == stats.summary(Scope(None), year, now, live=True)
    assert 0 < city["utilization"] < 1 and city["open_hours"] > 0
    for group in ("district", "institution", "instrument"):
        parts = stats.figures(Scope(None), year, group, now)
        assert sum(p["bookings_completed"] for p in parts.values()) == city["bookings_completed"]
        assert abs(sum(p["effective_hours"] for p in parts.values()) - city["effective_hours"]) <= 0.01 * len(parts)
        assert abs(sum(p["open_hours"] for p in parts.values()) - city["open_hours"]) <= 0.01 * len(parts)
        assert parts == stats.figures(Scope(None), year, group, now, live=True)
    for part in stats.figures(Scope(None), year, "category", now).values():
        assert part["effective_hours"] <= city["effective_hours"] and part["internal_hours"] <= city["internal_hours"]
    table = build(now.year)
    assert table["total"][8] <= sum(row[8] for row in table["rows"])
    assert table["total"][8] <= city["service_count"] and table["total"][9] <= city["enterprises_served"]
@pytest.mark.parametrize("q,expected", [
    ("扫描电镜", {"场发射扫描电子显微镜"}),
    ("SEM", {"场发射扫描电子显微镜"}),
    ("CMM", {"三坐标测量机"}),  # in both demo institutions and the history's
    ("拉力", {"电子万能材料试验机", "万能材料试验机"}),
    ("RoHS", {"波长色散 X 射线荧光光谱仪", "X 射线荧光光谱仪"}),
    ("GC-MS", {"气相色谱-质谱联用仪"}),
    ("HPLC", {"高效液相色谱仪"}),
    ("EMC", {"电磁兼容抗扰度测试系统", "电磁兼容测试系统"}),
])
def test_searching_the_demo_finds_what_users_mean(demo, q, expected):
    items = demo.test_client().get("/api/v1/instruments", query_string={"q": q, "per_page": 100}).get_json()["items"]
    names = {i["name"] for i in items}
    assert expected <= names, q
    assert items[0]["name"] in expected  # the instrument meant comes first


def test_searching_the_demo_for_spectrometers_in_pudong_finds_only_pudongs(demo):
    items = demo.test_client().get("/api/v1/instruments", query_string={"q": "光谱仪 浦东", "per_page": 100}).get_json()["items"]
    names = {i["name"] for i in items}
    assert {"电感耦合等离子体发射光谱仪", "原子吸收光谱仪", "傅里叶变换红外光谱仪"} <= names
    assert "火花直读光谱仪" not in names  # 闵行
    assert all(i["institution"]["district_code"] == "310115" for i in items)


def test_the_demo_catalog_page_highlights_and_counts_facets_when_asked(demo):
    page = demo.test_client().get("/instruments", query_string={"q": "SEM"}).get_data(as_text=True)
    assert "场发射<mark>扫描电子显微镜</mark>" in page
    assert 'data-facet="district-310115"' not in page and 'data-testid="refine"' in page
    refined = demo.test_client().get("/instruments", query_string={"q": "SEM", "facets": "1"}).get_data(as_text=True)
    assert "场发射<mark>扫描电子显微镜</mark>" in refined
    assert 'data-facet="district-310115"' in refined


@pytest.mark.parametrize("email", ["lab@demo.local", "lab2@demo.local"])
def test_each_demo_institutions_export_imports_back_with_no_problem_and_no_change(demo, email, now):
    from app.catalog import spreadsheet, workbook
    from app.catalog.search import categories
    from models import Instrument

    lab = db.session.scalar(sa.select(User).where(User.email == email))
    instruments = db.session.scalars(sa.select(Instrument).where(Instrument.institution_id == lab.organization_id)).all()
    try:
        batch = spreadsheet.stage(lab, "export.xlsx", workbook.export_workbook(instruments, categories()), now)
        assert (batch.error_count, batch.create_count, batch.update_count) == (0, 0, 0), batch.errors[:3]
        assert len(batch.rows) == len(instruments) and {r["action"] for r in batch.rows} == {"unchanged"}
    finally:
        db.session.rollback()


def test_the_demo_instruments_carry_the_national_record_and_the_check_names_what_lacks(demo):
    from app.exchange import services as exchange
    from models import Organization

    lab = db.session.scalar(sa.select(Organization).where(Organization.name.like("上海浦江计量%")))
    found = exchange.check(lab, "http://localhost")
    assert found and all(missing in ([], ["funds"]) for _i, missing in found)
    assert sum(1 for _i, missing in found if not missing) > len(found) // 2
