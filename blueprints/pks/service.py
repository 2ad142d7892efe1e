"""Stage machines (pks.md §6.1-6.2), signing preconditions (§7), derived validity (§6.3), reminders (§6.4).

Functions take ``today`` explicitly so tests and the daily job decide the date; they add and flush,
the route commits.
"""
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.auth.models import Regency
from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import CONTROL_CHARS

from .models import (FINAL_STAGES, MENUNGGU_TETAP, SIGNED_STAGES, STATUS_BERLAKU, TAHAP, Agreement, DocNumber,
                     Event, Party, Slip)
from .rules import RuleHit, blocking_codes, hit
from .target import Target, end_after, format_target

KSB_FLOW = {
    "identifikasi": ["persiapan"],
    "persiapan": ["penawaran"],
    "penawaran": ["penyusunan"],
    "penyusunan": ["dprd", "siap_ttd"],
    "dprd": ["siap_ttd"],
    "siap_ttd": ["ditandatangani", "ditunda"],
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
    "siap_ttd": ["ditandatangani", "ditunda"],
    "ditunda": ["siap_ttd"],
    "ditandatangani": ["pelaksanaan", "berakhir"],
    "pelaksanaan": ["pelaporan", "evaluasi", "berakhir"],
    "pelaporan": ["pelaksanaan", "evaluasi", "berakhir"],
    "evaluasi": ["pelaksanaan", "pelaporan", "berakhir"],
    "berakhir": [],
    "dibatalkan": [],
}
FIRST_STAGE = {"KSB": "identifikasi", "PKS": "diusulkan", "ADENDUM": "penyusunan", "PERPANJANGAN": "penyusunan"}
NEEDS_REASON = {"dibatalkan", "ditunda", "berakhir"}
DEFAULT_LADDER = (180, 90, 30, 7, 0)
BANNER_DAYS = 30
NOT_READY_TO_SIGN = "Penandatanganan hanya dari tahap Siap tanda tangan."
# Never typed by a person: control characters other than tab and line breaks (NUL cannot even be stored in
# PostgreSQL), and U+FFFD, which stands for bytes of a posted form that were not UTF-8.


class Locked(Exception):
    """Raised when a signed (or cancelled) agreement would be changed."""

    message = "Naskah sudah ditandatangani dan terkunci; perubahan dilakukan melalui adendum."


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


def ensure_editable(a: Agreement) -> None:
    if a.is_locked:
        raise Locked()


def log(a: Agreement, kind: str, user=None, from_state: str = "", to_state: str = "", reason: str = "",
        on_date: date | None = None) -> Event:
    ev = Event(agreement_id=a.id, kind=kind, actor_id=getattr(user, "id", None), from_state=from_state,
               to_state=to_state, reason=reason, on_date=on_date)
    db.session.add(ev)
    return ev


@dataclass
class Outcome:
    errors: list[str] = field(default_factory=list)
    warnings: list[RuleHit] = field(default_factory=list)
    repeated: bool = False  # the move was already made (a double tap, a replay): nothing changed
    stale: bool = False  # the page showed another stage than the stored one: nothing changed

    @property
    def ok(self) -> bool:
        return not self.errors and not self.repeated and not any(w.blocking for w in self.warnings)

    def messages(self) -> list[str]:
        """Errors, then blocking rules, as the user reads them."""
        return self.errors + [w.text for w in self.warnings if w.blocking]


# ---- checks -------------------------------------------------------------------------------------

def _dprd_errors(a: Agreement) -> list[str]:
    if a.dprd_perlu is None:
        return ["Keputusan DPRD (perlu atau tidak, beserta alasannya) belum dicatat."]
    if a.dprd_perlu and (not a.dprd_nomor or a.dprd_tanggal is None):
        return ["Persetujuan DPRD diperlukan: nomor dan tanggal keputusan DPRD wajib dicatat."]
    return []


