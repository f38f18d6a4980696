"""What the outside probe had not tried yet: other people's notifications, hostile spreadsheets,
sign-up approval across districts. Each answers a 4xx, changes nothing it should not, never a 500."""
import io
import re
import time
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.auth import services as accounts
from app.notify.services import notify
from models import ImportBatch, Instrument, Notification, Organization, db
from tests.functional.test_import import HEADERS, row, upload, xlsx

HUGE_ID = 2**70


# Notifications -----------------------------------------------------------------------------

def test_opening_someone_elses_notification_is_404_and_leaves_it_unread(sign_in, world):
    theirs = notify(world.lab_b, "institution_approved", name="乙检测公司")
    db.session.commit()
    response = sign_in(world.lab_a).post(f"/notifications/{theirs.id}/open")
    assert response.status_code == 404
    assert db.session.get(Notification, theirs.id).read_at is None


@pytest.mark.parametrize("note_id", [0, HUGE_ID])
def test_opening_a_notification_with_an_impossible_id_is_404(sign_in, world, note_id):
    assert sign_in(world.lab_a).post(f"/notifications/{note_id}/open").status_code == 404


def test_opening_ones_own_notification_still_follows_its_link(sign_in, world):
    mine = notify(world.lab_a, "institution_approved", name="甲检测院")
    db.session.commit()
    assert sign_in(world.lab_a).post(f"/notifications/{mine.id}/open").status_code == 302
    assert db.session.get(Notification, mine.id).read_at is not None


# Spreadsheet import -------------------------------------------------------------------------

def _rezip(data, replace):
    """The same .xlsx with some of its parts replaced: {name: new bytes}."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, replace.get(entry.filename, source.read(entry.filename)))
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def _sheet_xml(data):
    return zipfile.ZipFile(io.BytesIO(data)).read(SHEET).decode()


def _timed_upload(client, data):
    started = time.thread_time()
    response = upload(client, data)
    return response, time.thread_time() - started


def test_a_zip_bomb_is_refused_before_it_is_unpacked(sign_in, world):
    clean = xlsx([row(1)])
    padding = " " * (30 * 1024 * 1024)  # 30 MB of nothing, a few KB once compressed
    bomb = _rezip(clean, {SHEET: _sheet_xml(clean).replace("<sheetData>", padding + "<sheetData>").encode()})
    assert len(bomb) < 200 * 1024
    response, seconds = _timed_upload(sign_in(world.lab_a), bomb)
    assert response.status_code == 422 and "解压后过大" in response.get_data(as_text=True)
    assert seconds < 2 and db.session.scalar(sa.select(sa.func.count(ImportBatch.id))) == 0


def test_one_cell_at_the_sheets_far_corner_does_not_make_a_million_rows(sign_in, world):
    clean = xlsx([row(1)])
    far = re.sub(r'<dimension ref="[^"]*" ?/>', '<dimension ref="A1:XFD1048576" />', _sheet_xml(clean)).replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
    response, seconds = _timed_upload(sign_in(world.lab_a), _rezip(clean, {SHEET: far.encode()}))
    assert response.status_code == 302 and seconds < 5
    batch = db.session.scalar(sa.select(ImportBatch))
    assert batch.create_count == 1


@pytest.mark.parametrize("damage", [
    {SHEET: b"<worksheet><sheetData><row><c><v>1"},  # cut off
    {SHEET: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b"<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&b;</t></is></c></row></sheetData></worksheet>"},
    {"xl/workbook.xml": b"not xml at all"},
])
def test_a_damaged_or_hostile_xlsx_is_422_with_a_message(sign_in, world, damage):
    response = upload(sign_in(world.lab_a), _rezip(xlsx([row(1)]), damage))
    assert response.status_code == 422 and "无法读取该 Excel 文件" in response.get_data(as_text=True)


def test_a_file_that_only_starts_like_a_zip_is_422(sign_in, world):
    response = upload(sign_in(world.lab_a), b"PK\x03\x04" + b"\x00" * 200)
    assert response.status_code == 422


def test_formula_cells_are_not_imported_as_formulas(sign_in, world):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append([row(1).get(h, "") for h in HEADERS])
    sheet["A2"] = '=HYPERLINK("http://evil.example","点我")'  # a formula, no cached value
    buffer = io.BytesIO()
    book.save(buffer)
    client = sign_in(world.lab_a)
    response = upload(client, buffer.getvalue())
    preview = client.get(response.location).get_data(as_text=True)
    assert "仪器名称" in preview and db.session.scalar(sa.select(ImportBatch.status)) == "invalid"
    batch_id = int(response.location.rsplit("/", 1)[1])
    client.post(f"/console/import/{batch_id}/confirm")
    assert db.session.scalar(sa.select(sa.func.count(Instrument.id))) == 0


# Sign-up approval across districts ----------------------------------------------------------

@pytest.fixture
def pending(create_org):
    """An institution in 浦东 (310115) waiting for its district's approval."""
    return create_org("institution", name="新检测院", district_code="310115", approved=False)


def test_another_districts_bureau_cannot_approve_a_signup(sign_in, world, pending):
    assert sign_in(world.district_b).post(f"/district/signups/{pending.id}/approve").status_code == 404
    assert not db.session.get(Organization, pending.id).approved


@pytest.mark.parametrize("who", ["city", "admin", "lab_a", "sme_a"])
def test_only_a_district_bureau_approves_signups(sign_in, world, pending, who):
    response = sign_in(getattr(world, who)).post(f"/district/signups/{pending.id}/approve")
    assert response.status_code in (403, 404)
    assert not db.session.get(Organization, pending.id).approved


def test_a_district_cannot_approve_an_enterprise_of_its_own_district(sign_in, world):
    response = sign_in(world.district_a).post(f"/district/signups/{world.enterprise_a.id}/approve")
    assert response.status_code == 403


def test_approving_twice_is_409(sign_in, world, pending):
    bureau = sign_in(world.district_a)
    assert bureau.post(f"/district/signups/{pending.id}/approve").status_code == 302
    assert bureau.post(f"/district/signups/{pending.id}/approve").status_code == 409


@pytest.mark.parametrize("org_id", [0, HUGE_ID])
def test_approving_an_impossible_id_is_404(sign_in, world, org_id):
    assert sign_in(world.district_a).post(f"/district/signups/{org_id}/approve").status_code == 404


def test_the_service_refuses_a_bureau_of_another_district(world, pending, now):
    from models.errors import Forbidden

    with pytest.raises(Forbidden):
        accounts.approve_institution(world.district_b, pending, now)
