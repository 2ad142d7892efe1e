"""Referral rules: validation (docs/rujukan.md §6), lifecycle (§7), numbering (§8), verify code, border."""
import base64
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from blueprints.auth.models import Organisation
from blueprints.core.extensions import db
from blueprints.core.timeutil import WIB, today_local, utcnow

from . import icd, links
from .lists import DASAR
from .models import (EXPIRABLE, STATUS_LABELS, HealthWorker, NonSpecialistCode, NumberCounter, Patient, Poli,
                     Referral, ReferralEvent)
from .settings import setting

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
# 8-character PPK code + MMYY + letter + 6 digits (docs/rujukan.md §8, unverified): a local number must
# never look like this.
BPJS_LIKE = re.compile(r"^[0-9A-Z]{8}\d{4}[A-Z]\d{6}$")


# ---- validity -------------------------------------------------------------------------------------

def valid_until_for(issue_date: date) -> date:
    """Configurable rule, never typed: N calendar days (default 90) or N working days."""
    days = int(setting("RUJUKAN_VALIDITY_DAYS"))
    if setting("RUJUKAN_VALIDITY_KIND") == "working":
        from lokal import add_working_days
        return add_working_days(issue_date, days)
    return issue_date + timedelta(days=days)


# ---- numbering ------------------------------------------------------------------------------------

def format_number(seq: int, org: Organisation, on: date) -> str:
    kode = (org.facility_code or f"F{org.id}").replace("/", "-")
    number = setting("RUJUKAN_NUMBER_FORMAT").format(urut=seq, kode=kode, bulan=f"{on.month:02d}",
                                                    romawi=ROMAN[on.month - 1], tahun=on.year,
                                                    yy=f"{on.year % 100:02d}")
    if BPJS_LIKE.match(number.replace(" ", "")):
        raise ValueError("Format nomor rujukan lokal menyerupai nomor BPJS; ubah RUJUKAN_NUMBER_FORMAT.")
    return number


