import pytest
import sqlalchemy as sa

from app.demo import DemoRefused, load
from models import User, db

DEMO = {"admin": "admin", "city": "city", "pudong": "district", "minhang": "district", "lab": "institution",
        "lab2": "institution", "sme": "enterprise", "sme2": "enterprise"}


@pytest.fixture
def demo(app, now):
    with app.app_context():  # as under `flask demo load`: report PDFs go to UPLOAD_DIR
        load(now)
        db.session.commit()


def test_the_demo_has_exactly_the_api_md_accounts(demo):
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    assert {email.split("@")[0]: u.role for email, u in users.items()} == DEMO
    assert users["pudong@demo.local"].district_code == "310115"
    assert users["minhang@demo.local"].district_code == "310112"
    assert users["lab@demo.local"].organization.district_code == "310115"
    assert users["lab2@demo.local"].organization.district_code == "310112"
    assert users["sme2@demo.local"].organization.district_code == "310112"
    assert users["city@demo.local"].organization.district_code is None


def test_every_demo_account_gets_a_token_with_demo12345(demo, client):
    for name, role in DEMO.items():
        response = client.post("/api/v1/auth/token", json={"email": f"{name}@demo.local", "password": "demo12345"})
        assert response.status_code == 201, name
        assert response.get_json()["user"]["role"] == role


def test_every_demo_account_signs_in_on_the_web(demo, app):
    for name in DEMO:
        client = app.test_client()
        response = client.post("/auth/login", data={"email": f"{name}@demo.local", "password": "demo12345"})
        assert response.status_code == 302, name


def test_loading_twice_changes_nothing(demo, now):
    before = db.session.scalar(sa.select(sa.func.count(User.id)))
    load(now)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before


def test_it_refuses_a_database_with_real_data(now, create_user):
    create_user(email="real.person@company.cn")
    with pytest.raises(DemoRefused):
        load(now)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_the_cli_loads_only_into_an_empty_database(app, create_user):
    create_user(email="real.person@company.cn")
    result = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
    assert "not loaded" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_the_demo_holds_instruments_of_many_categories_in_both_institutions(demo):
    from models import Instrument

    rows = db.session.execute(sa.select(Instrument.institution_id, Instrument.category_code)).all()
    assert len(rows) >= 30
    assert len({institution for institution, _ in rows}) == 2
    assert len({category[:2] for _, category in rows}) >= 6


def test_the_demo_holds_a_week_of_bookings_in_every_state(demo):
    from models.booking import STATES, Booking

    states = set(db.session.scalars(sa.select(Booking.status)))
    assert states == set(STATES)


def test_searching_the_demo_finds_its_spectrometers(demo, client):
    for q in ("光谱", "spectro"):
        names = [i["name"] for i in client.get(f"/api/v1/instruments?q={q}&per_page=100").get_json()["items"]]
        assert "电感耦合等离子体发射光谱仪" in names and "火花直读光谱仪" in names, q


def test_the_demo_holds_orders_in_every_state_with_real_reports(demo, app):
    from pypdf import PdfReader

    from app.orders.reports import path_of
    from models.order import STATES, ServiceOrder

    orders = db.session.scalars(sa.select(ServiceOrder)).all()
    assert {o.status for o in orders} == set(STATES)
    with_reports = [o for o in orders if o.has_report]
    assert with_reports
    for order in with_reports:
        text = PdfReader(path_of(app.config["UPLOAD_DIR"], order.report_file)).pages[0].extract_text()
        assert order.report_no in text
