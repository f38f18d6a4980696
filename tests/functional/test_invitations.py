"""A member of an enterprise or institution invites a colleague; the link makes an account of that
organisation. Members see who belongs to their organisation and may deactivate one, never the last."""
import pytest
import sqlalchemy as sa

from app.auth.services import authenticate
from models import User, UserSession, db
from tests.mailbox import last_link_to, mails_to

PASSWORD = "violet-harbour-lantern"


def token_of(path):
    return path.rsplit("/", 1)[1]


def invite(api, who, email="colleague@example.com"):
    return api(who).post("/organizations/me/invitations", json={"email": email})


def accept(api, token, name="周工", password=PASSWORD):
    return api().post("/auth/invitations/accept", json={"token": token, "name": name, "password": password})


def test_an_invited_colleague_joins_the_organisation_that_invited_them(app, api, world, now):
    response = invite(api, world.sme_a)
    assert response.status_code == 201 and response.get_json()["organization"]["id"] == world.enterprise_a.id
    (subject, text), = mails_to(app, "colleague@example.com")
    assert "甲精密机械" in text and subject == "[QI-Share] 邀请您加入质量基础设施仪器共享平台"
    joined = accept(api, token_of(last_link_to(app, "colleague@example.com")))
    assert joined.status_code == 201
    body = joined.get_json()
    assert body["role"] == "enterprise" and body["organization"]["id"] == world.enterprise_a.id
    assert authenticate("colleague@example.com", PASSWORD, now).name == "周工"


def test_the_inviter_is_told_when_the_colleague_joins(app, api, world):
    invite(api, world.lab_a)
    accept(api, token_of(last_link_to(app, "colleague@example.com")))
    subject, text = mails_to(app, world.lab_a.email)[-1]
    assert subject == "[QI-Share] 新同事已加入" and "colleague@example.com" in text


def test_an_institution_colleague_becomes_institution_staff(app, api, world):
    invite(api, world.lab_a)
    body = accept(api, token_of(last_link_to(app, "colleague@example.com"))).get_json()
    assert body["role"] == "institution" and body["organization"]["id"] == world.institution_a.id


def test_inviting_an_address_that_has_an_account_is_409(api, world):
    response = invite(api, world.sme_a, world.sme_b.email.upper())
    assert response.status_code == 409 and "email" in response.get_json()["error"]["fields"]


def test_accepting_after_the_address_got_an_account_is_409(app, api, world, create_user):
    invite(api, world.sme_a)
    create_user(email="colleague@example.com")
    assert accept(api, token_of(last_link_to(app, "colleague@example.com"))).status_code == 409


def test_an_invitation_works_once(app, api, world):
    invite(api, world.sme_a)
    token = token_of(last_link_to(app, "colleague@example.com"))
    assert accept(api, token).status_code == 201
    again = accept(api, token, name="另一个人")
    assert again.status_code == 422 and again.get_json()["error"]["code"] == "invalid_token"


def test_a_weak_password_is_refused_on_acceptance(app, api, world):
    invite(api, world.sme_a)
    response = accept(api, token_of(last_link_to(app, "colleague@example.com")), password="甲精密机械12345")
    assert response.status_code == 422 and "password" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("who", ["district_a", "city", "admin"])
def test_bureaus_and_the_admin_do_not_invite(api, world, who):
    assert invite(api, getattr(world, who)).status_code == 403


@pytest.mark.parametrize("email", ["not-an-address", "", 42, ["a@b.cn"]])
def test_a_bad_address_is_a_field_error(api, world, email):
    response = invite(api, world.sme_a, email)
    assert response.status_code == 422 and "email" in response.get_json()["error"]["fields"]


def test_members_see_their_own_organisation_only(api, world, create_user):
    colleague = create_user("enterprise", world.enterprise_a)
    items = api(world.sme_a).get("/organizations/me/members").get_json()["items"]
    assert {item["email"] for item in items} == {world.sme_a.email, colleague.email}


def test_a_member_deactivates_a_colleague_whose_sessions_end(api, world, create_user, now):
    from app.auth.sessions import begin_session

    colleague = create_user("enterprise", world.enterprise_a)
    token = begin_session(colleague, now)
    db.session.commit()
    response = api(world.sme_a).post(f"/users/{colleague.id}/deactivate")
    assert response.status_code == 200 and response.get_json()["active"] is False
    assert UserSession.find_valid(token) is None


def test_the_last_active_member_cannot_be_deactivated(api, world, create_user):
    colleague = create_user("enterprise", world.enterprise_a)
    assert api(world.sme_a).post(f"/users/{colleague.id}/deactivate").status_code == 200
    response = api(world.sme_a).post(f"/users/{world.sme_a.id}/deactivate")
    assert response.status_code == 409
    assert db.session.get(User, world.sme_a.id).active


def test_another_organisations_member_is_404(api, world):
    assert api(world.sme_a).post(f"/users/{world.sme_b.id}/deactivate").status_code == 404
    assert api(world.lab_a).post(f"/users/{world.sme_a.id}/deactivate").status_code == 404


@pytest.mark.parametrize("user_id", ["0", "abc", "99999999999"])
def test_an_impossible_user_id_is_404(api, world, user_id):
    assert api(world.sme_a).post(f"/users/{user_id}/deactivate").status_code == 404


# The web pages ----------------------------------------------------------------------------

def test_the_members_page_lists_colleagues_and_invites(app, sign_in, world, create_user):
    colleague = create_user("institution", world.institution_a, name="钱工")
    client = sign_in(world.lab_a)
    page = client.get("/organization/members").get_data(as_text=True)
    assert "钱工" in page and world.lab_b.email not in page
    sent = client.post("/organization/invitations", data={"email": "new.one@example.com"}, follow_redirects=True)
    assert "邀请已发送至 new.one@example.com" in sent.get_data(as_text=True)
    assert "new.one@example.com" in client.get("/organization/members").get_data(as_text=True)
    assert colleague.id


def test_accepting_on_the_web_signs_the_colleague_in(app, client, api, world):
    invite(api, world.sme_a)
    link = last_link_to(app, "colleague@example.com")
    assert "甲精密机械" in client.get(link).get_data(as_text=True)
    response = client.post(link, data={"name": "周工", "password": PASSWORD, "password_confirm": PASSWORD})
    assert response.status_code == 302
    profile = client.get("/auth/profile").get_data(as_text=True)
    assert "colleague@example.com" in profile and "甲精密机械" in profile


def test_a_member_deactivates_a_colleague_on_the_web(sign_in, world, create_user):
    colleague = create_user("enterprise", world.enterprise_b)
    response = sign_in(world.sme_b).post(f"/organization/members/{colleague.id}/deactivate", follow_redirects=True)
    assert "已停用" in response.get_data(as_text=True)
    assert not db.session.get(User, colleague.id).active


def test_deactivating_the_last_member_on_the_web_says_why(sign_in, world):
    response = sign_in(world.sme_b).post(f"/organization/members/{world.sme_b.id}/deactivate", follow_redirects=True)
    assert "唯一的有效账号" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User.active).where(User.id == world.sme_b.id))
