"""The application factory."""
import logging
import secrets
from pathlib import Path

from flask import Flask

from models import db, rarely_changed


def create_app(config_object="config.Config", **overrides):
    app = Flask(__name__, template_folder="../templates", instance_relative_config=False)
    app.config.from_object(config_object)
    app.config.update(overrides)
    use_instance_folder(app)
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def use_instance_folder(app):
    """With nothing configured, the SQLite file and a development secret key that survives restarts
    live in the instance folder: made here, when an app is built, never when config.py is imported."""
    instance = Path(app.config["INSTANCE_DIR"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _development_secret_key(instance / "secret_key")
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    if database.startswith("sqlite:///") and Path(database.removeprefix("sqlite:///")).parent == instance:
        instance.mkdir(parents=True, exist_ok=True)


def _development_secret_key(path):
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def configure_logging(app):
    from .logs import configure

    configure(app)


def register_extensions(app):
    from . import files, i18n, labels, nav, postgres, security, sqlite
    from .auth.loader import configure_login
    from .extensions import babel, csrf, migrate
    from .stats import changes

    db.init_app(app)
    with app.app_context():
        sqlite.configure_sqlite(db.engine, synchronous=app.config.get("SQLITE_SYNCHRONOUS", "FULL"))
        rarely_changed.watch(db.engine)  # the calendar's per-process copies (models/rarely_changed.py)
        postgres.keep_prepared(db.engine)  # read-only transactions keep psycopg's prepared statements
    sqlite.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                   timezone_selector=lambda: app.config["BABEL_DEFAULT_TIMEZONE"])
    configure_login(app)
    security.init_app(app)
    files.init_app(app)
    i18n.init_app(app)
    nav.init_app(app)
    labels.init_app(app)
    changes.listen()  # every flush that changes a snapshotted day marks it stale (app/stats/changes.py)


def register_blueprints(app):
    from .accounts.views import bp as accounts_bp
    from .admin.views import bp as admin_bp
    from .api import bp as api_bp
    from .api.docs import bp as api_docs_bp
    from .auth.views import bp as auth_bp
    from .booking.series_views import bp as series_bp
    from .booking.views import bp as booking_bp
    from .calendar.views import bp as calendar_bp
    from .catalog.synonym_pages import bp as synonyms_bp
    from .catalog.views import bp as catalog_bp
    from .console import bp as console_bp
    from .main.views import bp as main_bp
    from .notify.views import bp as notify_bp
    from .ops.views import bp as ops_bp
    from .orders.views import bp as orders_bp
    from .orgs.views import bp as orgs_bp
    from .qualifications.views import bp as qualifications_bp
    from .settlement.pages import bp as settlement_bp
    from .stats.views import bp as stats_bp
    from .waitlist.views import bp as waitlist_bp
    from .workdays.views import bp as workdays_bp

    for bp in (main_bp, auth_bp, accounts_bp, notify_bp, orgs_bp, admin_bp, catalog_bp, console_bp, booking_bp,
               series_bp, waitlist_bp, orders_bp, calendar_bp, stats_bp, workdays_bp, api_bp, api_docs_bp, ops_bp,
               qualifications_bp, settlement_bp, synonyms_bp):
        app.register_blueprint(bp)


def register_errorhandlers(app):
    from .errors import register

    register(app)


def register_commands(app):
    from .cli import register

    register(app)


logging.getLogger("apscheduler").setLevel(logging.INFO)
