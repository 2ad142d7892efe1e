"""Indonesian error pages, as page or as fragment, for every status a user can meet."""

import logging

from flask import Flask
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db
from .render import render

log = logging.getLogger(__name__)

MESSAGES = {
    400: (
        "Permintaan tidak dapat diproses",
        "Data yang dikirim tidak lengkap atau tidak sah. Muat ulang halaman lalu coba lagi.",
    ),
    403: ("Akses ditolak", "Anda tidak memiliki hak untuk tindakan ini."),
    404: ("Halaman tidak ditemukan", "Alamat yang Anda buka tidak ada atau tidak tersedia untuk akun Anda."),
    405: ("Cara akses tidak didukung", "Tindakan ini tidak dapat dilakukan dengan cara tersebut."),
    409: (
        "Data sudah berubah",
        "Data ini telah diubah oleh pengguna lain atau bertentangan dengan data yang ada. Muat ulang lalu periksa kembali.",
    ),
    413: ("Berkas terlalu besar", "Ukuran berkas atau data yang dikirim melebihi batas yang diizinkan."),
    429: (
        "Terlalu banyak percobaan",
        "Terlalu banyak percobaan dalam waktu singkat. Tunggu beberapa menit lalu coba lagi.",
    ),
    500: (
        "Terjadi kesalahan pada sistem",
        "Maaf, terjadi kesalahan. Kejadian ini sudah dicatat; silakan coba lagi nanti.",
    ),
}


def error_response(code: int, message: str | None = None):
    title, default = MESSAGES.get(code, MESSAGES[500])
    return render(
        "errors/error.html",
        "errors/_error.html",
        status=code,
        code=code,
        title=title,
        message=message or default,
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(e):
        from flask import flash, session

        from . import recovery
        from .auth_gate import login_redirect
        from .session import IDLE_MESSAGE

        if getattr(session, "ended", None) == "idle":
            # the token died with a session that timed out: the typed form is kept, the clerk logs in again
            session.ended = None
            flash(IDLE_MESSAGE, "info")
            if recovery.keep(session.expired_user_id):
                flash(recovery.KEPT_NOTE, "info")
            return login_redirect()
        return error_response(
            400,
            "Formulir kedaluwarsa atau tidak sah (token keamanan hilang). "
            "Muat ulang halaman lalu kirim kembali.",
        )

    @app.errorhandler(StaleDataError)
    def _stale(e):
        # two saves of one record raced past the version check: the later one is refused, nothing is overwritten
        db.session.rollback()
        return error_response(409)

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        if e.code in MESSAGES:
            desc = e.description if isinstance(e.description, str) else ""
            # Our own Indonesian texts (abort(409, "…"), limiter messages) are shown; library defaults are not.
            custom = desc if desc.startswith(("Terlalu", "Data ", "Berkas ", "Status ")) else None
            return error_response(e.code, custom)
        return e

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        if isinstance(e, HTTPException):
            return _http(e)
        log.exception("unhandled error")  # traceback only; no request data is logged
        db.session.rollback()  # the page itself reads the session (current user); a failed flush must not break it
        return error_response(500)

    app.register_error_handler(InternalServerError, lambda e: error_response(500))
