"""Assistance programs (docs/sidilan.md §5.1, §10): the regency's reference list, seeded with the national and
regional programs and managed by its verifikator."""

from flask import url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome, raced
from blueprints.core.scope import scoped
from blueprints.core.versioning import is_stale

from . import values as V
from .models import Program


def programs_for(user, active_only: bool = True) -> list[Program]:
    stmt = scoped(Program, user)
    if active_only:
        stmt = stmt.where(Program.aktif.is_(True))
    return list(db.session.scalars(stmt.order_by(Program.kode, Program.id)))


def seed_programs(regency_id: int) -> int:
    """Idempotent: the national and regional programs of docs/sidilan.md §5.1 for one regency."""
    have = set(db.session.scalars(select(Program.kode).where(Program.regency_id == regency_id)))
    n = 0
    for kode, nama, dana, jenis, sasaran, komp in V.SEED_PROGRAMS:
        if kode not in have:
            db.session.add(
                Program(
                    regency_id=regency_id,
                    kode=kode,
                    nama=nama,
                    sumber_dana=dana,
                    jenis=jenis,
                    sasaran=sasaran,
                    punya_komponen=komp,
                    periode=V.PERIODE_SEED.get(kode, "tahunan"),
                    aktif=True,
                )
            )
            n += 1
    db.session.flush()
    return n


def program_choices(programs: list[Program]) -> list[tuple[int, str]]:
    return [(0, "— pilih —")] + [(p.id, f"{p.kode} — {p.nama}") for p in programs]


KODE_TAKEN = "Kode program ini sudah ada."


def save_program(row: Program | None, form, user) -> Outcome:
    """A new program (``NewProgramForm``, its key claimed) or an edit on its version (``EditProgramForm``)."""
    if row is not None and is_stale(row, form.version.data):
        return Outcome(stale=row)
    if not form.validate():
        return Outcome()
    if row is None and (replay := submission.claim(form.submission_key.data)):
        return Outcome(replay=replay)
    kode = form.kode.data.strip().upper()
    clash = db.session.scalar(
        select(Program.id).where(Program.regency_id == user.regency_id, Program.kode == kode)
    )
    if clash is not None and (row is None or clash != row.id):
        db.session.rollback()
        form.kode.errors.append(KODE_TAKEN)
        return Outcome()
    data = dict(
        kode=kode,
        nama=" ".join(form.nama.data.split()),
        sumber_dana=form.sumber_dana.data or None,
        jenis=form.jenis.data or None,
        sasaran=form.sasaran.data,
        punya_komponen=bool(form.punya_komponen.data),
        periode=form.periode.data or "tahunan",
        aktif=bool(form.aktif.data),
    )
    if row is None:
        row = Program(regency_id=user.regency_id, **data)
        db.session.add(row)
        action = "create"
    else:
        for k, v in data.items():
            setattr(row, k, v)
        action = "update"
    try:
        db.session.flush()
    except StaleDataError:
        return raced(row)
    except IntegrityError:  # the same code saved by another clerk a moment ago
        db.session.rollback()
        form.kode.errors.append(KODE_TAKEN)
        return Outcome()
    audit.record(action, "sidilan_program", row.id, f"program bantuan {kode}", user=user)
    if action == "create":
        submission.remember(form.submission_key.data, url_for("sidilan.programs"))
    db.session.commit()
    return Outcome(record=row)
