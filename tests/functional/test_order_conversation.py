"""An order that needs no phone call: where the sample goes once the quote is accepted, both parties'
contacts, a printable sample label with a QR code, and messages with files checked by their content."""
import io
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.orders import services as orders
from models import Notification, OrderAttachment, db
from tests.factories import PDF

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def xlsx_bytes():
    book, buffer = Workbook(), io.BytesIO()
    book.active.append(["尺寸", "公差"])
    book.save(buffer)
    return buffer.getvalue()


def office_with_macros():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<document/>")
        package.writestr("word/vbaProject.bin", b"\x00macro")
    return buffer.getvalue()


@pytest.fixture
def order(world, now):
    """An order of 甲精密机械 at 甲检测院, quoted; `advance(order, state)` moves it on."""
    lab = world.institution_a
    lab.address, lab.contact_name, lab.contact_phone = "上海市浦东新区张衡路1000号", "王工", "021-50000001"
    lab.sample_address, lab.sample_contact, lab.sample_phone = "张衡路1000号 3 号楼收样室", "周工", "021-50000011"
    lab.sample_instructions = "工作日 9:00–16:30 收样"
    data = {"kind": "test_by_proxy", "institution_id": lab.id, "title": "电池外壳盐雾试验",
            "sample": {"name": "铝合金外壳", "model": "BX-200", "quantity": 3, "unit": "件", "disposal": "return"},
            "items": [{"name": "中性盐雾试验 96h", "standard": "GB/T 10125-2021"}], "needed_by": None}
    placed = orders.submit(world.sme_a, data, now)
    orders.quote(world.lab_a, placed, Decimal("1800.00"), 7, date(2026, 3, 12), "", now)
    db.session.commit()
    return placed


def accepted(order, world, now):
    orders.accept(world.sme_a, order, now)
    db.session.commit()
    return order


def test_the_delivery_address_shows_only_once_the_quote_is_accepted(api, world, order, now):
    assert api(world.sme_a).get(f"/orders/{order.id}").get_json()["sample_delivery"] is None
    accepted(order, world, now)
    body = api(world.sme_a).get(f"/orders/{order.id}").get_json()
    assert body["sample_delivery"] == {"address": "张衡路1000号 3 号楼收样室", "contact": "周工",
                                       "phone": "021-50000011", "instructions": "工作日 9:00–16:30 收样"}


def test_without_its_own_delivery_details_the_institutions_address_is_shown(api, world, order, now):
    world.institution_a.sample_address = world.institution_a.sample_contact = ""
    accepted(order, world, now)
    delivery = api(world.sme_a).get(f"/orders/{order.id}").get_json()["sample_delivery"]
    assert delivery["address"] == "上海市浦东新区张衡路1000号" and delivery["contact"] == "王工"


def test_both_parties_see_each_others_contacts_and_a_bureau_sees_neither(api, world, order, now):
    world.sme_a.phone = "13800000001"
    accepted(order, world, now)
    contacts = api(world.lab_a).get(f"/orders/{order.id}").get_json()["contacts"]
    assert contacts["enterprise"]["email"] == world.sme_a.email and contacts["enterprise"]["phone"] == "13800000001"
    assert contacts["institution"]["phone"] == "021-50000001"
    bureau = api(world.district_a).get(f"/orders/{order.id}").get_json()
    assert bureau["contacts"] is None and bureau["sample_delivery"] is None


def test_accepting_on_the_web_says_where_and_by_when_to_send_the_sample(browser, world, order):
    page = browser(world.sme_a).post(f"/orders/{order.id}/accept", follow_redirects=True).get_data(as_text=True)
    assert "已接受报价。请于 2026-03-12 前将样品送至 张衡路1000号 3 号楼收样室（周工 021-50000011）。" in page


@pytest.fixture
def browser(app, now):
    """browser(user) -> a client of its own, signed in as `user` (two parties side by side)."""
    from app.auth.sessions import begin_session

    def browser(user):
        client = app.test_client()
        token = begin_session(user, now)
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = token
        return client

    return browser


