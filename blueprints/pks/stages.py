"""Stage machines (docs/pks.md §6.1-6.2): which move is allowed, and making it.

Functions take ``today`` explicitly so tests and the daily job decide the date; they add and flush, the
caller commits.
"""

from dataclasses import dataclass
from datetime import date

from flask import url_for
from sqlalchemy import func, select

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal
from blueprints.core.forms import CONTROL_CHARS
from blueprints.core.outcome import Outcome
from blueprints.core.scope import scoped

from .checks import dprd_errors, rule_warnings
from .events import log
from .models import FINAL_STAGES, SIGNED_STAGES, TAHAP, Agreement
from .proposals import needs_other_side, propose
from .saving import refused, saved, stale_outcome
from .settings import setting
from .validity import effective_end
from .waiting import follow_stage

KSB_FLOW = {
    "identifikasi": ["persiapan"],
    "persiapan": ["penawaran"],
    "penawaran": ["penyusunan"],
    "penyusunan": ["dprd", "siap_ttd"],
    "dprd": ["siap_ttd"],
    "siap_ttd": ["ditandatangani", "ditunda", "penyusunan"],
    "ditunda": ["siap_ttd"],
    "ditandatangani": ["berakhir"],
    "berakhir": [],
    "dibatalkan": [],
}
PKS_FLOW = {
    "diusulkan": ["penyusunan"],
    "penyusunan": ["review_hukum", "dprd", "surat_kuasa", "siap_ttd"],
    "review_hukum": ["penyusunan", "dprd", "surat_kuasa", "siap_ttd"],
    "dprd": ["surat_kuasa", "siap_ttd"],
    "surat_kuasa": ["siap_ttd"],
    "siap_ttd": ["ditandatangani", "ditunda", "penyusunan", "review_hukum"],
    "ditunda": ["siap_ttd"],
    "ditandatangani": ["pelaksanaan", "berakhir"],
    "pelaksanaan": ["pelaporan", "evaluasi", "berakhir"],
    "pelaporan": ["pelaksanaan", "evaluasi", "berakhir"],
    "evaluasi": ["pelaksanaan", "pelaporan", "berakhir"],
    "berakhir": [],
    "dibatalkan": [],
}
FIRST_STAGE = {
    "KSB": "identifikasi",
    "PKS": "diusulkan",
    "ADENDUM": "penyusunan",
    "PERPANJANGAN": "penyusunan",
}
NEEDS_REASON = {"dibatalkan", "ditunda", "berakhir"}
# A way back to drafting: the text goes back to work, so the clerk says why.
BACK_FROM = {"siap_ttd"}


def needs_reason(a: Agreement, to: str) -> bool:
    """A cancel, postponement or end, and every move from "Siap tanda tangan" back to drafting or review."""
    return to in NEEDS_REASON or (a.tahap in BACK_FROM and to in ("penyusunan", "review_hukum"))


def flow_for(jenis: str) -> dict[str, list[str]]:
    """KSB has its own machine; PKS, adendum and perpanjangan share the PKS one."""
    return KSB_FLOW if jenis == "KSB" else PKS_FLOW


def stage_order(jenis: str) -> list[str]:
    return [s for s in flow_for(jenis) if s != "dibatalkan"] + ["dibatalkan"]


def next_stages(a: Agreement) -> list[str]:
    nxt = list(flow_for(a.jenis).get(a.tahap, []))
    if a.tahap not in SIGNED_STAGES and a.tahap not in FINAL_STAGES:
        nxt.append("dibatalkan")
    return nxt


