"""Export of the filtered registry list to .xlsx/.csv (docs/sidilan.md §12): the same filters as the list page
(search.Filters / search.search_stmt), NIK and No. KK masked unless the role may see them, and every file
watermarked with who exported it and when (docs/sidilan.md §11). An export of more rows than
``SIDILAN_EXPORT_JOB_ROWS`` runs as a background job (core.jobs), with its progress on the job page."""

import io
from dataclasses import asdict
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from blueprints.core import audit, jobs
from blueprints.core.export import MIMETYPES, csv_bytes, safe_row
from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal_jam
from blueprints.core.nik import mask_nik
from blueprints.core.roles import SUPERADMIN
from blueprints.core.timeutil import utcnow
from blueprints.wilayah.models import Jorong, Wilayah

from . import values as V
from .access import may_see_nik
from .models import Person
from .search import Filters, search_stmt
from .settings import setting

FORMATS = ("xlsx", "csv")
PROGRESS_EVERY = 1000  # rows between two progress notes of an export job

HEADERS = [
    "No",
    "NIK",
    "No. KK",
    "Nama lengkap",
    "Jenis kelamin",
    "Tempat lahir",
    "Tanggal lahir",
    "Umur",
    "Alamat",
    "Kecamatan",
    "Nagari",
    "Jorong",
    "Ragam disabilitas",
    "Derajat",
    "Lansia",
    "Status verifikasi",
    "Sumber data",
    "Keterangan",
]


def watermark(user, verb: str = "diekspor", when=None) -> str:
    return (
        f"SIDILAN {user.regency.name} · {verb} oleh {user.username} ({user.name}) pada "
        f"{tanggal_jam(when or utcnow())} WIB · RAHASIA: data pribadi (UU 27/2022), jangan disebarluaskan"
    )


def _ragam_text(person: Person) -> str:
    d = person.disability
    if d is None:
        return ""
    parts = []
    for code in d.ragam_codes:
        jenis = getattr(d, f"jenis_{code}")
        parts.append(V.label(V.RAGAM, code) + (f" ({jenis})" if jenis else ""))
    text = ", ".join(parts)
    return text + (" — ganda" if d.ganda else "")


def rows(filters: Filters, user, today: date, progress=None):
    """Yield one list of cells per person, in the list page's order: one query for the people (the disability
    row joined, streamed in batches), whatever their number; ``progress(n)`` every PROGRESS_EVERY rows."""
    show = may_see_nik(user)
    wilayah, jorong_q = select(Wilayah.code, Wilayah.name), select(Jorong.id, Jorong.name)
    if user.role != SUPERADMIN:
        wilayah = wilayah.where(Wilayah.regency_id == user.regency_id)
        jorong_q = jorong_q.where(Jorong.regency_id == user.regency_id)
    names, jorong = dict(db.session.execute(wilayah).all()), dict(db.session.execute(jorong_q).all())
    stmt = search_stmt(filters, user, today).options(joinedload(Person.disability))
    for n, p in enumerate(db.session.scalars(stmt.execution_options(yield_per=500)), start=1):
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n)
        age = p.age_on(today)
        note = (
            f"digabung ke #{p.merged_into_id}"
            if p.merged_into_id
            else ("meninggal" if p.status_hidup == "meninggal" else "")
        )
        yield [
            n,
            (p.nik or "") if show else mask_nik(p.nik),
            (p.no_kk or "") if show else mask_nik(p.no_kk),
            p.nama_lengkap,
            V.label(V.JENIS_KELAMIN, p.jenis_kelamin),
            p.tempat_lahir or "",
            p.tanggal_lahir or "",
            age if age is not None else "",
            p.alamat or "",
            names.get(p.kecamatan_code, ""),
            names.get(p.nagari_code, ""),
            jorong.get(p.jorong_id, ""),
            _ragam_text(p),
            V.label(V.DERAJAT, p.disability.derajat) if p.disability else "",
            "Ya" if age is not None and age >= V.LANSIA_AGE else "Tidak",
            V.label(V.STATUS_VERIFIKASI, p.status_verifikasi),
            V.label(V.SUMBER_DATA, p.sumber_data),
            note,
        ]


def to_csv(mark: str, data, headers=HEADERS) -> tuple[bytes, int]:
    rows = [list(row) for row in data]
    return csv_bytes([[mark], headers, *rows]), len(rows)


