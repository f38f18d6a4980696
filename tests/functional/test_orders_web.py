import io

import sqlalchemy as sa

from models import Review, ServiceOrder, db
from tests.factories import PDF


def page(response):
    return response.get_data(as_text=True)


def request_form(world, **overrides):
    data = {"kind": "test_by_proxy", "institution_id": str(world.institution_a.id), "title": "电池外壳盐雾试验",
            "sample-name": "铝合金外壳", "sample-model": "BX-200", "sample-quantity": "3", "sample-unit": "件",
            "sample-disposal": "return", "items-0-name": "中性盐雾试验 96h", "items-0-standard": "GB/T 10125-2021",
            "items-1-name": "外观评级", "items-1-standard": "GB/T 6461-2002", "needed_by": "2026-03-31"}
    data.update(overrides)
    return data


def test_the_request_form_starts_from_an_instrument(sign_in, world, create_instrument):
    instrument = create_instrument(world.institution_b, service_modes=["test_by_proxy"])
    html = page(sign_in(world.sme_a).get(f"/orders/new?instrument_id={instrument.id}"))
    assert f'<option value="{world.institution_b.id}" selected>' in html and instrument.name in html


def test_a_request_with_two_items_is_submitted(sign_in, world):
    client = sign_in(world.sme_a)
    response = client.post("/orders/new", data=request_form(world))
    assert response.status_code == 302
    order = db.session.scalar(sa.select(ServiceOrder))
    assert [i.standard for i in order.items] == ["GB/T 10125-2021", "GB/T 6461-2002"]
    html = page(client.get(response.location))
    assert "等待机构报价" in html and "GB/T 6461-2002" in html


def test_a_bad_request_keeps_the_input_and_names_the_fields(sign_in, world):
    response = sign_in(world.sme_a).post("/orders/new", data=request_form(
        world, **{"sample-quantity": "0", "items-0-name": "", "items-1-name": "", "needed_by": "2026-01-01"}))
    assert response.status_code == 422
    html = page(response)
    assert "数量应为 1 到 100000 的整数" in html and 'value="铝合金外壳"' in html
    assert db.session.scalar(sa.select(sa.func.count(ServiceOrder.id))) == 0


def test_the_whole_journey_on_the_pages(sign_in, world):
    sme = sign_in(world.sme_a)
    sme.post("/orders/new", data=request_form(world))
    order = db.session.scalar(sa.select(ServiceOrder))
    lab = sign_in(world.lab_a)
    assert "电池外壳盐雾试验" in page(lab.get("/console/orders"))
    lab.post(f"/orders/{order.id}/quote", data={"amount": "1200", "turnaround_days": "7", "valid_until": "2026-03-09"})
    sme = sign_in(world.sme_a)
    assert "¥1,200.00" in page(sme.get(f"/orders/{order.id}"))
    sme.post(f"/orders/{order.id}/accept")
    lab = sign_in(world.lab_a)
    lab.post(f"/orders/{order.id}/receive_sample", data={"sample_no": ""})
    label = page(lab.get(f"/orders/{order.id}/label"))
    assert f"YP-2026-{order.id:06d}" in label and "铝合金外壳" in label
    lab.post(f"/orders/{order.id}/start")
    lab.post(f"/orders/{order.id}/report", data={"report_no": "BG-1", "file": (io.BytesIO(PDF), "report.pdf")},
             content_type="multipart/form-data")
    assert db.session.get(ServiceOrder, order.id).status == "report_issued"
    sme = sign_in(world.sme_a)
    download = sme.get(f"/orders/{order.id}/report.pdf")
    assert download.data == PDF and "attachment" in download.headers["Content-Disposition"]
    sme.post(f"/orders/{order.id}/complete")
    sme.post(f"/orders/{order.id}/review", data={"score": "5", "comment": "报告很规范"})
    assert db.session.scalar(sa.select(Review.score)) == 5
    assert "报告很规范" in page(sme.get(f"/orders/{order.id}"))


def test_a_non_pdf_report_is_refused_on_the_page(sign_in, world):
    sign_in(world.sme_a).post("/orders/new", data=request_form(world))
    order = db.session.scalar(sa.select(ServiceOrder))
    lab = sign_in(world.lab_a)
    lab.post(f"/orders/{order.id}/quote", data={"amount": "1", "turnaround_days": "1", "valid_until": "2026-03-09"})
    sign_in(world.sme_a).post(f"/orders/{order.id}/accept")
    lab = sign_in(world.lab_a)
    lab.post(f"/orders/{order.id}/receive_sample")
    lab.post(f"/orders/{order.id}/start")
    response = lab.post(f"/orders/{order.id}/report", data={"report_no": "BG-1",
                                                            "file": (io.BytesIO(b"MZ\x90\x00"), "virus.pdf")},
                        content_type="multipart/form-data", follow_redirects=True)
    assert "只能上传 PDF" in page(response)
    assert db.session.get(ServiceOrder, order.id).status == "testing"


def test_other_parties_cannot_open_the_order(sign_in, world):
    sign_in(world.sme_a).post("/orders/new", data=request_form(world))
    order = db.session.scalar(sa.select(ServiceOrder))
    assert sign_in(world.sme_b).get(f"/orders/{order.id}").status_code == 404
    assert sign_in(world.lab_b).get(f"/orders/{order.id}").status_code == 404
    assert sign_in(world.lab_b).get(f"/orders/{order.id}/label").status_code == 404