def next_seq(organisation_id: int, year: int) -> int:
    """Atomic per-facility/year counter: insert-if-missing, then UPDATE ... RETURNING under a row
    (PostgreSQL) or database (SQLite) write lock, so two clerks never get the same number."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(NumberCounter).values(organisation_id=organisation_id, year=year, last=0)
                       .on_conflict_do_nothing(index_elements=["organisation_id", "year"]))
    stmt = (update(NumberCounter)
            .where(NumberCounter.organisation_id == organisation_id, NumberCounter.year == year)
            .values(last=NumberCounter.last + 1).returning(NumberCounter.last))
    return db.session.execute(stmt, execution_options={"synchronize_session": False}).scalar_one()


# ---- verification code ------------------------------------------------------------------------------

_CODE = re.compile(r"^R(\d{1,9})-([A-Z2-7]{4})-?([A-Z2-7]{4})$")


def _mac(referral_id: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"rujukan:{referral_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:8]


def verify_code(referral_id: int) -> str:
    """Short human-readable code printed under the QR: R<id>-XXXX-XXXX (HMAC of the id)."""
    mac = _mac(referral_id)
    return f"R{referral_id}-{mac[:4]}-{mac[4:]}"


def parse_code(code: str | None) -> int | None:
    """The referral id when the code is authentic, else None."""
    m = _CODE.match((code or "").strip().upper()[:30])
    if not m:
        return None
    referral_id = int(m.group(1))
    if not hmac.compare_digest(_mac(referral_id), m.group(2) + m.group(3)):
        return None
    return referral_id


# ---- border eligibility ------------------------------------------------------------------------------

@dataclass
class Border:
    cross: bool = False  # destination in another regency than the patient's home or the origin
    covered: bool = False  # patient's address under a PKS covering the destination's regency
    coverage: object = None  # pks.public Coverage


def border_for(patient: Patient, origin: Organisation, destination: Organisation | None, on: date) -> Border:
    out = Border()
    if destination is None:
        return out
    out.cross = destination.regency_id != patient.home_regency_id or destination.regency_id != origin.regency_id
    if destination.regency_id == patient.home_regency_id:
        return out
    rows = [c for c in links.covering_agreements(patient.nagari_code, patient.jorong_id, on)
            if not c.other_regency_ids or destination.regency_id in c.other_regency_ids]
    if rows:
        rows.sort(key=lambda c: (not c.in_force, c.agreement_id))
        out.covered, out.coverage = True, rows[0]
    return out


def pks_snapshot(coverage) -> str:
    text = coverage.title + (f" (Nomor {coverage.numbers})" if coverage.numbers else "")
    return text[:300]


REFUSED_MESSAGE = ("Pasien/keluarga menolak dirujuk: surat rujukan tidak dapat diterbitkan. Simpan sebagai draf "
                   "lalu cetak surat penolakan rujukan untuk ditandatangani.")


# ---- validation (docs/rujukan.md §6) ------------------------------------------------------------------

def nonspecialist_codes() -> set[str]:
    version = setting("RUJUKAN_NONSPESIALIS_VERSION")
    return set(db.session.scalars(select(NonSpecialistCode.icd_code).where(NonSpecialistCode.version == version)))


def is_nonspecialist(code: str, listed: set[str]) -> bool:
    code = icd.normalize(code)
    return code in listed or code.split(".")[0] in listed


# ---- the referral form: typed values are checked first, copied onto the referral only when all are valid ----

# Columns the referral form writes, by kind: NOT NULL text (empty string when blank), optional strings and
# choices (None when blank), and the rest as typed.
DRAFT_TEXT = ("anamnesis", "physical_exam", "supporting", "therapy_drug", "therapy_other", "bmhp", "procedures",
              "reason", "condition")
DRAFT_OPTIONAL = ("destination_text", "bp", "tacc_reason", "escort", "allergy", "note", "consent_signer",
                  "consent_relation", "igd_call_name", "dasar", "tacc", "tacc_time", "consent", "consciousness")
DRAFT_AS_TYPED = ("jenis", "kategori", "tipe", "arah", "payer", "referred_at", "pulse", "rr", "temperature",
                  "weight", "height", "gcs", "planned_visit", "consent_date")


def draft_values(typed: dict) -> tuple[dict, dict[str, str]]:
    """The referral's columns from the typed form values (field name -> value; a field that failed its own
    validation is given as None). Returns (values, errors by field): ICD-10 codes are looked up here and the
    poli name is taken from the directory. Nothing is written to the database or to a referral."""
    values: dict = {}
    errors: dict[str, str] = {}
    for name in DRAFT_TEXT:
        values[name] = (typed.get(name) or "").strip()
    for name in DRAFT_OPTIONAL:
        value = typed.get(name)
        values[name] = (value.strip() if isinstance(value, str) else value) or None
    for name in DRAFT_AS_TYPED:
        values[name] = typed.get(name)
    values["ambulance"] = bool(typed.get("ambulance"))
    values["destination_id"] = typed.get("destination_id") or None
    values["poli_id"] = typed.get("poli_id") or None
    poli = db.session.get(Poli, values["poli_id"]) if values["poli_id"] else None
    values["poli_name"] = poli.name if poli else None
    values["nakes_id"] = typed.get("nakes_id") or None
    values["igd_call_time"] = (typed.get("igd_call_time") or "").replace(".", ":") or None
    values["igd_call_accepted"] = {"ya": True, "tidak": False}.get(typed.get("igd_call_accepted"))
    for i in (1, 2, 3):
        raw = typed.get(f"diag{i}")
        found = icd.lookup(raw) if raw else None
        if raw and found is None:
            errors[f"diag{i}"] = "Kode ICD-10 tidak dikenal. Cari dengan kode atau nama penyakit."
        values[f"diag{i}_code"], values[f"diag{i}_name"] = found or (None, None)
    return values, errors


class _Proposed:
    """What the referral would look like with the typed values, for check(); the referral itself is untouched."""

    def __init__(self, ref: Referral, values: dict):
        self.__dict__.update(origin_id=ref.origin_id, origin=ref.origin, patient_id=ref.patient_id,
                             patient=ref.patient, valid_until=ref.valid_until, **values)


def save_draft(ref: Referral, typed: dict, *, for_issue: bool, invalid=()) -> tuple[dict[str, str], list[str]]:
    """Check what was typed into the referral form against every rule and, only when nothing is wrong, copy it
    onto the referral. ``invalid``: fields that already failed their own validation (typed as None); their
    rule errors are left out, and nothing is copied. Returns (errors by field, warnings)."""
    values, errors = draft_values(typed)
    rule_errors, warnings = check(_Proposed(ref, values), for_issue=for_issue)
    errors = {name: message for name, message in {**rule_errors, **errors}.items() if name not in invalid}
    if not errors and not invalid:
        for name, value in values.items():
            setattr(ref, name, value)
    return errors, warnings


@dataclass
class _Check:
    """What the referral rules look at, gathered once, and what they find."""
    ref: Referral
    for_issue: bool
    today: date
    origin: Organisation | None
    destination: Organisation | None
    patient: Patient | None
    nakes: HealthWorker | None = None
    codes: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def check(ref: Referral, *, for_issue: bool, today: date | None = None) -> tuple[dict[str, str], list[str]]:
    """(errors by field name, warnings). Errors block the save (or the issue); warnings never do."""
    c = _Check(ref, for_issue, today or today_local(),
               origin=ref.origin or db.session.get(Organisation, ref.origin_id),
               destination=db.session.get(Organisation, ref.destination_id) if ref.destination_id else None,
               patient=ref.patient or db.session.get(Patient, ref.patient_id))
    for rule in (_check_destination, _check_poli, _check_diagnoses, _check_tacc, _check_border, _check_nakes,
                 _check_consent, _check_igd, _check_scope):
        rule(c)
    return c.errors, c.warnings


def _check_destination(c: _Check) -> None:
    ref = c.ref
    if ref.destination_id and (c.destination is None or c.destination.facility_level is None):
        c.errors["destination_id"] = "Faskes tujuan tidak ada di direktori. Pilih dari daftar."
        c.destination = None
    elif c.destination is None and not (ref.destination_text or "").strip():
        c.errors["destination_id"] = "Pilih faskes tujuan dari direktori."
    elif c.destination is not None and c.destination.id == ref.origin_id:
        c.errors["destination_id"] = "Faskes tujuan tidak boleh faskes asal sendiri."
    elif c.destination is None:
        c.warnings.append("Faskes tujuan ditulis bebas, bukan dari direktori: penerima tidak dapat melihat "
                          "rujukan ini di sistem dan kejadian ini dicatat.")


def _check_poli(c: _Check) -> None:
    if not c.ref.poli_id:
        return
    poli = db.session.get(Poli, c.ref.poli_id)
    if poli is None or c.destination is None or poli.organisation_id != c.destination.id:
        c.errors["poli_id"] = "Poli ini bukan milik faskes tujuan yang dipilih."
    elif not poli.active:
        c.errors["poli_id"] = "Poli ini sudah tidak aktif di faskes tujuan; pilih poli lain."


def _check_diagnoses(c: _Check) -> None:
    for i in (1, 2, 3):
        code = getattr(c.ref, f"diag{i}_code")
        if code:
            if code in c.codes:
                c.errors[f"diag{i}"] = "Diagnosis ini sudah diisi."
            c.codes.append(code)
    if not c.codes and not any(f"diag{i}" in c.errors for i in (1, 2, 3)):
        c.errors["diag1"] = "Isi 1 sampai 3 diagnosis ICD-10."


def _check_tacc(c: _Check) -> None:
    listed = nonspecialist_codes()
    nonspec = [code for code in c.codes if is_nonspecialist(code, listed)]
    if not nonspec:
        return
    ref = c.ref
    if ref.tacc in (None, "", "tanpa"):
        c.errors["tacc"] = (f"Diagnosis {', '.join(nonspec)} termasuk daftar non-spesialistik: "
                            "pilih kriteria TACC.")
    if not (ref.tacc_reason or "").strip():
        c.errors["tacc_reason"] = "Tulis alasan TACC untuk diagnosis non-spesialistik."
    if ref.tacc == "time" and not ref.tacc_time:
        c.errors["tacc_time"] = "Pilih lama keluhan untuk kriteria Time."


def _check_border(c: _Check) -> None:
    if c.destination is None or c.patient is None:
        return
    border = border_for(c.patient, c.origin, c.destination, c.today)
    if border.cross and not c.ref.dasar:
        c.errors["dasar"] = "Rujukan lintas kabupaten wajib mencatat dasar rujukan."
    if border.covered and not border.coverage.in_force:
        c.warnings.append("PKS yang menjadi dasar layanan perbatasan belum/tidak berlaku "
                          f"({border.coverage.status_label}). "
                          "Rujukan tetap dapat dibuat; periksa dengan Bagian Kerjasama.")


def _check_nakes(c: _Check) -> None:
    ref = c.ref
    c.nakes = db.session.get(HealthWorker, ref.nakes_id) if ref.nakes_id else None
    if ref.nakes_id and (c.nakes is None or c.nakes.organisation_id != ref.origin_id):
        c.errors["nakes_id"] = "Pilih tenaga kesehatan dari faskes ini."
        c.nakes = None
    if c.for_issue and ref.nakes_id is None:
        c.errors["nakes_id"] = "Pilih tenaga kesehatan yang merujuk (nama dan SIP tercetak)."


def _check_consent(c: _Check) -> None:
    ref = c.ref
    if not c.for_issue:
        if ref.consent == "menolak":
            c.warnings.append("Pasien/keluarga menolak dirujuk: surat rujukan tidak dapat diterbitkan. Cetak surat "
                              "penolakan rujukan untuk ditandatangani pasien/keluarga, saksi dan petugas.")
        return
    if ref.consent == "menolak":
        c.errors["consent"] = REFUSED_MESSAGE
    elif ref.consent != "setuju":
        c.errors["consent"] = "Catat persetujuan atau penolakan pasien/keluarga sebelum terbit."
    if not (ref.consent_signer or "").strip():
        c.errors["consent_signer"] = "Nama yang menandatangani persetujuan wajib diisi."
    if ref.consent_date is None:
        c.errors["consent_date"] = "Tanggal persetujuan wajib diisi."


def _check_igd(c: _Check) -> None:
    ref = c.ref
    if not c.for_issue or ref.jenis != "igd":
        return
    if not (ref.igd_call_name or "").strip():
        c.errors["igd_call_name"] = "Rujukan gawat darurat: catat nama petugas IGD yang ditelepon."
    if not ref.igd_call_time:
        c.errors["igd_call_time"] = "Catat jam telepon ke IGD."
    if ref.igd_call_accepted is None:
        c.errors["igd_call_accepted"] = "Catat apakah IGD menyatakan dapat menerima."


def _check_scope(c: _Check) -> None:
    """Warnings on who refers where and when (never blocking)."""
    ref, destination = c.ref, c.destination
    if (c.nakes is not None and c.nakes.profession in ("bidan", "perawat") and ref.jenis != "igd"
            and destination is not None and destination.facility_level != "FKTP"):
        c.warnings.append("Bidan/perawat hanya merujuk ke dokter FKTP, kecuali gawat darurat atau di luar "
                          "kompetensi dokter tersebut.")
    if ref.planned_visit:
        limit = ref.valid_until or valid_until_for(c.today)
        if ref.planned_visit > limit:
            c.warnings.append(f"Tanggal rencana berkunjung melewati masa berlaku surat ({limit:%d-%m-%Y}).")
    tertiary = set(setting("RUJUKAN_TERTIARY_FACILITY_CODES"))
    if (c.origin is not None and destination is not None and c.origin.facility_level == "FKTP"
            and destination.facility_code in tertiary and ref.jenis != "igd"):
        c.warnings.append("Rujukan langsung FKTP ke faskes tersier hanya untuk diagnosis dan rencana yang sudah "
                          "ditetapkan, pelayanan berulang, atau layanan yang hanya ada di tingkat tersier.")


# ---- lifecycle (docs/rujukan.md §7) -------------------------------------------------------------------

class TransitionError(Exception):
    """A lifecycle step refused, with an Indonesian message; ``field`` names the form field it is about
    (e.g. the reason), None when the referral's state itself does not allow the step."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Transition:
    label: str
    sources: tuple[str, ...]
    target: str
    side: str  # sender / receiver
    sender_offline: bool = False  # the sender may record it from a phone call or the paper slip


