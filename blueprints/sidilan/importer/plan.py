"""The dry run (docs/sidilan.md §7.4): what the import would do with each row of a mapped upload. Each field
has its own rule function (reject the row, or keep it with a warning); then the rows are matched against the
registry and against each other. Reads the database, writes nothing."""

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date

from flask import url_for
from sqlalchemy import select

from blueprints.core import jobs
from blueprints.core.extensions import db
from blueprints.core.fmt import angka, tanggal
from blueprints.core.forms import birth_date_problem
from blueprints.core.nik import check_kk, check_nik, missing_nik_reason
from blueprints.core.scope import scoped
from blueprints.wilayah.models import LEVEL_KECAMATAN, LEVEL_NAGARI, Jorong, Wilayah

from .. import values as V
from ..households import KEPALA_KELUARGA
from ..models import Person
from ..names import names_similar
from ..person import head_taken_message, heads_of_kk
from ..settings import setting
from .match import propose_matches
from .parse import (
    clean_name,
    is_scientific,
    lookup,
    normalise_header,
    parse_date,
    parse_ragam,
    parse_sex,
    read_remarks,
    split_ttl,
    strip_prefix,
)
from .pending import Pending, _area, load_pending

BARU, COCOK, USUL, DITOLAK = "baru", "cocok", "usul", "ditolak"
STATUS_LABELS = {
    BARU: "Akan dibuat",
    COCOK: "Cocok dengan data yang ada",
    USUL: "Mungkin sama (perlu keputusan)",
    DITOLAK: "Ditolak",
}
LIMITS = {"nama": 120, "tempat_lahir": 80, "alamat": 250, "no_hp": 20, "catatan": 500}
AS_NUMBER = (
    "{} tersimpan sebagai angka di spreadsheet (digit terakhir bisa hilang). "
    "Ketik ulang sebagai teks, diawali tanda petik (')."
)
# docs/sidilan.md §7.4: a number cell keeps 15 significant digits; the record is imported, flagged for checking
FROM_NUMBER = "{} perlu dicek (dari sel angka)"
SCIENTIFIC = (
    "{} tertulis dalam notasi ilmiah ('{}'): digit-digitnya sudah hilang di spreadsheet dan tidak dapat "
    "dipulihkan. Ketik ulang {} sebagai teks (diawali tanda petik ') lalu impor lagi."
)
DIGIT_LOST = (  # no digits in it: the flag is shown to roles that see the NIK masked
    "NIK perlu dicek (dari sel angka): digit terakhirnya hilang di spreadsheet; NIK dikosongkan, isi dari KK/KTP."
)
DEFAULT_REASON = "Alasan tanpa NIK diisi dari pilihan untuk seluruh berkas ({})."
_DECIMAL_NUMBER = re.compile(r"([0-9]{15,16})\.0+")
_PHONE = re.compile(r"\+?[0-9 \-]{6,20}")


@dataclass
class RowResult:
    line: int  # row number in the file, as the clerk sees it
    cells: list[str]
    status: str = BARU
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    match_id: int | None = None
    match_by: str = ""
    head_problem: str = ""  # a proposed match the clerk says is someone else: why it still cannot be created

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def reject(self, reason: str) -> None:
        self.status = DITOLAK
        self.reasons.append(reason)

    @property
    def read_as(self) -> list[str]:
        """How the row was understood: sex, birth date, place, disability (for the dry-run table)."""
        v = self.values
        parts = [v.get("jenis_kelamin") or "", tanggal(v.get("tanggal_lahir")), v.get("place", "")]
        ragam = ", ".join(r + (f" ({j})" if j else "") for r, j in (v.get("ragam") or {}).items())
        if ragam:
            parts.append(ragam + (f", {v['derajat']}" if v.get("derajat") else ""))
        return [p for p in parts if p]


@dataclass
class DryRun:
    rows: list[RowResult]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in (BARU, COCOK, USUL, DITOLAK)}

    def decide(self, decisions: dict[str, str]) -> "DryRun":
        """The clerk's answers to the proposed matches (line -> 'sama' / 'beda'): 'sama' is a match (the row
        is not created), 'beda' a new person (unless it would be a second Kepala Keluarga). Undecided ones
        stay proposals, which the run does not create either (no duplicate by default)."""
        for r in self.rows:
            if r.status != USUL:
                continue
            answer = decisions.get(str(r.line))
            if answer == "sama":
                r.status, r.match_by = COCOK, r.match_by + ", dikonfirmasi"
            elif answer == "beda":
                if r.head_problem:
                    r.reject(r.head_problem)
                else:
                    r.status = BARU
                    r.warnings.append(f"Bukan orang #{r.match_id} menurut petugas ({r.match_by}).")
                    r.match_id, r.match_by = None, ""
        return self