def test_each_side_reads_its_own_next_step(browser, world, order, now):
    accepted(order, world, now)
    customer = browser(world.sme_a).get(f"/orders/{order.id}").get_data(as_text=True)
    assert "请于 2026-03-12 前将样品送至" in customer
    staff = browser(world.lab_a).get(f"/orders/{order.id}").get_data(as_text=True)
    assert "样品送到后请确认收样" in staff and "请于 2026-03-12 前将样品送至" not in staff


def test_the_sample_label_has_the_order_number_and_a_qr_code_of_its_page(browser, world, order, now):
    accepted(order, world, now)
    page = browser(world.sme_a).get(f"/orders/{order.id}/label").get_data(as_text=True)
    assert order.number in page and "<svg" in page and f"/orders/{order.id}</title>" in page
    assert "收样时由机构填写" in page


def test_there_is_no_label_before_the_quote_is_accepted(browser, world, order):
    assert browser(world.sme_a).get(f"/orders/{order.id}/label").status_code == 404


def test_the_institution_saves_its_sample_delivery_details(browser, world):
    client = browser(world.lab_b)
    response = client.post("/console/institution/sample-delivery",
                           data={"sample_address": "江川路800号 B 座", "sample_contact": "孙工",
                                 "sample_phone": "021-60000012", "sample_instructions": "请附委托单号"})
    assert response.status_code == 302
    assert world.institution_b.sample_address == "江川路800号 B 座"
    assert "江川路800号 B 座" in client.get("/console/institution").get_data(as_text=True)


# Messages ------------------------------------------------------------------------------------

def post(api, who, order, **kw):
    return api(who).post(f"/orders/{order.id}/messages", **kw)


def test_a_message_reaches_the_other_party_with_a_notification(api, world, order):
    response = post(api, world.sme_a, order, json={"body": "请问样品需要防锈包装吗？"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["body"] == "请问样品需要防锈包装吗？" and body["author"]["organization"] == "甲精密机械"
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == "order_message"))
    assert note.recipient_id == world.lab_a.id and "防锈包装" in note.payload["excerpt"]
    listed = api(world.lab_a).get(f"/orders/{order.id}/messages").get_json()
    assert [m["body"] for m in listed["items"]] == ["请问样品需要防锈包装吗？"]


def test_the_institutions_answer_notifies_the_enterprise(api, world, order):
    post(api, world.lab_a, order, json={"body": "需要，请用气泡膜包好。"})
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == "order_message"))
    assert note.recipient_id == world.sme_a.id


def test_files_are_attached_and_served_as_downloads_of_their_type(api, world, order):
    files = [(io.BytesIO(PDF), "图纸.pdf"), (io.BytesIO(PNG), "照片.PNG"), (io.BytesIO(xlsx_bytes()), "尺寸.xlsx")]
    response = post(api, world.sme_a, order, data={"body": "图纸和尺寸表", "files": files},
                    content_type="multipart/form-data")
    assert response.status_code == 201
    attached = response.get_json()["attachments"]
    assert [a["name"] for a in attached] == ["图纸.pdf", "照片.png", "尺寸.xlsx"]
    download = api(world.lab_a).get(f"/orders/{order.id}/attachments/{attached[0]['id']}")
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    sheet = api(world.lab_a).get(f"/orders/{order.id}/attachments/{attached[2]['id']}")
    assert sheet.mimetype.endswith("spreadsheetml.sheet")


@pytest.mark.parametrize("content", [b"<!doctype html><script>alert(1)</script>", b"MZ\x90\x00\x03" + b"\x00" * 60,
                                     b"%PDF-1.7 not really a pdf", b"PK\x03\x04 broken zip", office_with_macros()])
def test_a_file_whose_content_is_not_an_allowed_type_is_422(api, world, order, content):
    response = post(api, world.sme_a, order, data={"body": "见附件", "files": [(io.BytesIO(content), "drawing.pdf")]},
                    content_type="multipart/form-data")
    assert response.status_code == 422 and "files" in response.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count(OrderAttachment.id))) == 0


