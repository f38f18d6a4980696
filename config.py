"""Configuration from the environment. Imports nothing from app/, and only reads: importing it
writes nothing.

With nothing set, QI-Share runs on SQLite under instance/ with a secret key kept in
instance/secret_key, so a fresh clone works without any setup; create_app() makes the folder
and the key (app/__init__.py, use_instance_folder).
"""
import os
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))


def _env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _database_url():
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs name the old driver; we ship psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://"):]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return f"sqlite:///{INSTANCE_DIR / 'qishare.sqlite3'}"


class Config:
    # Production sets it; left empty, create_app() keeps a development key in INSTANCE_DIR/secret_key.
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # SQLite only. FULL: a commit is on disk when it returns (SQLite's default). NORMAL (WAL): a crash of the
    # app loses nothing, a power cut may lose the last commits but never corrupts; each commit skips an fsync,
    # which runs while the write lock is held (docs/PERFORMANCE.md).
    SQLITE_SYNCHRONOUS = os.environ.get("SQLITE_SYNCHRONOUS", "FULL").upper()
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or str(INSTANCE_DIR / "uploads")
    BACKUP_DIR = os.environ.get("BACKUP_DIR") or str(INSTANCE_DIR / "backups")
    INSTANCE_DIR = str(INSTANCE_DIR)  # last: the lines above join paths onto the module's Path
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 25 * 1024 * 1024)
    REPORT_MAX_BYTES = _env_int("REPORT_MAX_BYTES", 20 * 1024 * 1024)
    ATTACHMENT_MAX_BYTES = _env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    IMPORT_MAX_BYTES = _env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
    ICS_MAX_BYTES = _env_int("ICS_MAX_BYTES", 2 * 1024 * 1024)

    # Where links in e-mails and calendar feeds point when no request is at hand.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")
    HOST = os.environ.get("HOST", "127.0.0.1")
    PORT = _env_int("PORT", 5000)

    # Sessions: HttpOnly and SameSite=Lax always; Secure whenever the request came over HTTPS
    # (see app.security.SecureWhenHttpsSessionInterface), or always when forced here.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PROXY_FIX = _env_bool("PROXY_FIX")

    WTF_CSRF_TIME_LIMIT = None

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ("zh_CN", "en")

    # Sign-in limits: failed attempts per e-mail address and per client address, counted in the
    # database so that every worker and machine shares them (app/auth/limits.py).
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "30 per 10 minutes")
    LOGIN_LIMIT_PER_EMAIL = os.environ.get("LOGIN_LIMIT_PER_EMAIL", "5 per 10 minutes")
    # Password-reset requests, counted whether or not the address has an account.
    RESET_LIMIT_PER_EMAIL = os.environ.get("RESET_LIMIT_PER_EMAIL", "3 per hour")
    RESET_LIMIT_PER_ADDRESS = os.environ.get("RESET_LIMIT_PER_ADDRESS", "20 per hour")

    API_TOKEN_DAYS = _env_int("API_TOKEN_DAYS", 30)

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "QI-Share <noreply@qishare.local>")
    MAIL_TIMEOUT = _env_int("MAIL_TIMEOUT", 10)
    MAIL_MAX_ATTEMPTS = _env_int("MAIL_MAX_ATTEMPTS", 8)

    # Scheduler rules.
    NO_SHOW_GRACE_MINUTES = _env_int("NO_SHOW_GRACE_MINUTES", 30)
    CHECKIN_OVERDUE_MINUTES = _env_int("CHECKIN_OVERDUE_MINUTES", 60)
    ORDER_AUTOCOMPLETE_DAYS = _env_int("ORDER_AUTOCOMPLETE_DAYS", 14)
    SCHEDULER_HEARTBEAT_MAX_AGE = _env_int("SCHEDULER_HEARTBEAT_MAX_AGE", 180)
    # No-shows of one enterprise at one institution within 90 days after which its bookings there need approval.
    NO_SHOW_LIMIT = _env_int("NO_SHOW_LIMIT", 3)
    # How long the first in line on a waitlist may claim the time that freed up.
    WAITLIST_OFFER_MINUTES = _env_int("WAITLIST_OFFER_MINUTES", 60)

    DEMO_AUTOLOAD = _env_bool("DEMO_AUTOLOAD", True)

    # Settlement: what one enterprise may receive in innovation vouchers in a year (CNY), and the
    # CJK font file the statements are printed with (empty: the installed fonts-wqy-zenhei).
    VOUCHER_YEARLY_CAP = Decimal(os.environ.get("VOUCHER_YEARLY_CAP") or "300000.00")
    PDF_FONT = os.environ.get("PDF_FONT", "")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    WTF_CSRF_ENABLED = False
    SERVER_NAME = "localhost"
    PUBLIC_BASE_URL = "http://localhost"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    MAIL_SERVER = ""
