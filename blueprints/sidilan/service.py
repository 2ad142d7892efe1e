"""SIDILAN logic shared by routes, demo and the report helper: derived values, NIK wrapper, workflow,
duplicate detection and merge, search. Services add and flush; the caller commits."""
import re
from dataclasses import asdict, dataclass
from datetime import date

from flask import current_app, has_app_context
from flask_login import current_user
from sqlalchemy import and_, exists, func, or_, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.nik import clean_number
from blueprints.core.roles import OPERATOR_DINSOS, VERIFIKATOR_DINSOS
from blueprints.core.scope import scoped
from blueprints.core.timeutil import utcnow

from . import values as V
from .models import (Assistance, ChangeLog, Disability, DuplicateCandidate, ElderlyAssessment, Household, Person,
                     Program, VerificationEvent, join_codes)

DEFAULT_WGSS_CUTOFF = 3
LANSIA_AGE = 60


# ---- names ---------------------------------------------------------------------------------------

def name_search(name: str | None) -> str:
    """What the prefix search compares: lower case, single spaces."""
    return " ".join((name or "").lower().split())[:120]


# Common spelling variants in Minang / older Indonesian spelling (tuning unverified, sidilan.md §13.4).
_VARIANTS = [("dj", "j"), ("tj", "c"), ("sj", "sy"), ("oe", "u"), ("sy", "s"), ("kh", "k"), ("ch", "k"),
             ("dh", "d"), ("th", "t"), ("ph", "f"), ("q", "k"), ("z", "s"), ("v", "f"), ("y", "i")]


def name_key(name: str | None) -> str:
    """Spelling-normalised key for duplicate matching: 'Syamsul' == 'Samsul', 'Nur Hayati' == 'Nurhayati'."""
    text = re.sub(r"[^a-z]", "", (name or "").lower())
    for a, b in _VARIANTS:
        text = text.replace(a, b)
    text = re.sub(r"h(?=[^aiueo]|$)", "", text)  # silent h: 'Rahmad' / 'Ramad', 'Fatimah' / 'Fatima'
    text = re.sub(r"(.)\1+", r"\1", text)  # doubled letters: 'Yusuff' / 'Yusuf'
    return text[:120]


def names_similar(a: str | None, b: str | None) -> bool:
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    shorter, longer = sorted((ka, kb), key=len)
    return len(shorter) >= 5 and longer.startswith(shorter)  # 'Siti Aminah' vs 'Siti Aminah Binti ...'


# ---- NIK / KK wrappers ---------------------------------------------------------------------------

# ---- derived values ------------------------------------------------------------------------------

def wgss_cutoff() -> int:
    if has_app_context():
        return int(current_app.config.get("SIDILAN_WGSS_CUTOFF", DEFAULT_WGSS_CUTOFF))
    return DEFAULT_WGSS_CUTOFF


def wgss_flag(answers, cutoff: int | None = None) -> bool:
    """WG-SS disability flag: at least one domain answered at or above the cut-off (default 3,
    'a lot of difficulty'; sidilan.md §8.1, unverified, hence configurable)."""
    cutoff = wgss_cutoff() if cutoff is None else cutoff
    return any(a is not None and a >= cutoff for a in answers)


def derive_ganda(d: Disability) -> bool:
    jenis = {d.jenis_fisik, d.jenis_intelektual, d.jenis_mental, d.jenis_sensorik}
    return len(d.ragam_codes) >= 2 or bool(jenis & V.JENIS_GANDA)


def barthel_maxima() -> dict[str, int]:
    maxima = {f: m for f, _, m in V.BARTHEL_ITEMS}
    if has_app_context():
        maxima.update(current_app.config.get("SIDILAN_BARTHEL_MAXIMA", {}))
    return maxima


def barthel_category(total: int) -> str:
    """sidilan.md §8.2: 20 mandiri; 12-19 ringan; 9-11 sedang; 5-8 berat; 0-4 total."""
    if total >= 20:
        return "mandiri"
    if total >= 12:
        return "ringan"
    if total >= 9:
        return "sedang"
    if total >= 5:
        return "berat"
    return "total"


