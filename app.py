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


class Sinergi(Flask):
    def url_for(
        self, /, endpoint: str, *, _anchor=None, _method=None, _scheme=None, _external=None, **values
    ):
        """With PUBLIC_BASE_URL set, an absolute URL is always built on it (core.urls)."""
        from blueprints.core.urls import base_url, external

        base = base_url(self)
        if base and (_external or _scheme):
            return external(self, base, super().url_for, endpoint, values, anchor=_anchor, method=_method)
        return super().url_for(
            endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external, **values
        )


def create_app(test_config: dict | None = None) -> Flask:
    # Nothing this process creates (database, WAL, uploads, exports, backups, the secret key) is readable by
    # other users of the server: folders 0700, files 0600.
    os.umask(0o077)
    app = Sinergi(__name__, instance_relative_config=True, static_folder=None)
    load_config(app, test_config)
    register_private_files(app)
    register_proxies(app)
    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_security(app)
    register_cli(app)
    return app


def load_config(app: Flask, test_config: dict | None) -> None:
    from blueprints.core.uploads import private_dir

    private_dir(app.instance_path)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL")
        or "sqlite:///" + str(Path(app.instance_path) / "sinergi.sqlite"),
        # A database error must not quote the row it failed on (names, NIK) into the log.
        SQLALCHEMY_ENGINE_OPTIONS={"hide_parameters": True},
        SESSION_IDLE_MINUTES=int(os.environ.get("SESSION_IDLE_MINUTES", "30")),  # measured on the server
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        REMEMBER_COOKIE_DURATION=timedelta(seconds=0),
        WTF_CSRF_TIME_LIMIT=None,  # the session's own lifetime bounds the token
        MAX_CONTENT_LENGTH=int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024 + 64 * 1024,
        UPLOAD_DIR=os.environ.get("UPLOAD_DIR") or str(Path(app.instance_path) / "uploads"),
        # Login throttling (core.throttle): failures per (account, address), then a growing delay per account.
        LOGIN_LIMIT_PAIR="5 per 15 minutes",
        LOGIN_LIMIT_ACCOUNT="10 per hour",
        LOGIN_DELAY_FIRST=2,
        LOGIN_DELAY_MAX=60,
        # Counters shared by all workers: the database unless this is a redis:// URL.
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", ""),
        RATELIMIT_HEADERS_ENABLED=False,
        # Proxies in front of the app whose X-Forwarded-For/-Proto are believed (nginx on the same host: 1).
        TRUSTED_PROXIES=int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Where people reach the app (https://sinergi.example.go.id): every absolute link and QR code uses it.
        PUBLIC_BASE_URL=os.environ.get("PUBLIC_BASE_URL", ""),
        COMPRESS_MIMETYPES=[
            "text/html",
            "text/css",
            "application/javascript",
            "text/javascript",
            "image/svg+xml",
            "text/csv",
            "application/json",
        ],
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_LEVEL=6,
        COMPRESS_BR_LEVEL=5,
        COMPRESS_MIN_SIZE=300,
        ARGON2_COST={},  # argon2-cffi defaults (RFC 9106 low-memory profile)
        # Background jobs (core.jobs): Redis when REDIS_URL is set, else a SQLite queue file under instance/.
        REDIS_URL=os.environ.get("REDIS_URL", ""),
        JOBS_QUEUE_FILE=os.environ.get("JOBS_QUEUE_FILE", ""),
        JOBS_IMMEDIATE=False,  # run each job at once in the caller (tests); the worker is `flask jobs worker`
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
            "postgresql://", "postgresql+psycopg://", 1
        )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # PostgreSQL's JIT compiles the plans of the list filters on every request: about 350 ms added to a
        # query that runs in 70 ms without it. The app's queries are short; JIT is off for its connections.
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        connect = dict(options.get("connect_args", {}))
        connect.setdefault("options", "-c jit=off")
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect}


def register_private_files(app: Flask) -> None:
    """instance/, the upload folder and the SQLite file are private to this user, also when they already
    existed with looser modes (created by an older version, or by hand)."""
    from blueprints.core.uploads import private_dir

    if app.config.get("UPLOAD_DIR"):
        private_dir(app.config["UPLOAD_DIR"])
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and ":memory:" not in uri and "mode=memory" not in uri:
        path = Path(uri.removeprefix("sqlite:///").split("?", 1)[0])
        if path.parent.is_dir():
            os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))  # SQLite gives -wal/-shm the same mode
            os.chmod(path, 0o600)


