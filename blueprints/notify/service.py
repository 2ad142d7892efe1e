"""What modules call: ``notify()`` a facility of something, ``send_pending()`` after the use case's commit (the
e-mails go out on the background worker, never in the request), ``resolve()`` what the facility acted on; and
what the pages read: the unread count, the open items, the WhatsApp link."""

import json
import logging
import re
import smtplib
from email.message import EmailMessage
from urllib.parse import quote

from flask import current_app, has_request_context, url_for
from sqlalchemy import exists, func, insert, select, update

from blueprints.core.extensions import db
from blueprints.core.timeutil import utcnow

from .models import MAIL_FAILED, MAIL_SENT, MAIL_WAITING, UNREAD_CAP, Notification, NotificationRead

_log = logging.getLogger(__name__)
_OUTBOX = "notify_outbox"


def notify(
    organisation_id: int | None,
    kind: str,
    text: str,
    *,
    mail_text: str,
    endpoint: str | None = None,
    args: dict | None = None,
    subject: tuple[str, int] | None = None,
    sticky: bool = False,
    email: str | None = None,
    once_key: str | None = None,
    at=None,
) -> Notification | None:
    """Add a notification for every user of ``organisation_id`` (in the caller's transaction; never commits).
    ``text`` is shown on screen (a patient's name is fine, never a NIK or a diagnosis); ``mail_text`` leaves the
    app by e-mail or WhatsApp (a letter number, no name). ``email``: the facility's address, sent when mail is
    configured. With ``once_key``, a second call with the same key adds nothing (None). ``at``: when it
    happened (now)."""
    if organisation_id is None:
        return None
    if once_key is not None and db.session.scalar(
        select(Notification.id).where(Notification.once_key == once_key)
    ):
        return None
    mail = bool(email and current_app.config.get("MAIL_SERVER"))
    row = Notification(
        organisation_id=organisation_id,
        kind=kind[:30],
        text=text[:300],
        mail_text=mail_text[:300],
        endpoint=endpoint,
        args_json=json.dumps(args or {}, sort_keys=True),
        subject_type=subject[0] if subject else None,
        subject_id=subject[1] if subject else None,
        once_key=once_key,
        sticky=sticky,
        email_to=email[:120] if mail else None,
        email_status=MAIL_WAITING if mail else None,
        created_at=at or utcnow(),
    )
    db.session.add(row)
    if mail:
        db.session.flush()
        db.session.info.setdefault(_OUTBOX, []).append(row.id)
    return row


def send_pending() -> int:
    """Queue the e-mails of the notifications this session added; call it right after the commit."""
    ids = db.session.info.pop(_OUTBOX, [])
    task = current_app.extensions["sinergi.notify"]["send_email"]
    for notification_id in ids:
        task(notification_id)
    return len(ids)


def discard_pending() -> None:
    db.session.info.pop(_OUTBOX, None)


def resolve(subject_type: str, subject_id: int, organisation_id: int) -> int:
    """The facility acted on the subject: its open (sticky) notifications leave "Perlu perhatian"."""
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.organisation_id == organisation_id,
            Notification.subject_type == subject_type,
            Notification.subject_id == subject_id,
            Notification.sticky.is_(True),
            Notification.resolved_at.is_(None),
        )
        .values(resolved_at=utcnow())
    )
    return result.rowcount


# ---- reading ---------------------------------------------------------------------------------------------------


def _unread(user):
    return ~exists().where(
        NotificationRead.notification_id == Notification.id, NotificationRead.user_id == user.id
    )


def unread_count(user) -> int:
    """The user's unread notifications, up to UNREAD_CAP + 1 (one indexed COUNT over a capped walk)."""
    if not getattr(user, "is_authenticated", False) or user.organisation_id is None:
        return 0
    capped = (
        select(Notification.id)
        .where(Notification.organisation_id == user.organisation_id, _unread(user))
        .limit(UNREAD_CAP + 1)
        .subquery()
    )
    return db.session.scalar(select(func.count()).select_from(capped))


def unread_for_bar() -> int:
    """The top bar's count for the current user: loaded with the user (models.install_unread_column)."""
    from flask_login import current_user

    if not has_request_context() or not getattr(current_user, "is_authenticated", False):
        return 0
    return getattr(current_user, "notify_unread", 0) or 0


