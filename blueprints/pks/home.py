"""'Perlu perhatian' for Bagian Kerjasama: computed fresh on every request, so nothing depends on the
daily job having run."""

from dataclasses import dataclass
from datetime import date
from itertools import islice

from flask import url_for

from blueprints.core.fmt import tanggal
from blueprints.core.panels import Panel
from blueprints.core.timeutil import today_local

from .access import rules_only
from .models import FINAL_STAGES
from .queries import agreement_rows
from .reminders import all_reminders, work_rows
from .settings import setting
from .target import format_target
from .validity import status_berlaku
from .waiting import menunggu_label, waiting_days

PANEL_ROWS = 12  # rows of the home page panel
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
    """What needs attention among the user's agreements, in two queries: the agreements (``agreement_rows``), then
    the rows the work reminders read and the uncovered scope items (``work_rows``)."""
    agreements, names = agreement_rows(user)
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
    by_id = {a.id: a for a in agreements}
    rows = work_rows(list(by_id), uncovered_of=[a.id for a in agreements if a.jenis == "KSB" and a.is_signed])
    n_days = int(setting("PKS_SCOPE_ITEM_DAYS"))
    uncovered = []
    for ksb_id, items in rows.uncovered.items():
        for item in items:
            since = item.dicatat_pada or by_id[ksb_id].tgl_ttd
            days = (today - since).days if since else 0
            if days >= 0:
                uncovered.append((item, days, days >= n_days))
    uncovered.sort(key=lambda row: row[0].id)
    expired = [
        a for a in agreements if status_berlaku(a, today) == "kedaluwarsa" and a.tahap not in FINAL_STAGES
    ]
    return Attention(all_reminders(agreements, today, rows), waiting, uncovered, expired)


def _reminder_items(att: Attention, overdue: bool):
    for r in att.reminders:
        if r.overdue is overdue and r.kind != "target":
            yield f"{r.judul[:70]}: {r.text}", url_for("pks.detail", agreement_id=r.agreement_id)


def _panel_items(att: Attention):
    """The panel's rows by severity, as (text, url): the overdue reminders, what waits for a signature, the other
    reminders, the uncovered scope items; written only as far as they are read."""
    yield from _reminder_items(att, overdue=True)
    for a, target, who, days in att.waiting_signature:
        text = f"{a.judul[:70]}: menunggu tanda tangan"
        if target:
            text += f", target {target}"
        if who:
            text += f", {who}" + (
                f" sejak {tanggal(a.menunggu_sejak)} ({days} hari)" if days is not None else ""
            )
        yield text, url_for("pks.detail", agreement_id=a.id)
    yield from _reminder_items(att, overdue=False)
    for item, days, _late in att.uncovered:
        yield f"Ruang lingkup KSB tanpa PKS: {item.nama} ({days} hari)", url_for("pks.coverage")


def panels(user) -> list[Panel]:
    if rules_only(user):
        return []
    att = attention(user, today_local())
    shown = list(islice(_panel_items(att), PANEL_ROWS))
    tone = "danger" if att.danger else ("warn" if shown else "")
    more = url_for("pks.attention_part", part="reminders")  # every reminder, page by page
    return [Panel("Kerja sama: perlu perhatian", shown, more_url=more, tone=tone)]
