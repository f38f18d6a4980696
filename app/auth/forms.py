"""Sign-in, registration and profile forms. The API validates JSON with the same classes."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FormField,
    HiddenField,
    PasswordField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import EqualTo

from models.reference import DISTRICTS, ENTERPRISE_SIZES, INDUSTRIES, SIZE_ALIASES
from models.uscc import normalize_uscc, uscc_error

from ..formtools import (
    ChoiceField,
    EmailAddress,
    StrictForm,
    StrictSubform,
    max_length,
    optional,
    required,
    strip,
)
from .passwords import password_problem


def _lower(value):
    return value.strip().lower() if isinstance(value, str) else value


def _size_code(value):
    value = strip(value)
    return SIZE_ALIASES.get(value, value)


def valid_uscc(form, field):
    message = uscc_error(field.data or "")
    if message:
        raise ValidationError(message)


def district_choices():
    return [("", _l("请选择所在区"))] + [(code, label) for code, _name, label in DISTRICTS]


def industry_choices():
    return [("", _l("请选择行业"))] + [(code, f"{code} {label}") for code, label in INDUSTRIES]


email_field = EmailField(
    _l("电子邮箱"), filters=[_lower],
    validators=[required, max_length(254), EmailAddress()],
)
password_field = PasswordField(_l("密码"), validators=[required],
                               description=_l("至少 10 位；不要用常见密码、日期、邮箱或单位名称"))


class LoginForm(StrictForm):
    email = EmailField(_l("电子邮箱"), filters=[_lower], validators=[required])
    password = PasswordField(_l("密码"), validators=[required])
    remember = BooleanField(_l("记住我"))
    next = HiddenField()


class OrganizationFields(StrictSubform):
    """The organisation part of a sign-up (a plain Form: the outer form holds the CSRF token)."""

    name = StringField(_l("单位名称"), filters=[strip], validators=[required, max_length(200)])
    uscc = StringField(_l("统一社会信用代码"), filters=[normalize_uscc], validators=[required, valid_uscc],
                       description=_l("18位，见营业执照或事业单位法人证书"))
    district_code = ChoiceField(_l("所在区"), choices=district_choices, validators=[required])
    address = StringField(_l("地址"), filters=[strip], validators=[optional, max_length(200)])


class EnterpriseFields(OrganizationFields):
    industry = ChoiceField(_l("所属行业"), validators=[required], choices=industry_choices)
    size = ChoiceField(_l("企业规模"), filters=[_size_code], validators=[required],
                       choices=[("", _l("请选择规模"))] + ENTERPRISE_SIZES)


class InstitutionFields(OrganizationFields):
    cma_no = StringField(_l("CMA 资质认定证书编号"), filters=[strip], validators=[required, max_length(50)])
    cma_valid_until = DateField(_l("CMA 证书有效期至"), validators=[required],
                                format=["%Y-%m-%d"])
    cnas_no = StringField(_l("CNAS 认可证书编号（选填）"), filters=[strip], validators=[optional, max_length(50)])
    description = TextAreaField(_l("机构简介"), filters=[strip], validators=[optional, max_length(1000)])


class _Account(StrictForm):
    email = email_field
    password = password_field
    name = StringField(_l("联系人姓名"), filters=[strip], validators=[optional, max_length(50)])
    phone = StringField(_l("联系电话"), filters=[strip], validators=[optional, max_length(30)])

    def validate_password(self, field):
        problem = password_problem(field.data, self.email.data, self.organization.form.name.data)
        if problem:
            raise ValidationError(problem)


class EnterpriseRegistrationForm(_Account):
    organization = FormField(EnterpriseFields, label=_l("企业信息"))


class InstitutionSignupForm(_Account):
    organization = FormField(InstitutionFields, label=_l("机构信息"))


class _Confirmed:
    password_confirm = PasswordField(
        _l("确认密码"), validators=[required, EqualTo("password", message=_l("两次输入的密码不一致。"))]
    )


class EnterpriseRegistrationPage(EnterpriseRegistrationForm, _Confirmed):
    """The web page asks for the password twice; the API does not."""


class InstitutionSignupPage(InstitutionSignupForm, _Confirmed):
    pass


class ProfileForm(StrictForm):
    name = StringField(_l("姓名"), filters=[strip], validators=[optional, max_length(50)])
    phone = StringField(_l("联系电话"), filters=[strip], validators=[optional, max_length(30)])
    locale = ChoiceField(_l("界面语言"), choices=[("zh_CN", "简体中文", {"lang": "zh-CN"}), ("en", "English", {"lang": "en"})])


class PasswordChangeForm(StrictForm):
    """The API's body: {"current", "new"} (the service applies the password rule)."""

    current = PasswordField(_l("当前密码"), validators=[required])
    new = PasswordField(_l("新密码"), validators=[required])


class PasswordForm(StrictForm):
    current = PasswordField(_l("当前密码"), validators=[required])
    password = password_field
    password_confirm = PasswordField(
        _l("确认新密码"), validators=[required, EqualTo("password", message=_l("两次输入的密码不一致。"))]
    )
