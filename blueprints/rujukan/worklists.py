"""Follow-up worklists (docs/rujukan.md §9.3): the queries behind the home panels and the worklist page."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, literal, or_, select, union_all

from blueprints.core.extensions import db

from .models import EXPIRABLE, Patient, Referral
from .planner import unindexed
from .settings import setting

SENDER = {
    "belum_tiba": "Terbit, pasien belum tiba",
    "belum_dijawab": "Pasien tiba, belum dijawab",
    "segera_kedaluwarsa": "Segera kedaluwarsa",
    "kedaluwarsa": "Kedaluwarsa",
}
RECEIVER = {
    "masuk_hari_ini": "Rujukan masuk hari ini",
    "menunggu_jawaban": "Menunggu jawaban kita",
}
LABELS = {**SENDER, **RECEIVER}

TONE = {"kedaluwarsa": "danger", "belum_dijawab": "warn", "menunggu_jawaban": "warn", "belum_tiba": "warn"}


def _oldest_first() -> tuple:
    """The worklists' order. On SQLite the date is not an index's: without table statistics the planner would
    otherwise walk the list's (facility, date) index to skip a sort, reading every letter of the facility, instead
    of the worklist index (facility, status, valid_until) holding the few in the state."""
    return unindexed(Referral.issued_at), Referral.id


def worklist(name: str, org_id: int, today: date):
    """select(Referral) for one worklist of a facility, oldest first; None for an unknown name."""
    active = Referral.status.in_(EXPIRABLE)
    not_expired = Referral.valid_until >= today
    if name == "belum_tiba":
        cutoff = today - timedelta(days=int(setting("RUJUKAN_NOT_ARRIVED_DAYS")))
        # the issue day is checked per letter: the register's (facility, issue day) index would read them all
        where = [Referral.origin_id == org_id, active, not_expired, unindexed(Referral.issued_on) <= cutoff]
    elif name == "belum_dijawab":
        where = [Referral.origin_id == org_id, Referral.status == "tiba"]
    elif name == "segera_kedaluwarsa":
        soon = today + timedelta(days=int(setting("RUJUKAN_EXPIRING_DAYS")))
        where = [Referral.origin_id == org_id, active, not_expired, Referral.valid_until <= soon]
    elif name == "kedaluwarsa":
        where = [Referral.origin_id == org_id, active, Referral.valid_until < today]
    elif name == "masuk_hari_ini":
        where = [
            Referral.destination_id == org_id,
            active,
            not_expired,
            or_(Referral.issued_on == today, Referral.planned_visit == today),
        ]
    elif name == "menunggu_jawaban":
        where = [Referral.destination_id == org_id, Referral.status == "tiba"]
    else:
        return None
    return select(Referral).where(*where).order_by(*_oldest_first())


@dataclass
class PanelLine:
    ref_id: int
    number: str | None
    patient: str


def panels_of(org_id: int, today: date, first: int = 5) -> dict[str, tuple[int, list[PanelLine]]]:
    """For the home panels: per worklist, (how many, the oldest ``first``), every list in ONE query (a UNION ALL
    of ``worklist()`` itself, so the panels and the worklist pages cannot disagree). Empty lists are left out."""
    branches = []
    for name in LABELS:
        stmt = worklist(name, org_id, today).with_only_columns(
            literal(name).label("panel"),
            Referral.id.label("ref_id"),
            Referral.number.label("number"),
            Referral.patient_id.label("patient_id"),
            func.count().over().label("total"),
        )
        shown = stmt.limit(first).subquery()
        # the patient's name for the ``first`` letters shown only, by primary key: joined before the LIMIT,
        # PostgreSQL hashes every patient of the regency once per worklist
        patient = select(Patient.name).where(Patient.id == shown.c.patient_id).scalar_subquery()
        branches.append(
            select(shown.c.panel, shown.c.ref_id, shown.c.number, patient.label("patient"), shown.c.total)
        )
    out: dict[str, tuple[int, list[PanelLine]]] = {}
    for row in db.session.execute(union_all(*branches)):
        total, lines = out.setdefault(row.panel, (row.total, []))
        lines.append(PanelLine(row.ref_id, row.number, row.patient))
    return {name: out[name] for name in LABELS if name in out}