def barthel_options(maxima: dict[str, int]) -> dict[str, list[tuple[str, str]]]:
    """Per item, the choices 0..maximum with what each score means ("0 · tidak mampu"). An item whose maximum
    was configured away from the default gets generic wording, since the item's own levels no longer apply."""
    out = {}
    for f, _, _ in V.BARTHEL_ITEMS:
        top = maxima[f]
        meanings = V.BARTHEL_MEANINGS.get(f, [])
        if len(meanings) != top + 1:
            meanings = ["tidak mampu"] + ["perlu bantuan"] * (top - 1) + ["mandiri"] if top else ["tidak mampu"]
        out[f] = [(str(i), f"{i} · {meanings[i]}") for i in range(top + 1)]
    return out


def barthel_result(items: dict[str, int]) -> tuple[int, str]:
    total = sum(int(items.get(f) or 0) for f, _, _ in V.BARTHEL_ITEMS)
    return total, barthel_category(total)


# ---- change log ----------------------------------------------------------------------------------

def _text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    return str(value)


def apply_changes(obj, data: dict, person_id: int | None, entity: str, log: bool = True) -> list[str]:
    """Set attributes and write one ChangeLog row per changed field (not on creation). Returns changed names."""
    changed = []
    for key, new in data.items():
        old = getattr(obj, key)
        if _text(old) != _text(new):
            changed.append(key)
            if log and person_id is not None:
                db.session.add(ChangeLog(person_id=person_id, entity=entity, field=key, old_value=_text(old),
                                         new_value=_text(new), user_id=_uid()))
            setattr(obj, key, new)
    return changed


def _uid() -> int | None:
    return current_user.id if getattr(current_user, "is_authenticated", False) else None


def record_creation(person: Person, user, how: str = "") -> None:
    """The trail every new record starts with, typed or imported: history row, workflow start, audit."""
    db.session.add(ChangeLog(person_id=person.id, entity="person", field="dibuat",
                             new_value=f"data baru{f' ({how})' if how else ''}", user_id=user.id))
    db.session.add(VerificationEvent(person_id=person.id, from_status=None, to_status="draf", user_id=user.id))
    audit.record("create", "sidilan_person", person.id,
                 f"mendaftarkan orang #{person.id}{f' ({how})' if how else ''}", user=user)


# ---- household -----------------------------------------------------------------------------------

def household_for(regency_id: int, no_kk: str | None, address: dict) -> Household | None:
    """Find or create the household of a No. KK in this regency; None without a KK."""
    if not no_kk:
        return None
    find = select(Household).where(Household.regency_id == regency_id, Household.no_kk == no_kk)
    hh = db.session.scalar(find)
    if hh is None:
        try:
            with db.session.begin_nested():  # two clerks registering the first two members of one KK at once
                hh = Household(regency_id=regency_id, no_kk=no_kk, **address)
                db.session.add(hh)
        except IntegrityError:
            hh = db.session.scalar(find)
    return hh


# ---- person rules ----------------------------------------------------------------------------------

KEPALA_KELUARGA = "Kepala Keluarga"


def heads_of_kk(regency_id: int, kks, exclude_id: int | None = None) -> dict[str, Person]:
    """No. KK -> its Kepala Keluarga in this regency: active, not merged, alive, other than ``exclude_id``.
    A deceased head does not count: the family card is reissued with a new head after a death."""
    kks = sorted({k for k in kks if k})
    found: dict[str, Person] = {}
    for start in range(0, len(kks), 500):
        stmt = _live(select(Person).where(
            Person.regency_id == regency_id, Person.no_kk.in_(kks[start:start + 500]),
            Person.hubungan_keluarga == KEPALA_KELUARGA, Person.status_hidup != "meninggal"))
        if exclude_id is not None:
            stmt = stmt.where(Person.id != exclude_id)
        for p in db.session.scalars(stmt.order_by(Person.id)):
            found.setdefault(p.no_kk, p)
    return found


