"""Assistance (docs/sidilan.md §5.6, §9.3, §12): aid recorded for a person or their household, its status
flow, and the coverage-gap lists (severe cases without aid, one program twice in a year)."""

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import Subquery, and_, case, exists, func, or_, select
from sqlalchemy.orm import joinedload, load_only, selectinload
from sqlalchemy.orm.exc import StaleDataError

from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.outcome import RACED, Outcome, has_errors
from blueprints.core.scope import scoped
from blueprints.core.versioning import is_stale

from . import values as V
from .forms import optional_text
from .models import Assistance, Disability, ElderlyAssessment, Household, Person, Program
from .search import live_persons

ASSISTANCE_TRANSITIONS = {
    "diusulkan": ("disetujui", "ditolak"),
    "disetujui": ("disalurkan", "dihentikan"),
    "disalurkan": ("dihentikan",),
}

ACTIVE_AID = ("diusulkan", "disetujui", "disalurkan")  # rejected or stopped aid does not count
RECEIVING = ("disetujui", "disalurkan")  # approved or paid counts as covered; a proposal does not yet


def assistance_for(person: Person, user):
    """A person's own assistance and their household's, newest first (record page and profile print)."""
    return (
        scoped(Assistance, user)
        .options(joinedload(Assistance.program))
        .where(
            or_(
                Assistance.person_id == person.id,
                and_(Assistance.household_id.is_not(None), Assistance.household_id == person.household_id),
            )
        )
        .order_by(Assistance.tahun.desc(), Assistance.id.desc())
    )


@dataclass(frozen=True)
class Aid:
    """Whether a person holds aid, their own or their household's: two grouped subqueries (per person, per
    household) joined once to a statement over persons, instead of a correlated EXISTS per person.
    ``active``: any proposed, approved or paid aid; ``receiving``: approved or paid (docs/sidilan.md §10, §12)."""

    own: Subquery
    family: Subquery

    @classmethod
    def of(cls, user) -> "Aid":
        def grouped(col, name):
            receiving = func.max(case((Assistance.status.in_(RECEIVING), 1), else_=0))
            return (
                scoped(Assistance, user, col.label("key"), receiving.label("receiving"))
                .where(col.is_not(None), Assistance.status.in_(ACTIVE_AID))
                .group_by(col)
                .subquery(name)
            )

        return cls(grouped(Assistance.person_id, "aid_own"), grouped(Assistance.household_id, "aid_family"))

    def join(self, stmt):
        return stmt.outerjoin(self.own, self.own.c.key == Person.id).outerjoin(
            self.family, self.family.c.key == Person.household_id
        )

    @property
    def active(self):
        return or_(self.own.c.key.is_not(None), self.family.c.key.is_not(None))

    @property
    def receiving(self):
        return or_(
            func.coalesce(self.own.c.receiving, 0) == 1, func.coalesce(self.family.c.receiving, 0) == 1
        )


def with_record_rows(stmt, latest, aid: Aid):
    """``stmt`` over persons joined (outer) to the disability row, the latest assessment
    (``assessments.latest_assessments``) and the aid (``Aid``), each once."""
    stmt = stmt.outerjoin(Disability, Disability.person_id == Person.id).outerjoin(
        latest, latest.c.person_id == Person.id
    )
    return aid.join(stmt)


SEVERE = "berat"  # Disability.derajat of the target group "Disabilitas berat"
LOW_BARTHEL = 8  # a latest Barthel total at or below this is a target group (docs/sidilan.md §12)


def unassisted_rule(severe, low_barthel, no_aid):
    """docs/sidilan.md §12, 'tanpa bantuan': a severe disability, or a latest Barthel total <= 8, and no
    assistance at all (proposed, approved or paid; rejected or stopped aid does not count). The parts come as
    SQL conditions, joined (``unassisted_clause``) or looked up per row (``unassisted_stmt``)."""
    return and_(or_(severe, low_barthel), no_aid)


def unassisted_clause(latest, aid: Aid):
    """The rule over ``with_record_rows`` (the dashboard's one pass over every person)."""
    return unassisted_rule(Disability.derajat == SEVERE, latest.c.barthel_total <= LOW_BARTHEL, ~aid.active)


