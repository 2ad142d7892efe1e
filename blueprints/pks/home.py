"""'Perlu perhatian' for Bagian Kerjasama: computed fresh on every request, so nothing depends on the
daily job having run."""

from dataclasses import dataclass
from datetime import date

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal
from blueprints.core.panels import Panel
from blueprints.core.scope import scoped
from blueprints.core.timeutil import today_local

from .access import rules_only
from .models import FINAL_STAGES, Agreement, ScopeItem, ScopeLink
from .reminders import all_reminders
from .settings import setting
from .target import format_target
from .validity import status_berlaku
from .waiting import menunggu_label, regency_names, waiting_days


def uncovered_items(ksb_ids) -> list[ScopeItem]:
    """Scope items of these KSBs that no live (not cancelled) agreement implements, in one query."""
    if not ksb_ids:
        return []
    live = (
        select(ScopeLink.agreement_id)
        .join(Agreement, Agreement.id == ScopeLink.agreement_id)
        .where(ScopeLink.scope_item_id == ScopeItem.id, Agreement.tahap != "dibatalkan")
    )
    return list(
        db.session.scalars(
            select(ScopeItem)
            .where(ScopeItem.ksb_id.in_(ksb_ids), ~live.exists())
            .options(lazyload(ScopeItem.agreements))  # none live; the page does not list them
            .order_by(ScopeItem.id)
        )
    )


DASHBOARD_ROWS = 10  # rows of each list on the module's home page; "lihat semua" opens the list in full
ATTENTION_PARTS = {  # the lists of Attention, by the name their full page has in its URL
    "waiting_signature": "Menunggu tanda tangan",
    "reminders": "Pengingat",
    "uncovered": "Ruang lingkup KSB tanpa PKS",
    "expired": "Sudah kedaluwarsa",
}


@dataclass(frozen=True)
class Attention:
    reminders: list
    waiting_signature: list  # (agreement, target label, waiting label, days)
    uncovered: list  # (scope item, days without PKS, late)
    expired: list

    @property
    def danger(self) -> bool:
        """Some reminder asks for action at once (the banner; the panel's tone)."""
        return any(r.tone == "danger" for r in self.reminders)


def attention(user, today: date) -> Attention:
    agreements = list(
        db.session.scalars(
            scoped(Agreement, user)
            .options(joinedload(Agreement.children))  # what validity reads; parents are among the rows
            .order_by(Agreement.id)
        ).unique()
    )
    names = regency_names()
    waiting = []
    for a in agreements:
        if a.tahap in ("siap_ttd", "ditunda"):
            waiting.append(
                (
                    a,
                    format_target(a.target_mulai, a.target_selesai, a.target_presisi),
                    menunggu_label(a, names),
                    waiting_days(a, today),
                )
            )
    n_days = int(setting("PKS_SCOPE_ITEM_DAYS"))
    uncovered = []
    for item in uncovered_items([a.id for a in agreements if a.jenis == "KSB" and a.is_signed]):
        since = item.dicatat_pada or item.ksb.tgl_ttd  # the KSB is among the rows: no query
        days = (today - since).days if since else 0
        if days >= 0:
            uncovered.append((item, days, days >= n_days))
    expired = [
        a for a in agreements if status_berlaku(a, today) == "kedaluwarsa" and a.tahap not in FINAL_STAGES
    ]
    return Attention(all_reminders(agreements, today), waiting, uncovered, expired)


def panels(user) -> list[Panel]:
    if rules_only(user):
        return []
    today = today_local()
    att = attention(user, today)
    items = []
    for a, target, who, days in att.waiting_signature:
        text = f"{a.judul[:70]}: menunggu tanda tangan"
        if target:
            text += f", target {target}"
        if who:
            text += f", {who}" + (
                f" sejak {tanggal(a.menunggu_sejak)} ({days} hari)" if days is not None else ""
            )
        items.append((text, url_for("pks.detail", agreement_id=a.id)))
    for r in att.reminders:
        if r.kind != "target":
            items.append((f"{r.judul[:70]}: {r.text}", url_for("pks.detail", agreement_id=r.agreement_id)))
    for item, days, _late in att.uncovered:
        items.append((f"Ruang lingkup KSB tanpa PKS: {item.nama} ({days} hari)", url_for("pks.coverage")))
    tone = "danger" if att.danger else ("warn" if items else "")
    return [Panel("Kerja sama: perlu perhatian", items[:12], more_url=url_for("pks.index"), tone=tone)]
