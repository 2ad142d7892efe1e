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
from .lists import DASAR, JENIS, KATEGORI, KEPESERTAAN, PAYER
from .models import STATUS_LABELS, Patient, Referral

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
    served_on: date
    ref: Referral
    facility: Organisation
    role: str  # "FKTP asal" / "tujuan"

    @property
    def chapter(self) -> tuple[str, str]:
        return icd.chapter_of(self.ref.reply_diag_code or self.ref.diag1_code)


def _base(home: Regency, start: date, end: date) -> list:
    """Letters of ``home``'s residents issued in the month or the 120 days before (an arrival may come late)."""
    return [
        Patient.home_regency_id == home.id,
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
        .where(*_base(home, start, end), fac.regency_id == served.id, Referral.issued_on >= start)
    )
    tujuan = (
        select(Referral.id, fac.id, literal("tujuan"), Referral.arrived_at)
        .join(Patient, Patient.id == Referral.patient_id)
        .join(fac, fac.id == Referral.destination_id)
        .where(
            *_base(home, start, end),
            fac.regency_id == served.id,
            Referral.status.in_(ARRIVED),
            Referral.arrived_at >= since,
            Referral.arrived_at < until,
        )
    )
    return union_all(asal, tujuan).subquery("service")


def recap_summary(y: int, m: int, home: Regency, served: Regency) -> dict:
    """The recap's totals (one GROUP BY), how many rows, and the letters not yet arrived or answered."""
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
    open_refs = list(
        db.session.scalars(
            select(Referral)
            .join(Patient, Patient.id == Referral.patient_id)
            .join(dest, dest.id == Referral.destination_id)
            .where(
                *_base(home, start, end),
                dest.regency_id == served.id,
                Referral.status.in_(OPEN),
                Referral.issued_on >= start,
            )
            .options(contains_eager(Referral.destination.of_type(dest)))
            .order_by(Referral.issued_on, Referral.id)
        )
    )
    count = sum(n for *_, n in groups)
    return dict(count=count, open_refs=open_refs, totals=totals, start=start, end=end)


def recap_rows(y: int, m: int, home: Regency, served: Regency, offset: int = 0, limit: int | None = None):
    """(rows, places): the recap's rows ``offset`` .. ``offset + limit`` in the order of service, with the
    patient, the facility, the destination and the place names in the same query."""
    start, end = month_bounds(y, m)
    s = _services(home, served, start, end)
    fac, dest = aliased(Organisation), aliased(Organisation)
    stmt = (
        select(Referral, fac, s.c.role, Wilayah.name, Jorong.name)
        .select_from(s)
        .join(Referral, Referral.id == s.c.ref_id)
        .join(Patient, Patient.id == Referral.patient_id)
        .join(fac, fac.id == s.c.facility_id)
        .outerjoin(dest, dest.id == Referral.destination_id)
        .outerjoin(Wilayah, Wilayah.code == Patient.nagari_code)
        .outerjoin(Jorong, Jorong.id == Patient.jorong_id)
        .options(contains_eager(Referral.patient), contains_eager(Referral.destination.of_type(dest)))
        .order_by(s.c.served_at, s.c.ref_id, s.c.role)
        .offset(offset)
        .limit(limit)
    )
    rows, places = [], {}
    for ref, facility, role, nagari, jorong in db.session.execute(stmt):
        served_on = ref.issued_on if role == "asal" else to_local(ref.arrived_at).date()
        rows.append(RecapRow(served_on, ref, facility, role))
        if nagari:
            places[ref.patient.nagari_code] = nagari
        if jorong:
            places[ref.patient.jorong_id] = jorong
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
    r, p = x.ref, x.ref.patient
    where = " / ".join(v for v in (places.get(p.jorong_id), places.get(p.nagari_code)) if v)
    return [
        x.served_on.isoformat(),
        x.facility.name,
        x.facility.facility_level,
        "Faskes asal" if x.role == "asal" else "Faskes tujuan",
        r.number,
        p.name,
        mask_nik(p.nik),
        p.no_jkn or "",
        KEPESERTAAN.get(p.jenis_kepesertaan, ""),
        where,
        r.poli_name or "",
        r.reply_diag_code or r.diag1_code or "",
        r.reply_diag_name or r.diag1_name or "",
        r.destination_name,
        STATUS_LABELS[r.effective_status(today_local())],
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
