"""Every metric against a hand-built 2025 dataset whose answers are worked out here."""
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from app.stats.metrics import EMPTY
from app.stats.scope import Period, Scope, district_scope, pilot_scope
from app.stats.services import figures, summary, trend
from models import Booking, Closure, Occupancy, Review, ServiceOrder, db
from models.pilot import Pilot
from models.stats import StaleDay
from models.timeutil import at_local
from models.workday import special_days
from tests.statements import statements_sent

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
    joined = at(date(2024, 6, 1), "09:00")  # on the platform before the year the tests count
    w.x = create_instrument(w.institution_a, category_code="010100", calibration_valid_until=date(2027, 1, 1),
                            created_at=joined)
    w.y = create_instrument(w.institution_b, category_code="020100", calibration_valid_until=date(2027, 1, 1),
                            created_at=joined)
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
    months = {int(m[5:]): v for m, v in trend(Scope(None), YEAR)}
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


def test_the_snapshot_is_idempotent_and_the_trend_matches_the_recount(data):
    from app.stats import snapshot
    from models.stats import UsageSnapshot

    later = datetime(2026, 3, 2, 1, tzinfo=UTC)
    live = trend(Scope(None), YEAR, later, live=True)
    snapshot.backfill(date(2025, 1, 1), date(2025, 12, 31), later)
    snapshot.backfill(date(2025, 1, 1), date(2025, 12, 31), later)
    rows = db.session.query(UsageSnapshot).count()
    assert rows == len({(s.day, s.institution_id) for s in db.session.query(UsageSnapshot)})
    assert trend(Scope(None), YEAR, later) == live
    assert [v["service_count"] for _m, v in live] == [0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1]
    assert round(sum(v["effective_hours"] for _m, v in live), 2) == 10.5


def test_figures_equal_the_recount_and_read_the_snapshot_for_days_not_stale(data):
    from app.stats import snapshot
    from models.stats import UsageSnapshot

    later = datetime(2026, 3, 2, 1, tzinfo=UTC)
    snapshot.backfill(date(2025, 1, 1), date(2025, 12, 31), later)
    db.session.commit()
    for group in (None, "district", "institution"):
        assert figures(Scope(None), YEAR, group, later) == figures(Scope(None), YEAR, group, later, live=True)

    # The cache is used: a snapshot row nobody marked stale is what the yearly figure reads.
    march = db.session.query(UsageSnapshot).filter(UsageSnapshot.day == date(2025, 3, 3),
                                                   UsageSnapshot.bookings_completed > 0).one()
    march.bookings_completed += 100
    db.session.commit()
    recount = figures(Scope(None), YEAR, None, later, live=True)["all"]
    assert figures(Scope(None), YEAR, None, later)["all"]["bookings_completed"] == recount["bookings_completed"] + 100

    # A change to that day's records marks it stale in the same transaction: read live, equal again.
    booking = db.session.query(Booking).filter(Booking.start_at >= at(date(2025, 3, 3), "00:00"),
                                               Booking.start_at < at(date(2025, 3, 4), "00:00")).one()
    booking.actual_end = booking.actual_end + timedelta(minutes=30)
    db.session.commit()
    recount = figures(Scope(None), YEAR, None, later, live=True)["all"]
    assert figures(Scope(None), YEAR, None, later)["all"] == recount
    assert recount["external_hours"] == 9.0
    snapshot.refresh(later)  # the job retakes the stale day: read from the snapshot again, still equal
    db.session.commit()
    assert db.session.query(StaleDay).count() == 0
    assert figures(Scope(None), YEAR, None, later)["all"] == recount


def test_a_thirty_day_old_correction_reaches_the_yearly_figure_at_once(data, create_booking):
    from app.stats import snapshot

    later = datetime(2025, 12, 1, 2, tzinfo=UTC)
    snapshot.backfill(date(2025, 1, 1), date(2025, 11, 30), later)
    db.session.commit()
    before = summary(Scope(None), YEAR, later)
    start = at(date(2025, 10, 31), "10:00")
    completed(create_booking, data.x, data.e3, start, start + timedelta(hours=3), "100.00")  # a walk-in, a month late
    after = summary(Scope(None), YEAR, later)
    assert after["service_count"] == before["service_count"] + 1
    assert after["external_hours"] == before["external_hours"] + 3
    assert after == summary(Scope(None), YEAR, later, live=True)


def test_instruments_add_up_to_institutions_districts_and_the_city(data):
    city = figures(Scope(None), YEAR)["all"]
    for group in ("instrument", "institution", "district"):
        parts = figures(Scope(None), YEAR, group).values()
        for name in ("service_count", "bookings_completed", "no_shows"):
            if group != "instrument" or name != "service_count":  # an order without an instrument has no row
                assert sum(p[name] for p in parts) == city[name], (group, name)
        for name in ("external_hours", "effective_hours", "open_hours", "internal_hours"):
            assert abs(sum(p[name] for p in parts) - city[name]) <= 0.01 * len(parts), (group, name)
    for part in figures(Scope(None), YEAR, "category").values():
        assert part["effective_hours"] <= city["effective_hours"]
        assert part["internal_hours"] <= city["internal_hours"]


