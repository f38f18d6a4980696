"""The waitlist: wait for taken time, the first in line is offered it when it frees, an offer passes on."""
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.booking import services as bookings
from app.catalog import services as catalog
from app.waitlist import jobs, services
from app.waitlist.offers import offer_freed_time
from models import Booking, Closure, Notification, db
from models.errors import Closed, Conflict, Forbidden, InvalidTransition, SlotAvailable, SlotUnavailable
from models.timeutil import at_local

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 Shanghai
TUESDAY = date(2026, 3, 3)


def at(hhmm, day=TUESDAY):
    h, m = map(int, hhmm.split(":"))
    return at_local(day, h * 60 + m)


@pytest.fixture
def lab(world, create_instrument, create_booking, create_user):
    world.instrument = create_instrument(world.institution_a, requires_approval=False)
    world.taken = create_booking(world.instrument, world.enterprise_b, start=at("10:00"), minutes=60,
                                 created_by=world.sme_b)
    world.sme_c = create_user("enterprise")
    return world


def join(lab, who, start="10:00", end="11:00"):
    return services.join(who, lab.instrument, at(start), at(end), NOW)


def offers_to(user):
    return db.session.scalars(sa.select(Notification.payload).where(
        Notification.kind == "waitlist_offered", Notification.recipient_id == user.id)).all()


def test_joining_a_taken_interval_waits(lab):
    entry = join(lab, lab.sme_a)
    assert entry.status == "waiting" and entry.organization_id == lab.enterprise_a.id


def test_joining_a_free_interval_is_refused_as_slot_available(lab):
    with pytest.raises(SlotAvailable) as refused:
        join(lab, lab.sme_a, "14:00", "15:00")
    assert refused.value.status == 422 and refused.value.code == "slot_available"


def test_joining_time_closed_by_the_opening_hours_says_so(lab):
    with pytest.raises(Closed):
        join(lab, lab.sme_a, "06:00", "07:00")


def test_joining_twice_for_one_interval_is_409_for_the_whole_enterprise(lab, create_user):
    join(lab, lab.sme_a)
    colleague = create_user("enterprise", lab.enterprise_a)
    for who in (lab.sme_a, colleague):
        with pytest.raises(Conflict) as refused:
            join(lab, who)
        assert refused.value.status == 409
    assert join(lab, lab.sme_c).status == "waiting"  # another enterprise may


def test_only_enterprises_wait(lab):
    with pytest.raises(Forbidden):
        join(lab, lab.lab_a)


def test_a_cancellation_offers_the_time_to_the_first_in_line_only(lab):
    first, second = join(lab, lab.sme_a), join(lab, lab.sme_c)
    bookings.cancel(lab.sme_b, lab.taken, "改期", NOW)
    assert (first.status, second.status) == ("offered", "waiting")
    assert first.offer_expires_at == NOW + timedelta(minutes=60)
    (offer,) = offers_to(lab.sme_a)
    assert offer["entry_id"] == first.id and offer["start"] == "2026-03-03 10:00"
    assert offers_to(lab.sme_c) == []


def test_a_rejection_and_a_removed_closure_free_time_too(lab, create_booking):
    lab.taken.status = "pending"
    entry = join(lab, lab.sme_a)
    bookings.reject(lab.lab_a, lab.taken, "内部安排", NOW)
    assert entry.status == "offered"
    closure = Closure(instrument_id=lab.instrument.id, start_at=at("14:00"), end_at=at("16:00"), kind="maintenance",
                      created_at=NOW)
    db.session.add(closure)
    db.session.flush()
    waiting = join(lab, lab.sme_c, "14:00", "15:00")
    catalog.remove_closure(lab.lab_a, closure, NOW)
    assert waiting.status == "offered"


def test_time_that_is_only_partly_freed_is_not_offered(lab, create_booking):
    create_booking(lab.instrument, lab.enterprise_b, start=at("11:00"), minutes=60)
    entry = join(lab, lab.sme_a, "10:00", "12:00")
    bookings.cancel(lab.sme_b, lab.taken, "", NOW)
    assert entry.status == "waiting"