@dataclass
class Cells:
    """One row's cells seen through the column mapping: ``get(field key)`` is the text ('' when unmapped),
    ``numeric(field key)`` whether the spreadsheet stored that cell as a number."""

    cells: list[str]
    mapping: dict[str, int]
    numeric_cols: set[int] = field(default_factory=set)

    def get(self, key: str) -> str:
        col = self.mapping.get(key)
        return self.cells[col] if col is not None and col < len(self.cells) else ""

    def numeric(self, key: str) -> bool:
        return self.mapping.get(key) in self.numeric_cols

    def number(self, key: str) -> tuple[str, bool]:
        """A NIK / No. KK cell: (its text without the leading apostrophe, whether it came from a number
        cell: an xlsx number, or a CSV number written as '1302...0.0')."""
        text = self.get(key).strip().lstrip("'")
        if m := _DECIMAL_NUMBER.fullmatch(text):
            return m.group(1), True
        return text, bool(text) and self.numeric(key)


@dataclass
class Regions:
    """Name lookups for the user's regency, loaded once per run (``load``)."""

    kecamatan: dict[str, str] = field(default_factory=dict)  # normalised name -> code
    kecamatan_name: dict[str, str] = field(default_factory=dict)  # code -> name
    nagari: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # name -> (code, kec, name)
    jorong: dict[tuple[str, str], tuple[int, str]] = field(
        default_factory=dict
    )  # (nagari, name) -> (id, name)

    @classmethod
    def load(cls, regency_id: int) -> "Regions":
        out = cls()
        for code, name, level, parent in db.session.execute(
            select(Wilayah.code, Wilayah.name, Wilayah.level, Wilayah.parent_code).where(
                Wilayah.regency_id == regency_id
            )
        ):
            if level == LEVEL_KECAMATAN:
                out.kecamatan[normalise_header(name)] = code
                out.kecamatan_name[code] = name
            elif level == LEVEL_NAGARI:
                out.nagari.setdefault(normalise_header(name), []).append((code, parent, name))
        for jid, nagari_code, name in db.session.execute(
            select(Jorong.id, Jorong.nagari_code, Jorong.name).where(
                Jorong.regency_id == regency_id, Jorong.active.is_(True)
            )
        ):
            out.jorong[(nagari_code, normalise_header(name))] = (jid, name)
        return out

    def _nagari(self, kecamatan: str, nagari: str) -> tuple[tuple[str, str, str] | None, str | None]:
        """(nagari code, kecamatan code, nagari name), or None and why not."""
        kec_code = None
        if kecamatan.strip():
            kec_code = self.kecamatan.get(strip_prefix(kecamatan, "kecamatan", "kec"))
            if kec_code is None:
                return None, f"Kecamatan '{kecamatan.strip()[:60]}' tidak dikenal di kabupaten ini."
        if not nagari.strip():
            return None, "Nagari kosong."
        options = self.nagari.get(strip_prefix(nagari, "nagari", "kenagarian", "desa"), [])
        if kec_code:
            options = [o for o in options if o[1] == kec_code]
        if not options:
            where = f" di Kecamatan {self.kecamatan_name[kec_code]}" if kec_code else " di kabupaten ini"
            return None, f"Nagari '{nagari.strip()[:60]}' tidak dikenal{where}."
        if len(options) > 1:
            return None, f"Nagari '{nagari.strip()[:60]}' ada di beberapa kecamatan; isi kolom kecamatan."
        return options[0], None

    def find(self, kecamatan: str, nagari: str, jorong: str, row: RowResult) -> None:
        found, problem = self._nagari(kecamatan, nagari)
        if found is None:
            row.reject(problem)
            return
        nagari_code, kec_code, nagari_name = found
        row.values.update(nagari_code=nagari_code, kecamatan_code=kec_code, jorong_id=None, place=nagari_name)
        if jorong.strip():
            hit = self.jorong.get((nagari_code, strip_prefix(jorong, "jorong")))
            if hit is None:
                row.warnings.append(
                    f"Jorong '{jorong.strip()[:60]}' belum terdaftar di nagari ini; jorong dikosongkan."
                )
            else:
                row.values["jorong_id"] = hit[0]
                row.values["place"] = f"{nagari_name} / Jorong {hit[1]}"


