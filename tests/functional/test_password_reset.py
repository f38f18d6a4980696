"""Forgotten passwords: a one-time link by e-mail, valid one hour, the same answer for any address, limited;
setting the new password ends every other session and token. The administrator sends links, never sees them."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts import services as accounts
from app.auth.services import authenticate
from models import AccountToken, ApiToken, Notification, UserSession, db
from models.errors import Unauthorized
from tests.factories import PASSWORD
from tests.mailbox import last_link_to, mails_to

NEW_PASSWORD = "violet-harbour-lantern"


def token_of(path):
    return path.rsplit("/", 1)[1]


def ask(api, email):
    return api().post("/auth/password-reset", json={"email": email})


def test_a_known_address_gets_a_link_and_an_unknown_one_the_same_answer(app, api, create_user):
    user = create_user(email="known@example.com")
    known, unknown = ask(api, "Known@Example.com "), ask(api, "nobody@example.com")
    assert known.status_code == unknown.status_code == 202
    assert known.get_json() == unknown.get_json()
    assert mails_to(app, "nobody@example.com") == []
    (subject, text), = mails_to(app, user.email)
    assert subject == "[QI-Share] 重设密码" and "1 小时内" in text
    assert last_link_to(app, user.email).startswith("/auth/password-reset/")


def test_the_outbox_keeps_no_token_only_the_links_id(app, api, create_user):
    user = create_user(email="known@example.com")
    ask(api, user.email)
    note = db.session.scalar(sa.select(Notification).where(Notification.address == user.email))
    token = token_of(last_link_to(app, user.email))
    assert note.recipient_id is None and token not in str(note.payload)
    assert token.split(".")[1] not in str(db.session.execute(sa.select(AccountToken.__table__)).all())


def test_the_link_sets_a_new_password_and_ends_every_session_and_token(app, api, create_user, now):
    user = create_user(email="known@example.com")
    session_token = accounts_session(user, now)
    api_caller = api(user)
    ask(api, user.email)
    response = api().post("/auth/password-reset/confirm",
                          json={"token": token_of(last_link_to(app, user.email)), "password": NEW_PASSWORD})
    assert response.status_code == 200 and response.get_json()["email"] == user.email
    assert authenticate(user.email, NEW_PASSWORD, now).id == user.id
    with pytest.raises(Unauthorized):
        authenticate(user.email, PASSWORD, now)
    assert api_caller.get("/me").status_code == 401
    assert UserSession.find_valid(session_token) is None


def accounts_session(user, now):
    from app.auth.sessions import begin_session

    token = begin_session(user, now)
    db.session.commit()
    return token


def test_a_used_link_is_refused_with_invalid_token(app, api, create_user):
    user = create_user(email="known@example.com")
    ask(api, user.email)
    body = {"token": token_of(last_link_to(app, user.email)), "password": NEW_PASSWORD}
    assert api().post("/auth/password-reset/confirm", json=body).status_code == 200
    again = api().post("/auth/password-reset/confirm", json=dict(body, password="another-long-passphrase"))
    assert again.status_code == 422 and again.get_json()["error"]["code"] == "invalid_token"


def test_a_link_older_than_an_hour_is_refused_with_invalid_token(app, api, create_user, now):
    user = create_user(email="known@example.com")
    ask(api, user.email)
    app.config["NOW_OVERRIDE"] = now + timedelta(minutes=61)
    response = api().post("/auth/password-reset/confirm",
                          json={"token": token_of(last_link_to(app, user.email)), "password": NEW_PASSWORD})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid_token"


@pytest.mark.parametrize("token", ["", "1", "1.forged", "x.y", "99999999999.abc", "１.abc"])
def test_a_made_up_token_is_refused_with_invalid_token_or_a_field_error(api, token):
    response = api().post("/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] in ("invalid_token", "validation_error")


def test_a_forged_signature_on_a_real_links_id_is_refused(app, api, create_user):
    user = create_user(email="known@example.com")
    ask(api, user.email)
    row_id = token_of(last_link_to(app, user.email)).split(".")[0]
    response = api().post("/auth/password-reset/confirm", json={"token": f"{row_id}.AAAA", "password": NEW_PASSWORD})
    assert response.get_json()["error"]["code"] == "invalid_token"


def test_a_weak_password_is_refused_and_the_link_still_works(app, api, create_user):
    user = create_user(email="known@example.com")
    ask(api, user.email)
    token = token_of(last_link_to(app, user.email))
    weak = api().post("/auth/password-reset/confirm", json={"token": token, "password": "password123"})
    assert weak.status_code == 422 and "password" in weak.get_json()["error"]["fields"]
    good = api().post("/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert good.status_code == 200


def test_a_number_for_the_email_is_a_field_error(api):
    response = api().post("/auth/password-reset", json={"email": 12345})
    assert response.status_code == 422 and "email" in response.get_json()["error"]["fields"]


def test_requests_are_limited_for_known_and_unknown_addresses_alike(api, create_user):
    user = create_user(email="known@example.com")
    for email in (user.email, "nobody@example.com"):
        statuses = [ask(api, email).status_code for _ in range(4)]
        assert statuses == [202, 202, 202, 429]


def test_a_deactivated_account_gets_no_link(app, api, create_user):
    user = create_user(email="gone@example.com", active=False)
    assert ask(api, user.email).status_code == 202
    assert mails_to(app, user.email) == []


# The web pages ------------------------------------------------------------------------------

def test_the_sign_in_page_links_to_the_forgotten_password_page(client):
    assert 'href="/auth/password-reset"' in client.get("/auth/login").get_data(as_text=True)


def test_forgot_reset_and_sign_in_on_the_web(app, client, create_user, now):
    user = create_user(email="known@example.com")
    sent = client.post("/auth/password-reset", data={"email": user.email})
    assert sent.status_code == 200 and "邮件已经发出" in sent.get_data(as_text=True)
    link = last_link_to(app, user.email)
    assert client.get(link).status_code == 200
    done = client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get("/auth/profile").status_code == 200  # signed in with the new password
    assert authenticate(user.email, NEW_PASSWORD, now).id == user.id


def test_a_used_link_on_the_web_says_so_and_offers_a_new_one(app, client, create_user):
    user = create_user(email="known@example.com")
    client.post("/auth/password-reset", data={"email": user.email})
    link = last_link_to(app, user.email)
    client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    again = app.test_client().get(link)
    assert again.status_code == 422 and "重新申请重设密码" in again.get_data(as_text=True)


# The administrator -------------------------------------------------------------------------

def test_the_admin_sends_a_reset_link_and_sees_none(app, api, world):
    response = api(world.admin).post(f"/users/{world.sme_a.id}/password-reset")
    link = last_link_to(app, world.sme_a.email)
    assert response.status_code == 202 and link.startswith("/auth/password-reset/")
    assert token_of(link) not in response.get_data(as_text=True)
    assert mails_to(app, world.admin.email) == []


@pytest.mark.parametrize("who", ["sme_a", "lab_a", "city"])
def test_only_the_admin_sends_reset_links(api, world, who):
    response = api(getattr(world, who)).post(f"/users/{world.sme_a.id}/password-reset")
    assert response.status_code in (403, 404)


def test_the_admin_sends_a_reset_link_from_the_users_page(app, sign_in, world):
    response = sign_in(world.admin).post(f"/admin/users/{world.sme_b.id}/password-reset")
    assert response.status_code == 302
    assert last_link_to(app, world.sme_b.email).startswith("/auth/password-reset/")


def test_an_older_link_stops_working_once_a_newer_one_was_used(app, api, create_user, now):
    user = create_user(email="known@example.com")
    ask(api, user.email)
    first = token_of(last_link_to(app, user.email))
    ask(api, user.email)
    second = token_of(last_link_to(app, user.email))
    assert api().post("/auth/password-reset/confirm", json={"token": second, "password": NEW_PASSWORD}).status_code == 200
    assert api().post("/auth/password-reset/confirm", json={"token": first, "password": NEW_PASSWORD}) \
        .get_json()["error"]["code"] == "invalid_token"


def test_the_service_refuses_a_link_of_another_purpose(app, create_user, now):
    user = create_user(email="known@example.com")
    row = AccountToken.issue("invitation", user.email, now, organization=user.organization)
    db.session.commit()
    with app.app_context(), pytest.raises(Exception) as raised:
        accounts.reset_password(row.token(app.config["SECRET_KEY"]), NEW_PASSWORD, now)
    assert getattr(raised.value, "code", None) == "invalid_token"


def test_api_tokens_of_the_user_are_revoked_by_a_reset(app, api, create_user):
    user = create_user(email="known@example.com")
    api(user)
    ask(api, user.email)
    api().post("/auth/password-reset/confirm",
               json={"token": token_of(last_link_to(app, user.email)), "password": NEW_PASSWORD})
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id)).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))) == 0
