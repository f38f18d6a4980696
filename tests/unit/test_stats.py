"""Every metric against a hand-built 2025 dataset whose answers are worked out here."""
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from app.stats.metrics import figures, summary
from app.stats.scope import Period, Scope, district_scope, pilot_scope
from models import Closure, Occupancy, Review, ServiceOrder, db
from models.pilot import Pilot
from models.timeutil import at_local
from models.workday import special_days

YEAR = Period.year(2025)


def at(day, hhmm):
    h, m = map(int, hhmm.split(":"))
    return at_local(day, h * 60 + m)


def completed(create_booking, instrument, org, start, end, charge):
    return create_booking(instrument, org, start=start, minutes=int((end - start) / timedelta(minutes=1)),
                          status="completed", actual_start=start, actual_end=end, charge_amount=Decimal(charge))


def order(world, org, institution, issued, amount, instrument=None):
    row = ServiceOrder(kind="test_by_proxy", organization=org, institution=institution, instrument=instrument,
                       created_by=world.sme_a, title="检测", sample_name="s", sample_quantity=1, sample_unit="件",
                       sample_disposal="return", status="completed", quote_amount=Decimal(amount),
                       report_issued_at=issued, created_at=issued, updated_at=issued)
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def data(world, create_instrument, create_booking, create_org):
    w = world
    w.x = create_instrument(w.institution_a, category_code="010100", calibration_valid_until=date(2027, 1, 1))
    w.y = create_instrument(w.institution_b, category_code="020100", calibration_valid_until=date(2027, 1, 1))
    e1, e2, e3 = w.enterprise_a, w.enterprise_b, create_org("enterprise", district_code="310112")
    completed(create_booking, w.x, e1, at(date(2025, 3, 3), "10:00"), at(date(2025, 3, 3), "12:00"), "960.00")
    completed(create_booking, w.x, e1, at(date(2024, 12, 31), "23:00"), at(date(2025, 1, 1), "01:00"), "100.00")
    create_booking(w.x, e2, start=at(date(2025, 3, 4), "10:00"), status="no_show")
    create_booking(w.x, e1, start=at(date(2025, 3, 5), "10:00"), status="cancelled")
    completed(create_booking, w.x, e1, at(date(2025, 12, 31), "23:30"), at(date(2026, 1, 1), "00:30"), "300.00")
    completed(create_booking, w.y, e3, at(date(2025, 5, 6), "09:00"), at(date(2025, 5, 6), "10:00"), "380.00")
    o1 = order(w, e2, w.institution_a, at(date(2025, 6, 10), "10:00"), "1500.00", instrument=w.x)
    order(w, e1, w.institution_a, at(date(2024, 12, 20), "10:00"), "999.00")
    db.session.add(Occupancy(instrument_id=w.x.id, kind="order_work", order_id=o1.id, start_at=at(date(2025, 6, 9), "09:00"),
                             end_at=at(date(2025, 6, 9), "13:00"), blocks_until=at(date(2025, 6, 9), "13:00"),
                             active=True, created_at=at(date(2025, 6, 9), "09:00")))
    for kind, day, start, end in (("internal_use", date(2025, 3, 10), "14:00", "16:00"),
                                  ("maintenance", date(2025, 3, 11), "09:00", "17:00"),
                                  ("calibration", date(2025, 3, 15), "10:00", "12:00")):  # a Saturday: closed anyway
        db.session.add(Closure(instrument_id=w.x.id, start_at=at(day, start), end_at=at(day, end), kind=kind,
                               created_at=at(day, start)))
    db.session.add_all([
        Review(order_id=o1.id, organization_id=e2.id, institution_id=w.institution_a.id, created_by_id=w.sme_b.id,
               score=3, created_at=at(date(2025, 6, 11), "10:00")),
    ])
    db.session.commit()
    w.e1, w.e2, w.e3 = e1, e2, e3
    return w