# ---- one rule function per field (in the order the reasons are listed) -----------------------------


def name_rule(row: RowResult, c: Cells) -> None:
    name = clean_name(c.get("nama"))
    if not name:
        row.reject("Nama kosong.")
    elif len(name) > LIMITS["nama"]:
        row.reject(f"Nama terlalu panjang (maksimal {LIMITS['nama']} karakter).")
    row.values["nama_lengkap"] = name[: LIMITS["nama"]]


def sex_rule(row: RowResult, c: Cells) -> str | None:
    """The sex the cell spells, or None; an unreadable spelling rejects the row."""
    text = c.get("jenis_kelamin")
    sex = parse_sex(text)
    if text.strip() and sex is None:
        row.reject(f"Jenis kelamin '{text.strip()[:20]}' tidak dikenali (gunakan L/P).")
    return sex


def birth_rule(row: RowResult, c: Cells, today: date) -> tuple[date | None, str]:
    """(birth date, the date text it came from); place of birth into the values. A 'Tempat/tgl lahir' column
    fills what the separate columns leave empty. The birth-date rule is core's, as on every form."""
    place, date_text = c.get("tempat_lahir"), c.get("tanggal_lahir")
    if c.get("ttl").strip():
        p2, d2 = split_ttl(c.get("ttl"))
        place, date_text = place or p2, date_text or d2
    birth = None
    try:
        birth = parse_date(date_text, numeric=c.numeric("tanggal_lahir"))
    except ValueError:
        row.reject(
            f"Tanggal lahir '{date_text.strip()[:30]}' tidak terbaca atau bukan tanggal yang ada "
            "(gunakan hh-bb-tttt)."
        )
    if problem := birth_date_problem(birth, today):
        row.reject(problem)
    place = " ".join(place.split())
    if len(place) > LIMITS["tempat_lahir"]:
        row.reject(f"Tempat lahir terlalu panjang (maksimal {LIMITS['tempat_lahir']} karakter).")
    row.values["tempat_lahir"] = place or None
    return birth, date_text


def _no_nik_reason(row: RowResult, c: Cells, default_reason: str | None, required: bool = True) -> None:
    """The reason a row has no NIK: the reason column as a list value, else the synonym table over the reason
    and remarks columns, else the file's default reason (chosen on the mapping step)."""
    reason = (
        lookup(V.ALASAN_TANPA_NIK, c.get("alasan_tanpa_nik"))
        or read_remarks(c.get("alasan_tanpa_nik"), c.get("keterangan"), c.get("keterangan_lain"))[0]
    )
    if reason is None and default_reason:
        reason = default_reason
        row.warnings.append(DEFAULT_REASON.format(V.label(V.ALASAN_TANPA_NIK, default_reason)))
    if required and (problem := missing_nik_reason(None, reason)):
        row.reject(problem)
    row.values["alasan_tanpa_nik"] = reason


def _lost_last_digit(text: str, sex, birth, regency_code: str) -> bool:
    """Whether a number cell's NIK is wrong only because the spreadsheet dropped its 16th digit (…0000)."""
    if not (len(text) == 16 and text.isdigit() and text.endswith("0")):
        return False
    return check_nik(text[:15] + "1", sex=sex, birth_date=birth, regency_code=regency_code).ok


