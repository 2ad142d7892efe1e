"""Counts for the SIDILAN dashboard (docs/sidilan.md §12 'Counts and dashboard'). Every query is scoped to the
user's regency; the population is the live registry: active, not merged, alive."""

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select, union
from sqlalchemy.orm import contains_eager, joinedload

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal
from blueprints.core.pagination import KeysetPage, keyset
from blueprints.core.roles import SUPERADMIN
from blueprints.core.scope import scoped
from blueprints.core.timeutil import to_local, today_local, utcnow
from blueprints.wilayah.models import LEVEL_KECAMATAN, Wilayah

from . import values as V
from .assessments import latest_assessments
from .assistance import (
    LOW_BARTHEL,
    RECEIVING,
    SEVERE,
    Aid,
    unassisted_clause,
    unassisted_stmt,
    with_record_rows,
)
from .models import Assistance, Disability, Person, Program
from .report_models import DashboardSummary
from .search import LIST_KEYS, lansia_clause, live_persons, years_before
from .settings import setting

AGE_BANDS = [("0–17", 0, 18), ("18–59", 18, 60), ("60–69", 60, 70), ("70–79", 70, 80), ("80+", 80, None)]
UNKNOWN_AGE = "Tidak diketahui"


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


def _ones(cond):
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def age_band(today: date):
    whens = []
    for label, lo, hi in AGE_BANDS:
        cond = Person.tanggal_lahir <= years_before(today, lo)
        if hi is not None:
            cond = and_(cond, Person.tanggal_lahir > years_before(today, hi))
        whens.append((cond, label))
    return case(*whens, else_=UNKNOWN_AGE)


TARGET_GROUPS = ("Disabilitas berat", "Lansia Barthel ≤ 8", "Lansia tidak potensial")


def _cells(today: date, latest, aid: Aid) -> dict:
    """Name -> condition of every count the dashboard shows per person. One pass over the live registry
    counts them all (``build``), grouped by kecamatan, age band and sex."""
    receiving = aid.receiving
    targets = [
        Disability.derajat == SEVERE,
        latest.c.barthel_total <= LOW_BARTHEL,
        latest.c.kategori_potensi == "tidak_potensial",
    ]
    cells = {
        "n": None,
        "disabled": has_ragam(),
        "lansia": lansia_clause(today),
        **{f"ragam_{code}": getattr(Disability, f"ragam_{code}").is_(True) for code, _ in V.RAGAM},
        "ganda": Disability.ganda.is_(True),
        **{f"barthel_{code}": latest.c.barthel_kategori == code for code, _ in V.BARTHEL_KATEGORI},
        "not_assessed": and_(lansia_clause(today), latest.c.person_id.is_(None)),
        "covered": receiving,
        "unassisted": unassisted_clause(latest, aid),
    }
    for i, cond in enumerate(targets):
        cells[f"target_{i}"] = cond
        cells[f"target_{i}_receiving"] = and_(cond, receiving)
    return cells


def _grouped(user, today: date):
    """The per-person counts (``_cells``) over the live registry, per kecamatan, age band and sex."""
    latest, aid = latest_assessments(user), Aid.of(user)
    band = age_band(today)
    cells = _cells(today, latest, aid)
    columns = [func.count(Person.id) if cond is None else _ones(cond) for cond in cells.values()]
    return cells, (
        with_record_rows(live_persons(user), latest, aid)
        .with_only_columns(
            Person.kecamatan_code, band, Person.jenis_kelamin, *columns, maintain_column_froms=True
        )
        .group_by(Person.kecamatan_code, band, Person.jenis_kelamin)
    )


def build(user, today: date) -> Dashboard:
    """Three statements whatever the registry size: the per-person counts in one grouped pass, the programs'
    coverage, the kecamatan names."""
    cells, grouped = _grouped(user, today)
    sums = dict.fromkeys(cells, 0)
    by_kec: dict = {}
    grid: dict = {}
    for kec, b, sex, *values in db.session.execute(grouped):
        row = dict(zip(cells, (int(v or 0) for v in values), strict=True))
        for name, v in row.items():
            sums[name] += v
        k = by_kec.setdefault(kec, [0, 0, 0])
        k[0] += row["n"]
        k[1] += row["disabled"]
        k[2] += row["lansia"]
        grid[(b, sex)] = grid.get((b, sex), 0) + row["n"]

    ragam = [(label, sums[f"ragam_{code}"]) for code, label in V.RAGAM] + [("Ganda", sums["ganda"])]

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

    labels = [b for b, _, _ in AGE_BANDS] + ([UNKNOWN_AGE] if any(k[0] == UNKNOWN_AGE for k in grid) else [])
    age_sex = [(b, grid.get((b, "L"), 0), grid.get((b, "P"), 0)) for b in labels]

    barthel = [(label, sums[f"barthel_{code}"]) for code, label in V.BARTHEL_KATEGORI]
    barthel.append(("Lansia belum diases", sums["not_assessed"]))

    programs = [(kode, nama, int(n or 0)) for kode, nama, n in db.session.execute(_coverage(user))]
    targets = [
        (label, sums[f"target_{i}"], sums[f"target_{i}_receiving"]) for i, label in enumerate(TARGET_GROUPS)
    ]
    return Dashboard(
        total=sums["n"],
        disabled=sums["disabled"],
        lansia=sums["lansia"],
        ragam=ragam,
        kecamatan=kecamatan,
        age_sex=age_sex,
        barthel=barthel,
        programs=programs,
        covered=sums["covered"],
        unassisted=sums["unassisted"],
        targets=targets,
    )


