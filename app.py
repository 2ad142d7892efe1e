"""Sinergi: one web app for Dinas Sosial, health facilities and Bagian Kerjasama of Kab. Solok and Kab. Sijunjung."""
import logging
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, abort, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from blueprints.core.extensions import compress, csrf, db, limiter, login_manager, migrate

MODULE_BLUEPRINTS = ("sidilan", "pks", "rujukan")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    load_config(app, test_config)
    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_security(app)
    register_cli(app)
    return app


def load_config(app: Flask, test_config: dict | None) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    idle = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL")
        or "sqlite:///" + str(Path(app.instance_path) / "sinergi.sqlite"),
        # A database error must not quote the row it failed on (names, NIK) into the log.
        SQLALCHEMY_ENGINE_OPTIONS={"hide_parameters": True},
        SESSION_IDLE_MINUTES=idle,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=idle),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        REMEMBER_COOKIE_DURATION=timedelta(seconds=0),
        WTF_CSRF_TIME_LIMIT=None,  # the session's own lifetime bounds the token
        MAX_CONTENT_LENGTH=int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024 + 64 * 1024,
        UPLOAD_DIR=os.environ.get("UPLOAD_DIR") or str(Path(app.instance_path) / "uploads"),
        LOGIN_LIMIT_ACCOUNT="5 per 15 minutes",
        LOGIN_LIMIT_ADDRESS="30 per 15 minutes",
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        RATELIMIT_HEADERS_ENABLED=False,
        COMPRESS_MIMETYPES=["text/html", "text/css", "application/javascript", "text/javascript",
                            "image/svg+xml", "text/csv", "application/json"],
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_LEVEL=6,
        COMPRESS_BR_LEVEL=5,
        COMPRESS_MIN_SIZE=300,
        ARGON2_COST={},  # argon2-cffi defaults (RFC 9106 low-memory profile)
    )
    if test_config is None:
        # Module settings (RUJUKAN_VALIDITY_DAYS, PKS_REMINDER_LADDER, ...): instance/config.py, then
        # environment variables prefixed SINERGI_ (values parsed as JSON: SINERGI_RUJUKAN_VALIDITY_DAYS=60).
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("SINERGI")
        app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or _instance_secret(app)
    else:
        app.config.update(test_config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql://"):
        # psycopg 3 is the driver we ship; accept the plain URL people paste.
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"].replace(
            "postgresql://", "postgresql+psycopg://", 1)


def _instance_secret(app: Flask) -> str:
    """Generated once into instance/ so the key never lives in the repository."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


_SIXTEEN_DIGITS = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")


def redact(text: str) -> str:
    """'1302015001900001' -> '1302********0001': a NIK or No. KK never reaches a log line."""
    return _SIXTEEN_DIGITS.sub(r"\1********\2", text)


def register_logging(app: Flask) -> None:
    """Redact at record creation, once per process, so every logger (app, blueprints.*, werkzeug, libraries)
    and every handler, including Python's last-resort stderr handler, only ever sees masked numbers."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "redacts", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call still gets logged, unredacted args are dropped below
            message = str(record.msg)
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info:  # a traceback can quote the offending value
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    factory.redacts = True
    logging.setLogRecordFactory(factory)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL, full sync and enforced foreign keys for the single-office SQLite deployment."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def register_extensions(app: Flask) -> None:
    from blueprints.core import audit, submission  # noqa: F401  (their tables)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path) / "migrations"), compare_type=True)
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.login"
    csrf.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)


def register_blueprints(app: Flask) -> None:
    from importlib import import_module

    from blueprints.admin import bp as admin_bp
    from blueprints.auth import bp as auth_bp
    from blueprints.core.assets import bp as assets_bp
    from blueprints.home import bp as home_bp
    from blueprints.wilayah import bp as wilayah_bp

    for bp in (assets_bp, auth_bp, home_bp, admin_bp, wilayah_bp):
        app.register_blueprint(bp)
    for name in MODULE_BLUEPRINTS:
        app.register_blueprint(import_module(f"blueprints.{name}").bp)


def register_template_helpers(app: Flask) -> None:
    from blueprints.core import fmt
    from blueprints.core.assets import asset_url
    from blueprints.core.nik import mask_nik
    from blueprints.core.roles import ROLE_LABELS, nav_modules
    from blueprints.core.timeutil import today_local

    app.jinja_env.globals.update(asset_url=asset_url, nav_modules=nav_modules, ROLE_LABELS=ROLE_LABELS,
                                 today=today_local)
    app.jinja_env.filters.update(tanggal=fmt.tanggal, tanggal_jam=fmt.tanggal_jam, angka=fmt.angka, masked=mask_nik)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def register_security(app: Flask) -> None:
    from blueprints.core.errors import register_error_handlers
    from blueprints.core.session import register_session_policy

    register_session_policy(app)
    register_error_handlers(app)

    @app.url_value_preprocessor
    def _ids_in_range(endpoint, values):
        """An id in the URL beyond the database's INTEGER range is "not found", never an overflowing query."""
        from blueprints.core.forms import MAX_ID

        if values and any(isinstance(v, int) and not 0 <= v <= MAX_ID for v in values.values()):
            abort(404)

    @app.before_request
    def _unreadable_form():
        """Werkzeug drops a urlencoded body it cannot decode; refuse it rather than act on an empty form."""
        if (request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded"
                and request.content_length and not request.form):
            abort(400)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.vary.add("HX-Request")
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def register_cli(app: Flask) -> None:
    from blueprints.core.cli import register_commands

    register_commands(app)
