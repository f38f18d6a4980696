"""Flask-Login: sessions for the web; the API authenticates bearer tokens itself.

The id Flask-Login keeps in the session cookie (and in the remember cookie) is the token of a
server-side UserSession, not the user's id: ending the row ends both cookies for good.
"""
from flask import g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from models import UserSession
from models.errors import Unauthorized

from .. import clock
from ..extensions import login_manager
from .sessions import begin_session


def configure_login(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录后再继续。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token):
        row = UserSession.find_valid(token) if isinstance(token, str) else None
        g.user_session = row
        return row.user if row is not None else None

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/api/"):
            raise Unauthorized()
        from flask import flash

        flash(login_manager.login_message, "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def sign_in_browser(user, remember=False):
    """Start a server-side session for `user` and put its token in the cookies (the caller commits)."""
    token = begin_session(user, clock.now())
    login_user(user, remember=remember)
    session["_user_id"] = token


def current_session():
    """The UserSession of the signed-in browser, or None."""
    return g.get("user_session") if current_user.is_authenticated else None