TRANSITIONS = {
    "send": Transition("Tandai sudah dikabarkan ke penerima", ("diterbitkan",), "dikirim", "sender"),
    "accept": Transition("Terima rujukan", ("diterbitkan", "dikirim"), "diterima", "receiver", True),
    "reject": Transition("Tolak rujukan", ("diterbitkan", "dikirim"), "ditolak", "receiver", True),
    "redirect": Transition("Alihkan ke faskes lain", ("diterbitkan", "dikirim"), "dialihkan", "receiver", True),
    "arrive": Transition("Pasien tiba", ("diterbitkan", "dikirim", "diterima"), "tiba", "receiver", True),
    "answer": Transition("Jawaban rujukan", ("tiba",), "dijawab", "receiver", True),
    "complete": Transition("Selesai (tindak lanjut di faskes asal)", ("dijawab",), "selesai", "sender"),
    "cancel": Transition("Batalkan", ("draf", "diterbitkan", "dikirim"), "dibatalkan", "sender"),
}


# A letter in these states is not reused: the sender starts a new draft from its content.
COPYABLE = ("ditolak", "dialihkan", "kedaluwarsa", "dibatalkan")


def side_of(ref: Referral, user) -> str | None:
    if user.organisation_id == ref.origin_id:
        return "sender"
    if ref.destination_id is not None and user.organisation_id == ref.destination_id:
        return "receiver"
    return None


