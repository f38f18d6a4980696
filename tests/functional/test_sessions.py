"""Signing out ends a session for good; a password change ends every other session and API token."""
import sqlalchemy as sa

from app.auth.sessions import begin_session, end_sessions
from models import ApiToken, UserSession, db
from tests.factories import PASSWORD

NEW_PASSWORD = "violet-harbour-lantern"


def browser(app, email, remember=False):
    """A fresh browser signed in through the form."""
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD,
                                                **({"remember": "y"} if remember else {})})
    assert response.status_code == 302
    return client


def signed_in(client):
    return client.get("/auth/profile").status_code == 200


def replay(app, cookies):
    """Another browser that presents copies of these cookies."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def cookies_of(client, *names):
    return {name: client.get_cookie(name).value for name in names if client.get_cookie(name) is not None}


def bearer(client, email, password=PASSWORD):
    token = client.post("/api/v1/auth/token", json={"email": email, "password": password}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_after_signing_out_a_copy_of_the_session_cookie_no_longer_works(app, create_user):
    user = create_user(email="a@b.cn")
    client = browser(app, user.email)
    stolen = cookies_of(client, "session")
    assert signed_in(replay(app, stolen))
    client.post("/auth/logout")
    assert not signed_in(client)
    assert not signed_in(replay(app, stolen))


def test_after_signing_out_the_remember_cookie_no_longer_signs_in(app, create_user):
    user = create_user(email="a@b.cn")
    client = browser(app, user.email, remember=True)
    remembered = cookies_of(client, "remember_token")
    assert remembered and signed_in(replay(app, remembered))
    client.post("/auth/logout")
    assert not signed_in(replay(app, remembered))


def test_a_password_change_on_the_page_ends_every_other_session_and_token(app, create_user):
    user = create_user(email="a@b.cn")
    here, elsewhere = browser(app, user.email), browser(app, user.email, remember=True)
    remembered = cookies_of(elsewhere, "remember_token")
    token = bearer(app.test_client(), user.email)
    response = here.post("/auth/password", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                 "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert signed_in(here)
    assert not signed_in(elsewhere) and not signed_in(replay(app, remembered))
    assert app.test_client().get("/api/v1/me", headers=token).status_code == 401


def test_a_password_change_through_the_api_keeps_the_calling_token_only(app, client, create_user):
    user = create_user(email="a@b.cn")
    calling, other = bearer(client, user.email), bearer(client, user.email)
    page = browser(app, user.email)
    response = client.post("/api/v1/me/password", json={"current": PASSWORD, "new": NEW_PASSWORD}, headers=calling)
    assert response.status_code == 200 and response.get_json()["email"] == "a@b.cn"
    assert client.get("/api/v1/me", headers=calling).status_code == 200
    assert client.get("/api/v1/me", headers=other).status_code == 401
    assert not signed_in(page)
    assert client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}).status_code == 401
    assert client.post("/api/v1/auth/token", json={"email": user.email, "password": NEW_PASSWORD}).status_code == 201


def test_a_wrong_current_password_changes_nothing(app, client, create_user):
    user = create_user(email="a@b.cn")
    calling, other = bearer(client, user.email), bearer(client, user.email)
    response = client.post("/api/v1/me/password", json={"current": "not-it", "new": NEW_PASSWORD}, headers=calling)
    assert response.status_code == 422 and "current" in response.get_json()["error"]["fields"]
    assert client.get("/api/v1/me", headers=other).status_code == 200


def test_a_weak_new_password_is_422_naming_the_field_and_why(client, create_user):
    user = create_user(email="a@b.cn")
    response = client.post("/api/v1/me/password", json={"current": PASSWORD, "new": "password123"},
                           headers=bearer(client, user.email))
    fields = response.get_json()["error"]["fields"]
    assert response.status_code == 422 and "常见密码" in fields["new"] and fields["password"] == fields["new"]


def test_the_password_api_needs_a_signed_in_caller(client):
    assert client.post("/api/v1/me/password", json={"current": "x", "new": NEW_PASSWORD}).status_code == 401


def test_a_weak_new_password_on_the_page_is_shown_on_its_field(sign_in, create_user):
    user = create_user(email="a@b.cn")
    response = sign_in(user).post("/auth/password", data={"current": PASSWORD, "password": "12345678",
                                                          "password_confirm": "12345678"})
    assert response.status_code == 422 and "至少需要 10 个字符" in response.get_data(as_text=True)


def test_end_sessions_without_keep_ends_them_all(create_user, now):
    user, other = create_user(), create_user()
    for person in (user, other):
        begin_session(person, now)
        db.session.add(ApiToken.issue(person, now, 30)[0])
    db.session.commit()
    assert end_sessions(user, now) == 2
    open_sessions = db.session.scalars(sa.select(UserSession.user_id).where(UserSession.ended_at.is_(None))).all()
    live_tokens = db.session.scalars(sa.select(ApiToken.user_id).where(ApiToken.revoked_at.is_(None))).all()
    assert open_sessions == [other.id] and live_tokens == [other.id]
