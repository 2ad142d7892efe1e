"""Counts for the SIDILAN dashboard (docs/sidilan.md §12 'Counts and dashboard'). Every query is scoped to the
user's regency; the population is the live registry: active, not merged, alive."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, or_, select

from blueprints.core.extensions import db
from blueprints.core.roles import SUPERADMIN
from blueprints.core.scope import scoped
from blueprints.wilayah.models import LEVEL_KECAMATAN, Wilayah

from . import values as V
from .assistance import unassisted_stmt
from .models import Assistance, Disability, ElderlyAssessment, Person, Program
from .search import lansia_clause, live_persons, years_before

RECEIVING = ("disetujui", "disalurkan")  # approved or paid counts as covered; a proposal does not yet
AGE_BANDS = [("0–17", 0, 18), ("18–59", 18, 60), ("60–69", 60, 70), ("70–79", 70, 80), ("80+", 80, None)]
UNKNOWN_AGE = "Tidak diketahui"


def _live_ids(user):
    return cols(live_persons(user), Person.id).scalar_subquery()


def has_ragam():
    return or_(
        Disability.ragam_fisik.is_(True),
        Disability.ragam_intelektual.is_(True),
        Disability.ragam_mental.is_(True),
        Disability.ragam_sensorik.is_(True),
    )


@dataclass
class Dashboard:
    total: int
    disabled: int
    lansia: int
    ragam: list[tuple[str, int]]
    kecamatan: list[tuple[str, int, int, int]]  # name, registered, disabled, lansia
    age_sex: list[tuple[str, int, int]]  # band, L, P
    barthel: list[tuple[str, int]]
    programs: list[tuple[str, str, int]]  # kode, nama, persons covered
    covered: int
    unassisted: int
    targets: list[tuple[str, int, int]]  # target group, persons, of whom receiving aid


def cols(stmt, *columns):
    return stmt.with_only_columns(*columns, maintain_column_froms=True)


def _ones(cond):
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def build(user, today: date) -> Dashboard:
    lansia = lansia_clause(today)
    sub = live_persons(user).outerjoin(Disability, Disability.person_id == Person.id)

    total, disabled, n_lansia = db.session.execute(
        cols(sub, func.count(Person.id), _ones(has_ragam()), _ones(lansia))
    ).one()

    ragam_cols = [_ones(getattr(Disability, f"ragam_{code}").is_(True)) for code, _ in V.RAGAM]
    counts = db.session.execute(cols(sub, *ragam_cols, _ones(Disability.ganda.is_(True)))).one()
    ragam = [(label, int(n)) for (_, label), n in zip(V.RAGAM, counts[:-1], strict=True)] + [
        ("Ganda", int(counts[-1]))
    ]

    by_kec = {
        code: (int(n), int(d), int(old))
        for code, n, d, old in db.session.execute(
            cols(
                sub, Person.kecamatan_code, func.count(Person.id), _ones(has_ragam()), _ones(lansia)
            ).group_by(Person.kecamatan_code)
        )
    }
    kec_stmt = select(Wilayah.code, Wilayah.name).where(Wilayah.level == LEVEL_KECAMATAN)
    if user.role != SUPERADMIN:
        kec_stmt = kec_stmt.where(Wilayah.regency_id == user.regency_id)
    kecamatan = [
        (name, *by_kec.pop(code, (0, 0, 0)))
        for code, name in db.session.execute(kec_stmt.order_by(Wilayah.name, Wilayah.code))
    ]
    rest = [sum(v[i] for v in by_kec.values()) for i in range(3)]
    if any(rest):
        kecamatan.append(("Tanpa kecamatan", *rest))

    whens = []
    for label, lo, hi in AGE_BANDS:
        cond = Person.tanggal_lahir <= years_before(today, lo)
        if hi is not None:
            cond = and_(cond, Person.tanggal_lahir > years_before(today, hi))
        whens.append((cond, label))
    band = case(*whens, else_=UNKNOWN_AGE)
    grid = {
        (b, s): int(n)
        for b, s, n in db.session.execute(
            cols(live_persons(user), band, Person.jenis_kelamin, func.count(Person.id)).group_by(
                band, Person.jenis_kelamin
            )
        )
    }
    labels = [b for b, _, _ in AGE_BANDS] + ([UNKNOWN_AGE] if any(k[0] == UNKNOWN_AGE for k in grid) else [])
    age_sex = [(b, grid.get((b, "L"), 0), grid.get((b, "P"), 0)) for b in labels]

    ranked = (
        select(
            ElderlyAssessment.person_id,
            ElderlyAssessment.barthel_kategori,
            ElderlyAssessment.barthel_total,
            ElderlyAssessment.kategori_potensi,
            func.row_number()
            .over(
                partition_by=ElderlyAssessment.person_id,
                order_by=(ElderlyAssessment.tgl_asesmen.desc(), ElderlyAssessment.id.desc()),
            )
            .label("rn"),
        )
        .where(ElderlyAssessment.person_id.in_(_live_ids(user)))
        .subquery()
    )
    cats = dict(
        db.session.execute(
            select(ranked.c.barthel_kategori, func.count())
            .where(ranked.c.rn == 1)
            .group_by(ranked.c.barthel_kategori)
        ).all()
    )
    assessed = select(ElderlyAssessment.id).where(ElderlyAssessment.person_id == Person.id).exists()
    not_assessed = db.session.scalar(cols(live_persons(user).where(lansia, ~assessed), func.count(Person.id)))
    barthel = [(label, int(cats.get(code, 0))) for code, label in V.BARTHEL_KATEGORI]
    barthel.append(("Lansia belum diases", int(not_assessed or 0)))

    receives = or_(
        Assistance.person_id == Person.id,
        and_(Assistance.household_id.is_not(None), Assistance.household_id == Person.household_id),
    )
    paid = live_persons(user).join(Assistance, receives).where(Assistance.status.in_(RECEIVING))
    covered_by = dict(
        db.session.execute(
            cols(paid, Assistance.program_id, func.count(func.distinct(Person.id))).group_by(
                Assistance.program_id
            )
        ).all()
    )
    programs = [
        (p.kode, p.nama, int(covered_by.get(p.id, 0)))
        for p in db.session.scalars(scoped(Program, user).order_by(Program.kode, Program.id))
    ]
    covered = db.session.scalar(cols(paid, func.count(func.distinct(Person.id)))) or 0

    # target groups of docs/sidilan.md §5.6, §12: who in them already receives something (approved or paid)
    receiving = select(Assistance.id).where(receives, Assistance.status.in_(RECEIVING)).exists()
    latest = ranked.c.rn == 1
    groups = [
        (
            "Disabilitas berat",
            select(Disability.id)
            .where(Disability.person_id == Person.id, Disability.derajat == "berat")
            .exists(),
        ),
        (
            "Lansia Barthel ≤ 8",
            select(ranked.c.person_id)
            .where(latest, ranked.c.person_id == Person.id, ranked.c.barthel_total <= 8)
            .exists(),
        ),
        (
            "Lansia tidak potensial",
            select(ranked.c.person_id)
            .where(latest, ranked.c.person_id == Person.id, ranked.c.kategori_potensi == "tidak_potensial")
            .exists(),
        ),
    ]
    row = db.session.execute(
        cols(
            live_persons(user),
            *[x for _, cond in groups for x in (_ones(cond), _ones(and_(cond, receiving)))],
        )
    ).one()
    targets = [(label, int(row[2 * i]), int(row[2 * i + 1])) for i, (label, _) in enumerate(groups)]
    unassisted = (
        db.session.scalar(select(func.count()).select_from(unassisted_stmt(user).order_by(None).subquery()))
        or 0
    )
    return Dashboard(
        total=int(total or 0),
        disabled=int(disabled or 0),
        lansia=int(n_lansia or 0),
        ragam=ragam,
        kecamatan=kecamatan,
        age_sex=age_sex,
        barthel=barthel,
        programs=programs,
        covered=int(covered),
        unassisted=int(unassisted),
        targets=targets,
    )
