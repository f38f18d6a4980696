"""上机资格 on the pages: the instrument page, the training request, the console's list and queue, the profile."""
import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.qualifications import services, training
from models import Booking, Instrument, Qualification, TrainingRequest, db
from models.timeutil import at_local
from tests.factories import NOW

TUESDAY = date(2026, 3, 3)


def page(response):
    return response.get_data(as_text=True)


@pytest.fixture
def lab(world, create_instrument):
    world.instrument = create_instrument(world.institution_a, name="原子吸收光谱仪", requires_qualification=True,
                                         requires_approval=False)
    world.alone_only = create_instrument(world.institution_a, name="场发射扫描电镜", requires_qualification=True,
                                         service_modes=["self_operated"])
    return world


def grant(world, instrument=None, **kw):
    qualification = services.grant(world.lab_a, instrument or world.instrument, world.sme_a, "independent", NOW, **kw)
    db.session.commit()
    return qualification


# The instrument page ------------------------------------------------------------------------------

def test_an_unqualified_user_is_told_to_train_and_offered_only_assisted_use(sign_in, lab):
    html = page(sign_in(lab.sme_a).get(f"/instruments/{lab.instrument.id}"))
    assert "需先培训" in html and 'data-testid="request-training"' in html
    assert 'value="assisted"' in html and 'value="self_operated"' not in html


def test_with_nothing_else_to_book_the_form_gives_way_to_the_training_button(sign_in, lab):
    html = page(sign_in(lab.sme_a).get(f"/instruments/{lab.alone_only.id}"))
    assert 'id="booking-form"' not in html and "申请培训" in html


def test_a_qualified_user_may_operate_alone_and_sees_when_it_expires(sign_in, lab):
    grant(lab, expires_on=date(2026, 3, 20))
    html = page(sign_in(lab.sme_a).get(f"/instruments/{lab.instrument.id}"))
    assert "您可独立上机" in html and "资格将于 2026-03-20 到期" in html
    assert 'value="self_operated"' in html and "申请培训" not in html


def test_posting_self_operated_time_anyway_explains_and_offers_training(sign_in, lab):
    client = sign_in(lab.sme_a)
    response = client.post(f"/instruments/{lab.instrument.id}/bookings", follow_redirects=True, data={
        "start": "2026-03-03T10:00", "end": "2026-03-03T11:00", "service_mode": "self_operated"})
    html = page(response)
    assert "自主上机须先取得该仪器的独立上机资格" in html and 'data-testid="request-training"' in html
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


def test_a_user_asks_for_training_and_the_page_says_it_is_pending(sign_in, lab):
    client = sign_in(lab.sme_a)
    assert "申请上机培训" in page(client.get(f"/instruments/{lab.instrument.id}/training"))
    response = client.post(f"/instruments/{lab.instrument.id}/training", data={"note": "每周拉伸试验"},
                           follow_redirects=True)
    html = page(response)
    assert "培训申请已提交" in html and "等待机构安排时间" in html
    assert db.session.scalar(sa.select(TrainingRequest.note)) == "每周拉伸试验"
    assert sign_in(lab.lab_a).get(f"/instruments/{lab.instrument.id}/training").status_code == 403


# The console ----------------------------------------------------------------------------------------

def test_staff_grant_by_email_and_see_the_list(sign_in, lab):
    client = sign_in(lab.lab_a)
    path = f"/console/instruments/{lab.instrument.id}/qualifications"
    response = client.post(path, data={"email": lab.sme_a.email.upper(), "level": "independent",
                                       "expires_on": "2026-12-31"})
    assert response.status_code == 302
    html = page(client.get(path))
    assert lab.sme_a.email in html and "独立上机" in html and "2026-12-31" in html and "上机资格" in html


def test_granting_to_an_unknown_email_marks_the_field(sign_in, lab):
    response = sign_in(lab.lab_a).post(f"/console/instruments/{lab.instrument.id}/qualifications",
                                       data={"email": "nobody@example.com", "level": "independent"})
    assert response.status_code == 422 and "请选择一位企业用户" in page(response)
    assert db.session.scalar(sa.select(sa.func.count(Qualification.id))) == 0