def allowed_actions(ref: Referral, user, today: date | None = None) -> list[str]:
    status = ref.effective_status(today or today_local())
    side = side_of(ref, user)
    out = []
    for name, t in TRANSITIONS.items():
        if status in t.sources and (t.side == side or (t.sender_offline and side == "sender")):
            out.append(name)
    return out


def log_event(ref: Referral, user, from_status: str | None, to_status: str, channel: str = "web",
              note: str | None = None, at: datetime | None = None) -> ReferralEvent:
    ev = ReferralEvent(referral_id=ref.id, at=at or utcnow(), user_id=user.id, organisation_id=user.organisation_id,
                       from_status=from_status, to_status=to_status, channel=channel,
                       note=(note or None) and note[:300])
    db.session.add(ev)
    return ev


def check_transition(ref: Referral, action: str, user, *, channel: str = "web", note: str | None = None,
                     today: date | None = None) -> None:
    """Raise TransitionError when the step may not be applied; changes nothing."""
    today = today or today_local()
    t = TRANSITIONS.get(action)
    if t is None:
        raise TransitionError("Tindakan tidak dikenal.")
    status = ref.effective_status(today)
    if status not in t.sources:
        raise TransitionError(f"Status {STATUS_LABELS[status].lower()} tidak dapat diubah dengan "
                              f"tindakan '{t.label}'.")
    side = side_of(ref, user)
    if side != t.side and not (t.sender_offline and side == "sender"):
        raise TransitionError("Tindakan ini dilakukan oleh faskes " +
                              ("asal." if t.side == "sender" else "tujuan."))
    if side == "sender" and t.side == "receiver" and channel == "web":
        raise TransitionError("Faskes asal mencatat tindakan penerima hanya dari telepon, SMS/WA atau "
                              "sobekan kertas: pilih salurannya.", field="channel")
    if action == "cancel" and not (note or "").strip():
        raise TransitionError("Alasan pembatalan wajib diisi.", field="note")
    if action in ("reject", "redirect") and not (note or "").strip():
        raise TransitionError("Alasan wajib diisi (mis. kamar penuh, ICU penuh).", field="note")


