"""A report, once issued, may be reissued with a reason: versions are kept and listed, the newest is served,
the enterprise is told, and the statistics count the order once."""
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.orders import services as orders
from models import Notification, ServiceOrder, db
from tests.factories import one_page_pdf

FIRST = one_page_pdf()


def two_page_pdf():
    from pypdf import PdfWriter

    writer, buffer = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    writer.write(buffer)
    return buffer.getvalue()


SECOND = two_page_pdf()


@pytest.fixture
def reported(world, now, app):
    """An order of 甲精密机械 whose report BG-1 甲检测院 issued an hour ago."""
    data = {"kind": "test_by_proxy", "institution_id": world.institution_a.id, "title": "盐雾试验",
            "sample": {"name": "外壳", "quantity": 1, "unit": "件", "disposal": "return"},
            "items": [{"name": "盐雾 96h", "standard": "GB/T 10125-2021"}]}
    order = orders.submit(world.sme_a, data, now - timedelta(days=3))
    orders.quote(world.lab_a, order, Decimal("900.00"), 5, date(2026, 3, 20), "", now - timedelta(days=3))
    orders.accept(world.sme_a, order, now - timedelta(days=2))
    orders.receive_sample(world.lab_a, order, now - timedelta(days=2))
    orders.start_testing(world.lab_a, order, now - timedelta(days=1))
    orders.issue_report(world.lab_a, order, FIRST, "BG-1", now - timedelta(hours=1),
                        upload_dir=app.config["UPLOAD_DIR"], max_bytes=app.config["REPORT_MAX_BYTES"])
    db.session.commit()
    return order


def revise(api, who, order, reason="更正第 1 项的标准年号", report_no="BG-1-R1", data=SECOND):
    form = {"file": (io.BytesIO(data), "r.pdf"), "report_no": report_no, "revision_reason": reason}
    return api(who).post(f"/orders/{order.id}/report", data=form, content_type="multipart/form-data")


def test_a_revised_report_becomes_the_newest_version_and_is_served(api, world, reported):
    response = revise(api, world.lab_a, reported)
    assert response.status_code == 200 and response.get_json()["report_no"] == "BG-1-R1"
    versions = api(world.sme_a).get(f"/orders/{reported.id}/reports").get_json()["items"]
    assert [(v["version"], v["report_no"], v["reason"]) for v in versions] == [
        (1, "BG-1", ""), (2, "BG-1-R1", "更正第 1 项的标准年号")]
    assert api(world.sme_a).get(f"/orders/{reported.id}/report").data == SECOND
    assert api(world.sme_a).get(f"/orders/{reported.id}/reports/1").data == FIRST


def test_the_enterprise_is_told_why_the_report_was_revised(api, world, reported):
    revise(api, world.lab_a, reported)
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == "order_report_revised"))
    assert note.recipient_id == world.sme_a.id and note.payload["reason"] == "更正第 1 项的标准年号"


def test_a_completed_order_may_be_revised_and_stays_completed(api, world, reported, now):
    orders.complete(world.sme_a, reported, now)
    db.session.commit()
    assert revise(api, world.lab_a, reported, report_no="").get_json()["status"] == "completed"
    assert db.session.get(ServiceOrder, reported.id).report_no == "BG-1"  # the number kept when left empty


def test_the_statistics_count_the_revised_order_once_on_its_first_issue(api, world, reported, now):
    def reported_orders():
        return api(world.city).get("/stats/summary?year=2026").get_json()["orders_reported"]

    before = reported_orders()
    revise(api, world.lab_a, reported)
    revise(api, world.lab_a, reported, report_no="BG-1-R2")
    assert reported_orders() == before == 1
    assert db.session.get(ServiceOrder, reported.id).report_issued_at == now - timedelta(hours=1)


def test_uploading_again_without_a_reason_is_409(api, world, reported):
    form = {"file": (io.BytesIO(SECOND), "r.pdf"), "report_no": "BG-2"}
    response = api(world.lab_a).post(f"/orders/{reported.id}/report", data=form, content_type="multipart/form-data")
    assert response.status_code == 409


def test_a_report_not_yet_issued_cannot_be_revised(api, world, now):
    data = {"kind": "test_by_proxy", "institution_id": world.institution_a.id, "title": "t",
            "sample": {"name": "x", "quantity": 1, "unit": "件", "disposal": "return"}, "items": [{"name": "x"}]}
    order = orders.submit(world.sme_a, data, now)
    db.session.commit()
    assert revise(api, world.lab_a, order).status_code == 409


def test_only_the_institution_revises(api, world, reported):
    assert revise(api, world.sme_a, reported).status_code == 403
    assert revise(api, world.lab_b, reported).status_code == 404


@pytest.mark.parametrize("change, field, status", [
    ({"data": b"<html>not a pdf</html>"}, "file", 422),
    ({"report_no": "BG\n2"}, "report_no", 422),
    ({"reason": "x" * 501}, "revision_reason", 422),
])
def test_a_bad_revision_changes_nothing(api, world, reported, change, field, status):
    response = revise(api, world.lab_a, reported, **change)
    assert response.status_code == status and field in response.get_json()["error"]["fields"]
    assert len(api(world.sme_a).get(f"/orders/{reported.id}/reports").get_json()["items"]) == 1


def test_another_orders_report_number_is_refused(api, world, reported, now, app):
    data = {"kind": "test_by_proxy", "institution_id": world.institution_a.id, "title": "t",
            "sample": {"name": "x", "quantity": 1, "unit": "件", "disposal": "return"}, "items": [{"name": "x"}]}
    other = orders.submit(world.sme_b, data, now)
    orders.quote(world.lab_a, other, Decimal("1"), 1, date(2026, 3, 20), "", now)
    orders.accept(world.sme_b, other, now)
    orders.receive_sample(world.lab_a, other, now)
    orders.start_testing(world.lab_a, other, now)
    orders.issue_report(world.lab_a, other, FIRST, "BG-9", now, upload_dir=app.config["UPLOAD_DIR"],
                        max_bytes=app.config["REPORT_MAX_BYTES"])
    db.session.commit()
    revise(api, world.lab_a, other, report_no="BG-9-R1")
    response = revise(api, world.lab_a, reported, report_no="BG-9")
    assert response.status_code == 422 and "report_no" in response.get_json()["error"]["fields"]


def test_versions_are_for_the_two_parties(api, world, reported):
    assert api(world.sme_b).get(f"/orders/{reported.id}/reports").status_code == 404
    assert api(world.district_a).get(f"/orders/{reported.id}/reports").status_code == 404
    assert api(world.sme_a).get(f"/orders/{reported.id}/reports/7").status_code == 404


def test_the_institution_revises_on_the_web_and_both_see_the_versions(sign_in, world, reported):
    client = sign_in(world.lab_a)
    response = client.post(f"/orders/{reported.id}/report", data={
        "file": (io.BytesIO(SECOND), "r.pdf"), "report_no": "BG-1-R1", "revision_reason": "补充检测条件"},
        content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "报告已修订为第 2 版（BG-1-R1），已通知企业。" in page and "补充检测条件" in page
    assert client.get(f"/orders/{reported.id}/reports/1.pdf").data == FIRST
