"""Account pages: forgotten password, invitations, colleagues, an institution's application, district accounts."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import User, db
from models.errors import Conflict, DomainError, InvalidToken, RateLimited, ValidationError

from .. import clock
from ..auth import services as signups
from ..auth.forms import InstitutionFields
from ..auth.limits import limited_password_reset
from ..auth.loader import sign_in_browser
from ..policy import get_in_scope, require_role
from ..web import flash_error, show_errors
from . import services
from .forms import AcceptInvitationPage, DistrictAccountForm, EmailForm, NewPasswordPage

bp = Blueprint("accounts", __name__)


@bp.route("/auth/password-reset", methods=["GET", "POST"])
def forgot_password():
    form = EmailForm()
    if not form.validate_on_submit():
        return render_template("accounts/forgot.html", form=form), 422 if form.is_submitted() else 200
    try:
        limited_password_reset(form.email.data, services.request_password_reset)
    except RateLimited as error:
        form.email.errors = [error.message]
        return render_template("accounts/forgot.html", form=form), 429, error.headers
    db.session.commit()
    return render_template("accounts/forgot.html", form=form, sent_to=form.email.data)


def _link_gone(error):
    return render_template("accounts/link_gone.html", message=error.message), error.status


@bp.route("/auth/password-reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        link = services.link_for_password(token, clock.now())
    except InvalidToken as error:
        return _link_gone(error)
    form = NewPasswordPage()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data, clock.now())
        except InvalidToken as error:
            return _link_gone(error)
        except ValidationError as error:
            show_errors(form, error)
        else:
            sign_in_browser(user)
            db.session.commit()
            flash(_("新密码已设置，您已登录。此前在其他设备上的登录和 API 令牌均已失效。"), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/new_password.html", form=form, link=link), 422 if form.errors else 200


@bp.route("/auth/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    try:
        invitation = services.open_invitation(token, clock.now())
    except InvalidToken as error:
        return _link_gone(error)
    form = AcceptInvitationPage()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.name.data, form.password.data, clock.now())
        except (InvalidToken, Conflict) as error:
            return _link_gone(error)
        except ValidationError as error:
            show_errors(form, error)
        else:
            sign_in_browser(user)
            db.session.commit()
            flash(_("欢迎加入“%(org)s”。", org=user.organization.name), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/accept.html", form=form, invitation=invitation), 422 if form.errors else 200


@bp.get("/organization/members")
@login_required
def members():
    require_role(current_user, "enterprise", "institution")
    return render_template("accounts/members.html", members=services.members(current_user),
                           invitations=services.pending_invitations(current_user, clock.now()),
                           form=EmailForm(formdata=None))


@bp.post("/organization/invitations")
@login_required
def invite():
    form = EmailForm()
    try:
        if not form.validate():
            raise ValidationError(fields={"email": form.email.errors[0]})
        row = services.invite(current_user, form.email.data, clock.now())
    except DomainError as error:
        db.session.rollback()
        flash_error(error)
    else:
        db.session.commit()
        flash(_("邀请已发送至 %(email)s，链接 7 天内有效。", email=row.email), "success")
    return redirect(url_for(".members"))


@bp.post("/organization/members/<int:user_id>/deactivate")
@login_required
def deactivate(user_id):
    user = get_in_scope(User, user_id, current_user)
    try:
        services.deactivate(current_user, user, clock.now())
    except DomainError as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for(".members"))
    db.session.commit()
    flash(_("已停用 %(who)s 的账号，其登录已全部退出。", who=user.name or user.email), "success")
    return redirect(url_for(".members") if current_user.active else url_for("main.index"))


@bp.route("/auth/application", methods=["GET", "POST"])
@login_required
def application():
    """An institution's sign-up as its staff see it: waiting, or turned down with the reason and a form to
    amend it and apply again."""
    organization = current_user.organization
    if not current_user.is_institution_staff or organization.approved:
        return redirect(url_for("main.index"))
    form = InstitutionFields(request.form if request.method == "POST" else None, obj=organization,
                             prefix="organization")
    if request.method == "POST" and form.validate():
        try:
            signups.reapply(current_user, form.data, clock.now())
        except ValidationError as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            db.session.commit()
            flash(_("申请已重新提交，所在区市场监管局审核后会通知您。"), "success")
            return redirect(url_for(".application"))
    return render_template("accounts/application.html", org=organization, form=form), 422 if form.errors else 200


@bp.route("/city/districts", methods=["GET", "POST"])
@login_required
def district_accounts():
    """The city opens accounts for the bureaus of the 18 reporting units."""
    require_role(current_user, "city")
    form = DistrictAccountForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(current_user, dict(form.data, role="district"), clock.now())
        except DomainError as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            db.session.commit()
            flash(_("已为 %(org)s 开通账号 %(email)s，设置密码的邮件已发出。", org=user.organization.name,
                    email=user.email), "success")
            return redirect(url_for(".district_accounts"))
    return render_template("accounts/districts.html", form=form, units=services.district_accounts()), \
        422 if form.errors else 200