def _coverage(user):
    """(kode, nama, persons covered) of each of the user's programs: live persons with approved or paid aid of
    it, their own or their household's, each person once."""
    own = scoped(Assistance, user, Assistance.program_id, Assistance.person_id.label("pid")).where(
        Assistance.person_id.is_not(None), Assistance.status.in_(RECEIVING)
    )
    family = (
        scoped(Assistance, user, Assistance.program_id, Person.id.label("pid"))
        .join(Person, Person.household_id == Assistance.household_id)
        .where(Assistance.household_id.is_not(None), Assistance.status.in_(RECEIVING))
    )
    aid = union(own, family).subquery("aid")
    covered = (
        live_persons(user)
        .join(aid, aid.c.pid == Person.id)
        .with_only_columns(aid.c.program_id, func.count(func.distinct(Person.id)).label("n"))
        .group_by(aid.c.program_id)
        .subquery("covered")
    )
    return (
        scoped(Program, user, Program.kode, Program.nama, covered.c.n)
        .outerjoin(covered, covered.c.program_id == Program.id)
        .order_by(Program.kode, Program.id)
    )


@dataclass
class Summary:
    """The dashboard as stored: its counts and when they were computed (UTC)."""

    data: Dashboard
    computed_at: datetime
    pending: bool = False  # recomputed by this request, not yet committed

    @property
    def label(self) -> str:
        local = to_local(self.computed_at)
        return f"Dihitung pukul {local:%H.%M} WIB, {tanggal(local)}"


def _summary_key(user) -> int | None:
    return None if user.role == SUPERADMIN else user.regency_id


def _stored_row(user) -> DashboardSummary | None:
    key = _summary_key(user)
    stmt = scoped(DashboardSummary, user).where(
        DashboardSummary.regency_id.is_(None) if key is None else DashboardSummary.regency_id == key
    )
    return db.session.scalars(stmt.order_by(DashboardSummary.computed_at.desc()).limit(1)).first()


def _as_summary(row: DashboardSummary) -> Summary:
    return Summary(data=Dashboard(**json.loads(row.data_json)), computed_at=row.computed_at)


def stored(user) -> Summary | None:
    """The last stored summary of the user's regency, however old (None if never computed)."""
    row = _stored_row(user)
    return None if row is None else _as_summary(row)


def _store(user, row: DashboardSummary | None) -> Summary:
    """Compute the dashboard now and write it into ``row`` (or a new row); the caller commits."""
    data = build(user, today_local())
    if row is None:
        row = DashboardSummary(regency_id=_summary_key(user))
        db.session.add(row)
    row.computed_at = utcnow()
    row.data_json = json.dumps(asdict(data))
    return Summary(data=data, computed_at=row.computed_at)


def current(user) -> Summary:
    """The stored summary, recomputed first when missing or older than SIDILAN_DASHBOARD_MAX_AGE_MINUTES. A
    recomputed summary and its audit row are pending: the caller builds the page, then ``settle``s (committing
    first would expire the loaded user, which the page would then reload)."""
    row = _stored_row(user)
    max_age = timedelta(minutes=setting("SIDILAN_DASHBOARD_MAX_AGE_MINUTES"))
    if row is not None and utcnow() - row.computed_at < max_age:
        return _as_summary(row)
    summary = _store(user, row)
    audit.record(
        "update",
        "sidilan_dashboard_summary",
        summary="dasbor SIDILAN dihitung ulang (kedaluwarsa)",
        user=user,
    )
    summary.pending = True
    return summary


def settle(summary: Summary, response):
    """Commit a summary ``current`` recomputed, once the page is built."""
    if summary.pending:
        db.session.commit()
    return response


def recompute(user) -> Summary:
    """'Hitung ulang': compute the dashboard now, store and audit it."""
    summary = _store(user, _stored_row(user))
    audit.record("update", "sidilan_dashboard_summary", summary="hitung ulang dasbor SIDILAN", user=user)
    db.session.commit()
    return summary


def unassisted_page(user, args, per_page: int = 20) -> tuple[KeysetPage, Summary | None]:
    """One page of 'tanpa bantuan' by keyset on (name, id), so a deep page costs what the first costs, and
    without counting the whole registry: the total is the stored summary's count (the page says when it was
    computed), never less than the rows this page proves exist."""
    summary = stored(user)
    stmt = unassisted_stmt(user).options(joinedload(Person.nagari), contains_eager(Person.disability))
    page = keyset(stmt, LIST_KEYS, args, per_page=per_page, total=summary.data.unassisted if summary else 0)
    if page.items:
        page.total = max(page.total, (page.page - 1) * per_page + len(page.items) + (1 if page.more else 0))
    return page, summary
