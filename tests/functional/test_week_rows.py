"""The week grid's body, written in Python (week.table_rows), is the HTML the Jinja loop it replaced wrote: the same
cells, classes, data-* attributes, titles, aria-labels and hidden words, in Chinese and in English, for a week
with free, taken, closed, holiday and past cells."""
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import render_template_string
from flask_babel import force_locale

from app.availability.week import table_rows, week_grid
from models import CalendarDay, Closure, db
from models.timeutil import at_local, local

NOW = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # Tuesday 10:00: Monday and Tuesday morning are past
MONDAY = date(2026, 3, 2)

# templates/booking/_week.html's <tbody> before table_rows(), verbatim: the reference the new body must equal.
JINJA_ROWS = """
      {%- set free_word = _('可预约') %}
      {%- set day_names = [] %}{% for day, _cells in days %}{% set _ = day_names.append(weekday_label(day.isoweekday())|string) %}{% endfor %}
      {%- set state_words = {} %}{% for key in labels_used %}{% set _ = state_words.update({key: slot_label(key)|string}) %}{% endfor %}
      {% for minute in rows %}{% set row = loop.index0 %}{% set hhmm = '%02d:%02d'|format(minute // 60, minute % 60) %}
        <tr><th scope="row" class="fw-normal text-muted">{{ hhmm }}</th>
        {% for day, cells in days %}{% set cell = cells[row] %}
          {% if cell.state == 'free' %}
          <td class="free"><button type="button" data-start="{{ cell.start_local }}" data-day="{{ day.isoformat() }}"
              aria-label="{{ day_names[loop.index0] }} {{ hhmm }} {{ free_word }}"></button></td>
          {% elif cell.state == 'busy' and waitable %}
          <td class="busy" title="{{ state_words[cell.label] }}"><button type="button" data-start="{{ cell.start_local }}" data-day="{{ day.isoformat() }}" data-busy="1"
              aria-label="{{ day_names[loop.index0] }} {{ hhmm }} {{ state_words[cell.label] }}"></button></td>
          {% else %}
          <td class="{{ cell.state }}" title="{{ state_words[cell.label] }}"><span class="visually-hidden">{{ state_words[cell.label] }}</span></td>
          {% endif %}
        {% endfor %}</tr>
      {% endfor %}"""  # noqa: E501


def _tags(html):
    """HTML with the whitespace between tags dropped and any other run of it one space."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


@pytest.fixture
def week(world, create_instrument, create_booking):
    """A week of every kind of cell: past (Monday, Tuesday before 11:00), taken (Wednesday 10:00), a closure
    (Thursday morning), a holiday (Friday), outside hours (the weekend) and free."""
    instrument = create_instrument(world.institution_a, requires_approval=False, lead_minutes=60)
    create_booking(instrument, world.enterprise_b, start=at_local(MONDAY + timedelta(days=2), 600))
    db.session.add_all([
        Closure(instrument_id=instrument.id, start_at=at_local(MONDAY + timedelta(days=3), 540),
                end_at=at_local(MONDAY + timedelta(days=3), 720), kind="maintenance", created_at=NOW),
        CalendarDay(day=MONDAY + timedelta(days=4), kind="holiday", name="测试假日")])
    db.session.flush()
    return week_grid(instrument, MONDAY, NOW)


def test_the_week_has_every_kind_of_cell(week):
    _rows, days = week
    assert {cell.label for _day, cells in days for cell in cells} >= {
        "past", "booking", "closure", "holiday", "outside_hours", "free"}


def test_each_cell_starts_where_its_button_says(week):
    _rows, days = week
    assert all(cell.start_local == local(cell.start).strftime("%Y-%m-%dT%H:%M") for _day, cells in days
               for cell in cells)


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("waitable", [False, True])
def test_the_rows_are_the_html_the_template_wrote(app, week, locale, waitable):
    rows, days = week
    with app.test_request_context("/"), force_locale(locale):
        labels_used = {cell.label for _day, cells in days for cell in cells}
        expected = render_template_string(JINJA_ROWS, rows=rows, days=days, labels_used=labels_used,
                                          waitable=waitable)
        written = str(table_rows(rows, days, waitable=waitable))
    assert _tags(written) == _tags(expected)
    assert ("Free" in written) == (locale == "en") and ('data-busy="1"' in written) == waitable