def working_days(year):
    special = special_days(date(year, 1, 1), date(year, 12, 31))
    day, count = date(year, 1, 1), 0
    while day.year == year:
        kind = special.get(day)
        count += kind == "workday" or (day.isoweekday() <= 5 and kind != "holiday")
        day += timedelta(days=1)
    return count


def test_the_city_figures_for_the_year(data):
    wd = working_days(2025)
    assert 240 <= wd <= 255
    s = summary(Scope(None), YEAR)
    assert s["service_count"] == 4  # bookings starting in 2025: Mar 3, Dec 31, May 6; order O1
    assert s["bookings_completed"] == 3 and s["orders_reported"] == 1
    assert s["enterprises_served"] == 3
    assert s["external_hours"] == 2 + 1 + 0.5 + 1 + 4  # the two edge bookings count only their 2025 part
    assert s["internal_hours"] == 2 and s["effective_hours"] == 10.5
    assert s["sharing_rate"] == round(8.5 / 10.5, 4)
    assert s["open_hours"] == 2 * 8 * wd - 8  # the maintenance day is lost; the Saturday closure is not
    assert s["utilization"] == round(10.5 / (2 * 8 * wd - 8), 4)
    assert s["no_shows"] == 1 and s["no_show_rate"] == 0.25
    assert s["revenue"] == Decimal("960.00") + Decimal("300.00") + Decimal("380.00") + Decimal("1500.00")
    assert (s["satisfaction"], s["reviews"]) == (3.0, 1)


def test_a_district_counts_the_institutions_located_in_it(data):
    pudong = summary(district_scope("310115"), YEAR)
    assert (pudong["service_count"], pudong["enterprises_served"], pudong["external_hours"]) == (3, 2, 7.5)
    assert pudong["no_show_rate"] == round(1 / 3, 4)
    minhang = summary(district_scope("310112"), YEAR)
    assert (minhang["service_count"], minhang["enterprises_served"], minhang["external_hours"]) == (1, 1, 1.0)
    assert summary(district_scope("310104"), YEAR)["service_count"] == 0


def test_the_previous_year_gets_the_other_parts(data):
    s = summary(Scope(None), Period.year(2024))
    assert s["service_count"] == 2  # the booking starting 2024-12-31 and the order reported 2024-12-20
    assert s["external_hours"] == 1.0


def test_a_pilot_counts_its_linked_institutions(data):
    pilot = Pilot(year=2025, district_code="310112", name="试点", institutions=[data.institution_b])
    db.session.add(pilot)
    db.session.commit()
    s = summary(pilot_scope(pilot), YEAR)
    assert (s["service_count"], s["enterprises_served"]) == (1, 1)


def test_the_table_columns_of_many_pilots_match_their_summaries(data):
    from app.stats.pilots import Services, computed

    both = Pilot(year=2025, district_code="310115", name="两家", institutions=[data.institution_a, data.institution_b])
    one = Pilot(year=2025, district_code="310112", name="一家", institutions=[data.institution_b])
    db.session.add_all([both, one])
    db.session.commit()
    served = Services(2025)
    for pilot in (both, one):
        s = summary(pilot_scope(pilot), YEAR)
        assert computed(pilot, served) == computed(pilot) == (s["service_count"], s["enterprises_served"])
    assert computed(both, served) == (4, 3)


def test_a_category_scope(data):
    analytical = summary(Scope(None, category="01"), YEAR)
    assert analytical["service_count"] == 3 and analytical["external_hours"] == 7.5
    physical = summary(Scope(None, category="02"), YEAR)
    assert physical["service_count"] == 1


def test_grouping_by_instrument_district_and_category(data):
    by_instrument = figures(Scope(None), YEAR, "instrument")
    assert by_instrument[data.x.id]["external_hours"] == 7.5 and by_instrument[data.y.id]["external_hours"] == 1.0
    by_district = figures(Scope(None), YEAR, "district")
    assert by_district["310115"]["enterprises_served"] == 2 and by_district["310112"]["service_count"] == 1
    by_category = figures(Scope(None), YEAR, "category")
    assert by_category["01"]["service_count"] == 3 and by_category["02"]["service_count"] == 1


