"""Foundation notifications (like ``blueprints.jobs``): messages to a facility about its records (a referral
rejected, answered, about to expire; later the Kerja Sama reminders), the "Pemberitahuan" page, the top bar's
unread count and the home panel of what waits for the facility to act. E-mail goes out on the background worker
(core.jobs' Huey); WhatsApp is a prepared wa.me link, no API. Modules call ``notify()`` and ``send_pending()``
from ``blueprints.notify`` (never its models)."""

import contextvars
import os

from flask import Blueprint, Flask

from blueprints.core.auth_gate import require_login

from .service import (  # noqa: F401  (the package's interface)
    discard_pending,
    notify,
    open_items,
    resolve,
    send_pending,
    unread_count,
    wa_link,
)

bp = Blueprint("notify", __name__, url_prefix="/pemberitahuan")
bp.before_request(require_login)
_KEY = "sinergi.notify"


def init_app(app: Flask) -> None:
    """SMTP settings (e-mail is off while MAIL_SERVER is empty), the e-mail task on the app's Huey, the top
    bar's count for the templates. Call after ``core.jobs.init_app``."""
    from blueprints.core.jobs import huey_of

    from .models import install_unread_column
    from .service import deliver, unread_for_bar

    for name, default in (
        ("MAIL_SERVER", ""),
        ("MAIL_PORT", "25"),
        ("MAIL_FROM", "sinergi@localhost"),
        ("MAIL_USERNAME", ""),
        ("MAIL_PASSWORD", ""),
        ("MAIL_STARTTLS", ""),
        ("MAIL_TIMEOUT", "10"),
    ):
        app.config.setdefault(name, os.environ.get(name, default))
    app.config["MAIL_PORT"] = int(app.config["MAIL_PORT"] or 25)
    app.config["MAIL_TIMEOUT"] = float(app.config["MAIL_TIMEOUT"] or 10)
    app.config["MAIL_STARTTLS"] = str(app.config["MAIL_STARTTLS"]).lower() in ("1", "true", "yes")

    def _run(notification_id: int) -> None:
        with app.app_context():
            from blueprints.core.extensions import db

            try:
                deliver(notification_id)
            finally:
                db.session.remove()

    @huey_of(app).task(name="sinergi.notify_email")
    def send_email(notification_id: int) -> None:
        # as core.jobs' run_job: no request, no user, a session of its own, also in immediate mode
        contextvars.Context().run(_run, notification_id)

    install_unread_column()
    app.extensions[_KEY] = {"send_email": send_email}
    app.jinja_env.globals["notify_unread"] = unread_for_bar


from . import routes  # noqa: E402,F401
