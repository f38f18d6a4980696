from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models import Booking, Organization, db
from tests.factories import valid_uscc

TUESDAY = "2026-03-03"


@pytest.fixture
def lab(world, create_instrument):
    world.instrument = create_instrument(world.institution_a, requires_approval=True, name="原子吸收光谱仪")
    return world


def page(response):
    return response.get_data(as_text=True)


def book(client, instrument, start="10:00", end="11:00", day=TUESDAY):
    return client.post(f"/instruments/{instrument.id}/bookings",
                       data={"start": f"{day}T{start}", "end": f"{day}T{end}", "service_mode": "self_operated",
                             "purpose": "测样品"})


def test_the_instrument_page_shows_the_week_and_the_price(sign_in, lab):
    html = page(sign_in(lab.sme_a).get(f"/instruments/{lab.instrument.id}?week=2026-03-02"))
    assert 'data-testid="week"' in html and 'data-start="2026-03-03T09:00"' in html
    assert 'data-rate="480.00"' in html  # the SME's hourly rate feeds the price shown before confirming
    assert "提交预约申请" in html


def test_booking_from_the_page_lands_on_the_booking(sign_in, lab):
    client = sign_in(lab.sme_a)
    response = book(client, lab.instrument)
    assert response.status_code == 302
    booking = db.session.scalar(sa.select(Booking))
    assert response.location.endswith(f"/bookings/{booking.id}")
    html = page(client.get(response.location))
    assert "待审批" in html and "¥480.00" in html and 'data-testid="audit-trail"' in html


def test_a_refused_booking_goes_back_with_the_reason_and_the_choice_kept(sign_in, lab):
    client = sign_in(lab.sme_a)
    response = book(client, lab.instrument, "07:00", "08:00")
    assert response.status_code == 302 and "start=2026-03-03T07:00" in response.location
    assert "超出开放时间" in page(client.get(response.location))


def test_my_bookings_shows_upcoming_with_the_cancel_policy(sign_in, lab):
    client = sign_in(lab.sme_a)
    book(client, lab.instrument)
    html = page(client.get("/bookings"))
    assert "原子吸收光谱仪" in html and "审批前取消不计为逾期取消" in html and "取消预约" in html


def test_the_institution_approves_from_its_queue(sign_in, lab):
    book(sign_in(lab.sme_a), lab.instrument)
    booking = db.session.scalar(sa.select(Booking))
    staff = sign_in(lab.lab_a)
    assert "原子吸收光谱仪" in page(staff.get("/console/bookings/pending"))
    staff.post(f"/bookings/{booking.id}/approve", data={"next": "/console/bookings/pending"})
    assert db.session.get(Booking, booking.id).status == "confirmed"
    assert "没有待审批的预约" in page(staff.get("/console/bookings/pending"))


def test_checking_in_and_out_on_todays_schedule(app, sign_in, lab, now):
    book(sign_in(lab.sme_a), lab.instrument)
    booking = db.session.scalar(sa.select(Booking))
    staff = sign_in(lab.lab_a)
    staff.post(f"/bookings/{booking.id}/approve")
    app.config["NOW_OVERRIDE"] = now + timedelta(days=1, hours=1, minutes=2)  # Tuesday 10:02
    assert "签到" in page(staff.get("/console/today"))
    staff.post(f"/bookings/{booking.id}/check_in")
    app.config["NOW_OVERRIDE"] = now + timedelta(days=1, hours=2, minutes=20)  # Tuesday 11:20
    staff.post(f"/bookings/{booking.id}/check_out")
    stored = db.session.get(Booking, booking.id)
    # 10:02–11:20 is 78 minutes, billed as 90 (the 30-minute slot) at 600/h less the 20% SME discount
    assert stored.status == "completed" and stored.charge_amount == Decimal("720.00")
    assert "¥720.00" in page(sign_in(lab.sme_a).get(f"/bookings/{booking.id}"))


def test_another_institution_cannot_act_on_the_booking(sign_in, lab):
    book(sign_in(lab.sme_a), lab.instrument)
    booking = db.session.scalar(sa.select(Booking))
    assert sign_in(lab.lab_b).post(f"/bookings/{booking.id}/approve").status_code == 404
    assert sign_in(lab.sme_b).get(f"/bookings/{booking.id}").status_code == 404


def test_history_filters_by_instrument_and_status(sign_in, lab, create_booking):
    create_booking(lab.instrument, lab.enterprise_b, status="completed")
    html = page(sign_in(lab.lab_a).get(f"/console/bookings?status=completed&instrument_id={lab.instrument.id}"))
    assert "乙新材料" in html
    assert "乙新材料" not in page(sign_in(lab.lab_a).get("/console/bookings?status=pending"))


def test_staff_register_a_walk_in_enterprise_and_its_past_use(app, sign_in, lab, now):
    app.config["NOW_OVERRIDE"] = now + timedelta(hours=3)  # Monday 12:00
    uscc = valid_uscc()
    response = sign_in(lab.lab_a).post(f"/console/instruments/{lab.instrument.id}/book", data={
        "uscc": uscc, "enterprise_name": "临时来访企业", "district_code": "310115", "industry": "C", "size": "micro",
        "start": "2026-03-02T09:30", "end": "2026-03-02T10:30", "service_mode": "self_operated"})
    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organization).where(Organization.uscc == uscc))
    booking = db.session.scalar(sa.select(Booking).where(Booking.organization_id == org.id))
    assert org.name == "临时来访企业" and booking.status == "confirmed" and booking.staff_booked


def test_a_walk_in_needs_the_enterprise_details_the_first_time(sign_in, lab):
    response = sign_in(lab.lab_a).post(f"/console/instruments/{lab.instrument.id}/book", data={
        "uscc": valid_uscc(), "start": f"{TUESDAY}T10:00", "end": f"{TUESDAY}T11:00", "service_mode": "self_operated"})
    assert response.status_code == 422 and "首次登记该企业时请填写此项" in page(response)


def test_the_city_keeps_the_holiday_calendar(sign_in, world):
    client = sign_in(world.city)
    client.post("/admin/calendar/", data={"day": "2026-03-04", "kind": "holiday", "name": "测试"})
    assert "测试" in page(client.get("/admin/calendar/?year=2026"))
    bad = client.post("/admin/calendar/", data={"day": "2026-03-04", "kind": "workday"})
    assert bad.status_code == 422 and "周六或周日" in page(bad)
    assert sign_in(world.district_a).get("/admin/calendar/").status_code == 403
