from datetime import date

import pytest
import sqlalchemy as sa

from app.auth import services as accounts
from models import Notification, Organization, User, db
from models.errors import Forbidden, Unauthorized, ValidationError
from tests.factories import PASSWORD, valid_uscc


def registration(**overrides):
    data = {"email": "new@sme.cn", "password": "a-long-password", "name": "王五", "phone": "",
            "organization": {"name": "新企业有限公司", "uscc": valid_uscc(), "district_code": "310115",
                             "industry": "C", "size": "small", "address": ""}}
    data.update(overrides)
    return data


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_registering_an_enterprise_creates_its_organisation_and_first_user(now):
    user = accounts.register_enterprise(registration(), now)
    assert user.role == "enterprise"
    assert user.organization.kind == "enterprise" and user.organization.is_sme
    assert user.password_hash.startswith("$argon2id$")


def test_a_taken_email_is_a_field_error_and_nothing_is_created(now, create_user):
    create_user(email="new@sme.cn")
    orgs, users = count(Organization), count(User)
    with pytest.raises(ValidationError) as error:
        accounts.register_enterprise(registration(), now)
    assert "email" in error.value.fields
    assert (count(Organization), count(User)) == (orgs, users)


def test_a_registered_uscc_cannot_register_again(now, create_org):
    org = create_org("enterprise")
    data = registration()
    data["organization"]["uscc"] = org.uscc
    with pytest.raises(ValidationError) as error:
        accounts.register_enterprise(data, now)
    assert "organization.uscc" in error.value.fields


def test_signing_in_with_the_right_password_records_the_time(now, create_user):
    user = create_user(email="a@b.cn")
    assert accounts.authenticate("A@B.cn ", PASSWORD, now) is user
    assert user.last_login_at == now


@pytest.mark.parametrize("email,password", [("a@b.cn", "wrong"), ("nobody@b.cn", PASSWORD)])
def test_wrong_credentials_are_refused_without_saying_which_part_was_wrong(now, create_user, email, password):
    create_user(email="a@b.cn")
    with pytest.raises(Unauthorized) as error:
        accounts.authenticate(email, password, now)
    assert str(error.value.message) == "邮箱或密码不正确。"


def test_a_deactivated_user_cannot_sign_in(now, create_user):
    create_user(email="a@b.cn", active=False)
    with pytest.raises(Unauthorized):
        accounts.authenticate("a@b.cn", PASSWORD, now)


def institution_signup(district="310115"):
    data = registration(email="lab@new.cn")
    data["organization"] = {"name": "新检测院", "uscc": valid_uscc(), "district_code": district,
                            "address": "", "cma_no": "CMA1", "cma_valid_until": date(2028, 1, 1),
                            "cnas_no": "", "description": ""}
    return data


def test_an_institution_signup_waits_for_its_district_and_tells_only_that_district(now, world):
    user = accounts.register_institution(institution_signup("310115"), now)
    assert user.organization.approved is False
    told = db.session.scalars(sa.select(Notification.recipient_id).where(
        Notification.kind == "institution_signup")).all()
    assert told == [world.district_a.id]


def test_the_district_bureau_approves_and_the_institution_is_told(now, world):
    user = accounts.register_institution(institution_signup("310115"), now)
    accounts.approve_institution(world.district_a, user.organization, now)
    assert user.organization.approved
    kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.recipient_id == user.id)).all()
    assert kinds == ["institution_approved"]


@pytest.mark.parametrize("who", ["district_b", "city", "sme_a", "lab_a"])
def test_no_one_but_the_same_district_may_approve(now, world, who):
    user = accounts.register_institution(institution_signup("310115"), now)
    with pytest.raises(Forbidden):
        accounts.approve_institution(getattr(world, who), user.organization, now)
    assert user.organization.approved is False


def test_changing_the_password_needs_the_current_one(create_user, now):
    user = create_user()
    with pytest.raises(ValidationError) as error:
        accounts.change_password(user, "not-it", "violet-harbour-lantern", now)
    assert "current" in error.value.fields
    accounts.change_password(user, PASSWORD, "violet-harbour-lantern", now)
    assert accounts.password_matches(user, "violet-harbour-lantern")
