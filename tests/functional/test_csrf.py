import pytest

from tests.factories import PASSWORD


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_a_form_post_without_the_token_is_refused(csrf_on, client, create_user):
    create_user(email="a@b.cn")
    response = client.post("/auth/login", data={"email": "a@b.cn", "password": PASSWORD})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)


def test_a_form_post_with_the_token_works(csrf_on, client, create_user):
    import re

    create_user(email="a@b.cn")
    html = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/auth/login", data={"email": "a@b.cn", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_bearer_api_calls_need_no_csrf_token(csrf_on, api, world):
    response = api(world.sme_a).delete("/auth/token")
    assert response.status_code == 204


def test_a_browser_session_calling_the_api_to_write_needs_the_token(csrf_on, sign_in, world):
    client = sign_in(world.sme_a)
    assert client.get("/api/v1/me").status_code == 200
    assert client.delete("/api/v1/auth/token").status_code == 400
