"""Every CSV and .xlsx we write keeps formula-like text as text (CSV/formula injection)."""
import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.sheets import neutralise
from models import District, db
from models.pilot import Pilot
from models.timeutil import at_local

FORMULAS = ["=1+1", "\t=1+1", " =HYPERLINK(\"http://x\")", "+1", "-cmd|' /C calc'!A0", "@SUM(A1)", "\r=1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_gets_an_apostrophe_and_keeps_every_character(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["质谱仪", "a=b", "1-2", 42, Decimal("-1.5"), None])
def test_ordinary_values_are_left_alone(value):
    assert neutralise(value) == value


def read_csv(response):
    text = response.data.decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def busy(world, create_instrument, create_booking):
    """An instrument named like a formula that served an enterprise in 2026."""
    instrument = create_instrument(world.institution_a, name="=1+1", internal_code="\t=2+2")
    start = at_local(date(2026, 2, 2), 600)
    create_booking(instrument, world.enterprise_b, start=start, status="completed", actual_start=start,
                   actual_end=start + timedelta(hours=2))
    return world


def test_the_instruments_csv_writes_a_formula_name_as_text(sign_in, busy):
    rows = read_csv(sign_in(busy.lab_a).get("/stats/instruments.csv?year=2026"))
    assert rows[1][0] == "'=1+1"


def test_the_districts_csv_writes_a_formula_label_as_text(sign_in, busy):
    db.session.add(District(code="999999", name="=HYPERLINK(\"http://x\")", position=99))
    db.session.commit()
    rows = read_csv(sign_in(busy.city).get("/stats/districts.csv?year=2026"))
    assert [r[0] for r in rows if "HYPERLINK" in r[0]] == ["'=HYPERLINK(\"http://x\")"]


def _pilot_named_like_formulas(api, busy):
    """A pilot whose texts are stored as a spreadsheet would read them (the forms strip spaces, so set directly)."""
    body = {"year": 2026, "name": "试点", "institution_ids": [busy.institution_a.id]}
    pilot = db.session.get(Pilot, api(busy.district_a).post("/pilots", json=body).get_json()["id"])
    pilot.name, pilot.other_effects = "=1+1", "\t=2+2"
    db.session.commit()


def test_the_pilot_table_csv_keeps_a_leading_tab_behind_the_apostrophe(api, busy):
    _pilot_named_like_formulas(api, busy)
    rows = read_csv(api(busy.district_a).get("/stats/pilot-table.csv?year=2026"))
    assert (rows[1][2], rows[1][14]) == ("'=1+1", "'\t=2+2")


def test_the_pilot_table_xlsx_has_no_formula_cells(api, busy):
    _pilot_named_like_formulas(api, busy)
    sheet = load_workbook(io.BytesIO(api(busy.district_a).get("/stats/pilot-table.xlsx?year=2026").data)).active
    cells = [cell for row in sheet.iter_rows(min_row=3) for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert {cell.value for cell in cells} >= {"'=1+1", "'\t=2+2"}


def test_the_catalog_export_writes_formula_like_text_as_text_cells_unchanged(sign_in, busy, create_instrument):
    create_instrument(busy.institution_a, name="@SUM(A1)", internal_code="EX-2", model="-2+3")
    sheet = load_workbook(io.BytesIO(sign_in(busy.lab_a).get("/console/instruments/export.xlsx").data))["仪器"]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    quoted = {cell.value for cell in cells if cell.quotePrefix}
    assert quoted == {"=1+1", "\t=2+2", "@SUM(A1)", "-2+3"}