def head_taken_message(name: str, ref: str) -> str:
    return f"No. KK ini sudah punya Kepala Keluarga: {name} ({ref})."


def person_rule_errors(data: dict, regency_id: int, person_id: int | None = None) -> dict[str, list[str]]:
    """Rules a person record must satisfy whoever writes it (form or import): field name -> messages.
    ``data`` holds the values about to be stored."""
    errors: dict[str, list[str]] = {}
    alive = data.get("status_hidup") != "meninggal"
    if not alive:
        died, born = data.get("tgl_meninggal"), data.get("tanggal_lahir")
        if not died:
            errors["tgl_meninggal"] = ["Status meninggal: isi tanggal meninggal."]
        elif born and died < born:
            errors["tgl_meninggal"] = ["Tanggal meninggal tidak boleh sebelum tanggal lahir."]
    if alive and data.get("hubungan_keluarga") == KEPALA_KELUARGA and data.get("no_kk"):
        head = heads_of_kk(regency_id, [data["no_kk"]], exclude_id=person_id).get(data["no_kk"])
        if head is not None:
            errors["hubungan_keluarga"] = [head_taken_message(head.nama_lengkap, f"#{head.id}")]
    return errors


# ---- workflow (sidilan.md §9.1) -----------------------------------------------------------------

# action -> (allowed from-statuses, to-status, roles allowed, note required)
TRANSITIONS = {
    "ajukan": ({"draf", "ditolak"}, "diajukan", {OPERATOR_DINSOS}, False),  # resubmit after a fix
    "verifikasi": ({"diajukan"}, "diverifikasi", {VERIFIKATOR_DINSOS}, False),
    "setujui": ({"diverifikasi"}, "disetujui", {VERIFIKATOR_DINSOS}, False),
    "tolak": ({"diajukan", "diverifikasi"}, "ditolak", {VERIFIKATOR_DINSOS}, True),
    "perbaiki": ({"ditolak"}, "draf", {OPERATOR_DINSOS}, False),
}
ACTION_LABELS = {"ajukan": "Ajukan untuk verifikasi", "verifikasi": "Verifikasi (tingkat nagari)",
                 "setujui": "Setujui (dinas)", "tolak": "Tolak", "perbaiki": "Kembalikan ke draf untuk perbaikan"}
EDITABLE_STATUSES = {"draf", "ditolak"}
# what each role has to act on: (status, title, panel tone); the worklist page and the home panels
WORKLISTS = {
    OPERATOR_DINSOS: [("ditolak", "Ditolak, perlu perbaikan", "danger"), ("draf", "Draf belum diajukan", "")],
    VERIFIKATOR_DINSOS: [("diajukan", "Menunggu verifikasi", "warn"),
                         ("diverifikasi", "Menunggu persetujuan dinas", "warn")],
}


class WorkflowError(Exception):
    pass


class AlreadyDone(WorkflowError):
    """The step's target status holds already (the step was sent twice, or someone else took it): no change."""


def already_message(status: str) -> str:
    return f"Langkah ini sudah tercatat: status data sudah '{V.label(V.STATUS_VERIFIKASI, status)}'. " \
           "Tidak ada yang diubah."


class DuplicateUndecided(WorkflowError):
    """Approval refused while a same-NIK duplicate case of the record is open; ``cases`` are those cases.
    The cases may have been opened by the check itself, so the caller keeps (commits) them."""

    def __init__(self, message: str, cases: list):
        super().__init__(message)
        self.cases = cases


# Steps that vouch for a record; a record that may be someone else's registration cannot get them.
APPROVAL_ACTIONS = {"verifikasi", "setujui"}


def allowed_actions(person: Person, user) -> list[str]:
    if person.merged_into_id or not person.active:
        return []
    return [a for a, (src, _, roles, _) in TRANSITIONS.items() if person.status_verifikasi in src and user.role in roles]