def redirect_target(ref: Referral, target_id: int | None) -> Organisation:
    """The facility a receiver redirects to: from the directory, neither the origin nor the destination."""
    target = db.session.get(Organisation, target_id) if target_id else None
    if target is None or target.facility_level is None or target.id in (ref.origin_id, ref.destination_id):
        raise TransitionError("Pilih faskes tujuan pengalihan dari direktori.", field="redirect_to_id")
    return target


def transition(ref: Referral, action: str, user, *, channel: str = "web", note: str | None = None,
               today: date | None = None) -> ReferralEvent:
    """Apply a lifecycle step or raise TransitionError with an Indonesian message."""
    check_transition(ref, action, user, channel=channel, note=note, today=today)
    t = TRANSITIONS[action]
    now = utcnow()
    previous = ref.status
    ref.status = t.target
    if action == "cancel":
        ref.cancel_reason = note.strip()[:300]
    elif action in ("accept", "reject", "redirect"):
        ref.answered_at = now
        ref.answer_note = (note or "").strip()[:300] or None
    elif action == "arrive":
        ref.arrived_at = now
    elif action == "answer":
        ref.replied_at = now
        ref.reply_channel = channel
    return log_event(ref, user, previous, t.target, channel, note)


def issue(ref: Referral, user, now: datetime | None = None) -> None:
    """Number, validity and state at issue. Call only after check(for_issue=True) passed."""
    if ref.status != "draf":
        raise TransitionError("Hanya draf yang dapat diterbitkan.")
    if ref.consent == "menolak":
        raise TransitionError(REFUSED_MESSAGE)
    now = now or utcnow()
    local = now.astimezone(WIB).date()
    origin = db.session.get(Organisation, ref.origin_id)
    seq = next_seq(ref.origin_id, local.year)
    try:
        number = format_number(seq, origin, local)
    except (ValueError, KeyError, IndexError) as e:  # a bad RUJUKAN_NUMBER_FORMAT must not crash the issue
        raise TransitionError(str(e) if isinstance(e, ValueError) else
                              "Format nomor rujukan (RUJUKAN_NUMBER_FORMAT) tidak sah.") from e
    ref.seq, ref.year, ref.number = seq, local.year, number
    ref.issued_at = now
    ref.issued_on = local
    ref.referred_at = ref.referred_at or now
    ref.valid_until = valid_until_for(local)
    ref.status = "diterbitkan"
    log_event(ref, user, "draf", "diterbitkan", at=now)


