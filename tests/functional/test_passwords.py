"""New passwords: at least 10 characters and not easy to guess; the message says why."""
import pytest

from app.auth.passwords import password_problem
from tests.factories import valid_uscc


@pytest.mark.parametrize("password,why", [
    ("12345678", "至少需要 10 个字符"),
    ("demo12345", "至少需要 10 个字符"),
    ("password123", "常见密码"),
    ("qwertyuiop", "常见密码"),
    ("aaaaaaaaaaaa", "重复的字符"),
    ("abcdefghijk", "连续的字母"),
    ("boss@new.cn2026", "邮箱或单位名称"),
    ("新企业有限公司12345", "邮箱或单位名称"),
    ("x" * 129, "最多 128 个字符"),
])
def test_weak_passwords_are_refused_with_the_reason(app_ctx, password, why):
    assert why in str(password_problem(password, "boss@new.cn", "新企业有限公司"))


@pytest.mark.parametrize("password", ["violet-harbour-lantern", "Qishare2026!", "a-long-password", "秋天的仪器共享平台2026"])
def test_strong_passwords_are_accepted(app_ctx, password):
    assert password_problem(password, "boss@new.cn", "新企业有限公司") is None


def registration(password):
    return {"email": "boss@new.cn", "password": password,
            "organization": {"name": "新企业有限公司", "uscc": valid_uscc(), "district_code": "310115",
                             "industry": "C", "size": "small"}}


def test_registering_through_the_api_with_a_weak_password_is_422_on_the_password(client):
    response = client.post("/api/v1/auth/register", json=registration("12345678"))
    assert response.status_code == 422
    assert "至少需要 10 个字符" in response.get_json()["error"]["fields"]["password"]


def test_the_reason_is_in_english_when_english_is_chosen(client):
    response = client.post("/api/v1/auth/register", json=registration("password123"),
                           headers={"Accept-Language": "en"})
    assert "common password" in response.get_json()["error"]["fields"]["password"]


def test_registering_on_the_page_with_the_organisation_name_as_password_is_refused(client):
    data = {"email": "boss@new.cn", "password": "新企业有限公司2026", "password_confirm": "新企业有限公司2026",
            "organization-name": "新企业有限公司", "organization-uscc": valid_uscc(),
            "organization-district_code": "310115", "organization-industry": "C", "organization-size": "small"}
    response = client.post("/auth/register", data=data)
    assert response.status_code == 422 and "邮箱或单位名称" in response.get_data(as_text=True)