def signing_gaps(a: Agreement) -> list[str]:
    """What still blocks the signing (§7 errors); also shown before the officer tries."""
    errors = []
    signing = a.signing_parties
    if not signing:
        errors.append("Belum ada pihak yang menandatangani.")
    numbered = {n.party_id for n in a.numbers if n.nomor}
    for p in signing:
        if p.id not in numbered:
            errors.append(f"Nomor naskah dari {p.short_label} ({p.regency.short_name}) belum dicatat.")
        if not p.signatories:
            errors.append(f"Penandatangan untuk {p.short_label} belum dicatat.")
        for s in p.signatories:
            if not s.is_bupati and (not s.kuasa_nomor or s.kuasa_tanggal is None):
                errors.append(f"{s.nama} bukan Bupati: nomor dan tanggal surat kuasa wajib dicatat.")
    errors.extend(_dprd_errors(a))
    return errors


def _rule_warnings(a: Agreement, to: str, start: date | None, end: date | None) -> list[RuleHit]:
    blocking = blocking_codes()
    hits = []
    if to in ("penyusunan", "persiapan") and not a.rujukan_rpjmd.strip():
        hits.append(hit("rpjmd", "Rujukan program RPJMD/RKPD belum diisi.", blocking))
    if a.jenis == "KSB" and a.tahap == "penawaran" and to == "penyusunan":
        from .models_work import Letter
        letters = db.session.scalars(select(Letter).where(Letter.agreement_id == a.id, Letter.arah == "keluar"))
        if not any("gubernur" in (x.tembusan or "").lower() for x in letters):
            hits.append(hit("tembusan", "Belum ada surat penawaran keluar dengan tembusan kepada Gubernur.", blocking))
    if to in ("siap_ttd", "ditandatangani") and a.jenis != "KSB":
        from .models import KLAUSUL
        missing = [label for code, label in KLAUSUL.items() if code not in a.klausul]
        if missing:
            hits.append(hit("klausul", "Klausul belum dicentang: " + ", ".join(missing) + ".", blocking))
    if to == "ditandatangani" and start and end:
        from .target import add_months
        try:
            too_long = end > add_months(start, 60)
        except ValueError:  # five years after ``start`` is past the last date the calendar holds
            too_long = False
        if too_long:
            hits.append(hit("durasi_5_tahun", "Jangka waktu lebih dari 5 tahun.", blocking))
        parent = a.parent
        if a.jenis == "PKS" and parent is not None:
            parent_end = effective_end(parent)
            if parent_end and end > parent_end:
                hits.append(hit("melewati_ksb", f"Tanggal berakhir PKS melewati masa KSB "
                                                f"({format_target(parent_end, parent_end, 'hari')}).", blocking))
    return hits


def check_transition(a: Agreement, to: str, reason: str = "") -> Outcome:
    out = Outcome()
    if to not in next_stages(a):
        if to == "dibatalkan" and a.tahap in SIGNED_STAGES:
            out.errors.append("Pembatalan hanya dapat dilakukan sebelum penandatanganan.")
        else:
            out.errors.append(f"Perpindahan dari {TAHAP.get(a.tahap, a.tahap)} ke {TAHAP.get(to, to)} "
                              "tidak diizinkan.")
        return out
    if to == "ditandatangani":
        out.errors.append("Gunakan formulir penandatanganan (tanggal, tempat, masa berlaku).")
        return out
    if to in NEEDS_REASON and not reason.strip():
        out.errors.append(f"Alasan wajib diisi untuk {TAHAP[to].lower()}.")
    if CONTROL_CHARS.search(reason):
        out.errors.append("Alasan berisi karakter yang tidak sah (karakter kendali atau karakter yang tidak terbaca).")
    if to == "siap_ttd":
        out.errors.extend(_dprd_errors(a))
    out.warnings = _rule_warnings(a, to, None, None)
    return out