def nik_rule(
    row: RowResult,
    c: Cells,
    sex: str | None,
    birth: date | None,
    date_text: str,
    regency_code: str,
    default_reason: str | None = None,
) -> tuple[str | None, date | None]:
    """The NIK, or the reason there is none (core's one rule); sex and birth date taken from a valid NIK where
    the row gives none. A NIK from a number cell is imported flagged for checking (§7.4), never rejected for
    that alone; one written in scientific notation has lost its digits and is refused with its own message.
    Returns (sex, birth)."""
    text, from_number = c.number("nik")
    if is_scientific(text):
        row.reject(SCIENTIFIC.format("NIK", text[:20], "NIK"))
        return sex, birth
    if not text:
        _no_nik_reason(row, c, default_reason)
        return sex, birth
    check = check_nik(text, sex=sex, birth_date=birth, regency_code=regency_code)
    if check.errors and from_number and _lost_last_digit(check.value or text, sex, birth, regency_code):
        row.warnings.append(DIGIT_LOST)
        _no_nik_reason(row, c, default_reason, required=False)  # the NIK exists, it is only unreadable
        return sex, birth
    for e in check.errors:
        row.reject(e)
    if check.errors:
        if from_number:
            row.reject(AS_NUMBER.format("NIK"))
        return sex, birth
    row.values["nik"] = check.value
    if from_number:
        row.warnings.append(FROM_NUMBER.format("NIK"))
    row.warnings.extend(check.warnings)
    if sex is None:
        sex = check.sex
        row.warnings.append("Jenis kelamin diambil dari NIK.")
    if birth is None and check.birth_date and not date_text.strip():
        birth = check.birth_date
        row.values["tgl_lahir_perkiraan"] = True
        row.warnings.append("Tanggal lahir diambil dari NIK (ditandai perkiraan).")
    return sex, birth


def age_rule(row: RowResult, c: Cells, birth: date | None, date_text: str, today: date) -> date | None:
    """Without any birth date, an age in years gives an estimated one (mid-year, marked as estimate)."""
    if birth is not None or date_text.strip():
        return birth
    age_text = c.get("umur").strip()
    if not age_text:
        if row.status != DITOLAK:
            row.reject("Tanggal lahir kosong.")
        return None
    if not (age_text.isdigit() and int(age_text) <= 120):
        row.reject(f"Umur '{age_text[:10]}' bukan angka tahun 0–120.")
        return None
    row.values["tgl_lahir_perkiraan"] = True
    row.warnings.append(f"Tanggal lahir diperkirakan dari umur {int(age_text)} tahun (ditandai perkiraan).")
    return min(date(today.year - int(age_text), 7, 1), today)  # mid-year: at most half a year off


def kk_rule(row: RowResult, c: Cells) -> None:
    text, from_number = c.number("no_kk")
    if is_scientific(text):
        row.reject(SCIENTIFIC.format("No. KK", text[:20], "No. KK"))
    elif text:
        kk = check_kk(text)
        for e in kk.errors:
            row.reject(e)
        if kk.errors and from_number:
            row.reject(AS_NUMBER.format("No. KK"))
        if kk.ok and from_number:
            row.warnings.append(FROM_NUMBER.format("No. KK"))
        row.warnings.extend(kk.warnings)
        row.values["no_kk"] = kk.value if kk.ok else None


def shdk_rule(row: RowResult, c: Cells) -> None:
    text = c.get("hubungan")
    if text.strip():
        code = lookup(V.SHDK, text) or (
            KEPALA_KELUARGA if normalise_header(text) in ("kk", "kepala") else None
        )
        if code is None:
            row.warnings.append(f"Hubungan keluarga '{text.strip()[:30]}' tidak dikenali; dikosongkan.")
        row.values["hubungan_keluarga"] = code


def address_rule(row: RowResult, c: Cells) -> None:
    alamat = " ".join(c.get("alamat").split())
    if len(alamat) > LIMITS["alamat"]:
        row.reject(f"Alamat terlalu panjang (maksimal {LIMITS['alamat']} karakter).")
    row.values["alamat"] = alamat or None
    for key in ("rt", "rw"):
        text = c.get(key).strip()
        if text and not (text.isdigit() and len(text) <= 3):
            row.warnings.append(f"{key.upper()} '{text[:10]}' bukan angka 1–3 digit; dikosongkan.")
            text = ""
        row.values[key] = text or None


def phone_rule(row: RowResult, c: Cells) -> None:
    hp = c.get("no_hp").strip()
    if hp and not _PHONE.fullmatch(hp):
        row.warnings.append("No. HP tidak sah; dikosongkan.")
        hp = ""
    row.values["no_hp"] = hp or None


