"""Monthly cross-regency recap (docs/rujukan.md §10) and register book (§9.3): the rows and totals their
pages and files show (the views are views/reports.py)."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from blueprints.auth.models import Organisation, Regency
from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal
from blueprints.core.nik import mask_nik
from blueprints.core.timeutil import to_local, today_local
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


def recap(y: int, m: int, home: Regency, served: Regency) -> dict:
    """Patients whose home is ``home`` served by facilities of ``served`` in the month."""
    start, end = month_bounds(y, m)
    refs = list(
        db.session.scalars(
            select(Referral)
            .join(Patient, Patient.id == Referral.patient_id)
            .where(
                Patient.home_regency_id == home.id,
                Referral.issued_on.is_not(None),
                Referral.issued_on <= end,
                Referral.issued_on >= start - timedelta(days=120),
                Referral.status != "dibatalkan",
            )
            .options(
                joinedload(Referral.patient), joinedload(Referral.origin), joinedload(Referral.destination)
            )
            .order_by(Referral.issued_on, Referral.id)
        )
    )
    rows, open_refs = [], []
    for r in refs:
        if r.origin.regency_id == served.id and start <= r.issued_on <= end:
            rows.append(RecapRow(r.issued_on, r, r.origin, "asal"))
        if r.destination is not None and r.destination.regency_id == served.id:
            arrived = to_local(r.arrived_at).date() if r.arrived_at else None
            if r.status in ARRIVED and arrived and start <= arrived <= end:
                rows.append(RecapRow(arrived, r, r.destination, "tujuan"))
            elif r.status in OPEN and start <= r.issued_on <= end:
                open_refs.append(r)
    rows.sort(key=lambda x: (x.served_on, x.ref.id, x.role))
    places = _places(
        {r.ref.patient.nagari_code for r in rows if r.ref.patient.nagari_code},
        {r.ref.patient.jorong_id for r in rows if r.ref.patient.jorong_id},
    )
    totals = {
        "faskes": Counter((x.facility.name, x.facility.facility_level) for x in rows),
        "level": Counter(x.facility.facility_level for x in rows),
        "penjamin": Counter(PAYER.get(x.ref.payer, x.ref.payer) for x in rows),
        "diagnosis": Counter(f"{x.chapter[0]} {x.chapter[1]}" for x in rows),
        "kategori": Counter(
            KATEGORI.get(x.ref.kategori, x.ref.kategori) for x in rows
        ),  # maternal / neonatal
    }
    return dict(rows=rows, open_refs=open_refs, totals=totals, places=places, start=start, end=end)


def _places(nagari_codes: set, jorong_ids: set) -> dict:
    out = {}
    if nagari_codes:
        out.update(
            {
                w.code: w.name
                for w in db.session.scalars(select(Wilayah).where(Wilayah.code.in_(nagari_codes)))
            }
        )
    if jorong_ids:
        out.update(
            {j.id: j.name for j in db.session.scalars(select(Jorong).where(Jorong.id.in_(jorong_ids)))}
        )
    return out


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