def transition(a: Agreement, to: str, reason: str, user, today: date) -> Outcome:
    """Move ``a`` to stage ``to`` if the machine and the rules allow it; log who, when and why."""
    reason = (reason or "").strip()[:2000]
    out = check_transition(a, to, reason)
    if not out.ok:
        return out
    old = a.tahap
    a.tahap = to
    a.tahap_sejak = today
    if to == "berakhir":
        end = effective_end(a)
        if end is None or today < end:
            a.tgl_diakhiri = today
            a.alasan_akhir = "diakhiri"
        else:
            a.alasan_akhir = "habis_waktu"
        a.dasar_akhir = reason[:250]
    log(a, "tahap", user, old, to, reason)
    audit.record("update", "pks_agreement", a.id, f"kesepakatan #{a.id}: tahap {old} -> {to}", user=user)
    db.session.flush()
    return out


def stale_stage_message(a: Agreement, shown: str) -> str:
    if shown not in TAHAP:
        return "Halaman ini tidak menyebut tahap asalnya. Muat ulang halaman lalu pindahkan lagi."
    return (f"Tahap kesepakatan ini sudah berubah menjadi {a.tahap_label} sejak halaman dibuka (halaman menunjukkan "
            f"{TAHAP[shown]}). Periksa tahapnya lalu pindahkan lagi bila masih perlu.")


def move(a: Agreement, shown: str, to: str, reason: str, user, today: date) -> Outcome:
    """A stage move posted from a page (record page or board) that showed stage ``shown``. A repeat of a move that
    was already made changes nothing (``repeated``); a move from a stage the agreement has since left is refused
    (``stale``), so a stale board never moves a record from a stage its clerk did not see."""
    shown = (shown or "").strip()
    if shown != a.tahap:
        if shown in TAHAP and to == a.tahap:
            return Outcome(repeated=True)
        return Outcome(errors=[stale_stage_message(a, shown)], stale=True)
    return transition(a, to, reason, user, today)


def signed_already(a: Agreement, tgl_ttd: date | None) -> bool:
    """A signing posted again after it was recorded (same date): nothing to do."""
    return a.is_signed and tgl_ttd is not None and a.tgl_ttd == tgl_ttd


def check_signing(a: Agreement, tgl_ttd: date | None, start: date | None, end: date | None,
                  today: date) -> Outcome:
    out = Outcome()
    if a.tahap != "siap_ttd":
        out.errors.append(NOT_READY_TO_SIGN)
    if tgl_ttd is None:
        out.errors.append("Tanggal penandatanganan wajib diisi.")
    elif tgl_ttd > today:
        out.errors.append("Tanggal penandatanganan tidak boleh di masa depan.")
    if start and end and end < start:
        out.errors.append("Tanggal berakhir tidak boleh sebelum tanggal mulai.")
    out.errors.extend(signing_gaps(a))
    out.warnings = _rule_warnings(a, "ditandatangani", start, end)
    return out


def sign(a: Agreement, tgl_ttd: date | None, tempat: str, start: date | None, end: date | None,
         months: int | None, user, today: date) -> Outcome:
    start = start or tgl_ttd
    past_calendar = False
    if end is None and months and start:
        try:
            end = end_after(start, months)
        except ValueError:
            past_calendar = True
    out = check_signing(a, tgl_ttd, start, end, today)
    if past_calendar:
        out.errors.append("Jangka waktu itu berakhir melewati tanggal terakhir yang dapat dicatat.")
    if not out.ok:
        return out
    old = a.tahap
    a.tgl_ttd, a.tempat_ttd = tgl_ttd, (tempat or "").strip()[:200]
    a.tgl_mulai, a.tgl_berakhir = start, end
    if months:
        a.jangka_waktu_bulan = months
    a.tahap, a.tahap_sejak = "ditandatangani", today
    a.menunggu, a.menunggu_sejak = "", None
    log(a, "ttd", user, old, "ditandatangani", f"Ditandatangani di {a.tempat_ttd or '-'}", on_date=tgl_ttd)
    db.session.flush()
    return out