def test_months_split_the_hours(data):
    from app.stats.metrics import by_month

    months = {m.first.month: v for m, v in by_month(Scope(None), YEAR)}
    assert months[1]["external_hours"] == 1.0 and months[1]["service_count"] == 0
    assert months[3]["service_count"] == 1 and months[3]["no_shows"] == 1 and months[3]["internal_hours"] == 2
    assert months[6]["external_hours"] == 4 and months[6]["orders_reported"] == 1
    assert months[12]["external_hours"] == 0.5 and months[12]["service_count"] == 1
    assert sum(m["external_hours"] for m in months.values()) == 8.5


def test_a_day_finds_long_and_early_started_bookings_through_the_bounded_scan(world, create_instrument,
                                                                              create_booking):
    """One day's figures look up bookings by booked start within the longest hold plus the slack;
    a 14-day booking ending that day, and one checked in early the day before, both count."""
    x = create_instrument(world.institution_a, calibration_valid_until=date(2027, 1, 1), max_minutes=20160)
    day = date(2025, 7, 15)
    fortnight = at(day, "12:00") - timedelta(days=14)
    completed(create_booking, x, world.enterprise_a, fortnight, at(day, "12:00"), "0.00")
    early = create_booking(x, world.enterprise_b, start=at(day, "14:00"), minutes=60, status="completed",
                           actual_start=at(day, "14:00") - timedelta(days=1), actual_end=at(day, "15:00"))
    assert early.actual_start < at(day, "00:00")
    hours = figures(Scope(None), Period(day, day))["all"]["external_hours"]
    assert hours == 12 + 15  # 00:00-12:00 of the long one, 00:00-15:00 of the early one


def test_an_empty_scope_has_zeros_not_errors():
    s = summary(Scope(frozenset()), YEAR)
    assert s["service_count"] == 0 and s["sharing_rate"] is None and s["utilization"] is None


def test_the_snapshot_is_idempotent_and_the_trend_matches_live_figures(data):
    from app.stats import snapshot
    from models.stats import UsageSnapshot

    later = datetime(2026, 3, 2, 1, tzinfo=UTC)
    live = snapshot.trend(Scope(None), 2025, later)  # nothing snapshotted yet: all computed live
    snapshot.backfill(date(2025, 1, 1), date(2025, 12, 31), later)
    snapshot.backfill(date(2025, 1, 1), date(2025, 12, 31), later)
    rows = db.session.query(UsageSnapshot).count()
    assert rows == len({(s.day, s.institution_id) for s in db.session.query(UsageSnapshot)})
    from_snapshots = snapshot.trend(Scope(None), 2025, later)
    assert from_snapshots == live
    assert [services for _m, services, _h in live] == [0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1]
    assert round(sum(h for _m, _s, h in live), 2) == 10.5


def test_yearly_figures_read_the_snapshots_where_taken_and_match_the_records(data):
    from app.stats import snapshot
    from models.stats import UsageSnapshot

    later = datetime(2026, 3, 2, 1, tzinfo=UTC)
    live = {group: figures(Scope(None), YEAR, group, live=True) for group in (None, "district", "institution")}
    snapshot.backfill(date(2025, 1, 1), date(2025, 12, 31), later)
    for group, expected in live.items():
        assert figures(Scope(None), YEAR, group) == expected
    assert summary(Scope(None), YEAR)["service_count"] == live[None]["all"]["service_count"]

    march = db.session.query(UsageSnapshot).filter(UsageSnapshot.day == date(2025, 3, 3),
                                                   UsageSnapshot.bookings_completed > 0).one()
    march.bookings_completed += 100  # proves the figures come from the snapshot, not the records
    db.session.flush()
    assert figures(Scope(None), YEAR)["all"]["bookings_completed"] == live[None]["all"]["bookings_completed"] + 100
    assert figures(Scope(None), YEAR, live=True)["all"] == live[None]["all"]
