"""Instrument photos: up to five, JPEG/PNG checked by content, resized, served with cache headers, no orphans."""
import io
from pathlib import Path

import pytest
from PIL import Image

from models import InstrumentPhoto, db


def image(fmt="JPEG", size=(2400, 1200), colour=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()


def upload(api_caller, instrument, data, name="photo.jpg"):
    return api_caller.post(f"/instruments/{instrument.id}/photos", data={"file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")


@pytest.fixture
def instrument(world, create_instrument):
    return create_instrument(world.institution_a, name="扫描电子显微镜")


def photo_files(app):
    folder = Path(app.config["UPLOAD_DIR"]) / "photos"
    return set(folder.iterdir()) if folder.exists() else set()


def test_a_photo_is_resized_and_served_with_cache_headers(app, api, client, world, instrument):
    response = upload(api(world.lab_a), instrument, image("PNG"), "big.png")
    assert response.status_code == 201
    body = response.get_json()
    assert (body["width"], body["height"]) == (1600, 800)
    served = client.get(body["url"])
    assert served.mimetype == "image/jpeg" and Image.open(io.BytesIO(served.data)).size == (1600, 800)
    assert "public" in served.headers["Cache-Control"] and "max-age=31536000" in served.headers["Cache-Control"]
    card = client.get(body["card_url"])
    assert Image.open(io.BytesIO(card.data)).size == (480, 240)
    assert client.get(body["url"], headers={"If-None-Match": served.headers["ETag"]}).status_code == 304


def test_a_file_that_is_not_a_jpeg_or_png_is_refused_whatever_its_name(api, world, instrument):
    for data in (b"GIF89a" + b"\0" * 100, image("GIF"), b"%PDF-1.4 not an image", image("JPEG")[:200]):
        response = upload(api(world.lab_a), instrument, data, "photo.jpg")
        assert response.status_code == 422 and "file" in response.get_json()["error"]["fields"]
    assert db.session.query(InstrumentPhoto).count() == 0


def test_at_most_five_photos(api, world, instrument):
    lab = api(world.lab_a)
    for _ in range(5):
        assert upload(lab, instrument, image(size=(100, 100))).status_code == 201
    response = upload(lab, instrument, image(size=(100, 100)))
    assert response.status_code == 422 and "5" in response.get_json()["error"]["fields"]["file"]


def test_only_the_institution_adds_photos(api, world, instrument):
    assert upload(api(world.lab_b), instrument, image()).status_code == 404
    assert upload(api(world.sme_a), instrument, image()).status_code == 403


def test_a_rolled_back_upload_leaves_no_file_and_a_deletion_removes_files_on_commit(app, api, world, instrument, now):
    from app.catalog import photos

    before = photo_files(app)
    photos.add_photo(world.lab_a, instrument, image(), now, app.config["UPLOAD_DIR"], 10 * 1024 * 1024)
    assert len(photo_files(app) - before) == 2
    db.session.rollback()
    assert photo_files(app) == before
    body = upload(api(world.lab_a), instrument, image()).get_json()
    assert len(photo_files(app) - before) == 2
    assert api(world.lab_a).delete(f"/instruments/{instrument.id}/photos/{body['id']}").status_code == 204
    assert photo_files(app) == before


def test_photos_show_on_the_instrument_page_and_the_catalog_card(api, client, world, instrument):
    body = upload(api(world.lab_a), instrument, image()).get_json()
    page = client.get(f"/instruments/{instrument.id}").get_data(as_text=True)
    assert body["card_url"] in page
    catalog = client.get("/instruments?q=扫描").get_data(as_text=True)
    assert body["card_url"].replace("&", "&amp;") in catalog or body["card_url"] in catalog


def test_the_console_uploads_and_deletes_photos(app, sign_in, world, instrument):
    client = sign_in(world.lab_a)
    response = client.post(f"/console/instruments/{instrument.id}/photos",
                           data={"file": (io.BytesIO(image()), "a.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 302
    photo = db.session.query(InstrumentPhoto).one()
    refused = client.post(f"/console/instruments/{instrument.id}/photos",
                          data={"file": (io.BytesIO(b"not an image"), "a.jpg")}, content_type="multipart/form-data")
    assert refused.status_code == 422 and "JPEG" in refused.get_data(as_text=True)
    client.post(f"/console/instruments/{instrument.id}/photos/{photo.id}/delete")
    assert db.session.query(InstrumentPhoto).count() == 0