def set_target(a: Agreement, target: Target, reason: str, decided_by: str, user, meeting_id: int | None = None,
               tempat: str = "", acara: str = "", is_demo: bool = False) -> Outcome:
    """First target is simply set; every later change is a postponement appended to the slip ledger."""
    out = Outcome()
    reason = (reason or "").strip()
    if a.is_locked:
        out.errors.append(Locked.message)
        return out
    if a.target_mulai is not None and not reason:
        out.errors.append("Penundaan wajib disertai alasan.")
        return out
    if a.target_mulai is not None:
        db.session.add(Slip(agreement_id=a.id, old_mulai=a.target_mulai, old_selesai=a.target_selesai,
                            old_presisi=a.target_presisi, new_mulai=target.mulai, new_selesai=target.selesai,
                            new_presisi=target.presisi, alasan=reason[:2000], diputuskan_oleh=decided_by[:200],
                            meeting_id=meeting_id, recorded_by_id=getattr(user, "id", None), is_demo=is_demo))
        log(a, "penundaan", user, reason=f"Target {format_target(a.target_mulai, a.target_selesai, a.target_presisi)}"
            f" → {target.label()}: {reason}"[:2000])
    else:
        a.target_awal_selesai = target.selesai
        log(a, "target", user, reason=f"Target tanda tangan: {target.label()}")
    a.target_mulai, a.target_selesai, a.target_presisi = target.mulai, target.selesai, target.presisi
    if tempat:
        a.target_tempat = tempat[:200]
    if acara:
        a.target_acara = acara[:200]
    audit.record("update", "pks_agreement", a.id, f"kesepakatan #{a.id}: target tanda tangan", user=user)
    db.session.flush()
    return out


def slips_of(a: Agreement) -> list[Slip]:
    return list(db.session.scalars(select(Slip).where(Slip.agreement_id == a.id).order_by(Slip.recorded_at, Slip.id)))


@dataclass(frozen=True)
class SlipSummary:
    count: int
    total_days: int
    first_target: str
    current_target: str
    actual: date | None
    late_days: int | None  # actual signing vs the first target's last day


def slip_summary(a: Agreement, slips: list[Slip]) -> SlipSummary:
    total = sum(s.days for s in slips)
    if slips:
        first = format_target(slips[0].old_mulai, slips[0].old_selesai, slips[0].old_presisi)
        first_end = slips[0].old_selesai
    else:
        first = format_target(a.target_mulai, a.target_selesai, a.target_presisi)
        first_end = a.target_awal_selesai or a.target_selesai
    late = (a.tgl_ttd - first_end).days if a.tgl_ttd and first_end else None
    return SlipSummary(len(slips), total, first, format_target(a.target_mulai, a.target_selesai, a.target_presisi),
                       a.tgl_ttd, late)


# ---- adendum / perpanjangan ---------------------------------------------------------------------

def create_child(a: Agreement, jenis: str, judul: str, user, today: date) -> Agreement:
    """A linked new document with its own parties, signing and numbers (§6.1 Perpanjangan / Adendum)."""
    child = Agreement(jenis=jenis, parent_id=a.id, judul=judul[:250], objek=a.objek, urusan_codes=a.urusan_codes,
                      kategori=a.kategori, rujukan_rpjmd=a.rujukan_rpjmd, tahap=FIRST_STAGE[jenis],
                      tahap_sejak=today, dprd_perlu=None, pemrakarsa_regency_id=a.pemrakarsa_regency_id,
                      pemrakarsa_opd=a.pemrakarsa_opd)
    db.session.add(child)
    db.session.flush()
    for p in a.parties:
        db.session.add(Party(agreement_id=child.id, regency_id=p.regency_id, urutan=p.urutan,
                             organisation_id=p.organisation_id, opd=p.opd, peran=p.peran, alamat=p.alamat,
                             pic_nama=p.pic_nama, pic_jabatan=p.pic_jabatan, dasar_hukum=p.dasar_hukum,
                             menandatangani=p.menandatangani))
    log(child, "dibuat", user, "", child.tahap, f"{child.jenis_label} atas naskah #{a.id}")
    log(a, "turunan", user, reason=f"{child.jenis_label} dibuat: {child.judul}")
    db.session.flush()
    return child


# ---- derived validity and reminders -------------------------------------------------------------

