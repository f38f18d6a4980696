import pytest

from app import create_app


def test_districts_lists_all_eighteen_reporting_units(client):
    items = client.get("/api/v1/districts").get_json()["items"]
    codes = [item["code"] for item in items]
    assert len(items) == 18 and {"310115", "310112", "LG", "JC"} <= set(codes)
    assert {"code": "LG", "name": "临港新片区"}.items() <= next(i for i in items if i["code"] == "LG").items()


def test_unknown_paths_are_json_404(api, world):
    response = api(world.sme_a).get("/no-such-endpoint")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_wrong_method_is_json_405_with_allow(client):
    response = client.put("/api/v1/districts")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"'])
def test_a_body_that_is_not_a_json_object_is_400(client, body):
    response = client.post("/api/v1/auth/register", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_an_oversized_body_is_413(app, client):
    huge = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/api/v1/auth/register", data=huge, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


@pytest.fixture
def crashing_app():
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI="sqlite://")

    @app.get("/api/v1/crash")
    @app.get("/crash")
    def crash():
        raise RuntimeError("secret internals: password=hunter2")

    return app


@pytest.mark.parametrize("path", ["/api/v1/crash", "/crash"])
def test_a_crash_is_a_500_that_leaks_nothing(crashing_app, path):
    response = crashing_app.test_client().get(path)
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "hunter2" not in text and "RuntimeError" not in text and "Traceback" not in text
    if path.startswith("/api/"):
        assert response.get_json()["error"]["code"] == "internal_error"
    else:
        assert "系统繁忙" in text