def disability_rule(row: RowResult, c: Cells) -> None:
    """Ragam words old and new (never rejects: what is not understood is completed on the record)."""
    ragam_text = c.get("ragam").strip()
    found, unknown = parse_ragam(ragam_text)
    if unknown:
        row.warnings.append(
            "Ragam disabilitas tidak dikenali: "
            + ", ".join(u[:30] for u in unknown[:3])
            + "; lengkapi pada data orang."
        )
    derajat_text = c.get("derajat").strip()
    derajat = lookup(V.DERAJAT, derajat_text) if derajat_text else None
    if derajat_text and derajat is None:
        row.warnings.append(f"Derajat '{derajat_text[:20]}' tidak dikenali; dikosongkan.")
    row.values.update(ragam=found, ragam_text=ragam_text[:200], derajat=derajat)


def notes_rule(row: RowResult, c: Cells) -> None:
    """The remarks columns: what is not a no-NIK reason (or all of it, for a row with a NIK) becomes the
    person's notes ("tinggal sendiri")."""
    texts = (c.get("keterangan"), c.get("keterangan_lain"))
    if row.values.get("nik"):
        parts = [" ".join(t.split()) for t in texts if t.strip()]
    else:
        parts = read_remarks(*texts)[1]
    notes = "; ".join(parts)
    if len(notes) > LIMITS["catatan"]:
        row.warnings.append(f"Keterangan dipotong (maksimal {LIMITS['catatan']} karakter).")
        notes = notes[: LIMITS["catatan"]]
    row.values["catatan"] = notes or None


def check_row(
    row: RowResult,
    c: Cells,
    regions: Regions,
    regency_code: str,
    today: date,
    default_reason: str | None = None,
) -> None:
    """Every field rule on one row; ``row.values`` ends up holding the person's values."""
    name_rule(row, c)
    sex = sex_rule(row, c)
    birth, date_text = birth_rule(row, c, today)
    sex, birth = nik_rule(row, c, sex, birth, date_text, regency_code, default_reason)
    if sex is None and not c.get("jenis_kelamin").strip():
        row.reject("Jenis kelamin kosong.")
    birth = age_rule(row, c, birth, date_text, today)
    row.values.update(jenis_kelamin=sex, tanggal_lahir=birth)
    kk_rule(row, c)
    regions.find(c.get("kecamatan"), c.get("nagari"), c.get("jorong"), row)
    shdk_rule(row, c)
    address_rule(row, c)
    phone_rule(row, c)
    disability_rule(row, c)
    notes_rule(row, c)


# ---- the rows against the registry and against each other ---------------------------------------


def _same(name, other_name, nik, other_nik) -> bool:
    """KK + similar name, unless both carry a NIK and the NIKs differ (then they are two people)."""
    return names_similar(other_name, name) and not (nik and other_nik and nik != other_nik)


def _registry(
    rows: list[RowResult], user
) -> tuple[dict[str, int], dict[str, list[tuple[int, str, str | None]]]]:
    """Records in the user's scope by NIK (-> id) and by No. KK (-> id, name, NIK); a merged one as the record
    it was merged into; an inactive one (an undone import) not at all."""
    niks = sorted({r.values["nik"] for r in rows if r.values.get("nik")})
    kks = sorted({r.values["no_kk"] for r in rows if r.values.get("no_kk")})
    by_nik: dict[str, int] = {}
    by_kk: dict[str, list[tuple[int, str, str | None]]] = {}
    for chunk in range(0, len(niks), 500):
        stmt = (
            scoped(Person, user, Person.id, Person.nik, Person.merged_into_id)
            .where(Person.nik.in_(niks[chunk : chunk + 500]), Person.active.is_(True))
            .order_by(Person.id)
        )
        for pid, nik, merged in db.session.execute(stmt):
            by_nik.setdefault(nik, merged or pid)
    for chunk in range(0, len(kks), 500):
        stmt = (
            scoped(
                Person, user, Person.id, Person.no_kk, Person.nama_lengkap, Person.nik, Person.merged_into_id
            )
            .where(Person.no_kk.in_(kks[chunk : chunk + 500]), Person.active.is_(True))
            .order_by(Person.id)
        )
        for pid, kk, name, other_nik, merged in db.session.execute(stmt):
            by_kk.setdefault(kk, []).append((merged or pid, name, other_nik))
    return by_nik, by_kk