def transition(person: Person, action: str, user, note: str | None = None) -> VerificationEvent:
    """Move a record one step; the order and roles are enforced here, whatever the form sent."""
    if action not in TRANSITIONS:
        raise WorkflowError("Tindakan tidak dikenal.")
    src, dst, roles, note_required = TRANSITIONS[action]
    if person.merged_into_id or not person.active:
        raise WorkflowError("Data ini sudah digabung atau tidak aktif.")
    if user.role not in roles:
        raise WorkflowError("Peran Anda tidak dapat melakukan tindakan ini.")
    if person.status_verifikasi == dst:
        raise AlreadyDone(already_message(dst))
    if person.status_verifikasi not in src:
        current = V.label(V.STATUS_VERIFIKASI, person.status_verifikasi)
        raise WorkflowError(f"Status data saat ini '{current}'; langkah ini belum atau tidak dapat dilakukan.")
    note = (note or "").strip() or None
    if note_required and not note:
        raise WorkflowError("Catatan penolakan wajib diisi.")
    if action == "ajukan" and not person.persetujuan:
        raise WorkflowError("Persetujuan (consent) belum dicatat; lengkapi dulu sebelum mengajukan.")
    if action in APPROVAL_ACTIONS:
        cases = open_nik_duplicates(person)
        if cases:
            step = "diverifikasi" if action == "verifikasi" else "disetujui"
            others = [c.person_b_id if c.person_a_id == person.id else c.person_a_id for c in cases]
            pairs = ", ".join(f"#{c.id} (dengan data #{o})" for c, o in zip(cases, others))
            raise DuplicateUndecided(
                f"Data ini belum dapat {step}: kasus duplikat NIK {pairs} belum diputuskan. "
                "Putuskan dulu kasus tersebut (gabungkan, atau tandai bukan duplikat).", cases)
    event = VerificationEvent(person_id=person.id, from_status=person.status_verifikasi, to_status=dst,
                              note=note, user_id=user.id)
    person.status_verifikasi = dst
    if action in ("tolak", "verifikasi", "setujui"):  # the verifier's latest note shows on the record
        person.catatan_verifikasi = note
    db.session.add(event)
    audit.record("update", "sidilan_person", person.id, f"status orang #{person.id}: {event.from_status} -> {dst}",
                 user=user, regency_id=person.regency_id)
    return event


# ---- assistance status ------------------------------------------------------------------------

ASSISTANCE_TRANSITIONS = {"diusulkan": ("disetujui", "ditolak"), "disetujui": ("disalurkan", "dihentikan"),
                          "disalurkan": ("dihentikan",)}


# ---- duplicates (sidilan.md §9.4) ---------------------------------------------------------------

REASON_LABELS = {"nik": "NIK sama", "kk_nama": "KK sama + nama mirip", "nama_lahir_nagari": "Nama + tgl lahir + nagari"}
SCORES = {"nik": 100, "kk_nama": 80, "nama_lahir_nagari": 70}


def _live(stmt):
    return stmt.where(Person.active.is_(True), Person.merged_into_id.is_(None))


def find_duplicates(person: Person) -> list[tuple[Person, str]]:
    """Candidates for ``person`` in its regency, skipping pairs already recorded (decided or pending)."""
    found: dict[int, str] = {}
    base = _live(select(Person).where(Person.regency_id == person.regency_id, Person.id != person.id))
    if person.nik:
        for other in db.session.scalars(base.where(Person.nik == person.nik)):
            found.setdefault(other.id, "nik")
    if person.no_kk and person.name_key:
        for other in db.session.scalars(base.where(Person.no_kk == person.no_kk)):
            if names_similar(person.nama_lengkap, other.nama_lengkap):
                found.setdefault(other.id, "kk_nama")
    if person.tanggal_lahir and person.nagari_code and person.name_key:
        stmt = base.where(Person.tanggal_lahir == person.tanggal_lahir, Person.nagari_code == person.nagari_code)
        for other in db.session.scalars(stmt):
            if names_similar(person.nama_lengkap, other.nama_lengkap):
                found.setdefault(other.id, "nama_lahir_nagari")
    if not found:
        return []
    known = set()
    for a, b in db.session.execute(select(DuplicateCandidate.person_a_id, DuplicateCandidate.person_b_id).where(
            or_(and_(DuplicateCandidate.person_a_id == person.id, DuplicateCandidate.person_b_id.in_(found)),
                and_(DuplicateCandidate.person_b_id == person.id, DuplicateCandidate.person_a_id.in_(found))))):
        known.add(b if a == person.id else a)
    others = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(found)))}
    return [(others[i], r) for i, r in found.items() if i not in known]