def move_errors(a: Agreement, to: str, reason: str = "") -> list[str]:
    """Why the machine refuses moving ``a`` to ``to`` (no database read)."""
    if to not in next_stages(a):
        if to == "dibatalkan" and a.tahap in SIGNED_STAGES:
            return ["Pembatalan hanya dapat dilakukan sebelum penandatanganan."]
        return [f"Perpindahan dari {TAHAP.get(a.tahap, a.tahap)} ke {TAHAP.get(to, to)} tidak diizinkan."]
    if to == "ditandatangani":
        return ["Gunakan formulir penandatanganan (tanggal, tempat, masa berlaku)."]
    errors = []
    if needs_reason(a, to) and not reason.strip():
        if to in NEEDS_REASON:
            errors.append(f"Alasan wajib diisi untuk {TAHAP[to].lower()}.")
        else:
            errors.append(f"Alasan wajib diisi untuk kembali ke {TAHAP[to].lower()}.")
    if CONTROL_CHARS.search(reason):
        errors.append(
            "Alasan berisi karakter yang tidak sah (karakter kendali atau karakter yang tidak terbaca)."
        )
    if to == "siap_ttd":
        errors.extend(dprd_errors(a))
    return errors


def check_transition(a: Agreement, to: str, reason: str = "") -> Outcome:
    """The machine's refusals, and (for a move it allows) the rules the move hits."""
    out = Outcome(refusals=move_errors(a, to, reason))
    if to in next_stages(a) and to != "ditandatangani":
        out.warnings = rule_warnings(a, to, None, None)
    return out


def move_date_error(a: Agreement, on: date | None, today: date) -> str | None:
    """A move recorded after the fact takes the day it happened: never in the future, never before the day the
    current stage began."""
    if on is None:
        return None
    if on > today:
        return "Tanggal tidak boleh setelah hari ini."
    if a.tahap_sejak and on < a.tahap_sejak:
        return f"Tanggal tidak boleh sebelum tahap {a.tahap_label} dimulai ({tanggal(a.tahap_sejak)})."
    return None


def mark_ended(a: Agreement, day: date, reason: str) -> None:
    """An end on ``day``: before the term runs out it was ended early (diakhiri), else the term ran out."""
    end = effective_end(a)
    if end is None or day < end:
        a.tgl_diakhiri = day
        a.alasan_akhir = "diakhiri"
    else:
        a.alasan_akhir = "habis_waktu"
    a.dasar_akhir = reason[:250]


def transition(a: Agreement, to: str, reason: str, user, today: date, on: date | None = None) -> Outcome:
    """Move ``a`` to stage ``to`` if the machine and the rules allow it; log who, when and why. ``on``: the day
    the move happened when it is recorded later (default today)."""
    reason = (reason or "").strip()[:2000]
    out = check_transition(a, to, reason)
    if message := move_date_error(a, on, today):
        out.errors["tanggal"] = message
    if not out.ok:
        return out
    day = on or today
    old = a.tahap
    a.tahap = to
    a.tahap_sejak = day
    if to == "berakhir":
        mark_ended(a, day, reason)
    log(a, "tahap", user, old, to, reason, on_date=day if day != today else None)
    follow_stage(a, to, user, day, today)
    db.session.flush()
    return out


REVIEW_ONLY = "Hasil review hukum dicatat pada tahap Review hukum."


def record_review(a: Agreement, form, user, today: date) -> Outcome:
    """The review hukum's result (reviewer, notes, the day the text was cleared) on the version the form was
    filled on; the day is never in the future nor before the review began. Kept in the history."""
    if a.tahap != "review_hukum":
        return Outcome(refusals=[REVIEW_ONLY])
    url = url_for("pks.stage", agreement_id=a.id)
    if stale := stale_outcome(form, a, url=url):
        return stale
    if not form.validate():
        return refused(form)
    if message := move_date_error(a, form.review_tanggal.data, today):
        form.review_tanggal.errors.append(message)
        return refused(form)
    a.review_oleh = form.review_oleh.data.strip()
    a.review_catatan = (form.review_catatan.data or "").strip()
    a.review_tanggal = form.review_tanggal.data or today
    text = f"Selesai direview oleh {a.review_oleh}" + (f": {a.review_catatan}" if a.review_catatan else "")
    log(a, "review", user, reason=text, on_date=a.review_tanggal if a.review_tanggal != today else None)
    audit.record("update", "pks_agreement", a.id, f"kesepakatan #{a.id}: review hukum", user=user)
    return saved(a, url_for("pks.detail", agreement_id=a.id), "Hasil review hukum dicatat.")


