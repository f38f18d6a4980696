from datetime import timedelta

import sqlalchemy as sa

from models import ApiToken, Organization, User, db
from tests.factories import PASSWORD, valid_uscc


def token_for(client, email, password=PASSWORD):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password})


def test_a_token_comes_with_its_expiry_and_the_user(client, create_user):
    user = create_user(email="a@b.cn")
    response = token_for(client, "a@b.cn")
    assert response.status_code == 201
    body = response.get_json()
    assert body["expires_at"].endswith("+08:00")
    assert body["user"]["role"] == "enterprise"
    assert body["user"]["organization"]["id"] == user.organization_id
    assert body["user"]["organization"]["kind"] == "enterprise"
    stored = db.session.scalars(sa.select(ApiToken.token_hash)).all()
    assert body["token"] not in stored and len(stored[0]) == 64  # only the digest is stored


def test_a_bad_password_is_401_unauthorized(client, create_user):
    create_user(email="a@b.cn")
    response = token_for(client, "a@b.cn", "wrong-password")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_repeated_failures_for_one_address_are_rate_limited(client, create_user):
    create_user(email="a@b.cn")
    statuses = [token_for(client, "a@b.cn", "wrong").status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    response = token_for(client, "a@b.cn")
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert "Retry-After" in response.headers


def test_successful_sign_ins_do_not_count_against_the_limit(client, create_user):
    create_user(email="a@b.cn")
    assert all(token_for(client, "a@b.cn").status_code == 201 for _ in range(7))


def test_one_accounts_failures_do_not_lock_out_another(client, create_user):
    create_user(email="a@b.cn")
    create_user(email="c@d.cn")
    for _ in range(6):
        token_for(client, "a@b.cn", "wrong")
    assert token_for(client, "c@d.cn").status_code == 201


def test_deleting_the_token_revokes_it(client, create_user):
    create_user(email="a@b.cn")
    token = token_for(client, "a@b.cn").get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=auth).status_code == 200
    assert client.delete("/api/v1/auth/token", headers=auth).status_code == 204
    assert client.get("/api/v1/me", headers=auth).status_code == 401


def test_an_expired_token_is_refused(app, client, create_user, now):
    create_user(email="a@b.cn")
    token = token_for(client, "a@b.cn").get_json()["token"]
    app.config["NOW_OVERRIDE"] = now + timedelta(days=31)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_a_deactivated_users_token_stops_working(api, create_user):
    user = create_user()
    caller = api(user)
    user.active = False
    db.session.commit()
    assert caller.get("/me").status_code == 401


def test_me_describes_the_caller(api, world):
    body = api(world.lab_b).get("/me").get_json()
    assert body["role"] == "institution"
    assert body["organization"] == {"id": world.institution_b.id, "name": "乙检测公司",
                                    "kind": "institution", "district_code": "310112"}


def test_no_token_and_malformed_headers_are_401(client):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer "}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401


def registration(**org):
    organization = {"name": "新企业有限公司", "uscc": valid_uscc(), "district_code": "310115",
                    "industry": "C", "size": "small"}
    organization.update(org)
    return {"email": "boss@new.cn", "password": "a-long-password", "organization": organization}


def test_register_creates_an_enterprise_account(client):
    response = client.post("/api/v1/auth/register", json=registration(size="小型"))
    assert response.status_code == 201
    assert response.get_json()["role"] == "enterprise"
    org = db.session.scalar(sa.select(Organization).where(Organization.name == "新企业有限公司"))
    assert org.size == "small" and org.district_code == "310115"
    assert token_for(client, "boss@new.cn", "a-long-password").status_code == 201


def test_an_invalid_uscc_is_a_field_error_named_uscc(client):
    response = client.post("/api/v1/auth/register", json=registration(uscc="91110000600037341M"))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert "校验位" in error["fields"]["uscc"]


def test_a_taken_email_is_a_field_error_and_no_organisation_is_left_behind(client, create_user):
    create_user(email="boss@new.cn")
    before = db.session.scalar(sa.select(sa.func.count(Organization.id)))
    response = client.post("/api/v1/auth/register", json=registration())
    assert response.status_code == 422
    assert "email" in response.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == before


def test_unknown_districts_industries_and_sizes_are_field_errors(client):
    response = client.post("/api/v1/auth/register",
                           json=registration(district_code="999999", industry="Z", size="huge"))
    fields = response.get_json()["error"]["fields"]
    assert response.status_code == 422
    assert {"district_code", "industry", "size"} <= set(fields)


def test_missing_fields_are_each_named(client):
    response = client.post("/api/v1/auth/register", json={"organization": {}})
    fields = response.get_json()["error"]["fields"]
    assert {"email", "password", "uscc", "name"} <= set(fields)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_the_error_messages_follow_accept_language(client):
    response = client.post("/api/v1/auth/register", json=registration(uscc="91110000600037341M"),
                           headers={"Accept-Language": "en"})
    assert "check character" in response.get_json()["error"]["fields"]["uscc"]
