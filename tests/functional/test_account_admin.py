"""The administrator opens accounts of any role; the city opens the district bureaus' accounts; each new
account gets a set-password e-mail; districts turn sign-ups down with a reason; a pending institution sees
where its application stands."""
import pytest
import sqlalchemy as sa

from models import Organization, User, db
from tests.mailbox import last_link_to, mails_to

PASSWORD = "violet-harbour-lantern"


def new_user(api, who, **body):
    return api(who).post("/users", json={"email": "new@example.com", "name": "新用户", **body})


def test_the_admin_opens_an_enterprise_account_with_a_set_password_mail(app, api, world):
    response = new_user(api, world.admin, role="enterprise", organization_id=world.enterprise_b.id)
    assert response.status_code == 201 and response.get_json()["organization"]["id"] == world.enterprise_b.id
    (subject, text), = mails_to(app, "new@example.com")
    assert subject == "[QI-Share] 您的平台账号已开通" and "7 天内" in text
    token = last_link_to(app, "new@example.com").rsplit("/", 1)[1]
    assert api().post("/auth/password-reset/confirm", json={"token": token, "password": PASSWORD}).status_code == 200
    assert api().post("/auth/token", json={"email": "new@example.com", "password": PASSWORD}).status_code == 201


def test_a_new_account_cannot_sign_in_before_it_sets_a_password(api, world):
    new_user(api, world.admin, role="admin")
    for guess in ("", "demo12345", "new@example.com"):
        assert api().post("/auth/token", json={"email": "new@example.com", "password": guess}).status_code in (401, 422)


@pytest.mark.parametrize("role, org", [("enterprise", "institution_a"), ("institution", "enterprise_a"),
                                       ("city", "enterprise_a"), ("enterprise", None)])
def test_a_role_that_does_not_fit_the_organisation_is_a_field_error(api, world, role, org):
    body = {"role": role}
    if org:
        body["organization_id"] = getattr(world, org).id
    response = new_user(api, world.admin, **body)
    assert response.status_code == 422 and "organization_id" in response.get_json()["error"]["fields"]


def test_an_address_with_an_account_is_409(api, world):
    response = api(world.admin).post("/users", json={"email": world.sme_a.email, "role": "admin"})
    assert response.status_code == 409


@pytest.mark.parametrize("body, field", [({"role": "boss"}, "role"), ({"role": "enterprise", "organization_id": "1"},
                                                                       "organization_id"),
                                         ({"role": 3}, "role"), ({"role": "admin", "name": ["x"]}, "name")])
def test_bad_input_is_a_field_error(api, world, body, field):
    response = new_user(api, world.admin, **body)
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


def test_the_city_opens_a_district_account_and_its_bureau_is_made(app, api, world):
    response = new_user(api, world.city, role="district", district_code="310151")
    assert response.status_code == 201
    bureau = db.session.scalar(sa.select(Organization).where(Organization.district_code == "310151",
                                                             Organization.kind == "bureau"))
    assert bureau.name == "崇明区市场监督管理局" and response.get_json()["organization"]["id"] == bureau.id
    assert mails_to(app, "new@example.com")


def test_a_second_district_account_joins_the_existing_bureau(api, world):
    response = new_user(api, world.city, role="district", district_code="310115")
    assert response.get_json()["organization"]["id"] == world.district_a.organization_id


def test_the_city_opens_only_district_accounts(api, world):
    assert new_user(api, world.city, role="enterprise", organization_id=world.enterprise_a.id).status_code == 403


@pytest.mark.parametrize("who", ["sme_a", "lab_a", "district_a"])
def test_others_open_no_accounts(api, world, who):
    assert new_user(api, getattr(world, who), role="district", district_code="310151").status_code == 403


def test_an_unknown_reporting_unit_is_a_field_error(api, world):
    response = new_user(api, world.city, role="district", district_code="999999")
    assert response.status_code == 422 and "district_code" in response.get_json()["error"]["fields"]


def test_the_admin_deactivates_anyone_but_themselves(api, world):
    assert api(world.admin).post(f"/users/{world.lab_b.id}/deactivate").status_code == 200
    assert api(world.admin).post(f"/users/{world.admin.id}/deactivate").status_code == 403


def test_the_city_deactivates_a_district_account_but_sees_no_enterprise(api, world):
    assert api(world.city).post(f"/users/{world.district_b.id}/deactivate").status_code == 200
    assert api(world.city).post(f"/users/{world.sme_a.id}/deactivate").status_code == 404


def test_deactivating_twice_is_409(api, world):
    api(world.admin).post(f"/users/{world.lab_b.id}/deactivate")
    assert api(world.admin).post(f"/users/{world.lab_b.id}/deactivate").status_code == 409


def test_the_admin_opens_an_account_on_the_web(app, sign_in, world):
    client = sign_in(world.admin)
    assert client.get("/admin/users/new").status_code == 200
    response = client.post("/admin/users/new", data={"email": "web@example.com", "name": "网页用户",
                                                     "role": "institution", "organization_id": world.institution_b.id})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "web@example.com"))
    assert user.organization_id == world.institution_b.id and mails_to(app, "web@example.com")