def record_duplicates(person: Person) -> list[DuplicateCandidate]:
    """Open review rows for new candidate pairs. Never blocks the save."""
    out = []
    for other, reason in find_duplicates(person):
        a, b = sorted((person.id, other.id))
        cand = DuplicateCandidate(regency_id=person.regency_id, person_a_id=a, person_b_id=b, alasan=reason,
                                  skor=SCORES[reason])
        db.session.add(cand)
        out.append(cand)
    if out:
        db.session.flush()
    return out


def open_nik_duplicates(person: Person) -> list[DuplicateCandidate]:
    """Undecided duplicate cases of ``person`` that concern the same NIK: opened as 'NIK sama', or between two
    records that carry the same NIK now. Opens the case first for a same-NIK record that has none yet."""
    if person.nik:
        record_duplicates(person)
    cases = db.session.scalars(select(DuplicateCandidate).where(
        DuplicateCandidate.keputusan.is_(None),
        or_(DuplicateCandidate.person_a_id == person.id, DuplicateCandidate.person_b_id == person.id))
        .order_by(DuplicateCandidate.id))
    out = []
    for cand in cases:
        other = cand.person_b if cand.person_a_id == person.id else cand.person_a
        if other.merged_into_id or not other.active:
            continue
        if cand.alasan == "nik" or (person.nik and other.nik == person.nik):
            out.append(cand)
    return out


def decide_duplicate(cand: DuplicateCandidate, decision: str, user, keep_id: int | None = None) -> None:
    """'bukan_duplikat' remembers the pair; 'duplikat' merges the other record into ``keep_id``."""
    if cand.keputusan:
        raise WorkflowError("Pasangan ini sudah diputuskan.")
    if decision == "bukan_duplikat":
        cand.keputusan = decision
    elif decision == "duplikat":
        if keep_id not in (cand.person_a_id, cand.person_b_id):
            raise WorkflowError("Pilih data yang dipertahankan.")
        keep = cand.person_a if keep_id == cand.person_a_id else cand.person_b
        gone = cand.person_b if keep is cand.person_a else cand.person_a
        if keep.merged_into_id or gone.merged_into_id:
            raise WorkflowError("Salah satu data sudah digabung sebelumnya.")
        merge(gone, keep)
        cand.keputusan = decision
    else:
        raise WorkflowError("Keputusan tidak dikenal.")
    cand.decided_by_id = user.id
    cand.decided_at = utcnow()
    audit.record("update", "sidilan_duplicate", cand.id,
                 f"duplikat orang #{cand.person_a_id} dan #{cand.person_b_id}: {decision}",
                 user=user, regency_id=cand.regency_id)


def merge(gone: Person, keep: Person) -> None:
    """Move what hangs on ``gone`` to ``keep``; ``gone`` stays findable, marked 'digabung ke #keep'."""
    for a in db.session.scalars(select(ElderlyAssessment).where(ElderlyAssessment.person_id == gone.id)):
        a.person_id = keep.id
    for a in db.session.scalars(select(Assistance).where(Assistance.person_id == gone.id)):
        a.person_id = keep.id
    if gone.disability is not None and keep.disability is None:
        gone.disability.person_id = keep.id
    for field in ("nik", "no_kk", "tanggal_lahir", "nagari_code", "kecamatan_code", "jorong_id", "no_hp"):
        if getattr(keep, field) is None and getattr(gone, field) is not None:
            setattr(keep, field, getattr(gone, field))
    gone.merged_into_id = keep.id
    db.session.add(ChangeLog(person_id=gone.id, entity="person", field="merged_into_id", old_value=None,
                             new_value=str(keep.id), user_id=_uid()))
    db.session.add(ChangeLog(person_id=keep.id, entity="person", field="digabung_dari", old_value=None,
                             new_value=str(gone.id), user_id=_uid()))
    # pending pairs that involved the merged record are moot
    for cand in db.session.scalars(select(DuplicateCandidate).where(
            DuplicateCandidate.keputusan.is_(None),
            or_(DuplicateCandidate.person_a_id == gone.id, DuplicateCandidate.person_b_id == gone.id))):
        cand.keputusan = "digabung"
    db.session.flush()


