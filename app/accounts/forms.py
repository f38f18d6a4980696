"""Forms of the account pages; the API validates its JSON with the same classes."""
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo

from models.reference import DISTRICTS
from models.user import ROLES

from ..auth.forms import district_choices, email_field, password_field
from ..formtools import ChoiceField, IntegerInput, StrictForm, max_length, optional, required, strip
from ..labels import role_label


class EmailForm(StrictForm):
    """A password-reset request and an invitation: one e-mail address."""

    email = email_field


class _NewPassword:
    password_confirm = PasswordField(
        _l("确认密码"), validators=[required, EqualTo("password", message=_l("两次输入的密码不一致。"))])


class ResetConfirmForm(StrictForm):
    """The API's body: {"token", "password"} (the service applies the password rule)."""

    token = StringField(validators=[required, max_length(200)])
    password = PasswordField(_l("新密码"), validators=[required])


class NewPasswordPage(StrictForm, _NewPassword):
    password = password_field


class AcceptInvitationForm(StrictForm):
    """The API's body: {"token", "name", "password"}."""

    token = StringField(validators=[required, max_length(200)])
    name = StringField(_l("姓名"), filters=[strip], validators=[required, max_length(50)])
    password = PasswordField(_l("密码"), validators=[required])


class AcceptInvitationPage(StrictForm, _NewPassword):
    name = StringField(_l("姓名"), filters=[strip], validators=[required, max_length(50)])
    password = password_field


def role_choices():
    return [(role, role_label(role)) for role in ROLES]


class UserForm(StrictForm):
    """A new account: the administrator's (any role) and the city's (district bureaus)."""

    email = email_field
    name = StringField(_l("姓名"), filters=[strip], validators=[optional, max_length(50)])
    role = ChoiceField(_l("角色"), choices=role_choices, validators=[required])
    organization_id = IntegerInput(_l("单位编号"), validators=[optional],
                                   description=_l("区局账号可不填，改选所在区"))
    district_code = ChoiceField(_l("所在区"), choices=district_choices, validators=[optional])


class DistrictAccountForm(StrictForm):
    district_code = ChoiceField(_l("统计单位"), validators=[required],
                                choices=lambda: [(code, label) for code, _name, label in DISTRICTS])
    email = email_field
    name = StringField(_l("姓名"), filters=[strip], validators=[optional, max_length(50)])
