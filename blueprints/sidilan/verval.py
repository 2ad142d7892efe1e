"""The re-verification cycle (docs/sidilan.md §9.5, §12 "Daftar verval"): an approved record whose last
verification (``Person.tgl_verifikasi``: the Dinsos approval or the last verval) is more than two years before
today is due again. Due records are listed per jorong, printed on a worksheet per jorong (PDF; a large one as a
background job) and their outcomes recorded in bulk: each outcome is a ``VervalOutcome`` row, sets what it says
on the person (alive, where they live, with a change-log row) and starts the next two years."""

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from blueprints.auth.models import Regency, UserNagari
from blueprints.core import audit, jobs
from blueprints.core.extensions import db
from blueprints.core.pdf import render_pdf
from blueprints.core.roles import VERIFIKATOR_NAGARI
from blueprints.core.scope import scoped
from blueprints.wilayah.models import Jorong, Wilayah

from . import values as V
from .access import may_see_nik
from .bulk import STALE, BulkResult, load_current
from .exporter import watermark
from .history import apply_changes
from .models import Person
from .search import live
from .settings import setting
from .verval_models import VervalOutcome

CYCLE_YEARS = 2  # Permensos 2/2021: at least every two years
# outcome -> what it sets on the person
EFFECTS = {
    "masih_layak": {"status_hidup": "hidup", "status_domisili": "menetap"},
    "meninggal": {"status_hidup": "meninggal"},
    "pindah": {"status_domisili": "pindah"},
    "tidak_ditemukan": {"status_domisili": "tidak_ditemukan"},
}


def cutoff(today: date) -> date:
    """Records last verified before this day are due (the same day two years ago; 29 Feb: 28 Feb)."""
    try:
        return today.replace(year=today.year - CYCLE_YEARS)
    except ValueError:
        return today.replace(year=today.year - CYCLE_YEARS, day=28)


def due(user, today: date, *columns):
    """Scoped, live, alive, approved records last verified more than two years ago (or never dated)."""
    stmt = live(scoped(Person, user, *columns)).where(
        Person.status_verifikasi == "disetujui",
        Person.status_hidup == "hidup",
        or_(Person.tgl_verifikasi.is_(None), Person.tgl_verifikasi < cutoff(today)),
    )
    return stmt


def in_place(stmt, nagari: str, jorong: int | None):
    """``stmt`` narrowed to one nagari and one jorong (0: the nagari's persons without a jorong)."""
    if nagari:
        stmt = stmt.where(Person.nagari_code == nagari)
    if jorong is not None:
        stmt = stmt.where(Person.jorong_id.is_(None) if jorong == 0 else Person.jorong_id == jorong)
    return stmt


def per_jorong(user, today: date) -> list:
    """(nagari code, nagari name, jorong id or None, jorong name or None, due count), by nagari and jorong."""
    sub = due(user, today, Person.nagari_code, Person.jorong_id, func.count(Person.id).label("n")).group_by(
        Person.nagari_code, Person.jorong_id
    )
    sub = sub.subquery()
    stmt = (
        select(sub.c.nagari_code, Wilayah.name, sub.c.jorong_id, Jorong.name, sub.c.n)
        .select_from(sub)
        .outerjoin(Wilayah, Wilayah.code == sub.c.nagari_code)
        .outerjoin(Jorong, Jorong.id == sub.c.jorong_id)
        .order_by(Wilayah.name, Jorong.name)
    )
    return list(db.session.execute(stmt).all())


def listing(user, today: date, nagari: str, jorong: int | None):
    """The due records of one place (or all), the longest unverified first."""
    return in_place(due(user, today), nagari, jorong).order_by(
        Person.tgl_verifikasi.is_not(None), Person.tgl_verifikasi, Person.id
    )