# ---- search --------------------------------------------------------------------------------------

@dataclass
class Filters:
    q: str = ""
    kecamatan: str = ""
    nagari: str = ""
    jorong: str = ""
    ragam: str = ""
    lansia: str = ""  # "" / "ya"
    status: str = ""
    program: str = ""  # Program.id as text

    @classmethod
    def from_args(cls, args) -> "Filters":
        def get(name, n=20):
            return (args.get(name) or "").strip()[:n]
        return cls(q=get("q", 60), kecamatan=get("kecamatan"), nagari=get("nagari"), jorong=get("jorong"),
                   ragam=get("ragam"), lansia=get("lansia"), status=get("status"), program=get("program"))

    def as_args(self) -> dict[str, str]:
        """The filters that are set, as query arguments (for links that keep the filter)."""
        return {k: v for k, v in asdict(self).items() if v}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _prefix(column, text: str):
    """Prefix match that an index serves on both databases. PostgreSQL uses the text_pattern_ops index for
    LIKE 'x%'; SQLite's LIKE is case-insensitive and cannot use the index, so there a byte range is added
    (the stored values are already lower-case digits or names)."""
    cond = column.like(_escape_like(text) + "%", escape="\\")
    if db.session.get_bind().dialect.name == "sqlite":
        cond = and_(column >= text, column < text + "\uffff", cond)
    return cond


def search_stmt(f: Filters, user, today: date):
    """Scoped person query for the list. The box takes a NIK or No. KK prefix (digits) or a name prefix."""
    stmt = scoped(Person, user).where(Person.active.is_(True))
    q = f.q
    digits = clean_number(q)
    order = (Person.name_search, Person.id)
    if q and digits.isdigit():
        # a UNION of two index range scans; an OR of the two would make SQLite scan the whole regency
        ids = union(scoped(Person, user, Person.id).where(_prefix(Person.nik, digits)),
                    scoped(Person, user, Person.id).where(_prefix(Person.no_kk, digits)))
        stmt = stmt.where(Person.id.in_(ids))
        order = (Person.id,)  # drives the outer query by the few ids found
    elif q:
        stmt = stmt.where(_prefix(Person.name_search, name_search(q)))
    if f.kecamatan:
        stmt = stmt.where(Person.kecamatan_code == f.kecamatan)
    if f.nagari:
        stmt = stmt.where(Person.nagari_code == f.nagari)
    if f.jorong.isdigit():
        stmt = stmt.where(Person.jorong_id == int(f.jorong))
    if f.ragam in {c for c, _ in V.RAGAM}:
        stmt = stmt.where(exists().where(Disability.person_id == Person.id,
                                         getattr(Disability, f"ragam_{f.ragam}").is_(True)))
    elif f.ragam == "ganda":
        stmt = stmt.where(exists().where(Disability.person_id == Person.id, Disability.ganda.is_(True)))
    if f.lansia == "ya":
        stmt = stmt.where(lansia_clause(today))
    if f.status in {c for c, _ in V.STATUS_VERIFIKASI}:
        stmt = stmt.where(Person.status_verifikasi == f.status)
    if f.program.isdigit():
        pid = int(f.program)
        stmt = stmt.where(or_(
            exists().where(Assistance.person_id == Person.id, Assistance.program_id == pid),
            exists().where(Assistance.household_id == Person.household_id, Assistance.household_id.is_not(None),
                           Assistance.program_id == pid)))
    return stmt.order_by(*order)