def stale_stage_message(a: Agreement, shown: str) -> str:
    if shown not in TAHAP:
        return "Halaman ini tidak menyebut tahap asalnya. Muat ulang halaman lalu pindahkan lagi."
    return (
        f"Tahap kesepakatan ini sudah berubah menjadi {a.tahap_label} sejak halaman dibuka (halaman menunjukkan "
        f"{TAHAP[shown]}). Periksa tahapnya lalu pindahkan lagi bila masih perlu."
    )


def move(
    a: Agreement, shown: str, to: str, reason: str, user, today: date, on: date | None = None
) -> Outcome:
    """A stage move posted from a page (record page or board) that showed stage ``shown``. A cancel,
    postponement or end of an agreement shared by two regencies becomes a proposal to the other side
    (``proposals``). A repeat of a move that
    was already made changes nothing (``repeated``); a move from a stage the agreement has since left is refused
    (``stale``), so a stale board never moves a record from a stage its clerk did not see."""
    shown = (shown or "").strip()
    if shown != a.tahap:
        if shown in TAHAP and to == a.tahap:
            return Outcome(repeated=True)
        return Outcome(refusals=[stale_stage_message(a, shown)], stale=True)
    if needs_other_side(a, to):  # a shared agreement: proposed here, moved when the other side confirms
        out = check_transition(a, to, reason)
        if message := move_date_error(a, on, today):
            out.errors["tanggal"] = message
        if not out.ok:
            return out
        return propose(a, to, (reason or "").strip()[:2000], user, on if on != today else None)
    old = a.tahap
    out = transition(a, to, reason, user, today, on)
    if out.ok:
        audit.record("update", "pks_agreement", a.id, f"kesepakatan #{a.id}: tahap {old} -> {to}", user=user)
    return out


BOARD_KINDS = {"KSB": ("KSB",), "PKS": ("PKS", "ADENDUM", "PERPANJANGAN")}


@dataclass(frozen=True)
class Column:
    """One stage of the board: its first ``cards`` (at most the PKS_BOARD_CARDS setting) out of ``total``."""

    code: str
    label: str
    cards: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.cards)


def board(jenis: str, all_stages: bool = False) -> tuple[str, list[Column], int]:
    """The kanban of the user's KSB, or of the PKS with their adendum and perpanjangan: (jenis, columns, number
    of empty stages). Empty stages are left out unless ``all_stages``. Each column holds its first cards (oldest
    first) and the stage's total, so the board stays small at any size (docs/pks.md §8): one query, the cards
    and each stage's count from window functions."""
    jenis = jenis if jenis in BOARD_KINDS else "PKS"
    limit = int(setting("PKS_BOARD_CARDS"))
    position = func.row_number().over(partition_by=Agreement.tahap, order_by=Agreement.id).label("position")
    total = func.count().over(partition_by=Agreement.tahap).label("total")
    # the windows number narrow rows (id, stage); only the cards shown are read in full, by id
    inner = scoped(Agreement, None, Agreement.id, position, total).where(
        Agreement.jenis.in_(BOARD_KINDS[jenis])
    )
    inner = inner.subquery()
    cards: dict[str, list] = {}
    totals: dict[str, int] = {}
    for a, n in db.session.execute(
        select(Agreement, inner.c.total)
        .join(inner, inner.c.id == Agreement.id)
        .where(inner.c.position <= limit)
        .order_by(Agreement.id)
    ):
        cards.setdefault(a.tahap, []).append(a)
        totals[a.tahap] = n
    columns = [Column(s, TAHAP[s], cards.get(s, []), totals.get(s, 0)) for s in stage_order(jenis)]
    empty = sum(1 for c in columns if not c.total)
    return jenis, [c for c in columns if all_stages or c.total], empty