def ladder() -> tuple[int, ...]:
    values = current_app.config.get("PKS_REMINDER_LADDER") or DEFAULT_LADDER
    return tuple(sorted({int(v) for v in values}, reverse=True))


def effective_end(a: Agreement) -> date | None:
    """The end date, pushed out by a signed perpanjangan (a renewal clears expiry reminders)."""
    end = a.tgl_berakhir
    for child in a.children:
        if child.jenis == "PERPANJANGAN" and child.is_signed and child.tgl_berakhir:
            if end is None or child.tgl_berakhir > end:
                end = child.tgl_berakhir
    return end


def status_berlaku(a: Agreement, today: date, window: int | None = None) -> str:
    """Computed from the dates, never typed (§6.3)."""
    if a.tahap == "dibatalkan":
        return "dibatalkan"
    if a.tgl_diakhiri is not None and a.tgl_diakhiri <= today:
        return "diakhiri"
    if not a.is_signed or a.tgl_mulai is None or a.tgl_mulai > today:
        return "belum_berlaku"
    end = effective_end(a)
    if end is None:
        return "aktif"
    if today > end:
        return "kedaluwarsa"
    window = max(ladder()) if window is None else window
    if (end - today).days <= window:
        return "akan_berakhir"
    return "aktif"


def status_label(code: str) -> str:
    return STATUS_BERLAKU.get(code, code)


@dataclass(frozen=True)
class Reminder:
    agreement_id: int
    judul: str
    kind: str  # expiry / keputusan / laporan / target / tindak_lanjut / kewajiban
    key: str  # unique per agreement and occasion, so the daily job sends each once
    text: str
    tone: str = "warn"


def expiry_reminder(a: Agreement, today: date, rungs: tuple[int, ...]) -> Reminder | None:
    if status_berlaku(a, today, max(rungs)) != "akan_berakhir":
        return None
    end = effective_end(a)
    left = (end - today).days
    rung = min(r for r in rungs if r >= left)
    text = "berakhir hari ini" if left == 0 else f"berakhir dalam {left} hari ({format_target(end, end, 'hari')})"
    return Reminder(a.id, a.judul, "expiry", f"expiry:{rung}:{end.isoformat()}", text,
                    "danger" if left <= BANNER_DAYS else "warn")


def show_banner(a: Agreement, today: date) -> bool:
    """Red banner from 30 days before the (effective) end until the end."""
    end = effective_end(a)
    return (status_berlaku(a, today) == "akan_berakhir" and end is not None
            and (end - today).days <= BANNER_DAYS)


def reminders_for(a: Agreement, today: date, rungs: tuple[int, ...] | None = None,
                  actions=(), obligations=(), reports=()) -> list[Reminder]:
    rungs = rungs or ladder()
    out = []
    status = status_berlaku(a, today, max(rungs))
    r = expiry_reminder(a, today, rungs)
    if r:
        out.append(r)
    live = status in ("aktif", "akan_berakhir")
    d = a.tgl_keputusan_perpanjangan
    if live and d and 0 <= (d - today).days <= 30 and effective_end(a) == a.tgl_berakhir:
        out.append(Reminder(a.id, a.judul, "keputusan", f"keputusan:{d.isoformat()}",
                            f"batas keputusan perpanjangan {format_target(d, d, 'hari')}"))
    if (a.target_selesai and a.target_selesai < today and not a.is_signed
            and a.tahap not in FINAL_STAGES):
        days = (today - a.target_selesai).days
        out.append(Reminder(a.id, a.judul, "target", f"target:{a.target_selesai.isoformat()}",
                            f"target tanda tangan {format_target(a.target_mulai, a.target_selesai, a.target_presisi)}"
                            f" terlewat {days} hari", "danger"))
    parent = a.parent
    if (a.jenis == "PKS" and not a.is_signed and a.tahap not in FINAL_STAGES and parent is not None
            and status_berlaku(parent, today, max(rungs)) == "akan_berakhir"):
        end = effective_end(parent)
        out.append(Reminder(a.id, a.judul, "ksb_berakhir", f"ksbend:{end.isoformat()}",
                            f"KSB induk berakhir {format_target(end, end, 'hari')} sementara PKS masih "
                            f"{TAHAP.get(a.tahap, a.tahap).lower()}", "danger"))
    if a.tahap not in FINAL_STAGES:
        for item in actions:
            if not item.done and item.due and item.due < today:
                out.append(Reminder(a.id, a.judul, "tindak_lanjut", f"tl:{item.id}",
                                    f"tindak lanjut lewat tenggat sejak {format_target(item.due, item.due, 'hari')}: "
                                    f"{item.text[:80]}"))
        for ob in obligations:
            if ob.status_on(today) == "lewat":
                out.append(Reminder(a.id, a.judul, "kewajiban", f"kw:{ob.id}",
                                    f"kewajiban lewat tenggat: {ob.text[:80]}"))
        for rep in reports:
            if rep.disampaikan_pada is None and rep.jatuh_tempo and (rep.jatuh_tempo - today).days <= 14:
                late = rep.jatuh_tempo < today
                out.append(Reminder(a.id, a.judul, "laporan", f"lap:{rep.id}",
                                    f"laporan {rep.periode} {'terlambat' if late else 'jatuh tempo'} "
                                    f"{format_target(rep.jatuh_tempo, rep.jatuh_tempo, 'hari')}",
                                    "danger" if late else "warn"))
    return out


