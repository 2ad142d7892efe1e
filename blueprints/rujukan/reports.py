"""Monthly cross-regency recap (docs/rujukan.md §10) and register book (§9.3): the rows and totals their
pages and files show (the views are views/reports.py)."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import aliased, contains_eager

from blueprints.auth.models import Organisation, Regency
from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal
from blueprints.core.nik import mask_nik
from blueprints.core.timeutil import local_day_bounds, to_local, today_local
from blueprints.wilayah.models import Jorong, Wilayah

from . import icd
from .facilities import outside_ids
from .lists import DASAR, JENIS, KATEGORI, KEPESERTAAN, PAYER
from .models import STATUS_LABELS, Patient, Referral, effective_status
from .planner import unindexed

ARRIVED = ("tiba", "dijawab", "selesai")
OPEN = ("diterbitkan", "dikirim", "diterima", "tiba")


def parse_month(text: str | None) -> tuple[int, int]:
    today = today_local()
    try:
        y, m = (int(x) for x in (text or "").split("-")[:2])
        if 2014 <= y <= 2100 and 1 <= m <= 12:
            return y, m
    except ValueError:
        pass
    return today.year, today.month


def month_bounds(y: int, m: int) -> tuple[date, date]:
    start = date(y, m, 1)
    end = date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)
    return start, end


@dataclass
class RecapRow:
    """One service of the recap: the letter's and patient's fields the recap shows (``ref``: a row of
    ``recap_rows``'s columns, not a loaded letter), the facility that served and its role."""

    served_on: date
    ref: object
    role: str  # "asal" / "tujuan"

    @property
    def chapter(self) -> tuple[str, str]:
        return icd.chapter_of(self.ref.reply_diag_code or self.ref.diag1_code)


def _base(home: Regency, start: date, end: date) -> list:
    """Letters of ``home``'s residents issued in the month or the 120 days before (an arrival may come late).
    Each query of the recap reads one of the dates' indexes (issue day, arrival); the patient's and facility's
    regencies are checked per letter (on SQLite: not through their own indexes, see planner.py)."""
    return [
        unindexed(Patient.home_regency_id) == home.id,
        Referral.issued_on.is_not(None),
        Referral.issued_on <= end,
        Referral.issued_on >= start - timedelta(days=120),
        Referral.status != "dibatalkan",
    ]


def _services(home: Regency, served: Regency, start: date, end: date):
    """Every service of the month as (ref_id, facility_id, role, served_at), in SQL: a letter issued by a
    facility of ``served`` ("asal"), and a patient who arrived at one ("tujuan"), by the WIB day."""
    since, until = local_day_bounds(start, end)
    fac = aliased(Organisation)
    asal = (
        select(
            Referral.id.label("ref_id"),
            fac.id.label("facility_id"),
            literal("asal").label("role"),
            Referral.issued_at.label("served_at"),
        )
        .join(Patient, Patient.id == Referral.patient_id)
        .join(fac, fac.id == Referral.origin_id)
        .where(*_base(home, start, end), unindexed(fac.regency_id) == served.id, Referral.issued_on >= start)
    )
    tujuan = (
        select(Referral.id, fac.id, literal("tujuan"), Referral.arrived_at)
        .join(Patient, Patient.id == Referral.patient_id)
        .join(fac, fac.id == Referral.destination_id)
        .where(
            *_base(home, start, end),
            unindexed(fac.regency_id) == served.id,
            fac.id.not_in(outside_ids()),
            unindexed(Referral.status).in_(ARRIVED),
            Referral.arrived_at >= since,
            Referral.arrived_at < until,
        )
    )
    return union_all(asal, tujuan).subquery("service")


def recap_summary(y: int, m: int, home: Regency, served: Regency, open_first: int | None = None) -> dict:
    """The recap's totals (one GROUP BY), how many rows, and the letters not yet arrived or answered
    (``open_count`` of them; ``open_refs``: every one, or the first ``open_first``)."""
    start, end = month_bounds(y, m)
    s = _services(home, served, start, end)
    fac = aliased(Organisation)
    code = func.coalesce(Referral.reply_diag_code, Referral.diag1_code)
    groups = db.session.execute(
        select(fac.name, fac.facility_level, Referral.payer, code, Referral.kategori, func.count())
        .select_from(s)
        .join(Referral, Referral.id == s.c.ref_id)
        .join(fac, fac.id == s.c.facility_id)
        .group_by(fac.name, fac.facility_level, Referral.payer, code, Referral.kategori)
    ).all()
    totals = {name: Counter() for name in ("faskes", "level", "penjamin", "diagnosis", "kategori")}
    for name, level, payer, diag, kategori, n in groups:
        chapter = icd.chapter_of(diag)
        totals["faskes"][(name, level)] += n
        totals["level"][level] += n
        totals["penjamin"][PAYER.get(payer, payer)] += n
        totals["diagnosis"][f"{chapter[0]} {chapter[1]}"] += n
        totals["kategori"][KATEGORI.get(kategori, kategori)] += n  # maternal / neonatal
    dest = aliased(Organisation)
    open_rows = db.session.execute(
        select(Referral, func.count().over())
        .join(Patient, Patient.id == Referral.patient_id)
        .join(dest, dest.id == Referral.destination_id)
        .where(
            *_base(home, start, end),
            unindexed(dest.regency_id) == served.id,
            dest.id.not_in(outside_ids()),
            unindexed(Referral.status).in_(OPEN),
            Referral.issued_on >= start,
        )
        .options(contains_eager(Referral.destination.of_type(dest)))
        .order_by(Referral.issued_on, Referral.id)
        .limit(open_first)
    ).all()
    count = sum(n for *_, n in groups)
    return dict(
        count=count,
        open_refs=[ref for ref, _ in open_rows],
        open_count=open_rows[0][1] if open_rows else 0,
        totals=totals,
        start=start,
        end=end,
    )


def recap_rows(y: int, m: int, home: Regency, served: Regency, offset: int = 0, limit: int | None = None):
    """(rows, places): the recap's rows ``offset`` .. ``offset + limit`` in the order of service, with the
    patient, the facility, the destination and the place names in the same query (the columns shown only)."""
    start, end = month_bounds(y, m)
    services = _services(home, served, start, end)
    order = (services.c.served_at, services.c.ref_id, services.c.role)
    # the window of services first, then the names of its rows only (not of every service of the month)
    s = select(services).order_by(*order).offset(offset).limit(limit).subquery("page")
    fac, dest = aliased(Organisation), aliased(Organisation)
    stmt = (
        select(
            s.c.role,
            fac.name.label("facility_name"),
            fac.facility_level,
            Referral.number,
            Referral.issued_on,
            Referral.arrived_at,
            Referral.status,
            Referral.valid_until,
            Referral.poli_name,
            Referral.diag1_code,
            Referral.diag1_name,
            Referral.reply_diag_code,
            Referral.reply_diag_name,
            Referral.replied_at,
            Referral.payer,
            func.coalesce(dest.name, Referral.destination_text).label("destination_name"),
            Patient.name.label("patient_name"),
            Patient.nik,
            Patient.no_jkn,
            Patient.jenis_kepesertaan,
            Patient.nagari_code,
            Patient.jorong_id,
            Wilayah.name.label("nagari_name"),
            Jorong.name.label("jorong_name"),
        )
        .select_from(s)
        .join(Referral, Referral.id == s.c.ref_id)
        .join(Patient, Patient.id == Referral.patient_id)
        .join(fac, fac.id == s.c.facility_id)
        .outerjoin(dest, dest.id == Referral.destination_id)
        .outerjoin(Wilayah, Wilayah.code == Patient.nagari_code)
        .outerjoin(Jorong, Jorong.id == Patient.jorong_id)
        .order_by(s.c.served_at, s.c.ref_id, s.c.role)
    )
    rows, places = [], {}
    for row in db.session.execute(stmt):
        served_on = row.issued_on if row.role == "asal" else to_local(row.arrived_at).date()
        rows.append(RecapRow(served_on, row, row.role))
        if row.nagari_name:
            places[row.nagari_code] = row.nagari_name
        if row.jorong_name:
            places[row.jorong_id] = row.jorong_name
    return rows, places


def recap(y: int, m: int, home: Regency, served: Regency) -> dict:
    """Patients whose home is ``home`` served by facilities of ``served`` in the month: every row, the totals
    and the open letters (the files; the page takes ``recap_summary`` and a window of ``recap_rows``)."""
    data = recap_summary(y, m, home, served)
    data["rows"], data["places"] = recap_rows(y, m, home, served)
    return data


COLUMNS = [
    "Tanggal layanan",
    "Faskes",
    "Level",
    "Peran",
    "Nomor rujukan",
    "Nama pasien",
    "NIK",
    "No. JKN",
    "Kepesertaan",
    "Jorong/Nagari",
    "Poli",
    "ICD-10",
    "Diagnosis",
    "Tujuan",
    "Status",
    "Dijawab",
    "Penjamin",
]


def row_values(x: RecapRow, places: dict) -> list:
    r = x.ref
    where = " / ".join(v for v in (places.get(r.jorong_id), places.get(r.nagari_code)) if v)
    return [
        x.served_on.isoformat(),
        r.facility_name,
        r.facility_level,
        "Faskes asal" if x.role == "asal" else "Faskes tujuan",
        r.number,
        r.patient_name,
        mask_nik(r.nik),
        r.no_jkn or "",
        KEPESERTAAN.get(r.jenis_kepesertaan, ""),
        where,
        r.poli_name or "",
        r.reply_diag_code or r.diag1_code or "",
        icd.display_name(r.reply_diag_code or r.diag1_code, r.reply_diag_name or r.diag1_name),
        r.destination_name or "",
        STATUS_LABELS[effective_status(r.status, r.valid_until, today_local())],
        "ya" if r.replied_at else "tidak",
        PAYER.get(r.payer, r.payer),
    ]


REGISTER_COLUMNS = [
    "Nomor",
    "Tanggal",
    "Pasien",
    "Diagnosis",
    "Tujuan",
    "Jenis",
    "Dasar",
    "Status",
    "Dijawab",
]


def register_values(r: Referral) -> list:
    return [
        r.number or "",
        tanggal(r.issued_on),
        r.patient.name,
        ", ".join(f"{c} {n}" for c, n in r.diagnoses),
        r.destination_name,
        JENIS.get(r.jenis, r.jenis),
        DASAR.get(r.dasar or "", "—"),
        STATUS_LABELS[r.effective_status(today_local())],
        "ya" if r.replied_at else "tidak",
    ]