def test_a_file_over_ten_megabytes_is_413(api, world, order):
    big = PDF + b"%" + b"0" * (10 * 1024 * 1024)
    response = post(api, world.sme_a, order, data={"files": [(io.BytesIO(big), "big.pdf")]},
                    content_type="multipart/form-data")
    assert response.status_code == 413


def test_more_than_five_files_is_422(api, world, order):
    files = [(io.BytesIO(PNG), f"{n}.png") for n in range(6)]
    response = post(api, world.sme_a, order, data={"files": files}, content_type="multipart/form-data")
    assert response.status_code == 422 and "files" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("body", [{"body": ""}, {"body": 12}, {"body": "x" * 2001}, {"body": "a\x00b"}, {}])
def test_an_empty_or_malformed_message_is_422(api, world, order, body):
    response = post(api, world.sme_a, order, json=body)
    assert response.status_code == 422 and "body" in response.get_json()["error"]["fields"]


def test_a_message_on_another_organisations_order_is_404(api, world, order):
    assert post(api, world.sme_b, order, json={"body": "hi"}).status_code == 404
    assert post(api, world.lab_b, order, json={"body": "hi"}).status_code == 404
    assert api(world.sme_b).get(f"/orders/{order.id}/messages").status_code == 404


def test_a_bureau_that_sees_the_order_may_not_read_or_write_its_messages(api, world, order):
    assert post(api, world.district_a, order, json={"body": "hi"}).status_code == 403
    assert api(world.district_a).get(f"/orders/{order.id}/messages").status_code == 403


def test_an_attachment_of_another_order_is_404(api, world, order, now):
    response = post(api, world.sme_a, order, data={"files": [(io.BytesIO(PNG), "a.png")]},
                    content_type="multipart/form-data")
    attachment_id = response.get_json()["attachments"][0]["id"]
    other = orders.submit(world.sme_a, {"kind": "test_by_proxy", "institution_id": world.institution_a.id,
                                        "title": "另一份", "items": [{"name": "x"}], "sample": {
                                            "name": "x", "quantity": 1, "unit": "件", "disposal": "return"}}, now)
    db.session.commit()
    assert api(world.sme_a).get(f"/orders/{other.id}/attachments/{attachment_id}").status_code == 404
    assert api(world.sme_b).get(f"/orders/{order.id}/attachments/{attachment_id}").status_code == 404


def test_a_message_with_a_file_on_the_web(browser, world, order):
    client = browser(world.sme_a)
    response = client.post(f"/orders/{order.id}/messages", data={"body": "附上图纸", "files": [(io.BytesIO(PDF), "图纸.pdf")]},
                           content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "留言已发送，已通知甲检测院。" in page and "附上图纸" in page and "图纸.pdf" in page


def test_a_refused_file_on_the_web_says_why_and_keeps_nothing(browser, world, order):
    client = browser(world.sme_a)
    response = client.post(f"/orders/{order.id}/messages", data={"files": [(io.BytesIO(b"<html>"), "x.pdf")]},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "不是允许的文件类型" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(OrderAttachment.id))) == 0


def test_a_stored_attachment_is_outside_the_web_root_and_private(api, world, order, app):
    from pathlib import Path

    post(api, world.sme_a, order, data={"files": [(io.BytesIO(PNG), "a.png")]}, content_type="multipart/form-data")
    stored = db.session.scalar(sa.select(OrderAttachment.stored_name))
    path = Path(app.config["UPLOAD_DIR"]) / "attachments" / stored
    assert path.exists() and oct(path.stat().st_mode)[-3:] == "600"
    assert app.test_client().get(f"/static/{stored}").status_code == 404


def test_the_next_day_the_due_date_is_still_the_quotes(browser, world, order, now):
    accepted(order, world, now + timedelta(days=1))
    page = browser(world.sme_a).get(f"/orders/{order.id}").get_data(as_text=True)
    assert "2026-03-12 前" in page