def _find_matches(results: list[RowResult], user) -> None:
    """Existing records in the user's scope: by NIK first, then by No. KK + similar name; and the same
    person twice within the file."""
    live = [r for r in results if r.status != DITOLAK]
    by_nik, by_kk = _registry(live, user)
    seen_nik: dict[str, int] = {}
    seen_kk: dict[str, list[tuple[str, str | None, int]]] = {}  # No. KK -> earlier rows (name, NIK, line)
    for r in live:
        nik, kk, name = r.values.get("nik"), r.values.get("no_kk"), r.values["nama_lengkap"]
        if nik and nik in seen_nik:
            r.reject(f"NIK sama dengan baris {seen_nik[nik]} dalam berkas ini.")
            continue
        twin = (
            next((line for n, other_nik, line in seen_kk.get(kk, ()) if _same(name, n, nik, other_nik)), None)
            if kk
            else None
        )
        if twin:
            r.reject(f"No. KK dan nama sama dengan baris {twin} dalam berkas ini.")
            continue
        if nik:
            seen_nik[nik] = r.line
        if kk:
            seen_kk.setdefault(kk, []).append((name, nik, r.line))
        if nik and nik in by_nik:
            r.status, r.match_id, r.match_by = COCOK, by_nik[nik], "NIK"
        elif kk:
            hit = next(
                (pid for pid, other, other_nik in by_kk.get(kk, []) if _same(name, other, nik, other_nik)),
                None,
            )
            if hit:
                r.status, r.match_id, r.match_by = COCOK, hit, "No. KK + nama"
    propose_matches([r for r in live if r.status == BARU], user, USUL)


def _one_head_per_kk(results: list[RowResult], regency_id: int) -> None:
    """A row that would add a second Kepala Keluarga to a No. KK is refused, as on the form: against the
    registry (the same rule as a manual save) and against an earlier row of the file."""
    rows = [
        r
        for r in results
        if r.status in (BARU, USUL)
        and r.values.get("no_kk")
        and r.values.get("hubungan_keluarga") == KEPALA_KELUARGA
    ]
    if not rows:
        return
    heads = heads_of_kk(regency_id, [r.values["no_kk"] for r in rows])
    in_file: dict[str, RowResult] = {}
    for r in rows:
        kk = r.values["no_kk"]
        problem = None
        if kk in heads:
            # a proposal matching that head is probably that head; if the clerk says otherwise, it is a second one
            problem = head_taken_message(heads[kk].nama_lengkap, f"#{heads[kk].id}")
        elif kk in in_file:
            first = in_file[kk]
            problem = head_taken_message(first.values["nama_lengkap"], f"baris {first.line} dalam berkas ini")
        else:
            in_file[kk] = r
        if problem and r.status == USUL:
            r.head_problem = problem  # refused if the clerk says it is someone else (DryRun.decide)
        elif problem:
            r.reject(problem)


PROGRESS_EVERY = 1000  # rows checked between two progress notes of a dry run running as a job


def dry_run(pending: Pending, user, today: date, progress=None) -> DryRun:
    """What the import would do with each row; reads the database, writes nothing. ``progress(done, total,
    message)``, if given, hears how far the row checks got (the job page's bar)."""
    regions = Regions.load(pending.regency_id)
    total = data_row_count(pending)
    results = []
    for line, cells, numeric in pending.sheet.data_rows():
        row = RowResult(line=line, cells=cells)
        check_row(
            row,
            Cells(cells, pending.mapping, numeric),
            regions,
            user.regency.code,
            today,
            pending.default_reason,
        )
        results.append(row)
        if progress and len(results) % PROGRESS_EVERY == 0:
            progress(len(results), total, "Memeriksa isian tiap baris")
    if progress:
        progress(len(results), len(results), "Mencocokkan dengan data yang sudah ada")
    _find_matches(results, user)
    _one_head_per_kk(results, pending.regency_id)
    return DryRun(rows=results)


def data_row_count(pending: Pending) -> int:
    """The rows below the header (blank ones included: an upper bound, read without a pass over the rows)."""
    return max(0, len(pending.sheet.rows) - pending.sheet.header_row - 1)


def _cache_key(pending: Pending, user, today: date) -> str:
    return json.dumps(
        [
            pending.mapping,
            pending.sheet.header_row,
            pending.source,
            pending.default_reason,
            user.id,
            today.isoformat(),
        ]
    )


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def _dry_path(pending: Pending):
    return _area() / f"{pending.token}.dry"


def _is_kept(pending: Pending, user, today: date) -> bool:
    """Whether the dry run kept beside the upload is this mapping's, user's and day's (its first line says)."""
    try:
        with _dry_path(pending).open(encoding="utf-8") as fh:
            return json.loads(fh.readline()) == _cache_key(pending, user, today)
    except (OSError, ValueError):
        return False


