"""The statistics dashboards on a 375 px phone: nothing wider than the screen, wide tables scroll in
their own box."""
import pytest

from .conftest import sign_in

pytestmark = pytest.mark.browser

WIDER = """Array.from(document.querySelectorAll('body *')).filter(e =>
    e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-responsive'))
    .map(e => e.tagName + '.' + e.className)"""


@pytest.mark.parametrize("email,path", [("pudong@demo.local", "/stats/"), ("city@demo.local", "/stats/"),
                                        ("city@demo.local", "/stats/?district=310115"),
                                        ("lab@demo.local", "/stats/"), ("pudong@demo.local", "/stats/pilots")])
def test_the_statistics_pages_fit_a_375_px_phone(open_page, email, path):
    page = sign_in(open_page(375, 812), email)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert page.evaluate(WIDER) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
