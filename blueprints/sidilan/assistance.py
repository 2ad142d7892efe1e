"""Assistance (docs/sidilan.md §5.6, §9.3, §12): aid recorded for a person or their household, its status
flow, and the coverage-gap lists (severe cases without aid, one program twice in a year)."""

from dataclasses import dataclass
from datetime import date

from flask import url_for
from sqlalchemy import Subquery, and_, case, exists, func, or_, select, union
from sqlalchemy.orm import joinedload, load_only, selectinload
from sqlalchemy.orm.exc import StaleDataError

from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal
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
RECEIVED = V.STATUS_DITERIMA[0]  # aid paid out (cair): the only aid that takes a person off "tanpa bantuan"


NEWEST_FIRST = (
    Assistance.tahun.desc(),
    func.coalesce(Assistance.bulan, Assistance.tahap_ke, 0).desc(),
    Assistance.id.desc(),
)


def period_label(row) -> str:
    """An aid's period as a clerk says it: "Januari 2026", "Tahap 1 2026", "2026" (older free-text tahap kept)."""
    if row.bulan:
        return f"{V.label(V.BULAN, row.bulan)} {row.tahun}"
    if row.tahap_ke:
        return f"Tahap {row.tahap_ke} {row.tahun}"
    legacy = getattr(row, "tahap", None)  # a report row has no free text
    return f"{row.tahun} {legacy}" if legacy else str(row.tahun)


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
        .order_by(*NEWEST_FIRST)
    )


HISTORY_ROWS = 120  # ten years of monthly aid


def aid_history(person: Person, user) -> tuple[list[Assistance], bool]:
    """The person's own aid and their household's (``assistance_for``) with who entered each, newest period
    first, at most HISTORY_ROWS; and whether older rows were left out."""
    rows = list(
        db.session.scalars(
            assistance_for(person, user).options(joinedload(Assistance.created_by)).limit(HISTORY_ROWS + 1)
        )
    )
    return rows[:HISTORY_ROWS], len(rows) > HISTORY_ROWS