def _kept_dry_run(pending: Pending, user, today: date) -> DryRun | None:
    """The dry run kept beside the upload for this mapping, user and day, if there is one."""
    try:
        with _dry_path(pending).open(encoding="utf-8") as fh:
            if json.loads(fh.readline()) != _cache_key(pending, user, today):
                return None
            rows = [RowResult(**r) for r in json.loads(fh.read())]
        for r in rows:
            if r.values.get("tanggal_lahir"):
                r.values["tanggal_lahir"] = date.fromisoformat(r.values["tanggal_lahir"])
        return DryRun(rows=rows)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _keep(pending: Pending, user, today: date, run: DryRun) -> None:
    """Line 1: the key (mapping, user, day), so whether it is still good is read without the rows; then the rows."""
    rows = []
    for r in run.rows:
        row = asdict(r)
        row["values"] = {k: _plain(v) for k, v in r.values.items()}
        rows.append(row)
    path = _dry_path(pending)
    tmp = path.with_suffix(".drytmp")
    tmp.write_text(json.dumps(_cache_key(pending, user, today)) + "\n" + json.dumps(rows), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)


def shown_dry_run(pending: Pending, user, today: date, progress=None) -> DryRun:
    """The dry run the preview pages show, worked out once per mapping and day and kept beside the upload, so
    paging or filtering a 20,000-row preview does not plan the file again. (The run plans it afresh.)"""
    run = _kept_dry_run(pending, user, today)
    if run is None:
        run = dry_run(pending, user, today, progress)
        _keep(pending, user, today, run)
    return run.decide(pending.decisions)


# ---- a large file's dry run as a background job (core.jobs) -------------------------------------------------


def dry_run_job(pending: Pending, user, today: date) -> jobs.Offer | None:
    """A file of more than SIDILAN_IMPORT_DRY_RUN_JOB_ROWS rows whose dry run is not kept yet is checked by a
    background job (a 20,000-row file takes longer than a request may): its offer; else None (the page works
    it out, or reads the kept one, in the request)."""
    n = data_row_count(pending)
    if (
        n <= int(setting("SIDILAN_IMPORT_DRY_RUN_JOB_ROWS"))
        or _kept_dry_run(pending, user, today) is not None
    ):
        return None
    params = {"token": pending.token, "key": _cache_key(pending, user, today), "today": today.isoformat()}
    return jobs.Offer(
        "sidilan_dry_run",
        f"Uji coba impor {pending.sheet.filename or 'berkas'}"[:120],
        params,
        user,
        total=n,
        button="Jalankan uji coba",
        intro="Berkas ini besar, jadi uji coba impornya dijalankan di latar belakang.",
        result_url=url_for("sidilan.import_preview", token=pending.token),
    )


def preview_or_job(pending: Pending, user, today: date) -> DryRun | jobs.Offer:
    """What the preview page shows: the dry run, or for a large file not checked yet the job that checks it."""
    kept = _kept_dry_run(pending, user, today)
    if kept is not None:
        return kept.decide(pending.decisions)
    return dry_run_job(pending, user, today) or shown_dry_run(pending, user, today)


@jobs.job("sidilan_dry_run", record_type="sidilan_import")
def dry_run_in_job(job, progress) -> None:
    """Work out and keep the dry run of ``job.params["token"]``; the job page then links to the preview."""
    p = job.params
    pending = load_pending(p["token"], job.owner)
    if pending is None:
        raise jobs.JobError("Berkas unggahan ini sudah tidak ada (lebih dari sehari). Unggah lagi.")
    today = date.fromisoformat(p["today"])
    if _cache_key(pending, job.owner, today) != p["key"]:
        raise jobs.JobError("Pemetaan kolom berubah sejak uji coba ini dimulai. Buka uji coba lagi.")
    counts = shown_dry_run(pending, job.owner, today, progress).counts
    progress(
        sum(counts.values()),
        sum(counts.values()),
        f"Uji coba selesai: {angka(counts[BARU])} akan dibuat, {angka(counts[COCOK])} cocok dengan data yang "
        f"ada, {angka(counts[USUL])} mungkin sama (perlu keputusan), {angka(counts[DITOLAK])} ditolak.",
    )
