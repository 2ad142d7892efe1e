"""The verification workflow (docs/sidilan.md §9.1): draf -> diajukan -> diverifikasi -> disetujui, or
ditolak and back to draf. Which step each role may take, what each step needs, and the worklists."""

from flask import g
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from blueprints.auth.models import User, UserNagari
from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.outcome import RACED, Outcome
from blueprints.core.roles import OPERATOR_DINSOS, ROLE_LABELS, VERIFIKATOR_DINSOS, VERIFIKATOR_NAGARI
from blueprints.core.scope import scoped
from blueprints.core.timeutil import today_local

from . import values as V
from .access import DINAS_VERIFY_ROLES, NAGARI_VERIFY_ROLES, SUBMIT_ROLES, VERIFY_ROLES
from .duplicates import open_nik_duplicates
from .models import Person, VerificationEvent
from .search import live
from .settings import setting

# action -> (allowed from-statuses, to-status, roles allowed, note required)
TRANSITIONS = {
    "ajukan": ({"draf", "ditolak"}, "diajukan", SUBMIT_ROLES, False),  # resubmit after a fix
    "verifikasi": ({"diajukan"}, "diverifikasi", NAGARI_VERIFY_ROLES, False),
    "setujui": ({"diverifikasi"}, "disetujui", DINAS_VERIFY_ROLES, False),
    "tolak": ({"diajukan", "diverifikasi"}, "ditolak", VERIFY_ROLES, True),
    "perbaiki": ({"ditolak"}, "draf", SUBMIT_ROLES, False),
}
ACTION_LABELS = {
    "ajukan": "Ajukan untuk verifikasi",
    "verifikasi": "Verifikasi (tingkat nagari)",
    "setujui": "Setujui (dinas)",
    "tolak": "Tolak",
    "perbaiki": "Kembalikan ke draf untuk perbaikan",
}
# a rejection belongs to the step the record waits for: the nagari verifier's, then the Dinsos verifier's
STAGE_ROLES = {"diajukan": NAGARI_VERIFY_ROLES, "diverifikasi": DINAS_VERIFY_ROLES}
# the Dinsos step: never by the user who took the nagari step of the same record (separation of duties)
DINAS_ACTIONS = {"setujui", "tolak"}
EDITABLE_STATUSES = {"draf", "ditolak"}
# what each role has to act on: (status, title, panel tone); the worklist page and the home panels
WORKLISTS = {
    OPERATOR_DINSOS: [("ditolak", "Ditolak, perlu perbaikan", "danger"), ("draf", "Draf belum diajukan", "")],
    VERIFIKATOR_NAGARI: [("diajukan", "Menunggu verifikasi nagari", "warn")],
    VERIFIKATOR_DINSOS: [("diverifikasi", "Menunggu persetujuan dinas", "warn")],
}


class WorkflowError(Exception):
    pass


class AlreadyDone(WorkflowError):
    """The step's target status holds already (the step was sent twice, or someone else took it): no change."""


def already_message(status: str) -> str:
    return (
        f"Langkah ini sudah tercatat: status data sudah '{V.label(V.STATUS_VERIFIKASI, status)}'. "
        "Tidak ada yang diubah."
    )


class DuplicateUndecided(WorkflowError):
    """Approval refused while a same-NIK duplicate case of the record is open; ``cases`` are those cases.
    The cases may have been opened by the check itself, so the caller keeps (commits) them."""

    def __init__(self, message: str, cases: list):
        super().__init__(message)
        self.cases = cases


# Steps that vouch for a record; a record that may be someone else's registration cannot get them.
APPROVAL_ACTIONS = {"verifikasi", "setujui"}


def step_roles(action: str, status: str, unattended: bool = False) -> frozenset:
    """The roles that may take ``action`` on a record at ``status`` (a rejection: the waiting step's role).
    ``unattended``: the record's nagari has no nagari verifier (``unattended_nagari``), so its nagari step is
    open to the Dinsos verifier too."""
    roles = TRANSITIONS[action][2]
    if action == "tolak":
        roles = roles & STAGE_ROLES.get(status, frozenset())
    if unattended and status == "diajukan" and action in ("verifikasi", "tolak"):
        roles = roles | DINAS_VERIFY_ROLES
    return roles