def register_proxies(app: Flask) -> None:
    """Believe X-Forwarded-For and X-Forwarded-Proto only from the configured number of proxies in front (each
    proxy appends one address; the app takes the one its nearest trusted proxy saw). 0: the headers are ignored,
    so nobody can claim another address by sending them."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)


def _instance_secret(app: Flask) -> str:
    """Generated once into instance/ so the key never lives in the repository."""
    path = Path(os.environ.get("SECRET_KEY_FILE") or Path(app.instance_path) / "secret_key")
    if not path.exists():
        from blueprints.core.uploads import write_private

        write_private(path, secrets.token_hex(32).encode())
    return path.read_text().strip()


_SIXTEEN_DIGITS = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")
_THIRTEEN_DIGITS = re.compile(r"(?<!\d)(\d{4})\d{5}(\d{4})(?!\d)")
_QUERY_VALUE = re.compile(r"([?&])([^=&\s\"'#?]{1,40})=([^&\s\"'#]*)")
# Query parameters that never hold a person's data (pages, paper size, output format, a status code); every other
# value in a logged URL (search terms, NIK, JKN number, names, birth dates, next=...) is replaced by '***'.
SAFE_QUERY_KEYS = frozenset(
    {
        "hal",
        "kertas",
        "fmt",
        "format",
        "status",
        "bulan",
        "tahun",
        "jenis",
        "tahap",
        "semua",
        "ragam",
        "slot",
        "urut",
        "daerah",
        "_cascade_regency",
        "_cascade_prefix",
        "_cascade_required",
    }
)


def _mask_query(match: re.Match) -> str:
    sep, key, value = match.groups()
    if not value or key.lower() in SAFE_QUERY_KEYS:
        return match.group(0)
    return f"{sep}{key}=***"


def redact(text: str) -> str:
    """What a log line may keep: '1302015001900001' -> '1302********0001' (NIK, No. KK), a 13-digit JKN number
    -> '0001*****0001', and '/sidilan/?q=Rosmaniar&hal=2' -> '/sidilan/?q=***&hal=2' (query values that may hold
    a name, a number or a birth date, as in werkzeug's and gunicorn's request lines)."""
    text = _SIXTEEN_DIGITS.sub(r"\1********\2", text)
    text = _THIRTEEN_DIGITS.sub(r"\1*****\2", text)
    return _QUERY_VALUE.sub(_mask_query, text) if "=" in text else text


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
    from blueprints.core import audit, jobs, recovery, session, submission, throttle  # noqa: F401  (their tables)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path) / "migrations"), compare_type=True)
    login_manager.init_app(app)
    # The session is bound on the server (core.session); binding it to the address as well would log out a 3G
    # user at every change of mobile address, so a changed address or browser only marks the login as not fresh.
    login_manager.session_protection = "basic"
    login_manager.login_view = "auth.login"
    csrf.init_app(app)
    compress.init_app(app)
    throttle.init_app(app)  # before the limiter: it points Flask-Limiter at the shared counters
    limiter.init_app(app)
    jobs.init_app(app)
    from blueprints import notify

    notify.init_app(app)  # its e-mail task on the jobs' Huey
    with app.app_context():  # the unknown-user hash exists before the first login, so that one costs the same
        from blueprints.auth.passwords import prepare_dummy

        prepare_dummy()


def register_blueprints(app: Flask) -> None:
    from blueprints.auth import bp as auth_bp
    from blueprints.core.assets import bp as assets_bp
    from blueprints.core.modules import install
    from blueprints.home import bp as home_bp
    from blueprints.jobs import bp as jobs_bp
    from blueprints.notify import bp as notify_bp
    from blueprints.registry import MODULES
    from blueprints.wilayah import bp as wilayah_bp

    for bp in (assets_bp, auth_bp, home_bp, jobs_bp, notify_bp, wilayah_bp):
        app.register_blueprint(bp)
    install(app, MODULES)


def register_template_helpers(app: Flask) -> None:
    from blueprints.auth.passwords import RULES_HINT
    from blueprints.core import fmt
    from blueprints.core.assets import asset_url
    from blueprints.core.forms import first_error, form_section
    from blueprints.core.modules import nav_modules
    from blueprints.core.nik import mask_nik
    from blueprints.core.roles import ROLE_LABELS
    from blueprints.core.timeutil import today_local

    app.jinja_env.globals.update(
        asset_url=asset_url,
        first_error=first_error,
        nav_modules=nav_modules,
        ROLE_LABELS=ROLE_LABELS,
        today=today_local,
        rules_hint=RULES_HINT,
        form_section=form_section,
    )
    app.jinja_env.filters.update(
        tanggal=fmt.tanggal, tanggal_jam=fmt.tanggal_jam, angka=fmt.angka, masked=mask_nik
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


# Scripts and styles only from our own fingerprinted files: no inline script, no style attribute, no eval (htmx
# runs without it as long as no template uses hx-on, js: values or trigger filters). data: only for images (the
# empty favicon). Nothing may frame a page, and forms post only here.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
# Features no page of Sinergi uses, switched off for every page and anything it might embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=(), browsing-topics=()"
)


def register_security(app: Flask) -> None:
    from blueprints.auth.models import User
    from blueprints.core.errors import register_error_handlers
    from blueprints.core.recovery import register_recovery
    from blueprints.core.session import register_session_policy

    register_session_policy(app, User)
    register_error_handlers(app)
    register_recovery(app)

    @app.url_value_preprocessor
    def _ids_in_range(endpoint, values):
        """An id in the URL beyond the database's INTEGER range is "not found", never an overflowing query."""
        from blueprints.core.forms import MAX_ID

        if values and any(isinstance(v, int) and not 0 <= v <= MAX_ID for v in values.values()):
            abort(404)

    @app.before_request
    def _unreadable_form():
        """Werkzeug drops a urlencoded body it cannot decode; refuse it rather than act on an empty form."""
        if (
            request.method == "POST"
            and request.mimetype == "application/x-www-form-urlencoded"
            and request.content_length
            and not request.form
        ):
            abort(400)

    hsts = app.config.get("SESSION_COOKIE_SECURE")

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
        if hsts:  # only once the site is known to be served over HTTPS (SESSION_COOKIE_SECURE=1)
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if response.mimetype == "text/html":
            response.vary.add("HX-Request")
        if request.endpoint != "assets.static":
            # pages, fragments, errors, exports and uploaded documents hold personal data: never kept by a
            # browser or a proxy (send_file's "no-cache" still stores a copy)
            response.headers["Cache-Control"] = "no-store"
        return response


def register_cli(app: Flask) -> None:
    from blueprints import demo
    from blueprints.core.cli import register_commands

    register_commands(app)
    demo.register_commands(app)
