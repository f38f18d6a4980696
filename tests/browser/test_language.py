"""Journey 5: the language switch turns every page of journeys 1-4 into English and back.

A page counts as translated when every run of Chinese characters left on it (text, placeholders,
titles, labels) is data someone typed — an instrument name, an institution, a district — and not
the product's own words. "Data" is every text value in the database plus the official column
headers and sheet names of the files, which stay Chinese in any language because they name the file's columns.
"""
import json
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.catalog.spreadsheet import HEADERS, SHEETS
from app.demo.accounts import organization
from app.stats.table import COLUMNS
from models import Booking, Charge, Instrument, Pilot, ServiceOrder, db

from .conftest import sign_in
from .test_journeys import spreadsheet_with_one_bad_row

pytestmark = [pytest.mark.browser, pytest.mark.committed]

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
VISIBLE_TEXT = """() => {
  // A search highlight (<mark>) splits a value into text nodes; read the value whole again.
  for (const mark of document.body.querySelectorAll('mark')) mark.replaceWith(...mark.childNodes);
  document.body.normalize();
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!parent || parent.closest('script, style, [lang^=zh]')) continue;
    out.push(node.textContent);
  }
  for (const el of document.body.querySelectorAll('[placeholder], [title], [aria-label], [alt]')) {
    if (el.closest('[lang^=zh]')) continue;
    for (const name of ['placeholder', 'title', 'aria-label', 'alt']) {
      if (el.getAttribute(name)) out.push(el.getAttribute(name));
    }
  }
  return out.join('\\n');
}"""


@pytest.fixture(scope="module")
def data_text(live_app):
    """Every text the users put into the demo database, joined: Chinese found in it is data."""
    parts = [*HEADERS, *SHEETS.values(), *COLUMNS]
    with live_app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text, sa.JSON))]
            if not columns:
                continue
            for row in db.session.execute(sa.select(*columns)):
                parts.extend(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                             for v in row if v is not None)
    text = "\n".join(parts)
    return text, set(CJK.findall(text))


@pytest.fixture(scope="module")
def ids(live_app):
    """One object of each kind that the pages below show, chosen from the demo data."""
    def first(statement):
        value = db.session.scalar(statement.limit(1))
        assert value is not None, statement
        return value

    with live_app.app_context():
        sme, lab = organization("sme").id, organization("lab").id
        return {
            "instrument": first(sa.select(Instrument.id).where(Instrument.name.like("%盐雾%"))),
            "lab_instrument": first(sa.select(Instrument.id).where(Instrument.institution_id == lab)
                                    .order_by(Instrument.id)),
            "lab": lab,
            "booking": first(sa.select(Booking.id).where(Booking.organization_id == sme)
                             .order_by(Booking.id.desc())),
            "order": first(sa.select(ServiceOrder.id).where(ServiceOrder.organization_id == sme,
                                                             ServiceOrder.status == "completed")
                           .order_by(ServiceOrder.id.desc())),
            "lab_order": first(sa.select(ServiceOrder.id).where(ServiceOrder.institution_id == lab)
                               .order_by(ServiceOrder.id.desc())),
            "pilot": first(sa.select(Pilot.id).where(Pilot.district_code == "310115").order_by(Pilot.id)),
            "charge": first(sa.select(Charge.id).where(Charge.organization_id == sme, Charge.voucher_id.is_not(None))),
        }


def pages_of(role, ids):
    anyone = ["/", "/instruments?q=盐雾", "/instruments?q=盐雾&facets=1", f"/instruments/{ids['instrument']}", "/institutions",
              f"/institutions/{ids['lab']}"]
    return {
        None: anyone + ["/auth/login", "/auth/register", "/auth/register/institution"],
        "sme": anyone + ["/bookings", f"/bookings/{ids['booking']}", "/orders", "/orders/new",
                         f"/orders/{ids['order']}", "/notifications/", "/calendar", "/auth/profile",
                         f"/instruments/{ids['lab_instrument']}", f"/instruments/{ids['lab_instrument']}/training",
                         "/settlement/", f"/settlement/charges/{ids['charge']}", "/settlement/statements",
                         "/settlement/invoices", "/settlement/vouchers", "/waitlist"],
        "lab": ["/console/instruments", "/console/instruments/new", f"/console/instruments/{ids['lab_instrument']}/edit",
                f"/console/instruments/{ids['lab_instrument']}/hours",
                f"/console/instruments/{ids['lab_instrument']}/closures", "/console/bookings/pending",
                "/console/bookings", "/console/today", "/console/orders", f"/orders/{ids['lab_order']}",
                "/console/institution", "/console/import", "/console/training",
                f"/console/instruments/{ids['lab_instrument']}/qualifications", "/settlement/",
                f"/settlement/charges/{ids['charge']}", "/settlement/invoices", "/settlement/statements", "/waitlist"],
        "pudong": ["/stats/", "/stats/pilots", f"/stats/pilots/{ids['pilot']}/edit", "/stats/pilots/new",
                   "/district/signups", "/settlement/vouchers"],
        "city": ["/stats/", "/stats/pilots", "/admin/calendar/", "/settlement/vouchers"],
        "admin": ["/admin/organizations", "/admin/users"],
    }[role]


def switch_language(page, to):
    page.click("[data-testid=lang-switch]")
    expect(page.locator("html")).to_have_attribute("lang", to)


def untranslated(page, data_text):
    """Chinese runs on the page that are not data. A short run must be a whole run of some value
    (so a product word like 预约 is not excused by a comment that contains it); a long one may be
    a value cut short on a card."""
    text, runs = data_text
    found = CJK.findall(page.evaluate(VISIBLE_TEXT))
    return sorted({run for run in found if run not in runs and (len(run) < 8 or run not in text)})


@pytest.mark.parametrize("role", [None, "sme", "lab", "pudong", "city", "admin"])
def test_journey_5_every_page_reads_in_english_and_back(role, open_page, ids, data_text, tmp_path):
    page = open_page()
    if role:
        sign_in(page, f"{role}@demo.local")
    page.goto("/")
    switch_language(page, "en")
    problems = {}
    for path in pages_of(role, ids):
        response = page.goto(path)
        assert response.status == 200, path
        if leftovers := untranslated(page, data_text):
            problems[path] = leftovers
    if role == "lab":  # the import preview with a row error, in English
        page.goto("/console/import")
        page.set_input_files("#file", str(spreadsheet_with_one_bad_row(tmp_path)))
        page.click("#import-form button[type=submit]")
        page.wait_for_url(re.compile(r"/console/import/\d+$"))
        expect(page.locator("[data-testid=import-errors-summary]")).to_contain_text("1")
        if leftovers := untranslated(page, data_text):
            problems[page.url] = leftovers
    assert problems == {}, f"Chinese left on English pages: {problems}"

    switch_language(page, "zh-CN")
    page.goto(pages_of(role, ids)[0])
    expect(page.locator("body")).to_contain_text("登录" if role is None else "退出登录")
    expect(page.locator("[data-testid=lang-switch]")).to_have_text("English")