def patient_with_nik(organisation_id: int, nik: str | None, other_than: Patient | None = None) -> Patient | None:
    """The facility's patient registered with this (valid, 16-digit) NIK, if any: one person, one record per
    facility. Another facility may register the same NIK."""
    if not (nik and len(nik) == 16 and nik.isdigit()):
        return None
    stmt = select(Patient).where(Patient.organisation_id == organisation_id, Patient.nik == nik)
    if other_than is not None and other_than.id is not None:
        stmt = stmt.where(Patient.id != other_than.id)
    return db.session.scalars(stmt.order_by(Patient.id).limit(1)).first()


def accessibility_text(person) -> str | None:
    """Only the summary the receiving facility needs, from SIDILAN's PersonSummary."""
    items = [a for a in person.accessibility if a]
    return "; ".join(items)[:300] or None


def expired_clause(today: date):
    return Referral.status.in_(EXPIRABLE) & (Referral.valid_until < today)


def response_times(ref: Referral) -> dict[str, timedelta | None]:
    def delta(a, b):
        if a is None or b is None:
            return None
        return b - a
    return {"jawaban_penerima": delta(ref.issued_at, ref.answered_at), "tiba": delta(ref.issued_at, ref.arrived_at),
            "jawaban_rujukan": delta(ref.issued_at, ref.replied_at)}


def duration_text(td: timedelta | None) -> str:
    if td is None:
        return "—"
    minutes = int(td.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} menit"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} jam {minutes % 60} menit"
    return f"{hours // 24} hari {hours % 24} jam"


def dasar_label(value: str | None) -> str:
    return DASAR.get(value or "", "")