def years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def lansia_clause(today: date):
    return Person.tanggal_lahir <= years_before(today, LANSIA_AGE)


def in_status(user, status: str):
    """Scoped, active, not merged records at one verification status."""
    return _live(scoped(Person, user)).where(Person.status_verifikasi == status)


def live_persons(user):
    """The live registry the reports count: scoped, active, not merged, alive."""
    return _live(scoped(Person, user)).where(Person.status_hidup == "hidup")


# ---- coverage-gap views (§5.6) -------------------------------------------------------------------

ACTIVE_AID = ("diusulkan", "disetujui", "disalurkan")  # rejected or stopped aid does not count


def assistance_for(person: Person, user):
    """A person's own assistance and their household's, newest first (record page and profile print)."""
    return (scoped(Assistance, user).options(joinedload(Assistance.program))
            .where(or_(Assistance.person_id == person.id,
                       and_(Assistance.household_id.is_not(None), Assistance.household_id == person.household_id)))
            .order_by(Assistance.tahun.desc(), Assistance.id.desc()))


def _any_active_assistance(person_col, household_col):
    return or_(
        exists().where(Assistance.person_id == person_col, Assistance.status.in_(ACTIVE_AID)),
        exists().where(Assistance.household_id == household_col, Assistance.household_id.is_not(None),
                       Assistance.status.in_(ACTIVE_AID)))


def unassisted_stmt(user):
    """People with a severe disability, or whose latest Barthel total is <= 8, and no assistance at all
    (proposed, approved or paid; rejected or stopped aid does not count)."""
    latest = (select(ElderlyAssessment.barthel_total)
              .where(ElderlyAssessment.person_id == Person.id)
              .order_by(ElderlyAssessment.tgl_asesmen.desc(), ElderlyAssessment.id.desc())
              .limit(1).scalar_subquery())
    severe = exists().where(Disability.person_id == Person.id, Disability.derajat == "berat")
    return (live_persons(user)
            .where(or_(severe, latest <= 8))
            .where(~_any_active_assistance(Person.id, Person.household_id))
            .order_by(Person.name_search, Person.id))


def double_program_stmt(user):
    """(household, program, count) where one household receives the same program more than once in a year,
    counting household-level records and those of its members (rejected or stopped aid not counted)."""
    hh_col = func.coalesce(Assistance.household_id, Person.household_id)
    return (scoped(Assistance, user, hh_col.label("household_id"), Assistance.program_id, Assistance.tahun,
                   func.count(Assistance.id).label("n"))
            .outerjoin(Person, Person.id == Assistance.person_id)
            .where(Assistance.status.in_(ACTIVE_AID), hh_col.is_not(None))
            .group_by(hh_col, Assistance.program_id, Assistance.tahun)
            .having(func.count(Assistance.id) > 1)
            .order_by(hh_col, Assistance.program_id, Assistance.tahun))


def programs_for(user, active_only: bool = True) -> list[Program]:
    stmt = scoped(Program, user)
    if active_only:
        stmt = stmt.where(Program.aktif.is_(True))
    return list(db.session.scalars(stmt.order_by(Program.kode, Program.id)))


def seed_programs(regency_id: int) -> int:
    """Idempotent: the national and regional programs of sidilan.md §5.1 for one regency."""
    have = set(db.session.scalars(select(Program.kode).where(Program.regency_id == regency_id)))
    n = 0
    for kode, nama, dana, jenis, sasaran, komp in V.SEED_PROGRAMS:
        if kode not in have:
            db.session.add(Program(regency_id=regency_id, kode=kode, nama=nama, sumber_dana=dana, jenis=jenis,
                                   sasaran=sasaran, punya_komponen=komp, aktif=True))
            n += 1
    db.session.flush()
    return n


def set_codes(values_list, chosen) -> str:
    valid = {c for c, _ in values_list}
    return join_codes(c for c in chosen if c in valid)
