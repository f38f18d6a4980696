"""Revenue, voucher subsidy and net revenue per scope, in /stats/summary and the figures behind the dashboards."""
from decimal import Decimal

from app.settlement import vouchers
from app.settlement.figures import settlement_by_district, settlement_figures
from app.stats.scope import Period, Scope, district_scope
from models import db
from tests import factories
from tests.settlement import NOW, charge_of, completed_booking, issue_voucher


def _activity(world):
    """District A: ¥480.00 of which a voucher paid ¥240.00; district B: ¥600.00 (a large enterprise, no voucher)."""
    charge = charge_of(completed_booking(world, 60))
    vouchers.apply(world.sme_a, charge, issue_voucher(world).id, NOW)
    big = factories.create_user("enterprise", factories.create_org("enterprise", size="large", district_code="310112"))
    completed_booking(world, 60, instrument=factories.create_instrument(world.institution_b), customer=big)
    db.session.commit()


def test_the_summary_carries_charges_voucher_subsidy_and_net_per_scope(api, world):
    _activity(world)
    city = api(world.city).get("/stats/summary?year=2026").get_json()
    assert (city["charges_total"], city["voucher_total"], city["net_total"], city["voucher_enterprises"]) == (
        "1080.00", "240.00", "840.00", 1)
    district = api(world.district_a).get("/stats/summary?year=2026").get_json()
    assert (district["charges_total"], district["voucher_total"], district["net_total"]) == ("480.00", "240.00",
                                                                                             "240.00")
    lab_b = api(world.lab_b).get("/stats/summary?year=2026").get_json()
    assert (lab_b["charges_total"], lab_b["voucher_total"], lab_b["voucher_enterprises"]) == ("600.00", "0.00", 0)
    assert api(world.city).get("/stats/summary?year=2025").get_json()["charges_total"] == "0.00"


def test_districts_add_up_to_the_city(world):
    _activity(world)
    year = Period.year(2026)
    by_district = settlement_by_district(Scope(None), year)
    city = settlement_figures(Scope(None), year)
    assert sum(v["charges_total"] for v in by_district.values()) == city["charges_total"]
    assert sum(v["voucher_total"] for v in by_district.values()) == city["voucher_total"]
    assert settlement_figures(district_scope("310112"), year)["charges_total"] == by_district["310112"]["charges_total"]


def test_the_instruments_csv_writes_revenue_like_every_page(world, sign_in):
    completed_booking(world, 60)
    completed_booking(world, 60, instrument=factories.create_instrument(world.institution_a, hourly_rate=Decimal(2000)))
    text = sign_in(world.lab_a).get("/stats/instruments.csv?year=2026").data.decode("utf-8")
    assert "¥480.00" in text and '"¥1,600.00"' in text
