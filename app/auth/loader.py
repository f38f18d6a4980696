"""Flask-Login: sessions for the web; the API authenticates bearer tokens itself."""
from flask import redirect, request, url_for
from flask_babel import lazy_gettext as _l

from models import User, db
from models.errors import Unauthorized

from ..extensions import login_manager


def configure_login(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录后再继续。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id):
        try:
            user = db.session.get(User, int(user_id))
        except (TypeError, ValueError):
            return None
        return user if user is not None and user.active else None

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/api/"):
            raise Unauthorized()
        from flask import flash

        flash(login_manager.login_message, "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