def test_another_institutions_list_is_not_found(sign_in, lab):
    client = sign_in(lab.lab_b)
    assert client.get(f"/console/instruments/{lab.instrument.id}/qualifications").status_code == 404
    assert client.post(f"/console/instruments/{lab.instrument.id}/qualifications",
                       data={"email": lab.sme_a.email, "level": "independent"}).status_code == 404


def test_staff_revoke_with_a_reason_and_filter_by_status(sign_in, lab):
    qualification = grant(lab)
    client = sign_in(lab.lab_a)
    client.post(f"/console/qualifications/{qualification.id}/revoke", data={"reason": "违反操作规程"})
    assert db.session.get(Qualification, qualification.id).status == "revoked"
    path = f"/console/instruments/{lab.instrument.id}/qualifications"
    assert "违反操作规程" in page(client.get(path + "?status=revoked"))
    assert lab.sme_a.email not in page(client.get(path + "?status=active"))


def test_the_list_exports_to_xlsx(sign_in, lab):
    grant(lab, expires_on=date(2026, 12, 31))
    response = sign_in(lab.lab_a).get(f"/console/instruments/{lab.instrument.id}/qualifications.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[2]][:5] == ["姓名", "邮箱", "单位", "资格级别", "状态"]
    assert [c.value for c in sheet[3]][1:7] == [lab.sme_a.email, "甲精密机械", "独立上机", "有效", "2026-03-02 09:00",
                                                "2026-12-31"]


def test_the_training_queue_counts_in_the_menu_schedules_and_passes(sign_in, lab):
    request = training.request_training(lab.sme_a, lab.instrument, "想学", NOW)
    db.session.commit()
    client = sign_in(lab.lab_a)
    html = page(client.get("/console/training"))
    assert 'data-testid="nav-count-qualifications.queue">1<' in html and "想学" in html
    client.post("/console/training/schedule", data={"request_ids": [request.id], "start": "2026-03-02T09:00",
                                                    "end": "2026-03-02T10:00"})
    assert db.session.get(TrainingRequest, request.id).status == "scheduled"
    assert "nav-count" not in page(client.get("/console/training"))
    client.post(f"/console/training/{request.id}/pass", data={"level": "independent"})
    assert services.active_of(lab.sme_a.id, lab.instrument.id).source == "training"


def test_scheduling_over_a_booking_is_explained(sign_in, lab, create_booking):
    create_booking(lab.instrument, lab.enterprise_b, start=at_local(TUESDAY, 600))
    request = training.request_training(lab.sme_a, lab.instrument, "", NOW)
    db.session.commit()
    response = sign_in(lab.lab_a).post("/console/training/schedule", follow_redirects=True, data={
        "request_ids": [request.id], "start": "2026-03-03T10:00", "end": "2026-03-03T11:00"})
    assert "该时段已被预约" in page(response)
    assert db.session.get(TrainingRequest, request.id).status == "requested"


def test_staff_decline_with_a_reason(sign_in, lab):
    request = training.request_training(lab.sme_a, lab.instrument, "", NOW)
    db.session.commit()
    sign_in(lab.lab_a).post(f"/console/training/{request.id}/decline", data={"reason": "本月不开放"})
    assert db.session.get(TrainingRequest, request.id).status_reason == "本月不开放"


# The profile, booking on behalf, the instrument record ---------------------------------------------------

def test_the_profile_lists_the_users_qualifications(sign_in, lab):
    grant(lab, expires_on=date(2026, 12, 31))
    html = page(sign_in(lab.sme_a).get("/auth/profile"))
    assert "我的上机资格" in html and "原子吸收光谱仪" in html and "2026-12-31" in html


def test_staff_booking_on_behalf_name_the_operator_by_email(sign_in, lab):
    client = sign_in(lab.lab_a)
    data = {"uscc": lab.enterprise_a.uscc, "start": "2026-03-03T10:00", "end": "2026-03-03T11:00",
            "service_mode": "self_operated"}
    missing = client.post(f"/console/instruments/{lab.instrument.id}/book", data=data)
    assert missing.status_code == 422 and "自主上机须指定上机人员" in page(missing)
    unqualified = client.post(f"/console/instruments/{lab.instrument.id}/book", data=dict(data, operator_email=lab.sme_a.email))
    assert "没有该仪器有效的独立上机资格" in page(unqualified)
    grant(lab)
    done = client.post(f"/console/instruments/{lab.instrument.id}/book", data=dict(data, operator_email=lab.sme_a.email))
    assert done.status_code == 302
    assert db.session.scalar(sa.select(Booking.operator_id)) == lab.sme_a.id


def test_the_instrument_form_edits_the_qualification_rules(sign_in, lab):
    client = sign_in(lab.lab_a)
    form = page(client.get(f"/console/instruments/{lab.instrument.id}/edit"))
    assert 'name="rules-requires_qualification"' in form and 'name="rules-qualification_lapse_days"' in form
    data = {"name": "原子吸收光谱仪", "category_code": "010100", "service_modes": ["self_operated", "assisted"],
            "rules-slot_minutes": "30", "rules-min_minutes": "30", "rules-max_minutes": "480",
            "rules-max_advance_days": "60", "rules-max_future_bookings_per_org": "5",
            "rules-qualification_lapse_days": "90", "status": "active"}
    assert client.post(f"/console/instruments/{lab.instrument.id}/edit", data=data).status_code == 302
    instrument = db.session.get(Instrument, lab.instrument.id)
    assert (instrument.requires_qualification, instrument.qualification_lapse_days) == (False, 90)


# The spreadsheet ------------------------------------------------------------------------------------------

def _upload(client, rows):
    from openpyxl import Workbook

    from app.catalog.spreadsheet import HEADERS

    book = Workbook()
    book.active.append(HEADERS)
    for row in rows:
        book.active.append([row.get(h, "") for h in HEADERS])
    buffer = io.BytesIO()
    book.save(buffer)
    return client.post("/console/import", data={"file": (io.BytesIO(buffer.getvalue()), "i.xlsx")},
                       content_type="multipart/form-data")


def _row(code, **cells):
    return {"仪器名称": "万能材料试验机", "内部编码": code, "分类编码": "020100", "有效期至": "2027-01-31", **cells}


def test_the_spreadsheet_reads_and_writes_the_qualification_rules(sign_in, lab):
    client = sign_in(lab.lab_a)
    template = load_workbook(io.BytesIO(client.get("/console/instruments/template.xlsx").data))
    assert {"自主上机须取得资格", "资格失效天数"} <= {c.value for c in template.worksheets[0][1]}
    response = _upload(client, [_row("Q-1", 自主上机须取得资格="否", 资格失效天数=90), _row("Q-2")])
    client.post(f"{response.location}/confirm")
    rules = {code: (required, days) for code, required, days in db.session.execute(sa.select(
        Instrument.internal_code, Instrument.requires_qualification, Instrument.qualification_lapse_days))}
    assert (rules["Q-1"], rules["Q-2"]) == ((False, 90), (True, 180))
    sheet = load_workbook(io.BytesIO(client.get("/console/instruments/export.xlsx").data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = {r[header.index("内部编码")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    column = header.index("自主上机须取得资格")
    assert (rows["Q-1"][column], rows["Q-1"][column + 1], rows["Q-2"][column]) == ("否", 90, "是")


def test_a_spreadsheet_answer_other_than_yes_or_no_is_a_row_error(sign_in, lab):
    client = sign_in(lab.lab_a)
    response = _upload(client, [_row("Q-3", 自主上机须取得资格="也许", 资格失效天数=0)])
    html = page(client.get(response.location))
    assert "自主上机须取得资格" in html and "应为“是”或“否”" in html and "资格失效天数" in html
