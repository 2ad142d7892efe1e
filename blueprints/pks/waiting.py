"""Whose court the ball is in ("menunggu siapa", docs/pks.md §4.1): a partner regency, a named OPD, the DPRD
or the leadership, and what is awaited of them ("menunggu paraf Bagian Hukum Sijunjung"); only a change is logged,
and it restarts the waiting days. A stage move sets the stage's default (settings PKS_MENUNGGU_TAHAP)."""

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
from .models import FINAL_STAGES, MENUNGGU_TETAP, SIGNED_STAGES, Agreement
from .saving import refused, saved, stale_outcome
from .settings import setting


def regency_names() -> dict[int, str]:
    """Regency short names by id, read once per request (several parts of a page name regencies)."""
    if "pks_regency_names" not in g:
        g.pks_regency_names = {r.id: r.short_name for r in db.session.scalars(select(Regency))}
    return g.pks_regency_names


def _awaited(value: str, names: dict[int, str], what: str) -> str:
    """Who is awaited, as the label names them: "Kab. Solok", "OPD Dinas Sosial" ("Dinas Sosial" after what)."""
    if value.startswith("regency:"):
        try:
            return f"Kab. {names[int(value.split(':', 1)[1])]}"
        except (KeyError, ValueError):
            return ""
    if value.startswith("opd:"):
        return value.split(":", 1)[1] if what else f"OPD {value.split(':', 1)[1]}"
    label = MENUNGGU_TETAP.get(value, "")
    return label.removeprefix("menunggu ")


def menunggu_label(a: Agreement, names: dict[int, str]) -> str:
    """ "menunggu Kab. Sijunjung", or with what is awaited "menunggu paraf Bagian Hukum Sijunjung"."""
    what = (a.menunggu_apa or "").strip()
    who = _awaited(a.menunggu or "", names, what)
    if not who:
        return ""
    return f"menunggu {what} {who}" if what else f"menunggu {who}"


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


def _record(
    a: Agreement, value: str, what: str, user, day: date, names: dict[int, str], on_date: date | None = None
) -> bool:
    """Store whose turn it is; only a change is logged, and it restarts the waiting days. ``on_date``: the day
    it happened when recorded later (a stage move or a registration dated in the past)."""
    what = (what or "").strip()[:80] if value else ""
    if value == a.menunggu and what == (a.menunggu_apa or ""):
        return False
    a.menunggu, a.menunggu_apa, a.menunggu_sejak = value, what, day if value else None
    log(a, "menunggu", user, reason=menunggu_label(a, names) or "tidak menunggu", on_date=on_date)
    return True


def set_waiting(
    a: Agreement, choice: str, opd: str, user, today: date, names: dict[int, str], what: str = ""
) -> None:
    """Record whose court the ball is in (set by hand) and what is awaited."""
    if _record(a, waiting_value(choice, opd), what, user, today, names):
        audit.record("update", "pks_agreement", a.id, f"kesepakatan #{a.id}: status menunggu", user=user)


def stage_waiting(a: Agreement, stage: str, names: dict[int, str]) -> tuple[str, str] | None:
    """The default (value, what is awaited) of ``stage`` for ``a`` (PKS_MENUNGGU_TAHAP); ("", "") for a signed
    or final stage, and for a listed stage whose party is not known (no partner recorded yet: the previous
    stage's text would be wrong); None for a stage that keeps what was set. The "mitra" of a PKS whose only
    partner is an outside organisation (a university, a city, the province) is that organisation."""
    if stage in SIGNED_STAGES or stage in FINAL_STAGES:
        return "", ""
    entry = (setting("PKS_MENUNGGU_TAHAP") or {}).get(stage)
    if not entry:
        return None
    who, what = entry
    initiator = a.pemrakarsa_regency_id
    if who == "pemrakarsa":
        value = f"regency:{initiator}" if initiator else ""
    elif who == "mitra":
        value = _partner(a, initiator)
    elif who.startswith("opd:"):
        value = who.replace("{kab}", names.get(initiator, "")).strip()
    else:
        value = who if who in MENUNGGU_TETAP else ""
    return (value, what) if value else ("", "")


def _partner(a: Agreement, initiator: int | None) -> str:
    """The other party, as a stored "menunggu" value: another app regency first, else an outside partner
    ("opd:<its name>"), else "" (no partner recorded yet)."""
    parties = sorted(a.parties, key=lambda p: (p.urutan, p.id or 0))
    others = [p.regency_id for p in parties if p.regency_id and p.regency_id != initiator]
    if others:
        return f"regency:{others[0]}"
    outside = [(p.mitra_nama or "").strip() for p in parties if p.regency_id is None]
    outside = [name for name in outside if name]
    return f"opd:{outside[0]}"[:160] if outside else ""


def follow_stage(a: Agreement, stage: str, user, day: date, today: date | None = None) -> None:
    """A stage move hands the turn to the stage's default (in the caller's transaction, logged; dated ``day``
    when that is not ``today``)."""
    names = regency_names()
    found = stage_waiting(a, stage, names)
    if found is not None:
        on_date = day if today is not None and day != today else None
        _record(a, found[0], found[1], user, day, names, on_date)


def save_waiting(a: Agreement, form, user, today: date, names: dict[int, str]) -> Outcome:
    """The "menunggu siapa" form's use case: on the version it was filled on, then valid."""
    url = url_for("pks.detail", agreement_id=a.id)
    current = dict(zip((form.menunggu.name, form.opd.name), waiting_parts(a), strict=True))
    current[form.apa.name] = a.menunggu_apa
    if stale := stale_outcome(form, a, url=url, current=current):
        return stale
    if not form.validate():
        return refused(form)
    set_waiting(a, form.menunggu.data, form.opd.data, user, today, names, form.apa.data or "")
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
