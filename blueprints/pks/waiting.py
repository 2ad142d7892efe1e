"""Whose court the ball is in ("menunggu siapa", docs/pks.md §4.1): a partner regency, a named OPD, the DPRD
or the leadership; only a change is logged, and it restarts the waiting days."""

from datetime import date

from flask import g, url_for
from sqlalchemy import select

from blueprints.auth.models import Regency
from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome
from blueprints.core.pagination import Page, paginate
from blueprints.core.scope import scoped

from .events import log
from .models import FINAL_STAGES, MENUNGGU_TETAP, Agreement
from .saving import refused, saved, stale_outcome


def regency_names() -> dict[int, str]:
    """Regency short names by id, read once per request (several parts of a page name regencies)."""
    if "pks_regency_names" not in g:
        g.pks_regency_names = {r.id: r.short_name for r in db.session.scalars(select(Regency))}
    return g.pks_regency_names


def menunggu_label(a: Agreement, names: dict[int, str]) -> str:
    value = a.menunggu or ""
    if value.startswith("regency:"):
        try:
            return f"menunggu Kab. {names[int(value.split(':', 1)[1])]}"
        except (KeyError, ValueError):
            return ""
    if value.startswith("opd:"):
        return f"menunggu OPD {value.split(':', 1)[1]}"
    return MENUNGGU_TETAP.get(value, "")


def waiting_label(a: Agreement) -> str:
    """``menunggu_label`` of ``a`` with its parties loaded: the regency it waits on is nearly always a party's,
    named with the parties, so all regency names are read only for another."""
    names = {p.regency_id: p.regency.short_name for p in a.parties if p.regency is not None}
    value = a.menunggu or ""
    if value.startswith("regency:") and value.split(":", 1)[1] not in {str(rid) for rid in names}:
        names = regency_names()
    return menunggu_label(a, names)


def menunggu_choices(names: dict[int, str]) -> list[tuple[str, str]]:
    out = [("", "— tidak ada —")]
    out += [(f"regency:{rid}", f"menunggu Kab. {name}") for rid, name in sorted(names.items())]
    out += list(MENUNGGU_TETAP.items())
    return out


def waiting_value(choice: str, opd: str) -> str:
    """What is stored: a named OPD wins over the chosen option (one of menunggu_choices)."""
    opd = (opd or "").strip()
    return f"opd:{opd}" if opd else (choice or "")


def set_waiting(a: Agreement, choice: str, opd: str, user, today: date, names: dict[int, str]) -> None:
    """Record whose court the ball is in. Only a change is logged, and it restarts the waiting days."""
    value = waiting_value(choice, opd)
    if value == a.menunggu:
        return
    a.menunggu, a.menunggu_sejak = value, today if value else None
    log(a, "menunggu", user, reason=menunggu_label(a, names) or "tidak menunggu")
    audit.record("update", "pks_agreement", a.id, f"kesepakatan #{a.id}: status menunggu", user=user)


def save_waiting(a: Agreement, form, user, today: date, names: dict[int, str]) -> Outcome:
    """The "menunggu siapa" form's use case: on the version it was filled on, then valid."""
    url = url_for("pks.detail", agreement_id=a.id)
    current = dict(zip((form.menunggu.name, form.opd.name), waiting_parts(a), strict=True))
    if stale := stale_outcome(form, a, url=url, current=current):
        return stale
    if not form.validate():
        return refused(form)
    set_waiting(a, form.menunggu.data, form.opd.data, user, today, names)
    return saved(a, url, "Status 'menunggu siapa' disimpan.")


def waiting_parts(a: Agreement) -> tuple[str, str]:
    """What the "menunggu siapa" form shows for the stored value: (option, OPD name)."""
    value = a.menunggu or ""
    return ("", value[4:]) if value.startswith("opd:") else (value, "")


def waiting_days(a: Agreement, today: date) -> int | None:
    since = a.menunggu_sejak if a.menunggu else None
    return (today - since).days if since else None


WAITING_PER_PAGE = 50


def waiting_page(page_arg) -> Page:
    """One page of the user's open agreements that wait on someone, longest waiting first: the page costs the
    same at any number of agreements."""
    stmt = (
        scoped(Agreement)
        .where(Agreement.menunggu != "", Agreement.tahap.notin_(FINAL_STAGES))
        .order_by(Agreement.menunggu_sejak, Agreement.id)
    )
    return paginate(stmt, page_arg, per_page=WAITING_PER_PAGE)