def test_each_month_of_the_trend_is_that_month_s_figures(data):
    later = datetime(2026, 3, 2, 1, tzinfo=UTC)
    for label, values in trend(Scope(None), YEAR, later):
        month = int(label[5:])
        first = date(2025, month, 1)
        last = date(2025 + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
        assert values == figures(Scope(None), Period(first, last), None, later).get("all", EMPTY), label
    months = dict(trend(Scope(None), YEAR, later))
    assert months["2025-03"]["enterprises_served"] == 1 and months["2025-06"]["enterprises_served"] == 1
    assert months["2025-05"]["enterprises_served"] == 1 and months["2025-12"]["enterprises_served"] == 1


def test_open_hours_count_from_creation_or_commissioning_and_only_while_active(world, create_instrument):
    from models.audit import AuditRecord

    now = datetime(2026, 3, 2, 1, tzinfo=UTC)  # Monday 09:00 in Shanghai
    year = Period(date(2026, 1, 1), date(2026, 3, 2))
    old = create_instrument(world.institution_a, created_at=at(date(2025, 1, 1), "09:00"))
    new = create_instrument(world.institution_a, created_at=now)
    late = create_instrument(world.institution_a, created_at=at(date(2025, 1, 1), "09:00"),
                             commissioned_on=date(2026, 2, 2))
    retired = create_instrument(world.institution_a, created_at=at(date(2025, 1, 1), "09:00"), status="retired")
    db.session.add(AuditRecord(object_type="instruments", object_id=retired.id, action="status",
                               from_state="active", to_state="retired", at=at(date(2026, 2, 2), "15:00")))
    db.session.commit()
    hours = {k: v["open_hours"] for k, v in figures(Scope(None), year, "instrument").items()}

    def of_old(first, last):
        return figures(Scope(None), Period(first, last), "instrument")[old.id]["open_hours"]

    assert hours[new.id] == of_old(date(2026, 3, 2), date(2026, 3, 2)) == 8  # today only, not the whole year
    assert hours[late.id] == of_old(date(2026, 2, 2), date(2026, 3, 2)) < hours[old.id]
    assert hours[retired.id] == of_old(date(2026, 1, 1), date(2026, 2, 1)) > 0  # not from the day it was retired


def test_the_trend_reads_its_months_snapshot_rows_in_one_query(data):

    from app.stats import snapshot

    later = datetime(2026, 3, 2, 1, tzinfo=UTC)
    snapshot.backfill(date(2025, 1, 1), date(2025, 12, 31), later)
    db.session.add(StaleDay(day=date(2025, 3, 3), institution_id=data.institution_a.id, marked_at=later))
    db.session.commit()
    with statements_sent(db.session.get_bind()) as statements:
        months = trend(Scope(None), YEAR, later)
    assert len([s for s in statements if "FROM usage_snapshots" in s]) == 1  # was one per month
    assert months == trend(Scope(None), YEAR, later, live=True)
    assert dict(months)["2025-03"]["service_count"] == 1  # the stale day is read from the records


def test_a_page_read_in_one_reading_counts_today_once_and_gives_the_same_figures(data, monkeypatch):
    from app.stats import metrics, services, snapshot

    later = datetime(2025, 6, 9, 4, tzinfo=UTC)  # noon in Shanghai on 9 June, the day of the order work
    today = date(2025, 6, 9)
    snapshot.backfill(date(2025, 1, 1), date(2025, 6, 8), later)
    db.session.add(StaleDay(day=date(2025, 3, 3), institution_id=data.institution_a.id, marked_at=later))
    db.session.commit()

    def page():
        return (summary(Scope(None), YEAR, later), figures(Scope(None), YEAR, "district", later),
                figures(Scope(None), YEAR, "institution", later), trend(Scope(None), YEAR, later),
                figures(district_scope("310115"), YEAR, None, later), trend(district_scope("310115"), YEAR, later))

    alone = page()
    assert alone[0] == summary(Scope(None), YEAR, later, live=True)
    assert alone[0]["external_hours"] == 8.5  # 2 + 1 + 1 + 0.5 booked (March's stale day among them), 4 of order work today
    read = []
    real = metrics.live_base
    monkeypatch.setattr(metrics, "live_base", lambda scope, period, group_by=None, fields=metrics.BASE: (
        read.append((scope, period, fields)) or real(scope, period, group_by, fields)))
    with services.one_reading():
        shared = page()
    assert shared == alone
    city_today = [(period, fields) for scope, period, fields in read
                  if scope == Scope(None) and period.first <= today <= period.last]
    # once, not once per figure; and only what happened (the open hours from today on are kept ahead)
    assert city_today == [(Period(today, date(2025, 6, 30)), metrics.HAPPENED)]
    assert len(read) == len(set(read))
    with services.one_reading():  # a reading ends with its page: the next one counts again
        page()
    assert len(read) == 2 * len(set(read))
