"""Helpers for the settlement tests: services completed the way people complete them, vouchers issued."""
from datetime import date, timedelta
from decimal import Decimal

from app.booking import services as bookings
from app.orders import services as orders
from app.settlement import vouchers
from models import db
from models.settlement import Charge
from models.timeutil import at_local
from tests import factories

NOW = factories.NOW  # Monday 2026-03-02 09:00 Shanghai
TODAY = date(2026, 3, 2)
CAP = Decimal("300000.00")
PDF = factories.PDF


def lab_instrument(world, **fields):
    """600/h, 20 % off for SMEs, 30-minute slots, at institution A (district 310115)."""
    return factories.create_instrument(world.institution_a, requires_approval=False, **fields)


def completed_booking(world, minutes_used=60, instrument=None, customer=None, day_offset=0, booked_minutes=120):
    """Checked in at 07:00 today (Shanghai) and checked out `minutes_used` later, by the lab's staff."""
    instrument = instrument or lab_instrument(world)
    customer = customer or world.sme_a
    start = at_local(TODAY + timedelta(days=day_offset), 7 * 60)
    booking = factories.create_booking(instrument, customer.organization, start=start, minutes=booked_minutes,
                                       status="confirmed", created_by=customer)
    staff = world.lab_a if instrument.institution_id == world.institution_a.id else world.lab_b
    bookings.check_in(staff, booking, NOW, at=start)
    bookings.check_out(staff, booking, NOW, at=start + timedelta(minutes=minutes_used))
    db.session.commit()
    return booking


def charge_of(booking=None, order=None):
    link = {"booking_id": booking.id} if booking is not None else {"order_id": order.id}
    return db.session.query(Charge).filter_by(**link).one()


def completed_order(world, amount="1200.00", customer=None, upload_dir=None):
    customer = customer or world.sme_a
    data = {"kind": "test_by_proxy", "institution_id": world.institution_a.id, "title": "电池外壳盐雾试验",
            "sample": {"name": "铝合金外壳", "model": "BX-200", "quantity": 3, "unit": "件", "disposal": "return"},
            "items": [{"name": "中性盐雾试验 96h", "standard": "GB/T 10125-2021"}], "needed_by": None,
            "description": "", "confidential": False}
    order = orders.submit(customer, data, NOW)
    orders.quote(world.lab_a, order, Decimal(amount), 7, TODAY + timedelta(days=7), "", NOW)
    orders.accept(customer, order, NOW)
    orders.receive_sample(world.lab_a, order, NOW)
    orders.start_testing(world.lab_a, order, NOW)
    orders.issue_report(world.lab_a, order, PDF, f"BG-{order.id}", NOW, upload_dir=upload_dir or "/tmp/qishare-test",
                        max_bytes=10**6)
    orders.complete(customer, order, NOW)
    db.session.commit()
    return order


def issue_voucher(world, organization=None, by=None, amount="1000.00", percent=50, days=30, first=TODAY,
                  programme="2026 年浦东新区科技创新券"):
    voucher = vouchers.issue(by or world.district_a, organization or world.enterprise_a, {
        "amount": Decimal(amount), "subsidy_percent": percent, "valid_from": first,
        "valid_until": first + timedelta(days=days - 1), "programme": programme}, NOW, CAP)
    db.session.commit()
    return voucher