def unassisted_stmt(user):
    """The people the rule names (no order: the list pages them by keyset on (name, id)), with each one's
    disability row (outer-joined: the caller may load it from the join). A page reads rows in the order of the
    (regency, name) index and
    looks each one's disability, latest assessment and aid up by index, so the first page stops after a few
    dozen persons instead of reading every aid and assessment row first. "No aid" is two NOT EXISTS side by side,
    not NOT (EXISTS OR EXISTS): PostgreSQL makes the former anti-joins it can stop early, the latter hashed
    subplans that read the whole assistance table before the first row."""
    latest = (
        select(ElderlyAssessment.barthel_total)
        .where(ElderlyAssessment.person_id == Person.id)
        .order_by(ElderlyAssessment.tgl_asesmen.desc(), ElderlyAssessment.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    no_aid = and_(
        ~exists().where(Assistance.person_id == Person.id, Assistance.status.in_(ACTIVE_AID)),
        ~exists().where(
            Assistance.household_id == Person.household_id,
            Assistance.household_id.is_not(None),
            Assistance.status.in_(ACTIVE_AID),
        ),
    )
    return (
        live_persons(user)
        .outerjoin(Disability, Disability.person_id == Person.id)
        .where(unassisted_rule(Disability.derajat == SEVERE, latest <= LOW_BARTHEL, no_aid))
    )


def double_program_stmt(user):
    """(household, program, count) where one household receives the same program more than once in a year,
    counting household-level records and those of its members (rejected or stopped aid not counted). The
    household an aid counts for is stored on it (``recipient_household_id``, sidilan/recipient.py), so the
    grouping walks the (regency, household, program, year, status) index in order: no join, no sort."""
    hh = Assistance.recipient_household_id
    return (
        scoped(Assistance, user, hh.label("household_id"), Assistance.program_id, Assistance.tahun)
        .add_columns(func.count().label("n"))
        .where(Assistance.status.in_(ACTIVE_AID), hh.is_not(None))
        .group_by(hh, Assistance.program_id, Assistance.tahun)
        .having(func.count() > 1)
        .order_by(hh, Assistance.program_id, Assistance.tahun)
    )


def household_assistance(hh: Household, user):
    """Aid recorded for the household itself (its page), newest first."""
    return (
        scoped(Assistance, user)
        .options(joinedload(Assistance.program))
        .where(Assistance.household_id == hh.id)
        .order_by(Assistance.tahun.desc(), Assistance.id.desc())
    )


def double_program_details(items) -> tuple[dict[int, Household], dict[int, Program]]:
    """The households (with members) and programs a page of double_program_stmt rows names: only the columns
    the report shows (No. KK, the members' names)."""
    hh_ids = {r.household_id for r in items}
    prog_ids = {r.program_id for r in items}
    households = (
        {
            h.id: h
            for h in db.session.scalars(
                select(Household)
                .where(Household.id.in_(hh_ids))
                .options(
                    load_only(Household.no_kk),
                    selectinload(Household.members).load_only(Person.nama_lengkap, Person.household_id),
                )
            )
        }
        if hh_ids
        else {}
    )
    programs = (
        {p.id: p for p in db.session.scalars(select(Program).where(Program.id.in_(prog_ids)))}
        if prog_ids
        else {}
    )
    return households, programs


def add_assistance(person: Person, form, programs: list[Program], user) -> Outcome:
    if not form.validate():
        return Outcome()
    program = next((p for p in programs if p.id == form.program_id.data), None)
    if form.untuk_keluarga.data and not person.household_id:
        form.untuk_keluarga.errors.append("Orang ini belum tercatat dalam keluarga (No. KK kosong).")
    if program is not None and not program.punya_komponen and form.komponen_atensi.data:
        form.komponen_atensi.errors.append("Komponen hanya untuk program ATENSI.")
    if program is None or has_errors(form):
        return Outcome()
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    family = bool(form.untuk_keluarga.data)
    row = Assistance(
        regency_id=person.regency_id,
        program_id=program.id,
        komponen_atensi=form.komponen_atensi.data or None,
        person_id=None if family else person.id,
        household_id=person.household_id if family else None,
        tahun=form.tahun.data,
        tahap=optional_text(form.tahap.data),
        tgl_salur=form.tgl_salur.data,
        nilai_rp=form.nilai_rp.data,
        uraian_barang=optional_text(form.uraian_barang.data),
        jumlah=form.jumlah.data,
        status="diusulkan",
        sumber_dana=form.sumber_dana.data or program.sumber_dana,
        penyalur=optional_text(form.penyalur.data),
        catatan=optional_text(form.catatan.data),
        created_by_id=user.id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "create", "sidilan_assistance", row.id, f"bantuan {program.kode} untuk orang #{person.id}", user=user
    )
    submission.remember(form.submission_key.data, url_for("sidilan.person_view", person_id=person.id))
    db.session.commit()
    return Outcome(record=row)


BAD_ASSISTANCE_STEP = "Perubahan status bantuan tidak sah untuk status saat ini."


def set_assistance_status(row: Assistance, form, user) -> Outcome:
    """The form posts the status it wants: posted twice, the second finds it done and changes nothing."""
    if not form.validate():
        return Outcome(refusals=[BAD_ASSISTANCE_STEP])
    wanted = form.status.data
    if row.status == wanted:
        return Outcome(
            repeated=f"Status bantuan sudah {V.label(V.STATUS_BANTUAN, wanted)}; tidak ada yang diubah."
        )
    if is_stale(row, form.version.data):
        return Outcome(stale=row)
    if wanted not in ASSISTANCE_TRANSITIONS.get(row.status, ()):
        return Outcome(refusals=[BAD_ASSISTANCE_STEP])
    old, row.status = row.status, wanted
    audit.record(
        "update", "sidilan_assistance", row.id, f"status bantuan #{row.id}: {old} -> {wanted}", user=user
    )
    try:
        db.session.commit()
    except StaleDataError:  # the same change, sent twice at once: the first one holds
        db.session.rollback()
        if row.status == wanted:
            return Outcome(
                repeated=f"Status bantuan sudah {V.label(V.STATUS_BANTUAN, wanted)}; tidak ada yang diubah."
            )
        return Outcome(refusals=[RACED])
    return Outcome(record=row)
