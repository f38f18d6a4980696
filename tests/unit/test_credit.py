"""No-show credit: three no-shows at one institution within 90 days, and its bookings there need approval for 30 days."""
from datetime import UTC, date, datetime, timedelta

import pytest

from app.booking import credit, services
from models.timeutil import at_local
from tests.factories import create_booking

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 Shanghai
TUESDAY = date(2026, 3, 3)


@pytest.fixture
def lab(world, create_instrument):
    world.instrument = create_instrument(world.institution_a, requires_approval=False)
    world.other = create_instrument(world.institution_a, requires_approval=False)
    world.elsewhere = create_instrument(world.institution_b, requires_approval=False)
    return world


def missed(lab, *days_ago, instrument=None):
    return [create_booking(instrument or lab.instrument, lab.enterprise_a, start=NOW - timedelta(days=d),
                           status="no_show", created_by=lab.sme_a) for d in days_ago]


def book(lab, now=NOW, who=None, **kw):
    day = (now + timedelta(days=1)).date()
    return services.book(who or lab.sme_a, lab.instrument, at_local(day, 600), at_local(day, 660), now, **kw)


def test_three_no_shows_within_90_days_make_new_bookings_there_need_approval(lab):
    missed(lab, 80, 40, 3)
    assert book(lab).status == "pending"


def test_two_no_shows_do_not(lab):
    missed(lab, 40, 3)
    assert book(lab).status == "confirmed"


def test_no_shows_on_any_instrument_of_the_institution_count(lab):
    missed(lab, 40, 3)
    missed(lab, 10, instrument=lab.other)
    assert book(lab).status == "pending"


def test_no_shows_at_another_institution_do_not_count(lab):
    missed(lab, 40, 3)
    missed(lab, 10, instrument=lab.elsewhere)
    assert book(lab).status == "confirmed"


def test_three_no_shows_spread_over_more_than_90_days_do_not(lab):
    missed(lab, 100, 40, 3)
    assert book(lab).status == "confirmed"


def test_the_need_for_approval_ends_30_days_after_the_no_show_that_reached_the_limit(lab):
    missed(lab, 60, 50, 35)  # approval needed until 5 days ago
    assert book(lab, now=NOW - timedelta(days=6)).status == "pending"
    assert book(lab).status == "confirmed"


def test_the_standing_says_how_many_and_until_when(lab):
    missed(lab, 80, 40, 3)
    standing = credit.standing(lab.enterprise_a.id, lab.institution_a.id, NOW)
    assert len(standing.no_shows) == 3 and standing.limit == 3
    assert standing.approval_until == NOW - timedelta(days=3) + timedelta(days=30)


def test_staff_booking_on_behalf_still_confirm_at_once(lab):
    missed(lab, 80, 40, 3)
    booking = book(lab, who=lab.lab_a, organization=lab.enterprise_a)
    assert booking.status == "confirmed"
