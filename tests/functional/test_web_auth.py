import re

import pytest
import sqlalchemy as sa

from models import Organization, User, db
from tests.factories import PASSWORD, valid_uscc


def page(response):
    return response.get_data(as_text=True)


def test_the_home_page_explains_the_platform_in_chinese(client):
    html = page(client.get("/"))
    assert "仪器共享平台" in html and "分时租赁" in html and "代检代测" in html and "实验外包" in html
    assert 'lang="zh-CN"' in html


def test_signing_in_lands_on_the_page_asked_for(client, create_user):
    create_user(email="a@b.cn")
    response = client.post("/auth/login", data={"email": "a@b.cn", "password": PASSWORD,
                                                "next": "/auth/profile"})
    assert response.status_code == 302 and response.location == "/auth/profile"
    assert "a@b.cn" in page(client.get("/auth/profile"))


def test_a_next_that_leaves_the_site_is_ignored(client, create_user):
    create_user(email="a@b.cn")
    response = client.post("/auth/login", data={"email": "a@b.cn", "password": PASSWORD,
                                                "next": "https://evil.example/"})
    assert response.location == "/"


def test_a_wrong_password_keeps_the_email_and_says_what_failed(client, create_user):
    create_user(email="a@b.cn")
    response = client.post("/auth/login", data={"email": "a@b.cn", "password": "nope"})
    assert response.status_code == 401
    html = page(response)
    assert "邮箱或密码不正确" in html and 'value="a@b.cn"' in html


def test_web_sign_in_failures_are_rate_limited_too(client, create_user):
    create_user(email="a@b.cn")
    codes = [client.post("/auth/login", data={"email": "a@b.cn", "password": "x"}).status_code
             for _ in range(6)]
    assert codes[-1] == 429


def test_signing_out_ends_the_session(sign_in, world):
    client = sign_in(world.sme_a)
    assert client.get("/auth/profile").status_code == 200
    client.post("/auth/logout")
    assert client.get("/auth/profile").status_code == 302


def sme_form(**overrides):
    data = {"email": "boss@new.cn", "password": "a-long-password", "password_confirm": "a-long-password",
            "name": "王五", "phone": "13900000000", "organization-name": "新企业有限公司",
            "organization-uscc": valid_uscc().lower(), "organization-district_code": "310115",
            "organization-industry": "C", "organization-size": "small", "organization-address": "浦东"}
    data.update(overrides)
    return data


def test_an_sme_registers_on_the_web_and_is_signed_in(client):
    response = client.post("/auth/register", data=sme_form())
    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organization).where(Organization.name == "新企业有限公司"))
    assert org.uscc.isupper()  # typed in lower case, stored as the code is written
    assert "王五" in page(client.get("/"))


def test_an_invalid_uscc_is_shown_on_its_field_and_the_input_is_kept(client):
    response = client.post("/auth/register", data=sme_form(**{"organization-uscc": "91110000600037341M"}))
    assert response.status_code == 422
    html = page(response)
    assert "校验位不正确" in html
    assert re.search(r'id="organization-uscc"[^>]*is-invalid|is-invalid[^>]*id="organization-uscc"', html)
    assert 'value="新企业有限公司"' in html
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_the_two_passwords_must_match(client):
    html = page(client.post("/auth/register", data=sme_form(password_confirm="other-password")))
    assert "两次输入的密码不一致" in html


def institution_form():
    return {"email": "lab@new.cn", "password": "a-long-password", "password_confirm": "a-long-password",
            "organization-name": "新检测院", "organization-uscc": valid_uscc(),
            "organization-district_code": "310115", "organization-cma_no": "CMA-9",
            "organization-cma_valid_until": "2029-06-30"}


def test_an_institution_signs_up_its_district_approves_and_the_bell_rings(client, sign_in, world):
    assert client.post("/auth/register/institution", data=institution_form()).status_code == 302
    org = db.session.scalar(sa.select(Organization).where(Organization.name == "新检测院"))
    assert not org.approved
    client.post("/auth/logout")

    bureau = sign_in(world.district_a)
    assert "新检测院" in page(bureau.get("/district/signups"))
    assert bureau.post(f"/district/signups/{org.id}/approve").status_code == 302
    bureau.post("/auth/logout")

    lab_user = db.session.scalar(sa.select(User).where(User.email == "lab@new.cn"))
    lab = sign_in(lab_user)
    html = page(lab.get("/"))
    assert 'data-testid="bell-count">1<' in html
    assert "机构入驻已通过" in page(lab.get("/notifications/"))


def test_another_district_cannot_even_see_the_signup(client, sign_in, world):
    client.post("/auth/register/institution", data=institution_form())
    org = db.session.scalar(sa.select(Organization).where(Organization.name == "新检测院"))
    client.post("/auth/logout")
    other = sign_in(world.district_b)
    assert "新检测院" not in page(other.get("/district/signups"))
    assert other.post(f"/district/signups/{org.id}/approve").status_code == 404


def test_opening_a_notification_marks_it_read(sign_in, world):
    from app.notify.services import notify

    note = notify(world.lab_a, "institution_approved", name="甲检测院")
    db.session.commit()
    client = sign_in(world.lab_a)
    client.post(f"/notifications/{note.id}/open")
    assert 'data-testid="bell-count"' not in page(client.get("/"))


def test_the_navigation_follows_the_role(sign_in, world):
    admin_html = page(sign_in(world.admin).get("/"))
    assert "/admin/users" in admin_html
    sme_html = page(sign_in(world.sme_a).get("/"))
    assert "/admin/users" not in sme_html and "/district/signups" not in sme_html


def test_admin_pages_are_for_admins_only(sign_in, world):
    assert sign_in(world.sme_a).get("/admin/users").status_code == 403
    assert sign_in(world.admin).get("/admin/users").status_code == 200


def test_an_admin_can_switch_an_account_off(sign_in, world):
    client = sign_in(world.admin)
    client.post(f"/admin/users/{world.sme_b.id}/active", data={"active": "0"})
    assert db.session.get(User, world.sme_b.id).active is False


def test_profile_changes_are_saved(sign_in, world):
    client = sign_in(world.sme_a)
    client.post("/auth/profile", data={"name": "新名字", "phone": "123", "locale": "en"})
    user = db.session.get(User, world.sme_a.id)
    assert (user.name, user.locale) == ("新名字", "en")


@pytest.mark.parametrize("base_url,secure", [("http://localhost", False), ("https://localhost", True)])
def test_the_session_cookie_is_httponly_lax_and_secure_over_https(app, create_user, base_url, secure):
    create_user(email="a@b.cn")
    client = app.test_client()
    response = client.post("/auth/login", data={"email": "a@b.cn", "password": PASSWORD}, base_url=base_url)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is secure


def test_pages_forbid_framing_and_inline_scripts(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