def record_outcomes(user, items, hasil: str, note: str | None, today: date) -> BulkResult:
    """One outcome for each ticked record (scope, version, still due), each its own commit and audit."""
    result = BulkResult()
    if hasil not in EFFECTS:
        result.skipped = [(pid, "Hasil verval tidak dikenal.") for pid, _ in items]
        return result
    note = (note or "").strip() or None
    # which ticked records are still due, in one query (an outcome just recorded restarts its own clock only)
    due_ids = set(db.session.scalars(due(user, today, Person.id).where(Person.id.in_([p for p, _ in items]))))
    for pid, version in items:
        person, reason = load_current(user, pid, version)
        if person is None:
            result.skipped.append((pid, reason))
            continue
        if pid not in due_ids:
            result.skipped.append((pid, "Data ini tidak (lagi) menunggu verval."))
            continue
        db.session.add(
            VervalOutcome(
                regency_id=person.regency_id,
                person_id=pid,
                tanggal=today,
                hasil=hasil,
                catatan=note,
                user_id=user.id,
            )
        )
        apply_changes(person, {**EFFECTS[hasil], "tgl_verifikasi": today}, pid, "person")
        audit.record(
            "update",
            "sidilan_person",
            pid,
            f"verval orang #{pid}: {hasil}",
            user=user,
            regency_id=person.regency_id,
        )
        try:
            db.session.commit()
        except (StaleDataError, IntegrityError):  # another verifier saved this record meanwhile
            db.session.rollback()
            result.skipped.append((pid, STALE))
            continue
        result.done += 1
    return result


# ---- the worksheet per jorong ----------------------------------------------------------------------------


def _place(user, nagari: str, jorong: int | None):
    """(nagari Wilayah, Jorong or None) of the user's regency (a nagari verifier: of its assigned nagari), or
    None when it is not theirs."""
    place = db.session.get(Wilayah, nagari) if nagari else None
    if place is None or place.regency_id != user.regency_id:
        return None
    if user.role == VERIFIKATOR_NAGARI and nagari not in set(
        db.session.scalars(UserNagari.codes_of(user.id))
    ):
        return None
    j = None
    if jorong:
        j = db.session.get(Jorong, jorong)
        if j is None or j.nagari_code != nagari:
            return None
    return place, j


def _sheet(user, today: date, nagari, jorong_row, jorong: int | None) -> tuple[bytes, int, str]:
    persons = list(
        db.session.scalars(listing(user, today, nagari.code, jorong).options(joinedload(Person.jorong)))
    )
    place = jorong_row.name if jorong_row else ("tanpa jorong" if jorong == 0 else "semua jorong")
    pdf = render_pdf(
        "sidilan/pdf_verval.html",
        printed_for=user,
        persons=persons,
        nagari=nagari,
        place=place,
        regency=db.session.get(Regency, user.regency_id),
        today=today,
        v=V,
        show_nik=may_see_nik(user),
        mark=watermark(user, "dicetak"),
        footer=f"SIDILAN · daftar verval · {nagari.name} · {place}",
    )
    name = f"verval-{nagari.name}-{place}".replace(" ", "_")
    return pdf, len(persons), f"{name}.pdf"


def _summary(nagari, place: str, count: int) -> str:
    return f"cetak daftar verval {nagari.code} ({place}): {count} orang"


def sheet_or_queue(user, today: date, nagari: str, jorong: int | None) -> jobs.FileOrJob | None:
    """The worksheet now (up to SIDILAN_VERVAL_JOB_ROWS persons), or the offer of a background job; None: not a place
    of the user's regency."""
    found = _place(user, nagari, jorong)
    if found is None:
        return None
    nagari_row, jorong_row = found
    count = db.session.scalar(
        select(func.count()).select_from(listing(user, today, nagari, jorong).order_by(None).subquery())
    )
    if count > setting("SIDILAN_VERVAL_JOB_ROWS"):
        label = f"Daftar verval {nagari_row.name}" + (f" · {jorong_row.name}" if jorong_row else "")
        params = {"nagari": nagari, "jorong": jorong, "today": today.isoformat()}
        return jobs.FileOrJob(
            offer=jobs.Offer("sidilan_verval_sheet", label, params, user, total=count, unit="orang")
        )
    pdf, n, filename = _sheet(user, today, nagari_row, jorong_row, jorong)
    place = jorong_row.name if jorong_row else "semua"
    audit.record("print", "sidilan_person", None, _summary(nagari_row, place, n), user=user)
    db.session.commit()
    return jobs.FileOrJob(pdf, filename, inline=True)


@jobs.job("sidilan_verval_sheet", record_type="sidilan_person", action="print")
def sheet_job(job, progress) -> jobs.Result:
    params, user = job.params, job.owner
    today = date.fromisoformat(params["today"])
    found = _place(user, params["nagari"], params["jorong"])
    if found is None:
        raise jobs.JobError("Nagari atau jorong tidak ditemukan.")
    nagari_row, jorong_row = found
    pdf, n, filename = _sheet(user, today, nagari_row, jorong_row, params["jorong"])
    place = jorong_row.name if jorong_row else "semua"
    return jobs.Result(
        pdf, filename, "application/pdf", summary=_summary(nagari_row, place, n), message=f"{n} orang dicetak"
    )