def unattended_nagari(person: Person) -> bool:
    """No active nagari verifier is assigned to the record's nagari, and the rule lets the Dinsos verifier take
    that step (``SIDILAN_NAGARI_STEP_BY_DINSOS_WITHOUT_VERIFIER``). Asked once per nagari in a request (a bulk
    step over a worklist asks it for every record)."""
    if (
        not setting("SIDILAN_NAGARI_STEP_BY_DINSOS_WITHOUT_VERIFIER")
        or person.status_verifikasi != "diajukan"
    ):
        return False
    known = g.setdefault("sidilan_nagari_attended", {})
    where = (person.regency_id, person.nagari_code)
    if where not in known:
        known[where] = bool(
            db.session.scalar(
                select(func.count())
                .select_from(UserNagari)
                .join(User, User.id == UserNagari.user_id)
                .where(
                    UserNagari.nagari_code == person.nagari_code,
                    User.role == VERIFIKATOR_NAGARI,
                    User.active.is_(True),
                    User.regency_id == person.regency_id,
                )
            )
        )
    return not known[where]


def allowed_actions(person: Person, user) -> list[str]:
    if person.merged_into_id or not person.active:
        return []
    unattended = user.role in DINAS_VERIFY_ROLES and unattended_nagari(person)
    return bulk_actions(user, person.status_verifikasi, unattended)


def bulk_actions(user, status: str, unattended: bool = False) -> list[str]:
    """The steps ``user`` may take on records at ``status`` (one record's buttons, the worklist's bulk form)."""
    return [
        a
        for a, (src, _, _, _) in TRANSITIONS.items()
        if status in src and user.role in step_roles(a, status, unattended)
    ]


def nagari_verifier_id(person: Person) -> int | None:
    """Who took the latest nagari step (to 'diverifikasi') of the record."""
    return db.session.scalar(
        select(VerificationEvent.user_id)
        .where(VerificationEvent.person_id == person.id, VerificationEvent.to_status == "diverifikasi")
        .order_by(VerificationEvent.id.desc())
        .limit(1)
    )


SAME_USER = (
    "Anda sendiri yang memverifikasi data ini di tingkat nagari. Persetujuan atau penolakan dinas harus "
    "dilakukan oleh petugas lain (pemisahan tugas)."
)


def _no_open_nik_case(person: Person, action: str) -> None:
    """A record that may be someone else's registration (an open same-NIK case) cannot be vouched for."""
    cases = open_nik_duplicates(person)
    if cases:
        step = "diverifikasi" if action == "verifikasi" else "disetujui"
        others = [c.person_b_id if c.person_a_id == person.id else c.person_a_id for c in cases]
        pairs = ", ".join(f"#{c.id} (dengan data #{o})" for c, o in zip(cases, others, strict=True))
        raise DuplicateUndecided(
            f"Data ini belum dapat {step}: kasus duplikat NIK {pairs} belum diputuskan. "
            "Putuskan dulu kasus tersebut (gabungkan, atau tandai bukan duplikat).",
            cases,
        )