# ---- whose court --------------------------------------------------------------------------------

def regency_names() -> dict[int, str]:
    return {r.id: r.short_name for r in db.session.scalars(select(Regency))}


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


def menunggu_choices(names: dict[int, str]) -> list[tuple[str, str]]:
    out = [("", "— tidak ada —")]
    out += [(f"regency:{rid}", f"menunggu Kab. {name}") for rid, name in sorted(names.items())]
    out += list(MENUNGGU_TETAP.items())
    return out


def set_waiting(a: Agreement, choice: str, opd: str, user, today: date, names: dict[int, str]) -> None:
    """Record whose court the ball is in: a named OPD wins over the chosen option (one of menunggu_choices).
    Only a change is logged, and it restarts the waiting days."""
    opd = (opd or "").strip()
    value = f"opd:{opd}" if opd else (choice or "")
    if value == a.menunggu:
        return
    a.menunggu, a.menunggu_sejak = value, today if value else None
    log(a, "menunggu", user, reason=menunggu_label(a, names) or "tidak menunggu")
    audit.record("update", "pks_agreement", a.id, f"kesepakatan #{a.id}: status menunggu", user=user)


def waiting_parts(a: Agreement) -> tuple[str, str]:
    """What the "menunggu siapa" form shows for the stored value: (option, OPD name)."""
    value = a.menunggu or ""
    return ("", value[4:]) if value.startswith("opd:") else (value, "")


def waiting_days(a: Agreement, today: date) -> int | None:
    since = a.menunggu_sejak if a.menunggu else None
    return (today - since).days if since else None


def meetings_of(a: Agreement) -> list:
    """The meetings that discussed ``a``, newest first."""
    from .models_work import Meeting, meeting_agreement
    return list(db.session.scalars(select(Meeting).join(meeting_agreement).where(
        meeting_agreement.c.agreement_id == a.id).order_by(Meeting.tanggal.desc(), Meeting.id.desc())))


def meeting_choices(a: Agreement) -> list[tuple[int, str]]:
    """Select options for "which meeting": none, or one that discussed ``a``."""
    return [(0, "—")] + [(m.id, f"{m.tanggal.isoformat()} {m.tempat[:60]}") for m in meetings_of(a)]


def list_options():
    """What list rows show: numbers, and the children that may extend validity. Constant query count."""
    return (selectinload(Agreement.numbers), selectinload(Agreement.children))


def find_number(agreement_id: int, party_id: int) -> DocNumber | None:
    return db.session.scalar(select(DocNumber).where(DocNumber.agreement_id == agreement_id,
                                                     DocNumber.party_id == party_id))
