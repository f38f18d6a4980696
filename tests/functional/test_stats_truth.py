"""The figures a bureau signs, through the pages and the API: the web's trend is the API's monthly rows,
revenue is the settlement's charges, and one bad stored amount cannot take the statistics down."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models import ServiceOrder, db
from models.timeutil import at_local
from tests.settlement import completed_booking

YEAR = 2026


def _order(world, issued, amount="800.00"):
    order = ServiceOrder(kind="test_by_proxy", organization=world.enterprise_b, institution=world.institution_a,
                         created_by=world.sme_b, title="检测", sample_name="样品", sample_quantity=1, sample_unit="件",
                         sample_disposal="return", status="report_issued", quote_amount=Decimal(amount),
                         report_issued_at=issued, created_at=issued, updated_at=issued)
    db.session.add(order)
    db.session.commit()
    return order


def test_the_web_trend_equals_the_api_monthly_rows(api, world, sign_in, create_booking, create_instrument):
    instrument = create_instrument(world.institution_a, created_at=at_local(date(2025, 6, 1)))
    for day, minutes in ((date(2026, 1, 12), 90), (date(2026, 2, 3), 120), (date(2026, 2, 24), 60)):
        start = at_local(day, 10 * 60)
        create_booking(instrument, world.enterprise_a, start=start, minutes=minutes, status="completed",
                       actual_start=start, actual_end=start + timedelta(minutes=minutes))
    _order(world, at_local(date(2026, 2, 10), 15 * 60))
    rows = api(world.district_a).get(f"/stats/utilization?group_by=month&from={YEAR}-01-01&to={YEAR}-12-31").get_json()
    page = sign_in(world.district_a).get(f"/stats/?year={YEAR}").get_data(as_text=True)
    months = rows["rows"]
    assert [r["key"] for r in months] == ["2026-01", "2026-02", "2026-03"]  # up to this month
    assert [r["service_count"] for r in months] == [1, 3, 0]
    for row in months:
        assert f'<td>{row["key"]}</td><td class="text-end">{row["service_count"]}</td>' \
               f'<td class="text-end">{row["effective_hours"]:.1f}</td>' in page


@pytest.mark.parametrize("bad", ["Infinity", "NaN"])
def test_a_stored_amount_that_is_not_a_number_leaves_the_statistics_answering(api, world, sign_in, is_postgres, bad):
    """Inputs refuse such values (issue 14b); one that got in before must not 500 every page for good."""
    good = completed_booking(world, 60)
    order = _order(world, at_local(date(2026, 2, 10), 15 * 60))
    store = sa.text("UPDATE service_orders SET quote_amount = :v WHERE id = :id")
    value = {"v": float(bad.lower().replace("infinity", "inf")), "id": order.id}
    if is_postgres and bad == "Infinity":
        with pytest.raises(sa.exc.DBAPIError), db.session.begin_nested():
            db.session.execute(store, value)  # numeric(12, 2) cannot hold it: NaN is PostgreSQL's bad value
        return
    db.session.execute(store, value)
    db.session.commit()
    for who in (world.city, world.district_a, world.lab_a):
        summary = api(who).get(f"/stats/summary?year={YEAR}")
        assert summary.status_code == 200
        assert summary.get_json()["revenue"] == f"{good.charge_amount:.2f}"  # the bad quote counts as nothing
        assert summary.get_json()["service_count"] == 2
        assert api(who).get(f"/stats/utilization?group_by=institution&from={YEAR}-01-01").status_code == 200
        assert sign_in(who).get(f"/stats/?year={YEAR}").status_code == 200
    assert api(world.city).get(f"/stats/pilot-table?year={YEAR}").status_code == 200


def test_revenue_is_the_settlement_charges_after_adjustment(api, world):
    booking = completed_booking(world, 60)
    charge = db.session.execute(sa.text("SELECT id, amount FROM charges WHERE booking_id = :b"),
                                {"b": booking.id}).one()
    db.session.execute(sa.text("UPDATE charges SET amount = 100 WHERE id = :id"), {"id": charge.id})
    db.session.commit()
    body = api(world.city).get(f"/stats/summary?year={YEAR}").get_json()
    assert body["revenue"] == body["charges_total"] == "100.00"


def test_the_city_sets_district_targets_and_a_wrong_one_changes_nothing(world, sign_in):
    from models import District

    client = sign_in(world.city)
    client.post("/stats/targets", data={"target-310115": "80"})
    assert db.session.get(District, "310115").enterprise_target == 80
    page = client.post("/stats/targets", data={"target-310115": "90", "target-310112": "many"},
                       follow_redirects=True).get_data(as_text=True)
    assert "目标应为正整数" in page
    db.session.expire_all()
    assert db.session.get(District, "310115").enterprise_target == 80
    assert sign_in(world.district_a).post("/stats/targets", data={"target-310115": "1"}).status_code == 403