@dataclass(frozen=True)
class Aid:
    """Whether a person holds aid, their own or their household's: two grouped subqueries (per person, per
    household) joined once to a statement over persons, instead of a correlated EXISTS per person.
    ``active``: any proposed, approved or paid aid; ``receiving``: approved or paid (docs/sidilan.md §10, §12);
    ``received``: paid out (cair), what "tanpa bantuan" asks."""

    own: Subquery
    family: Subquery

    @classmethod
    def of(cls, user) -> "Aid":
        def grouped(col, name):
            receiving = func.max(case((Assistance.status.in_(RECEIVING), 1), else_=0))
            received = func.max(case((Assistance.status == RECEIVED, 1), else_=0))
            return (
                scoped(
                    Assistance,
                    user,
                    col.label("key"),
                    receiving.label("receiving"),
                    received.label("received"),
                )
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

    @property
    def received(self):
        return or_(func.coalesce(self.own.c.received, 0) == 1, func.coalesce(self.family.c.received, 0) == 1)


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
    """docs/sidilan.md §12, 'tanpa bantuan': a severe disability, or a latest Barthel total <= 8, and no aid
    actually received (``RECEIVED``: a proposal or an approval not yet paid out keeps the person listed;
    rejected or stopped aid does not count). The parts come as
    SQL conditions, joined (``unassisted_clause``) or looked up per row (``unassisted_stmt``)."""
    return and_(or_(severe, low_barthel), no_aid)


def unassisted_clause(latest, aid: Aid):
    """The rule over ``with_record_rows`` (the dashboard's one pass over every person)."""
    return unassisted_rule(Disability.derajat == SEVERE, latest.c.barthel_total <= LOW_BARTHEL, ~aid.received)


def unassisted_stmt(user):
    """The people the rule names (no order: the list pages them by keyset on (name, id)), with each one's
    disability row (outer-joined: the caller may load it from the join). A page reads rows in the order of the
    (regency, name) index and
    looks each one's disability, latest assessment and aid up by index, so the first page stops after a few
    dozen persons instead of reading every aid and assessment row first. "No aid" is two NOT EXISTS side by side,
    not NOT (EXISTS OR EXISTS): PostgreSQL makes the former anti-joins it can stop early, the latter hashed
    subplans that read the whole assistance table before the first row. Each probes the (person, status) or
    (household, status) index for aid received."""
    latest = (
        select(ElderlyAssessment.barthel_total)
        .where(ElderlyAssessment.person_id == Person.id)
        .order_by(ElderlyAssessment.tgl_asesmen.desc(), ElderlyAssessment.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    no_aid = and_(
        ~exists().where(Assistance.person_id == Person.id, Assistance.status == RECEIVED),
        ~exists().where(
            Assistance.household_id == Person.household_id,
            Assistance.household_id.is_not(None),
            Assistance.status == RECEIVED,
        ),
    )
    return (
        live_persons(user)
        .outerjoin(Disability, Disability.person_id == Person.id)
        .where(unassisted_rule(Disability.derajat == SEVERE, latest <= LOW_BARTHEL, no_aid))
    )


def double_program_stmt(user):
    """(household, program, period, count) where one household receives the same program more than once in
    one period (year, month, tahap: BPNT January and February are two periods, PKH Tahap 1 twice is double),
    counting household-level records and those of its members (rejected or stopped aid not counted). The
    household an aid counts for is stored on it (``recipient_household_id``, sidilan/recipient.py), so the
    grouping walks the (regency, household, program, year, month, tahap, status) index in order: no join, no
    sort."""
    hh = Assistance.recipient_household_id
    period = (Assistance.tahun, Assistance.bulan, Assistance.tahap_ke)
    return (
        scoped(Assistance, user, hh.label("household_id"), Assistance.program_id, *period)
        .add_columns(func.count().label("n"))
        .where(Assistance.status.in_(ACTIVE_AID), hh.is_not(None))
        .group_by(hh, Assistance.program_id, *period)
        .having(func.count() > 1)
        .order_by(hh, Assistance.program_id, *period)
    )


def household_assistance(hh: Household, user):
    """Aid recorded for the household itself (its page), newest first."""
    return (
        scoped(Assistance, user)
        .options(joinedload(Assistance.program))
        .where(Assistance.household_id == hh.id)
        .order_by(*NEWEST_FIRST)
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


def _period(program: Program, form) -> tuple[int | None, int | None]:
    """(bulan, tahap_ke) of a new aid as its program counts it (``Program.periode``), messages on the fields:
    a monthly program needs the month (taken from the payout date when left empty), a tahap program the tahap
    number, a yearly or one-off program neither."""
    bulan = int(form.bulan.data) if form.bulan.data else None
    tahap = form.tahap_ke.data
    kind = program.periode or "tahunan"
    what = V.label(V.PERIODE_PROGRAM, kind).lower()
    if kind == "bulanan":
        if bulan is None and form.tgl_salur.data is not None:
            bulan = form.tgl_salur.data.month
        if bulan is None:
            form.bulan.errors.append(f"{program.kode} disalurkan bulanan: pilih bulannya.")
        if tahap is not None:
            form.tahap_ke.errors.append(
                f"{program.kode} disalurkan bulanan, bukan per tahap: kosongkan tahap."
            )
    elif kind == "tahap":
        if tahap is None:
            form.tahap_ke.errors.append(f"{program.kode} disalurkan per tahap: isi tahap ke berapa.")
        if bulan is not None:
            form.bulan.errors.append(f"{program.kode} disalurkan per tahap, bukan bulanan: kosongkan bulan.")
    else:
        if bulan is not None:
            form.bulan.errors.append(f"{program.kode} bersifat {what}: kosongkan bulan.")
        if tahap is not None:
            form.tahap_ke.errors.append(f"{program.kode} bersifat {what}: kosongkan tahap.")
    paid, year = form.tgl_salur.data, form.tahun.data
    if paid is not None and year and paid < date(year, bulan if bulan and 1 <= bulan <= 12 else 1, 1):
        period = f"{V.label(V.BULAN, bulan)} {year}" if bulan else str(year)
        form.tgl_salur.errors.append(f"Tanggal salur {tanggal(paid)} sebelum periode bantuannya ({period}).")
    return bulan, tahap


def same_period_stmt(person: Person, program_id: int, tahun: int | None, bulan, tahap_ke):
    """Aid of this program and period already recorded for the person or their household (their own aid,
    the family's, another member's), not rejected or stopped: what a second entry would make double. A one-off
    program ("sekali") has one period whatever the year: ``tahun`` None matches every year. The ids
    come from two index probes, (person, program) and the double-aid report's (regency, recipient household,
    program, period), instead of an OR the planners answer by reading all the program's aid."""
    same = (
        Assistance.program_id == program_id,
        *(() if tahun is None else (Assistance.tahun == tahun,)),
        Assistance.bulan == bulan,
        Assistance.tahap_ke == tahap_ke,
        Assistance.status.in_(ACTIVE_AID),
    )
    ids = select(Assistance.id).where(Assistance.person_id == person.id, *same)
    if person.household_id:
        ids = union(
            ids,
            select(Assistance.id).where(
                Assistance.regency_id == person.regency_id,
                Assistance.recipient_household_id == person.household_id,
                *same,
            ),
        )
    return (
        select(Assistance)
        .where(Assistance.regency_id == person.regency_id, Assistance.id.in_(ids))
        .order_by(Assistance.id)
        .limit(5)
    )


def same_period(person: Person, program_id: int, tahun: int | None, bulan, tahap_ke) -> list[Assistance]:
    stmt = same_period_stmt(person, program_id, tahun, bulan, tahap_ke).options(
        joinedload(Assistance.created_by), joinedload(Assistance.person).load_only(Person.nama_lengkap)
    )
    return list(db.session.scalars(stmt))


def same_period_warnings(person: Person, program: Program, rows: list[Assistance]) -> list[str]:
    out = []
    for r in rows:
        who = (
            "keluarga ini"
            if r.person_id is None
            else ("orang ini" if r.person_id == person.id else f"anggota keluarga {r.person.nama_lengkap}")
        )
        by = f" oleh {r.created_by.name}" if r.created_by else ""
        out.append(
            f"{program.kode} {period_label(r)} sudah tercatat untuk {who} "
            f"(status {V.label(V.STATUS_BANTUAN, r.status)}, dicatat {tanggal(r.created_at)}{by})."
        )
    return out


def add_assistance(person: Person, form, programs: list[Program], user) -> Outcome:
    """A new aid, status diusulkan. The same program for the same period already recorded for the person or
    their household answers a warning (``warnings``, nothing saved) until the clerk ticks ``tetap_simpan``."""
    if not form.validate():
        return Outcome()
    program = next((p for p in programs if p.id == form.program_id.data), None)
    if form.untuk_keluarga.data and not person.household_id:
        form.untuk_keluarga.errors.append("Orang ini belum tercatat dalam keluarga (No. KK kosong).")
    if program is not None and not program.punya_komponen and form.komponen_atensi.data:
        form.komponen_atensi.errors.append("Komponen hanya untuk program ATENSI.")
    if program is None:
        return Outcome()
    bulan, tahap_ke = _period(program, form)
    if has_errors(form):
        return Outcome()
    if replay := submission.claim(form.submission_key.data):  # a replay of a saved entry is no second entry
        return Outcome(replay=replay)
    once = program.periode == "sekali"
    if not form.tetap_simpan.data and (
        earlier := same_period(person, program.id, None if once else form.tahun.data, bulan, tahap_ke)
    ):
        warnings = same_period_warnings(person, program, earlier)
        db.session.rollback()  # the key is free again for the confirmed submit
        # the warning shows the earlier entries (a member's name among them): an audited read of its own
        audit.record(
            "view",
            "sidilan_assistance",
            earlier[0].id,
            f"peringatan periode sama {program.kode} untuk orang #{person.id}: bantuan "
            + ", ".join(f"#{r.id}" for r in earlier),
            user=user,
        )
        db.session.commit()
        return Outcome(warnings=warnings)
    family = bool(form.untuk_keluarga.data)
    row = Assistance(
        regency_id=person.regency_id,
        program_id=program.id,
        komponen_atensi=form.komponen_atensi.data or None,
        person_id=None if family else person.id,
        household_id=person.household_id if family else None,
        tahun=form.tahun.data,
        bulan=bulan,
        tahap_ke=tahap_ke,
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
    note = " (tetap disimpan walau periode sama sudah tercatat)" if form.tetap_simpan.data else ""
    audit.record(
        "create",
        "sidilan_assistance",
        row.id,
        f"bantuan {program.kode} {period_label(row)} untuk orang #{person.id}{note}",
        user=user,
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