def to_xlsx(
    mark: str, data, headers=HEADERS, title: str = "SIDILAN", spacer: bool = True
) -> tuple[bytes, int]:
    """``spacer``: a blank row between the watermark and the bold header row (the list export's layout)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append([mark])
    if spacer:
        sheet.append([])
    bold = Font(bold=True)
    header = []
    for h in headers:
        cell = WriteOnlyCell(sheet, value=h)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in data:
        sheet.append(safe_row(row))
        count += 1
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue(), count


def filter_summary(f: Filters) -> str:
    """For the audit log: which filters, never the search text (it may be a NIK or a name)."""
    parts = [
        f"{k}={getattr(f, k)}"
        for k in ("kecamatan", "nagari", "jorong", "ragam", "lansia", "status", "program", "dicek")
        if getattr(f, k)
    ]
    if f.q:
        parts.append("dengan kata kunci")
    return ", ".join(parts) or "tanpa saringan"


def rejects_file(fmt: str, headers: list[str], rejected: list[dict], mark: str) -> bytes:
    """The import's rejected rows: file row number, the reasons, then the row's original cells (all text)."""
    head = ["Baris di berkas", "Alasan ditolak"] + [h or f"Kolom {i + 1}" for i, h in enumerate(headers)]
    body = ([r["line"], "; ".join(r["reasons"])] + list(r["cells"]) for r in rejected)
    if fmt == "csv":
        return to_csv(mark, body, head)[0]
    return to_xlsx(mark, body, head, "Ditolak", spacer=False)[0]


def _build(fmt: str, filters: Filters, user, today: date, progress=None) -> tuple[bytes, int]:
    mark = watermark(user)
    data = rows(filters, user, today, progress)
    return to_xlsx(mark, data) if fmt == "xlsx" else to_csv(mark, data)


def _summary(fmt: str, count: int, filters: Filters, user) -> str:
    return f"ekspor daftar SIDILAN {count} baris ({fmt}); {filter_summary(filters)}" + (
        "" if may_see_nik(user) else "; NIK disamarkan"
    )


def _filename(user, today: date, fmt: str) -> str:
    return f"sidilan-{user.regency.short_name.lower()}-{today.isoformat()}.{fmt}"


def export_list(fmt: str, filters: Filters, user, today: date) -> tuple[bytes, str]:
    """The filtered list as a watermarked file (``fmt`` one of FORMATS), its export written to the audit log
    (the filters, never the search text): (payload, file name)."""
    payload, count = _build(fmt, filters, user, today)
    audit.record("export", "sidilan_person", None, _summary(fmt, count, filters, user), user=user)
    db.session.commit()
    return payload, _filename(user, today, fmt)


def export_or_queue(fmt: str, filters: Filters, user, today: date) -> jobs.FileOrJob:
    """Up to SIDILAN_EXPORT_JOB_ROWS rows: the file now; more: the offer of a job (started by the page's button;
    the running one if the same export is already under way), which writes the export to the audit log when the
    file is made."""
    count = db.session.scalar(
        select(func.count()).select_from(search_stmt(filters, user, today).order_by(None).subquery())
    )
    if count <= setting("SIDILAN_EXPORT_JOB_ROWS"):
        return jobs.FileOrJob(*export_list(fmt, filters, user, today))
    label = f"Ekspor daftar SIDILAN {user.regency.short_name} ({fmt.upper()})"
    params = {"fmt": fmt, "filters": asdict(filters), "today": today.isoformat()}
    return jobs.FileOrJob(offer=jobs.Offer("sidilan_export", label, params, user, total=count))


@jobs.job("sidilan_export", record_type="sidilan_person", action="export")
def export_job(job, progress) -> jobs.Result:
    params, user = job.params, job.owner
    fmt, filters, today = params["fmt"], Filters(**params["filters"]), date.fromisoformat(params["today"])
    payload, count = _build(fmt, filters, user, today, lambda n: progress(n, None, f"{n} baris ditulis"))
    return jobs.Result(
        payload,
        _filename(user, today, fmt),
        MIMETYPES[fmt],
        summary=_summary(fmt, count, filters, user),
        message=f"{count} baris diekspor",
    )