def test_a_claim_is_an_ordinary_booking(lab):
    entry = join(lab, lab.sme_a)
    bookings.cancel(lab.sme_b, lab.taken, "", NOW)
    booking = services.claim(lab.sme_a, entry, NOW + timedelta(minutes=10), purpose="补测")
    assert (booking.status, booking.organization_id, booking.start_at) == ("confirmed", lab.enterprise_a.id, at("10:00"))
    assert entry.status == "claimed" and entry.booking_id == booking.id


def test_a_claim_after_the_offer_expired_is_409(lab):
    entry = join(lab, lab.sme_a)
    bookings.cancel(lab.sme_b, lab.taken, "", NOW)
    with pytest.raises(InvalidTransition) as refused:
        services.claim(lab.sme_a, entry, NOW + timedelta(minutes=60))
    assert refused.value.status == 409 and "已过期" in str(refused.value.message)


def test_a_claim_of_time_someone_booked_meanwhile_is_409(lab):
    entry = join(lab, lab.sme_a)
    bookings.cancel(lab.sme_b, lab.taken, "", NOW)
    bookings.book(lab.sme_c, lab.instrument, at("10:00"), at("11:00"), NOW)
    with pytest.raises(SlotUnavailable):
        services.claim(lab.sme_a, entry, NOW + timedelta(minutes=5))


def test_a_claim_obeys_the_booking_rules(lab):
    lab.instrument.max_future_bookings_per_org = 0
    entry = join(lab, lab.sme_a)
    bookings.cancel(lab.sme_b, lab.taken, "", NOW)
    with pytest.raises(Exception) as refused:
        services.claim(lab.sme_a, entry, NOW)
    assert refused.value.code == "policy_violation"


def test_someone_else_cannot_claim_the_offer(lab):
    entry = join(lab, lab.sme_a)
    bookings.cancel(lab.sme_b, lab.taken, "", NOW)
    with pytest.raises(Forbidden):
        services.claim(lab.sme_c, entry, NOW)


def test_an_unclaimed_offer_passes_to_the_next_in_line_and_a_rerun_does_nothing(lab):
    first, second = join(lab, lab.sme_a), join(lab, lab.sme_c)
    bookings.cancel(lab.sme_b, lab.taken, "", NOW)
    later = NOW + timedelta(minutes=61)
    assert (jobs.refresh_offers(later), jobs.refresh_offers(later)) == (1, 0)
    assert (first.status, second.status) == ("expired", "offered")
    assert len(offers_to(lab.sme_c)) == 1


def test_leaving_with_an_offer_passes_it_on_at_once(lab):
    first, second = join(lab, lab.sme_a), join(lab, lab.sme_c)
    bookings.cancel(lab.sme_b, lab.taken, "", NOW)
    services.leave(lab.sme_a, first, NOW)
    assert (first.status, second.status) == ("cancelled", "offered")


def test_offers_never_overlap_even_when_a_later_entry_asks_for_less(lab):
    wide = join(lab, lab.sme_a, "10:00", "12:00")
    narrow = join(lab, lab.sme_c, "10:00", "11:00")
    bookings.cancel(lab.sme_b, lab.taken, "", NOW)
    assert (wide.status, narrow.status) == ("offered", "waiting")


def test_an_offer_ends_when_the_time_can_no_longer_be_booked(lab):
    entry = join(lab, lab.sme_a)
    soon = at("08:30")  # the lead time is 60 minutes: 10:00 can be booked until 09:00
    bookings.cancel(lab.sme_b, lab.taken, "", soon)
    assert entry.offer_expires_at == at("09:00")


def test_a_wait_for_time_that_has_come_expires(lab):
    entry = join(lab, lab.sme_a)
    assert jobs.refresh_offers(at("09:00")) == 0
    assert entry.status == "expired"


def test_offers_are_made_once_however_often_they_are_looked_for(lab):
    entry = join(lab, lab.sme_a)
    lab.taken.transition("cancelled", actor=None, now=NOW)  # freed without the service: the scheduler finds it
    assert [offer_freed_time(lab.instrument, NOW) for _ in range(3)] == [1, 0, 0]
    assert entry.status == "offered" and len(offers_to(lab.sme_a)) == 1
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 1
