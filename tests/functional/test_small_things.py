"""Small things seen on the way: the icon, the home page's search button, lists joined in the reader's
language, the pending counts in the menu, reviews that say who reviewed what."""
from datetime import timedelta

import pytest

from app.i18n import join_list
from app.reviews import services as reviews
from models import db


def test_the_icon_is_served_at_favicon_ico_and_named_by_every_page(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"
    assert 'rel="icon" href="/static/favicon.ico"' in client.get("/").get_data(as_text=True)


def test_the_home_pages_search_button_does_not_wrap(client):
    page = client.get("/").get_data(as_text=True)
    assert 'class="btn btn-warning btn-lg px-4 text-nowrap flex-shrink-0"' in page


@pytest.mark.parametrize("locale, joined", [("zh_CN", "甲、乙和丙"), ("en", "a, b, and c")])
def test_lists_are_joined_the_way_the_readers_language_joins_them(app, locale, joined):
    words = ["甲", "乙", "丙"] if locale == "zh_CN" else ["a", "b", "c"]
    with app.test_request_context(), app.app_context():
        from flask import session

        session["lang"] = locale
        assert join_list(words) == joined


def test_an_english_catalog_says_testing_on_your_behalf(client):
    client.post("/auth/language", data={"lang": "en"})
    assert "Testing on your behalf" in client.get("/").get_data(as_text=True)


def test_the_approval_menu_shows_how_many_bookings_wait(sign_in, world, create_instrument, create_booking, now):
    instrument = create_instrument(world.institution_a)
    create_booking(instrument, world.enterprise_a, status="pending")
    create_booking(instrument, world.enterprise_b, status="pending", start=now + timedelta(days=2, hours=1))
    page = sign_in(world.lab_a).get("/").get_data(as_text=True)
    badge = page[page.index('data-testid="nav-count-booking.console_queue"'):].split("</span>")[0]
    assert badge.endswith(">2")


def test_no_count_is_shown_when_nothing_waits(sign_in, world):
    assert "nav-count-booking.console_queue" not in sign_in(world.lab_b).get("/").get_data(as_text=True)


def test_the_recent_reviews_name_the_enterprise_and_the_instrument(sign_in, world, create_instrument,
                                                                   create_booking, now):
    instrument = create_instrument(world.institution_a, name="盐雾试验箱")
    booking = create_booking(instrument, world.enterprise_a, status="completed")
    reviews.review_booking(booking.created_by, booking, 5, "很好", now)
    db.session.commit()
    page = sign_in(world.lab_a).get("/stats/").get_data(as_text=True)
    line = page[page.index('data-testid="review-line"'):].split("</p>")[0]
    assert "甲精密机械" in line and "盐雾试验箱" in line and "很好" in line
