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
