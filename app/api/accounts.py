"""Accounts: password reset, invitations, members, accounts opened by the administrator and the city, and the
district's decision on an institution's sign-up."""
from flask import jsonify
from flask_babel import lazy_gettext as _l

from models import Organization, User, db
from models.timeutil import iso_local

from .. import clock
from ..accounts import services as accounts
from ..accounts.forms import AcceptInvitationForm, EmailForm, ResetConfirmForm, UserForm
from ..auth import services as signups
from ..auth.limits import limited_password_reset
from ..policy import get_in_scope
from .auth import user_json
from .base import actor, bp, created, json_body, reason_of, validated
from .catalog import institution_json
from .declare import Body, Text, operation
from .strict import Fields


def strict(body, texts=(), ids=()):
    """Refuse what WTForms would quietly turn into text: a number or a list for a text, text for an id (the
    forms then check lengths and formats)."""
    fields = Fields(body)
    for name in texts:
        fields.text(name, 2000)
    for name in ids:
        fields.ident(name, required=False)
    fields.done()
    return body


def member_json(user):
    return dict(user_json(user), active=user.active, phone=user.phone)


@bp.post("/auth/password-reset")
@operation("申请重设密码 · ask for a reset e-mail", body=EmailForm, public=True, status=202)
def request_password_reset():
    """202 whether or not the address has an account; the e-mail holds a link valid one hour."""
    form = validated(EmailForm, strict(json_body(), texts=("email",)))
    limited_password_reset(form.email.data, accounts.request_password_reset)
    db.session.commit()
    return jsonify(message=str(_l("如果该邮箱已注册，重设密码的邮件已发出，请在 1 小时内按邮件中的链接设置新密码。"))), 202


@bp.post("/auth/password-reset/confirm")
@operation("重设密码 · set a new password with the e-mailed token", body=ResetConfirmForm, public=True)
def confirm_password_reset():
    form = validated(ResetConfirmForm, strict(json_body(), texts=("token", "password")))
    user = accounts.reset_password(form.token.data, form.password.data, clock.now())
    db.session.commit()
    return jsonify(user_json(user))


def invitation_json(row):
    return {"id": row.id, "email": row.email, "expires_at": iso_local(row.expires_at),
            "organization": {"id": row.organization_id, "name": row.organization.name}}


@bp.post("/organizations/me/invitations")
@operation("邀请同事 · invite a colleague", body=EmailForm, status=201)
def invite():
    who = actor()
    form = validated(EmailForm, strict(json_body(), texts=("email",)))
    row = accounts.invite(who, form.email.data, clock.now())
    db.session.commit()
    return created(invitation_json(row))


@bp.get("/organizations/me/members")
@operation("本单位成员 · the organisation's members")
def members():
    return jsonify(items=[member_json(user) for user in accounts.members(actor())])


@bp.post("/auth/invitations/accept")
@operation("接受邀请 · accept an invitation", body=AcceptInvitationForm, public=True, status=201)
def accept_invitation():
    form = validated(AcceptInvitationForm, strict(json_body(), texts=("token", "name", "password")))
    user = accounts.accept_invitation(form.token.data, form.name.data, form.password.data, clock.now())
    db.session.commit()
    return created(member_json(user))


@bp.post("/users")
@operation("创建用户 · create a user (admin; city for district users)", body=UserForm, status=201)
def create_user():
    who = actor()
    body = strict(json_body(), texts=("email", "name", "role", "district_code"), ids=("organization_id",))
    form = validated(UserForm, body)
    user = accounts.create_user(who, form.data, clock.now())
    db.session.commit()
    return created(member_json(user))


@bp.post("/users/<user_id>/deactivate")
@operation("停用用户 · deactivate a user")
def deactivate_user(user_id):
    who = actor()
    user = get_in_scope(User, user_id, who)
    accounts.deactivate(who, user, clock.now())
    db.session.commit()
    return jsonify(member_json(user))


@bp.post("/users/<user_id>/password-reset")
@operation("发送重设密码邮件 · send a user a reset e-mail")
def send_password_reset(user_id):
    who = actor()
    user = get_in_scope(User, user_id, who)
    accounts.send_password_reset(who, user, clock.now())
    db.session.commit()
    return jsonify(message=str(_l("重设密码的邮件已发送给 %(email)s。", email=user.email))), 202


def _signup_json(org):
    return dict(institution_json(org), status=org.application_status, rejection_reason=org.rejection_reason or None)


@bp.post("/institutions/<institution_id>/approve")
@operation("批准机构注册 · approve an institution (its district)")
def approve_institution(institution_id):
    who = actor()
    org = get_in_scope(Organization, institution_id, who)
    signups.approve_institution(who, org, clock.now())
    db.session.commit()
    return jsonify(_signup_json(org))


@bp.post("/institutions/<institution_id>/reject")
@operation("驳回机构注册 · reject an institution", body=Body(reason=Text(500)))
def reject_institution(institution_id):
    who = actor()
    org = get_in_scope(Organization, institution_id, who)
    signups.reject_institution(who, org, reason_of(strict(json_body(), texts=("reason",))), clock.now())
    db.session.commit()
    return jsonify(_signup_json(org))