def listing(user):
    """(Notification, read_at) rows of the user's facility, newest first."""
    read = (
        select(NotificationRead.read_at)
        .where(NotificationRead.notification_id == Notification.id, NotificationRead.user_id == user.id)
        .scalar_subquery()
    )
    return (
        select(Notification, read.label("read_at"))
        .where(Notification.organisation_id == user.organisation_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def open_items(user, first: int = 5) -> tuple[int, list[Notification]]:
    """What waits for the facility to act (rejected, redirected letters): (how many, the oldest ``first``)."""
    if user.organisation_id is None:
        return 0, []
    rows = db.session.execute(
        select(Notification, func.count().over().label("total"))
        .where(
            Notification.organisation_id == user.organisation_id,
            Notification.sticky.is_(True),
            Notification.resolved_at.is_(None),
        )
        .order_by(Notification.created_at, Notification.id)
        .limit(first)
    ).all()
    return (rows[0].total if rows else 0), [r[0] for r in rows]


def unread_news(user, first: int = 5) -> list[Notification]:
    """The newest ``first`` notifications the user has not read, other than a rejected or redirected letter
    (``open_items`` shows those until handled): a letter received, the patient arrived, an answer came."""
    if user.organisation_id is None:
        return []
    return list(
        db.session.scalars(
            select(Notification)
            .where(
                Notification.organisation_id == user.organisation_id,
                _unread(user),
                Notification.sticky.is_(False),
            )
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(first)
        )
    )


def own_or_404(notification_id: int, user) -> Notification:
    from flask import abort

    row = db.session.get(Notification, notification_id)
    if row is None or user.organisation_id is None or row.organisation_id != user.organisation_id:
        abort(404)
    return row


def mark_read(row: Notification, user) -> None:
    if not db.session.get(NotificationRead, (row.id, user.id)):
        db.session.add(NotificationRead(notification_id=row.id, user_id=user.id, read_at=utcnow()))


def mark_all_read(user) -> int:
    if user.organisation_id is None:
        return 0
    ids = list(
        db.session.scalars(
            select(Notification.id).where(Notification.organisation_id == user.organisation_id, _unread(user))
        )
    )
    if ids:
        now = utcnow()
        db.session.execute(
            insert(NotificationRead),
            [{"notification_id": i, "user_id": user.id, "read_at": now} for i in ids],
        )
    return len(ids)


def target_url(row: Notification) -> str | None:
    if not row.endpoint:
        return None
    try:
        return url_for(row.endpoint, **row.args)
    except Exception:  # an endpoint renamed since: the notification stays readable, without its link
        return None


# ---- WhatsApp --------------------------------------------------------------------------------------------------


def wa_number(number: str | None) -> str:
    """'0812-3456 789' -> '628123456789' (wa.me wants the international form, digits only); '' when none."""
    digits = re.sub(r"\D", "", number or "")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits


def wa_link(text: str, number: str | None = None) -> str:
    """A prepared WhatsApp message (no API): ``https://wa.me/<number>?text=...``; without a number WhatsApp
    lets the nurse pick the contact (the kader or the bidan desa)."""
    return f"https://wa.me/{wa_number(number)}?text={quote(text, safe='')}"


def share_text(row: Notification) -> str:
    """What the WhatsApp message says: the outside text (no name, no diagnosis) and where to look."""
    return f"[Sinergi] {row.mail_text}"


# ---- e-mail (the worker) ---------------------------------------------------------------------------------------


def mail_body(row: Notification) -> str:
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    where = f"{base}/pemberitahuan/" if base else "menu Pemberitahuan di Sinergi"
    return (
        f"{row.mail_text}\n\nRinciannya dapat dilihat di {where}.\n\n"
        "Pesan ini dikirim otomatis oleh Sinergi; jangan dibalas."
    )


def deliver(notification_id: int) -> str | None:
    """Send one notification's e-mail (in the worker, in its own app context): terkirim or gagal."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.email_status != MAIL_WAITING or not row.email_to:
        return None
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg.get("MAIL_FROM") or "sinergi@localhost"
    msg["To"] = row.email_to
    msg["Subject"] = "Sinergi: " + row.mail_text[:90]
    msg.set_content(mail_body(row))
    status = MAIL_SENT
    try:
        with smtplib.SMTP(
            cfg["MAIL_SERVER"], int(cfg.get("MAIL_PORT") or 25), timeout=cfg["MAIL_TIMEOUT"]
        ) as s:
            if cfg.get("MAIL_STARTTLS"):
                s.starttls()
            if cfg.get("MAIL_USERNAME"):
                s.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
            s.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:  # the log names the notification, never the address
        _log.error("notification %s: e-mail not sent (%s)", notification_id, type(exc).__name__)
        status = MAIL_FAILED
    db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id)
        .values(email_status=status, emailed_at=utcnow())
    )
    db.session.commit()
    return status
