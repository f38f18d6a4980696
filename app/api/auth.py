"""/auth/token, /auth/register, /me."""
from flask import current_app, g, jsonify

from models import db
from models.errors import ValidationError
from models.timeutil import iso_local

from .. import clock
from ..auth import services as accounts
from ..auth.forms import EnterpriseRegistrationForm, LoginForm, PasswordChangeForm
from ..auth.limits import limited_authenticate
from ..auth.loader import current_session
from . import responses
from .base import actor, bp, created, validated
from .declare import operation


def user_json(user):
    org = user.organization
    return {
        "id": user.id, "email": user.email, "name": user.name, "role": user.role,
        "locale": user.locale,
        "organization": None if org is None else {
            "id": org.id, "name": org.name, "kind": org.kind, "district_code": org.district_code,
        },
    }


@bp.post("/auth/token")
@operation("登录取得令牌 · sign in for a bearer token", body=LoginForm, public=True, status=201, response=responses.TOKEN)
def create_token():
    form = validated(LoginForm)
    user = limited_authenticate(form.email.data, form.password.data)
    row, token = accounts.issue_token(user, clock.now(), current_app.config["API_TOKEN_DAYS"])
    db.session.commit()
    return created({"token": token, "expires_at": iso_local(row.expires_at), "user": user_json(user)})


@bp.delete("/auth/token")
@operation("注销当前令牌 · revoke this token", returns="empty")
def revoke_token():
    actor()
    if g.api_token is not None:
        accounts.revoke_token(g.api_token, clock.now())
        db.session.commit()
    return "", 204


@bp.post("/auth/register")
@operation("企业注册 · register an enterprise account", body=EnterpriseRegistrationForm, public=True, status=201)
def register():
    form = validated(EnterpriseRegistrationForm)
    user = accounts.register_enterprise(form.data, clock.now())
    db.session.commit()
    return created(user_json(user))


@bp.get("/me")
@operation("当前用户 · the signed-in user", response=responses.USER)
def me():
    return jsonify(user_json(actor()))


@bp.post("/me/password")
@operation("修改密码 · change the password", body=PasswordChangeForm)
def change_password():
    """A new password; every other session and API token of the caller stops working (not the one calling)."""
    who = actor()
    form = validated(PasswordChangeForm)
    try:
        accounts.change_password(who, form.current.data, form.new.data, clock.now(),
                                 keep=g.api_token or current_session())
    except ValidationError as error:
        if "password" in error.fields:  # the body names it "new"; API.md promises fields.password too
            error.fields["new"] = error.fields["password"]
        raise
    db.session.commit()
    return jsonify(user_json(who))
