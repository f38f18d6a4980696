"""Accounts that run themselves: password reset by e-mail, invitations, members, and the accounts that the
administrator and the city open.

Every link that opens an account is an AccountToken e-mailed through the outbox (models/account.py). No
one ever sees another person's link: the administrator resets a password by sending one.
"""
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from models import Organization, User, audit, db
from models.account import AccountToken
from models.errors import Conflict, Forbidden, InvalidToken, InvalidTransition, ValidationError
from models.reference import DISTRICTS
from models.user import ROLE_ORG_KIND, ROLES

from ..auth.passwords import password_problem
from ..auth.services import hash_password
from ..auth.sessions import end_sessions
from ..labels import role_label
from ..notify.services import mail_to, notify

# The role of a person who joins an organisation of each kind by invitation.
MEMBER_ROLE = {"enterprise": "enterprise", "institution": "institution"}
# The bureau of a reporting unit, by name; 市局机场分局 is a branch of the city bureau.
BUREAU_NAMES = {"JC": "上海市市场监督管理局机场分局"}
ACCOUNT_TAKEN = _l("该邮箱已有平台账号，请让对方直接登录（忘记密码可在登录页重设）。")


def _secret():
    return current_app.config["SECRET_KEY"]


def normalized(email):
    return (email or "").strip().lower()


def account_of(email):
    return db.session.scalar(sa.select(User).where(User.email == normalized(email)))


def _refuse_taken(email):
    if account_of(email) is not None:
        raise Conflict(ACCOUNT_TAKEN, fields={"email": ACCOUNT_TAKEN})


def _checked_password(password, email, organization):
    problem = password_problem(password, email, organization.name if organization else "")
    if problem:
        raise ValidationError(fields={"password": problem})
    return hash_password(password)


def _send_link(user, purpose, kind, now, created_by=None, **payload):
    row = AccountToken.issue(purpose, user.email, now, user=user, created_by=created_by)
    mail_to(user.email, user.locale, kind, token_id=row.id, **payload)
    return row


# Password reset ----------------------------------------------------------------------------

def request_password_reset(email, now):
    """A reset link to the address if it has an active account; nothing otherwise. The caller answers the same."""
    user = account_of(email)
    if user is not None and user.active:
        _send_link(user, "password_reset", "password_reset", now)


def send_password_reset(actor, user, now):
    """The administrator sends a reset link; it goes to the user, never to the administrator."""
    if actor is None or not actor.is_admin:
        raise Forbidden(_l("只有平台管理员可以为他人发送重设密码邮件。"))
    if not user.active:
        raise InvalidTransition(_l("该账号已停用，请先启用后再发送重设密码邮件。"))
    _send_link(user, "password_reset", "password_reset", now, created_by=actor)
    audit.record(user, "password_reset_sent", actor=actor, at=now)


def link_for_password(token, now):
    """The open reset or first-password link of `token` (for the page that asks for the new password)."""
    row = AccountToken.redeem(token, _secret(), ("password_reset", "set_password"), now)
    if row.user is None or not row.user.active:
        raise InvalidToken()
    return row


def reset_password(token, password, now):
    """A new password from a link: the link is used up, and every session and API token of the user ends."""
    row = link_for_password(token, now)
    user = row.user
    new_hash = _checked_password(password, user.email, user.organization)
    row.use(now)
    db.session.execute(sa.update(AccountToken).where(
        AccountToken.user_id == user.id, AccountToken.used_at.is_(None)).values(used_at=now)
        .execution_options(synchronize_session=False))  # older links of the same account stop working too
    user.password_hash = new_hash
    end_sessions(user, now)
    audit.record(user, "password_reset", actor=user, at=now)
    return user


# Invitations -----------------------------------------------------------------------------

def invite(actor, email, now):
    """A member of an enterprise or institution invites a colleague: a link that makes an account there."""
    organization = actor.organization
    if actor.role not in MEMBER_ROLE or organization is None:
        raise Forbidden(_l("只有企业和技术机构的成员可以邀请同事。"))
    email = normalized(email)
    _refuse_taken(email)
    row = AccountToken.issue("invitation", email, now, organization=organization, created_by=actor)
    mail_to(email, actor.locale, "invitation", token_id=row.id, inviter=actor.name or actor.email,
            organization=organization.name)
    audit.record(organization, "invited", actor=actor, at=now, details={"email": email})
    return row


def open_invitation(token, now):
    row = AccountToken.redeem(token, _secret(), ("invitation",), now)
    if row.organization is None or row.organization.kind not in MEMBER_ROLE:
        raise InvalidToken()
    return row


