"""The referral rules (docs/rujukan.md §6): what was typed into the referral form is turned into the referral's
columns, checked as a whole (one rule function per concern), and copied onto the draft only when nothing is
wrong. Errors block the save (or the issue); warnings never do."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from blueprints.auth.models import Organisation
from blueprints.core.extensions import db
from blueprints.core.nik import clean_number
from blueprints.core.timeutil import WIB, from_local, today_local

from . import bridging, icd
from .border import border_for
from .facilities import is_offered, is_tertiary
from .lifecycle import REFUSED_MESSAGE, valid_until_for
from .models import HealthWorker, Patient, Poli, Referral
from .nonspecialist import is_nonspecialist, nonspecialist_codes
from .settings import setting

# ---- the referral form: typed values are checked first, copied onto the referral only when all are valid ----

# Columns the referral form writes, by kind: NOT NULL text (empty string when blank), optional strings and
# choices (None when blank), and the rest as typed.
DRAFT_TEXT = (
    "anamnesis",
    "physical_exam",
    "supporting",
    "therapy_drug",
    "therapy_other",
    "bmhp",
    "procedures",
    "reason",
    "condition",
)
DRAFT_OPTIONAL = (
    "destination_text",
    "bp",
    "tacc_reason",
    "escort",
    "allergy",
    "note",
    "consent_signer",
    "consent_relation",
    "igd_call_name",
    "dasar",
    "tacc",
    "tacc_time",
    "consent",
    "consciousness",
)
DRAFT_AS_TYPED = (
    "jenis",
    "kategori",
    "tipe",
    "arah",
    "payer",
    "referred_at",
    "pulse",
    "rr",
    "temperature",
    "weight",
    "height",
    "gcs",
    "planned_visit",
    "consent_date",
)


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
    # BPJS numbers as BPJS prints them (separators dropped); their format is a rule (_check_bridging)
    values["pcare_number"] = bridging.clean_bpjs_number(typed.get("pcare_number")) or None
    values["bpjs_card"] = clean_number(typed.get("bpjs_card")) or None
    values["igd_call_accepted"] = {"ya": True, "tidak": False}.get(typed.get("igd_call_accepted"))
    values["igd_called_at"] = call_instant(values["igd_call_time"], values["referred_at"])
    for i in (1, 2, 3):
        raw = typed.get(f"diag{i}")
        found = icd.lookup(raw) if raw else None
        if raw and found is None:
            errors[f"diag{i}"] = "Kode ICD-10 tidak dikenal. Cari dengan kode atau nama penyakit."
        values[f"diag{i}_code"], values[f"diag{i}_name"] = found or (None, None)
    return values, errors


def call_instant(hhmm: str | None, referred_at: datetime | None) -> datetime | None:
    """The IGD call typed as HH:MM in the full form, as an instant (the emergency timeline): that WIB time on the
    letter's WIB day (today without one). None when no valid time was typed."""
    try:
        hour, minute = (int(part) for part in (hhmm or "").split(":"))
        at = time(hour, minute)
    except ValueError:
        return None
    day = referred_at.astimezone(WIB).date() if referred_at else today_local()
    return from_local(datetime.combine(day, at))


class _Proposed:
    """What the referral would look like with the typed values, for check(); the referral itself is untouched."""

    def __init__(self, ref: Referral, values: dict):
        self.__dict__.update(
            origin_id=ref.origin_id,
            origin=ref.origin,
            patient_id=ref.patient_id,
            patient=ref.patient,
            valid_until=ref.valid_until,
            **values,
        )


def save_draft(
    ref: Referral, typed: dict, *, for_issue: bool, invalid=()
) -> tuple[dict[str, str], list[str]]:
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
    c = _Check(
        ref,
        for_issue,
        today or today_local(),
        origin=ref.origin or db.session.get(Organisation, ref.origin_id),
        destination=db.session.get(Organisation, ref.destination_id) if ref.destination_id else None,
        patient=ref.patient or db.session.get(Patient, ref.patient_id),
    )
    for rule in (
        _check_destination,
        _check_poli,
        _check_diagnoses,
        _check_tacc,
        _check_border,
        _check_nakes,
        _check_consent,
        _check_igd,
        _check_bridging,
        _check_scope,
    ):
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
    elif c.destination is not None and not is_offered(c.destination.id):
        c.errors["destination_id"] = "Faskes tujuan sudah nonaktif di direktori. Pilih faskes tujuan lain."
    elif c.destination is None:
        c.warnings.append(
            "Faskes tujuan ditulis bebas, bukan dari direktori: penerima tidak dapat melihat "
            "rujukan ini di sistem dan kejadian ini dicatat."
        )


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
    if c.ref.jenis == "igd":  # an emergency is referred whatever the diagnosis: TACC is for planned referrals
        return
    listed = nonspecialist_codes()
    nonspec = [code for code in c.codes if is_nonspecialist(code, listed)]
    if not nonspec:
        return
    ref = c.ref
    if ref.tacc in (None, "", "tanpa"):
        c.errors["tacc"] = (
            f"Diagnosis {', '.join(nonspec)} termasuk daftar non-spesialistik: pilih kriteria TACC."
        )
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
        c.warnings.append(
            "PKS yang menjadi dasar layanan perbatasan belum/tidak berlaku "
            f"({border.coverage.status_label}). "
            "Rujukan tetap dapat dibuat; periksa dengan Bagian Kerjasama."
        )


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
            c.warnings.append(
                "Pasien/keluarga menolak dirujuk: surat rujukan tidak dapat diterbitkan. Cetak surat "
                "penolakan rujukan untuk ditandatangani pasien/keluarga, saksi dan petugas."
            )
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


def _check_bridging(c: _Check) -> None:
    """The BPJS numbers on the letter, by format only (bridging.py): length errors, unverified shape warnings."""
    ref = c.ref
    origin_code = c.origin.facility_code if c.origin is not None else None
    _, error, warnings = bridging.pcare_problems(getattr(ref, "pcare_number", None), origin_code)
    if error:
        c.errors["pcare_number"] = error
    c.warnings.extend(warnings)
    _, error = bridging.card_problems(getattr(ref, "bpjs_card", None))
    if error:
        c.errors["bpjs_card"] = error


def _check_scope(c: _Check) -> None:
    """Warnings on who refers where and when (never blocking)."""
    ref, destination = c.ref, c.destination
    if (
        c.nakes is not None
        and c.nakes.profession in ("bidan", "perawat")
        and ref.jenis != "igd"
        and destination is not None
        and destination.facility_level != "FKTP"
    ):
        c.warnings.append(
            "Bidan/perawat hanya merujuk ke dokter FKTP, kecuali gawat darurat atau di luar "
            "kompetensi dokter tersebut."
        )
    if ref.planned_visit:
        limit = ref.valid_until or valid_until_for(c.today, ref.jenis)
        if ref.planned_visit > limit:
            c.warnings.append(f"Tanggal rencana berkunjung melewati masa berlaku surat ({limit:%d-%m-%Y}).")
    tertiary = set(setting("RUJUKAN_TERTIARY_FACILITY_CODES"))
    if (
        c.origin is not None
        and destination is not None
        and c.origin.facility_level == "FKTP"
        and ref.jenis != "igd"
        and is_tertiary(destination, tertiary)
    ):
        c.warnings.append(
            "Rujukan langsung FKTP ke faskes tersier hanya untuk diagnosis dan rencana yang sudah "
            "ditetapkan, pelayanan berulang, atau layanan yang hanya ada di tingkat tersier."
        )