def transition(person: Person, action: str, user, note: str | None = None) -> VerificationEvent:
    """Move a record one step; the order and roles are enforced here, whatever the form sent."""
    if action not in TRANSITIONS:
        raise WorkflowError("Tindakan tidak dikenal.")
    src, dst, roles, note_required = TRANSITIONS[action]
    if person.merged_into_id or not person.active:
        raise WorkflowError("Data ini sudah digabung atau tidak aktif.")
    unattended = user.role in DINAS_VERIFY_ROLES and unattended_nagari(person)
    if user.role not in roles | step_roles(action, person.status_verifikasi, unattended):
        raise WorkflowError("Peran Anda tidak dapat melakukan tindakan ini.")
    if person.status_verifikasi == dst:
        raise AlreadyDone(already_message(dst))
    if person.status_verifikasi not in src:
        current = V.label(V.STATUS_VERIFIKASI, person.status_verifikasi)
        raise WorkflowError(
            f"Status data saat ini '{current}'; langkah ini belum atau tidak dapat dilakukan."
        )
    if user.role not in step_roles(action, person.status_verifikasi, unattended):
        who = " atau ".join(sorted(ROLE_LABELS[r] for r in step_roles(action, person.status_verifikasi)))
        raise WorkflowError(f"Pada tahap ini langkah tersebut dilakukan oleh {who}, bukan peran Anda.")
    dinas_step = action in DINAS_ACTIONS and person.status_verifikasi == "diverifikasi"
    if dinas_step and nagari_verifier_id(person) == user.id:
        raise WorkflowError(SAME_USER)
    note = (note or "").strip() or None
    if note_required and not note:
        raise WorkflowError("Catatan penolakan wajib diisi.")
    if action == "ajukan" and not person.persetujuan:
        raise WorkflowError("Persetujuan (consent) belum dicatat; lengkapi dulu sebelum mengajukan.")
    if action in APPROVAL_ACTIONS:
        _no_open_nik_case(person, action)
    event = VerificationEvent(
        person_id=person.id, from_status=person.status_verifikasi, to_status=dst, note=note, user_id=user.id
    )
    person.status_verifikasi = dst
    if action in ("tolak", "verifikasi", "setujui"):  # the verifier's latest note shows on the record
        person.catatan_verifikasi = note
    if action == "setujui":  # the re-verification cycle counts from here (docs/sidilan.md §9.5)
        person.tgl_verifikasi = today_local()
    db.session.add(event)
    audit.record(
        "update",
        "sidilan_person",
        person.id,
        f"status orang #{person.id}: {event.from_status} -> {dst}",
        user=user,
        regency_id=person.regency_id,
    )
    return event


def step(person: Person, action: str, note: str | None, user) -> Outcome:
    """One workflow step. A step whose target status already holds (a double tap, a retried POST, a second
    verifier) changes nothing and says so; two at once leave one event, the other is told it is done."""
    try:
        transition(person, action, user, note)
        db.session.flush()
    except AlreadyDone as e:
        db.session.rollback()
        return Outcome(repeated=str(e))
    except DuplicateUndecided as e:
        audit.record(
            "update",
            "sidilan_person",
            person.id,
            f"langkah {action} orang #{person.id} ditahan: kasus "
            f"duplikat {', '.join(f'#{c.id}' for c in e.cases)}",
            user=user,
        )
        db.session.commit()  # only the cases the check opened: kept, so the links in the message lead somewhere
        return Outcome(refusals=[str(e)], related=e.cases)
    except WorkflowError as e:
        db.session.rollback()
        return Outcome(refusals=[str(e)])
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        dst = TRANSITIONS[action][1]
        if person.status_verifikasi == dst:
            return Outcome(repeated=already_message(dst))
        return Outcome(refusals=[RACED])
    db.session.commit()
    return Outcome(record=person)


def editable(person: Person) -> bool:
    """A record can be edited while it is a draft or was sent back, and is still someone's registration."""
    return person.active and person.merged_into_id is None and person.status_verifikasi in EDITABLE_STATUSES


def in_status(user, status: str):
    """Scoped, active, not merged records at one verification status."""
    return live(scoped(Person, user)).where(Person.status_verifikasi == status)


def worklist(user) -> tuple[dict[str, int], list]:
    """The worklist page: records per status, and per section of the user's role its oldest 20 records."""
    counts = dict(
        db.session.execute(
            live(scoped(Person, user, Person.status_verifikasi, func.count(Person.id))).group_by(
                Person.status_verifikasi
            )
        ).all()
    )
    sections = []
    for status, title, _ in WORKLISTS.get(user.role, []):
        rows = list(
            db.session.scalars(
                in_status(user, status)
                .options(joinedload(Person.nagari))
                .order_by(Person.updated_at, Person.id)
                .limit(20)
            )
        )
        sections.append((status, title, rows))
    return counts, sections
