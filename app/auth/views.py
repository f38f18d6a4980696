"""Sign-in, sign-up, profile and language choice."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from models import db
from models.errors import RateLimited, Unauthorized, ValidationError

from .. import clock
from ..qualifications import services as qualifications
from ..web import redirect_back, safe_target, show_errors
from . import services
from .forms import EnterpriseRegistrationPage, InstitutionSignupPage, LoginForm, PasswordForm, ProfileForm
from .limits import limited_authenticate
from .loader import current_session, sign_in_browser
from .sessions import end_session

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if form.is_submitted() else 200
    try:
        user = limited_authenticate(form.email.data, form.password.data)
    except (Unauthorized, RateLimited) as error:
        form.password.errors = [error.message]
        return render_template("auth/login.html", form=form), error.status, getattr(error, "headers", {})
    sign_in_browser(user, remember=form.remember.data)
    db.session.commit()
    session["lang"] = user.locale
    return redirect(safe_target(form.next.data, "main.index"))


@bp.post("/logout")
def logout():
    end_session(current_session(), clock.now())
    db.session.commit()
    logout_user()
    session.pop("lang", None)
    flash(_("您已安全退出。"), "success")
    return redirect(url_for("main.index"))


def _sign_up(form, register, template, welcome):
    if not form.validate_on_submit():
        return render_template(template, form=form), 422 if form.is_submitted() else 200
    try:
        user = register(form.data, clock.now())
    except ValidationError as error:
        show_errors(form, error)
        return render_template(template, form=form), 422
    sign_in_browser(user)
    db.session.commit()
    flash(welcome, "success")
    return redirect(url_for("main.index"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    return _sign_up(EnterpriseRegistrationPage(), services.register_enterprise, "auth/register.html",
                    _("注册成功，欢迎使用质量基础设施仪器共享平台。"))


@bp.route("/register/institution", methods=["GET", "POST"])
def register_institution():
    return _sign_up(InstitutionSignupPage(), services.register_institution,
                    "auth/register_institution.html",
                    _("提交成功。所在区市场监管局审核通过后，您即可发布共享仪器。"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(current_user, form.data)
        db.session.commit()
        session["lang"] = current_user.locale
        flash(_("个人资料已保存。"), "success")
        return redirect(url_for(".profile"))
    return render_template("auth/profile.html", form=form, password_form=PasswordForm(formdata=None),
                           qualifications=qualifications.of_user(current_user), now=clock.now())


@bp.post("/password")
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data, clock.now(),
                                     keep=current_session())
        except ValidationError as error:
            show_errors(form, error)
        else:
            db.session.commit()
            flash(_("密码已修改。您在其他设备上的登录和 API 令牌均已失效。"), "success")
            return redirect(url_for(".profile"))
    return render_template("auth/profile.html", form=ProfileForm(obj=current_user),
                           password_form=form), 422


@bp.post("/language")
def language():
    code = request.form.get("lang", "")
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        session.permanent = True
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect_back(request.form.get("next"))