def accept_invitation(token, name, password, now):
    """The invited person's account, in the organisation that invited them."""
    row = open_invitation(token, now)
    organization, inviter = row.organization, row.created_by
    _refuse_taken(row.email)
    user = User(email=row.email, name=name, role=MEMBER_ROLE[organization.kind], organization_id=organization.id,
                password_hash=_checked_password(password, row.email, organization),
                locale=inviter.locale if inviter else "zh_CN", created_at=now)
    savepoint = db.session.begin_nested()
    try:
        db.session.add(user)
        db.session.flush()
    except IntegrityError:  # the address got an account a moment ago
        savepoint.rollback()
        raise Conflict(ACCOUNT_TAKEN, fields={"email": ACCOUNT_TAKEN}) from None
    savepoint.commit()
    row.use(now)
    audit.record(user, "joined", actor=user, at=now, details={"invited_by": row.created_by_id})
    if inviter is not None and inviter.active:
        notify(inviter, "member_joined", name=name, email=user.email, organization=organization.name)
    return user


# Members and deactivation ----------------------------------------------------------------

def members(actor):
    if actor.organization_id is None:
        raise Forbidden()
    return db.session.scalars(sa.select(User).where(User.organization_id == actor.organization_id)
                              .order_by(User.active.desc(), User.name, User.id)).all()


def pending_invitations(actor, now):
    return db.session.scalars(sa.select(AccountToken).where(
        AccountToken.purpose == "invitation", AccountToken.organization_id == actor.organization_id,
        AccountToken.used_at.is_(None), AccountToken.expires_at > now).order_by(AccountToken.created_at)).all()


def active_members(organization_id):
    return db.session.scalar(sa.select(sa.func.count(User.id)).where(
        User.organization_id == organization_id, User.active.is_(True)))


def deactivate(actor, user, now):
    """Stop an account (the caller found it in the actor's scope). Colleagues never stop their organisation's
    last active account (the administrator and the city, who open accounts, may); an administrator never stops
    their own."""
    if actor.is_admin and user.id == actor.id:
        raise Forbidden(_l("不能停用自己的管理员账号。"))
    if not user.active:
        raise InvalidTransition(_l("该账号已经停用。"))
    if actor.belongs_to(user.organization_id) and active_members(user.organization_id) <= 1:
        raise Conflict(_l("这是本单位唯一的有效账号，不能停用。"))
    user.active = False
    end_sessions(user, now)
    audit.record(user, "deactivated", actor=actor, at=now, from_state="active", to_state="inactive")


# Accounts the administrator and the city open -------------------------------------------

def bureau_of(district_code, now):
    """The market-regulation bureau of a reporting unit, made when it has none yet."""
    names = {code: name for code, name, _label in DISTRICTS}
    if district_code not in names:
        raise ValidationError(fields={"district_code": _l("请选择一个区（18 个统计单位之一）。")})
    bureau = db.session.scalar(sa.select(Organization).where(
        Organization.kind == "bureau", Organization.district_code == district_code).order_by(Organization.id))
    if bureau is None:
        bureau = Organization(kind="bureau", district_code=district_code, created_at=now,
                              name=BUREAU_NAMES.get(district_code, f"{names[district_code]}市场监督管理局"))
        db.session.add(bureau)
        db.session.flush()
    return bureau


def _organization_for(role, data, now):
    if role == "admin":
        if data.get("organization_id"):
            raise ValidationError(fields={"organization_id": _l("平台管理员不属于任何单位。")})
        return None
    if role == "district" and not data.get("organization_id"):
        return bureau_of(data.get("district_code"), now)
    organization = db.session.get(Organization, data["organization_id"]) if data.get("organization_id") else None
    fits = organization is not None and organization.kind == ROLE_ORG_KIND[role] and (
        role not in ("district", "city") or (organization.district_code is None) == (role == "city"))
    if not fits:
        raise ValidationError(fields={"organization_id": _l("请选择与角色相符的单位（%(role)s）。", role=role_label(role))})
    return organization


def create_user(actor, data, now):
    """An account of any role (the administrator) or of a district bureau (the city), with a set-password e-mail."""
    role = data.get("role")
    if actor is None or not (actor.is_admin or actor.is_city):
        raise Forbidden(_l("只有平台管理员和市局可以开通账号。"))
    if role not in ROLES:
        raise ValidationError(fields={"role": _l("角色应为 %(roles)s 之一。", roles=", ".join(ROLES))})
    if actor.is_city and role != "district":
        raise Forbidden(_l("市局只能为区市场监管局开通账号。"))
    email = normalized(data.get("email"))
    _refuse_taken(email)
    organization = _organization_for(role, data, now)
    user = User(email=email, name=data.get("name") or "", role=role, organization=organization,
                password_hash=hash_password(secrets.token_urlsafe(32)), created_at=now)  # no one knows it
    db.session.add(user)
    db.session.flush()
    _send_link(user, "set_password", "account_created", now, created_by=actor, email=email,
               organization=organization.name if organization else str(role_label(role)))
    audit.record(user, "created", actor=actor, at=now, to_state="active", details={"role": role})
    return user


def district_accounts():
    """Each of the 18 reporting units with its bureau's accounts: [(code, label, [users])]."""
    users = db.session.scalars(sa.select(User).join(Organization, User.organization_id == Organization.id)
                               .where(User.role == "district").order_by(User.email)).all()
    by_code = {}
    for user in users:
        by_code.setdefault(user.district_code, []).append(user)
    return [(code, label, by_code.get(code, [])) for code, _name, label in DISTRICTS]