def test_the_city_page_lists_every_reporting_unit_and_opens_one(app, sign_in, world):
    client = sign_in(world.city)
    page = client.get("/city/districts").get_data(as_text=True)
    assert page.count("尚未开通") == 16 and "临港新片区" in page and "市局机场分局" in page
    response = client.post("/city/districts", data={"district_code": "JC", "email": "jc@example.com", "name": "机场"},
                           follow_redirects=True)
    assert "上海市市场监督管理局机场分局" in response.get_data(as_text=True)
    assert client.get("/city/districts").get_data(as_text=True).count("尚未开通") == 15


def test_only_the_city_has_the_district_accounts_page(sign_in, world):
    assert sign_in(world.district_a).get("/city/districts").status_code == 403


# Sign-ups turned down ----------------------------------------------------------------------

@pytest.fixture
def applicant(create_org, create_user):
    """Staff of an institution in 浦东 (310115) waiting for its district's decision."""
    return create_user("institution", create_org("institution", name="新检测院", district_code="310115", approved=False))


def test_the_district_rejects_with_a_reason_and_the_applicant_is_told(app, api, world, applicant):
    response = api(world.district_a).post(f"/institutions/{applicant.organization_id}/reject",
                                          json={"reason": "CMA 证书已过期，请上传有效证书。"})
    assert response.status_code == 200 and response.get_json()["status"] == "rejected"
    subject, text = mails_to(app, applicant.email)[-1]
    assert subject == "[QI-Share] 机构入驻申请未通过" and "CMA 证书已过期" in text


def test_a_rejection_needs_a_reason(api, world, applicant):
    response = api(world.district_a).post(f"/institutions/{applicant.organization_id}/reject", json={})
    assert response.status_code == 422 and "reason" in response.get_json()["error"]["fields"]


def test_rejecting_a_signup_of_another_district_is_404(api, world, applicant):
    assert api(world.district_b).post(f"/institutions/{applicant.organization_id}/reject",
                                      json={"reason": "x"}).status_code == 404


@pytest.mark.parametrize("first", ["approve", "reject"])
def test_a_decided_signup_cannot_be_decided_again(api, world, applicant, first):
    bureau = api(world.district_a)
    url = f"/institutions/{applicant.organization_id}"
    assert bureau.post(f"{url}/{first}", json={"reason": "资料不全"}).status_code == 200
    assert bureau.post(f"{url}/approve").status_code == 409
    assert bureau.post(f"{url}/reject", json={"reason": "again"}).status_code == 409


def test_the_district_approves_through_the_api(api, world, applicant):
    response = api(world.district_a).post(f"/institutions/{applicant.organization_id}/approve")
    assert response.status_code == 200 and response.get_json()["status"] == "approved"


def test_a_rejected_institution_amends_and_applies_again(app, api, sign_in, world, applicant):
    api(world.district_a).post(f"/institutions/{applicant.organization_id}/reject", json={"reason": "地址不全"})
    client = sign_in(applicant)
    page = client.get("/auth/application").get_data(as_text=True)
    assert "地址不全" in page
    org = applicant.organization
    form = {"organization-name": org.name, "organization-uscc": org.uscc, "organization-district_code": "310115",
            "organization-address": "上海市浦东新区张江路 1 号", "organization-cma_no": org.cma_no,
            "organization-cma_valid_until": "2029-12-31"}
    assert client.post("/auth/application", data=form).status_code == 302
    assert db.session.get(Organization, org.id).application_status == "pending"
    queue = sign_in(world.district_a).get("/district/signups").get_data(as_text=True)
    assert "新检测院" in queue and "张江路" in queue


def test_the_district_rejects_on_the_web(sign_in, world, applicant):
    response = sign_in(world.district_a).post(f"/district/signups/{applicant.organization_id}/reject",
                                              data={"reason": "请补充 CMA 证书"}, follow_redirects=True)
    assert "已退回" in response.get_data(as_text=True)
    assert db.session.get(Organization, applicant.organization_id).rejection_reason == "请补充 CMA 证书"


@pytest.mark.parametrize("path", ["/console/instruments", "/console/bookings/pending", "/console/today",
                                  "/console/orders"])
def test_a_pending_institution_sees_where_its_application_stands(sign_in, applicant, path):
    page = sign_in(applicant).get(path).get_data(as_text=True)
    assert "待审核" in page and "/auth/application" in page


def test_a_pending_institutions_menu_offers_its_application_not_the_console(sign_in, applicant):
    page = sign_in(applicant).get("/").get_data(as_text=True)
    assert 'href="/auth/application"' in page and 'href="/console/instruments"' not in page


# The first administrator ------------------------------------------------------------------

def test_the_first_administrator_is_made_on_the_console(app, now):
    from app.auth.services import authenticate

    result = app.test_cli_runner().invoke(args=["users", "create-admin", "Ops@Example.gov.cn", "--name", "运维"],
                                          input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0 and "administrator ops@example.gov.cn created" in result.output
    assert authenticate("ops@example.gov.cn", PASSWORD, now).role == "admin"


@pytest.mark.parametrize("email, password, says", [("ops@example.gov.cn", "short", "10"),
                                                   ("taken@example.com", PASSWORD, "already has an account")])
def test_the_console_refuses_a_weak_password_or_a_taken_address(app, create_user, email, password, says):
    create_user(email="taken@example.com")
    result = app.test_cli_runner().invoke(args=["users", "create-admin", email], input=f"{password}\n{password}\n")
    assert result.exit_code != 0 and says in result.output
