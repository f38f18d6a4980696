"""The week view: days × slots, each cell free, busy, closed or past, from timeline().

The rows start at the instrument's opening minute and follow its slot length (08:30, 09:30 … for an
instrument that opens at 08:30 with 60-minute slots), the grid the booking check holds bookings to
(services.grid_offset). Without a week asked for, the view opens on the first week, from today,
that has a slot one can book.
"""
from dataclasses import dataclass
from datetime import timedelta

from markupsafe import Markup, escape

from models.instrument import weekly_hours
from models.timeutil import at_local, local, local_today

from ..labels import SLOT_LABELS, WEEKDAYS, translated
from .services import CLOSED, TAKEN, timeline

DEFAULT_ROWS = (8 * 60, 18 * 60)


@dataclass
class Cell:
    start: object
    state: str  # free | busy | closed | past
    label: str
    start_local: str  # the value of a datetime-local input: YYYY-MM-DDTHH:MM in Shanghai time


def _row_range(week):
    if not week:
        return DEFAULT_ROWS
    return min(s for _d, s, _e in week), max(e for _d, _s, e in week)


def week_grid(instrument, monday, now, *, staff=False, week=None, segments=None):
    """(row start minutes, [(day, [Cell per row])]) for the seven days from `monday`: rows from the
    earliest opening, one slot each, until the last closing (a last row may run past it, closed).
    `week`: the instrument's weekly_hours(), if the caller has them already; `segments`: a timeline()
    that covers the seven days, if the caller has one."""
    week = weekly_hours(instrument) if week is None else week
    slot = instrument.slot_minutes
    first, last = _row_range(week)
    if segments is None:
        segments = timeline(instrument, at_local(monday), at_local(monday + timedelta(days=7)), now, staff=staff,
                            week=week)
    rows = list(range(first, last, slot))
    times = [_hhmm(minute) for minute in rows]
    days = []
    index = 0
    for offset in range(7):
        day = monday + timedelta(days=offset)
        bounds, texts = _row_bounds(day, rows, slot, times)
        cells = []
        for row in range(len(rows)):
            cell_start, cell_end = bounds[row], bounds[row + 1]
            while index < len(segments) and segments[index].end <= cell_start:
                index += 1
            cursor, labels = index, set()
            while cursor < len(segments) and segments[cursor].start < cell_end:
                labels.add(segments[cursor].label)
                cursor += 1
            cells.append(Cell(cell_start, _state(labels), _main_label(labels), texts[row]))
        days.append((day, cells))
    return rows, days


def _row_bounds(day, rows, slot, times):
    """The instants each row of `day` starts at, then the end of the last row (the rows follow each other, one
    slot apart), and each start as local text (`times`: the rows' HH:MM). The local midnight plus minutes on a
    day the zone's offset stays the same (Shanghai: every day since 1991); each from the zone otherwise."""
    minutes = [*rows, rows[-1] + slot]
    midnight = at_local(day)
    if at_local(day, minutes[-1]) - midnight == timedelta(minutes=minutes[-1]):
        return ([midnight + timedelta(minutes=minute) for minute in minutes],
                [f"{day.isoformat()}T{time}" for time in times])
    instants = [at_local(day, minute) for minute in minutes]
    return instants, [local(instant).strftime("%Y-%m-%dT%H:%M") for instant in instants[:-1]]


def _hhmm(minute):
    return f"{minute // 60:02d}:{minute % 60:02d}"


def first_open_week(instrument, now, *, staff=False, week=None):
    """(monday, rows, days) of the first week from today with a free slot, looking as far ahead as the
    instrument takes bookings; this week when none has one."""
    today = local_today(now)
    this_monday = today - timedelta(days=today.weekday())
    monday, horizon = this_monday, today + timedelta(days=instrument.max_advance_days)
    week = weekly_hours(instrument) if week is None else week
    # This week and the next from one timeline: late in a week (and on weekends) this week has nothing free
    # left, and the next week's three queries would follow.
    two_weeks = timeline(instrument, at_local(this_monday), at_local(this_monday + timedelta(days=14)), now,
                         staff=staff, week=week)
    while instrument.bookable(today) and monday <= horizon:
        segments = two_weeks if monday < this_monday + timedelta(days=14) else None
        rows, days = week_grid(instrument, monday, now, staff=staff, week=week, segments=segments)
        if any(cell.state == "free" for _day, cells in days for cell in cells):
            return monday, rows, days
        monday += timedelta(days=7)
    return (this_monday, *week_grid(instrument, this_monday, now, staff=staff, week=week, segments=two_weeks))


def _state(labels):
    if labels == {"free"}:
        return "free"
    if labels & TAKEN:
        return "busy"
    if labels & CLOSED:
        return "closed"
    return "past"


def _main_label(labels):
    for label in ("booking", "order_work", "training", "buffer", "closure", "holiday", "calibration", "not_bookable",
                  "outside_hours", "past", "free"):
        if label in labels:
            return label
    return "outside_hours"


def table_rows(rows, days, *, waitable):
    """The week table's body, one <tr> per row, as templates/booking/_week.html shows it: a free cell is a button
    (data-start, data-day, an aria-label of day, time and word), a taken one too for those who may wait for it
    (`waitable`, data-busy="1"), any other a titled cell with its word for screen readers. Written here, not cell
    by cell in Jinja, which was most of the instrument page's CPU; each word is translated and escaped once."""
    words = _words()
    columns = [(day.isoformat(), words[day.isoweekday()]) for day, _cells in days]
    plain = {}  # (state, label) → the cell, the same wherever it is
    free_word = words["free"]
    html = []
    for row, minute in enumerate(rows):
        hhmm = _hhmm(minute)
        html.append(f'<tr><th scope="row" class="fw-normal text-muted">{hhmm}</th>')
        for (iso, name), (_day, cells) in zip(columns, days, strict=True):
            cell = cells[row]
            if cell.state == "free":
                html.append(f'<td class="free"><button type="button" data-start="{cell.start_local}" data-day="{iso}" '
                            f'aria-label="{name} {hhmm} {free_word}"></button></td>')
            elif cell.state == "busy" and waitable:
                word = words[cell.label]
                html.append(f'<td class="busy" title="{word}"><button type="button" data-start="{cell.start_local}" '
                            f'data-day="{iso}" data-busy="1" aria-label="{name} {hhmm} {word}"></button></td>')
            else:
                key = (cell.state, cell.label)
                if key not in plain:
                    word = words[cell.label]
                    plain[key] = f'<td class="{cell.state}" title="{word}"><span class="visually-hidden">{word}</span></td>'
                html.append(plain[key])
        html.append("</tr>\n")
    return Markup("".join(html))


def _words():
    """The grid's words in the request's language, escaped: slot labels by label, day names by ISO weekday."""
    words = {**translated("slots", SLOT_LABELS), **translated("weekdays", WEEKDAYS)}
    return {key: str(escape(word)) for key, word in words.items()}
