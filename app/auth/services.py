"""Accounts: passwords, sign-in, sign-up, approval of institutions, API tokens, profiles."""
import contextlib

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from models import ApiToken, Organization, User, audit, db
from models.errors import Forbidden, InvalidTransition, Unauthorized, ValidationError

from ..notify.services import notify, notify_organization
from ..policy import may_approve_institution
from .passwords import password_problem
from .sessions import end_sessions

_hasher = PasswordHasher()  # Argon2id with the library's recommended parameters
# Verifying against this keeps the time of an unknown-address sign-in like a known one.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password):
    return _hasher.hash(password)


def password_matches(user, password):
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


def authenticate(email, password, now):
    """The active user with this e-mail and password, or Unauthorized."""
    user = db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password or "")
        raise Unauthorized(_l("邮箱或密码不正确。"))
    if not password_matches(user, password or "") or not user.active:
        raise Unauthorized(_l("邮箱或密码不正确。"))
    user.last_login_at = now
    return user


def _check_unique(email, uscc):
    fields = {}
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        fields["email"] = _l("该邮箱已注册，请直接登录或使用其他邮箱。")
    if db.session.scalar(sa.select(Organization.id).where(Organization.uscc == uscc)):
        fields["organization.uscc"] = _l("该统一社会信用代码已有单位注册，请联系本单位已有账号的同事或平台管理员。")
    if fields:
        raise ValidationError(fields=fields)


def _create_account(data, org, role, now):
    user = User(email=data["email"], password_hash=hash_password(data["password"]), role=role,
                name=data.get("name") or "", phone=data.get("phone") or "", organization=org,
                locale=data.get("locale") or "zh_CN", created_at=now)
    db.session.add_all([org, user])
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent sign-up took the address or code first
        db.session.rollback()
        raise ValidationError(fields={"email": _l("该邮箱或统一社会信用代码已被注册。")}) from None
    return user


def register_enterprise(data, now):
    """A new SME and its first user. `data` is a validated EnterpriseRegistrationForm's data."""
    details = data["organization"]
    _check_unique(data["email"], details["uscc"])
    org = Organization(
        kind="enterprise", name=details["name"], uscc=details["uscc"],
        district_code=details["district_code"], address=details.get("address") or "",
        industry=details["industry"], size=details["size"], contact_name=data.get("name") or "",
        contact_phone=data.get("phone") or "", contact_email=data["email"], created_at=now,
    )
    user = _create_account(data, org, "enterprise", now)
    audit.record(org, "registered", actor=user, at=now)
    return user


def register_institution(data, now):
    """A technical institution's sign-up; it publishes nothing until its district approves."""
    details = data["organization"]
    _check_unique(data["email"], details["uscc"])
    org = Organization(
        kind="institution", name=details["name"], uscc=details["uscc"],
        district_code=details["district_code"], address=details.get("address") or "",
        cma_no=details["cma_no"], cma_valid_until=details["cma_valid_until"],
        cnas_no=details.get("cnas_no") or None, description=details.get("description") or "",
        contact_name=data.get("name") or "", contact_phone=data.get("phone") or "",
        contact_email=data["email"], approved=False, created_at=now,
    )
    user = _create_account(data, org, "institution", now)
    audit.record(org, "signed_up", actor=user, at=now, to_state="pending")
    _tell_district(org)
    return user


def _tell_district(org):
    bureau_users = db.session.scalars(
        sa.select(User).join(Organization, User.organization_id == Organization.id).where(
            User.role == "district", User.active.is_(True),
            Organization.district_code == org.district_code,
        )
    ).all()
    for bureau_user in bureau_users:
        notify(bureau_user, "institution_signup", organization_id=org.id, name=org.name)


def pending_institutions(actor):
    return db.session.scalars(
        sa.select(Organization).where(
            Organization.kind == "institution", Organization.approved.is_(False),
            Organization.rejected_at.is_(None), Organization.district_code == actor.district_code,
        ).order_by(Organization.created_at)
    ).all()


def _decide_signup(actor, organization):
    if organization.kind == "institution" and organization.application_status != "pending":
        raise InvalidTransition(_l("该机构已通过审核。") if organization.approved
                                else _l("该申请已退回，等待机构修改后重新提交。"))
    if not may_approve_institution(actor, organization):
        raise Forbidden(_l("只有机构所在区的市场监管局可以审核该机构。"))


def approve_institution(actor, organization, now):
    _decide_signup(actor, organization)
    organization.approved = True
    organization.approved_at = now
    audit.record(organization, "approved", actor=actor, at=now, from_state="pending",
                 to_state="approved")
    notify_organization(organization.id, "institution_approved", name=organization.name)


def reject_institution(actor, organization, reason, now):
    """The district turns a sign-up down and says why; the institution may amend it and apply again."""
    _decide_signup(actor, organization)
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise ValidationError(fields={"reason": _l("请说明不予通过的原因（500 字以内），机构将据此修改申请。")})
    organization.rejected_at, organization.rejection_reason = now, reason
    audit.record(organization, "rejected", actor=actor, at=now, from_state="pending", to_state="rejected",
                 reason=reason)
    notify_organization(organization.id, "institution_rejected", name=organization.name, reason=reason)


APPLICATION_FIELDS = ("name", "district_code", "address", "cma_no", "cma_valid_until", "cnas_no", "description")


def reapply(actor, details, now):
    """A rejected institution amends its sign-up (`details`: a validated InstitutionFields' data) and applies
    again: pending once more, and its (possibly new) district is told."""
    organization = actor.organization
    if not actor.is_institution_staff or organization.application_status != "rejected":
        raise InvalidTransition(_l("只有未通过审核的入驻申请可以修改后重新提交。"))
    taken = db.session.scalar(sa.select(Organization.id).where(Organization.uscc == details["uscc"],
                                                               Organization.id != organization.id))
    if taken:
        raise ValidationError(fields={"organization.uscc": _l("该统一社会信用代码已有单位注册。")})
    for name in APPLICATION_FIELDS:
        setattr(organization, name, details.get(name) or ("" if name in ("address", "description") else None))
    organization.uscc, organization.rejected_at = details["uscc"], None
    audit.record(organization, "reapplied", actor=actor, at=now, from_state="rejected", to_state="pending")
    _tell_district(organization)


def issue_token(user, now, days):
    row, token = ApiToken.issue(user, now, days)
    db.session.add(row)
    return row, token


def revoke_token(row, now):
    row.revoked_at = now


def update_profile(user, data):
    user.name = data.get("name") or ""
    user.phone = data.get("phone") or ""
    user.locale = data.get("locale") or user.locale


def change_password(user, current, new, now, keep=None):
    """A new password; every other session and API token of the user stops working (`keep`: the one asking)."""
    if not password_matches(user, current or ""):
        raise ValidationError(fields={"current": _l("当前密码不正确。")})
    problem = password_problem(new, user.email, user.organization.name if user.organization else "")
    if problem:
        raise ValidationError(fields={"password": problem})
    user.password_hash = hash_password(new)
    end_sessions(user, now, keep=keep)
