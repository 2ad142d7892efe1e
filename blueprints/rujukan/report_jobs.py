"""The register book and recap PDFs (docs/rujukan.md §9.3, §10), built here for the request and for the
background job: a PDF of more than RUJUKAN_PDF_JOB_ROWS rows runs as a job (core.jobs; its page's button starts
it), so a month's register (tens of pages) no longer renders inside the request."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from blueprints.auth.models import Organisation, Regency
from blueprints.core import jobs
from blueprints.core.export import MIMETYPES
from blueprints.core.extensions import db
from blueprints.core.fmt import bulan_tahun
from blueprints.core.pdf import render_pdf
from blueprints.core.timeutil import today_local
from blueprints.wilayah.service import regency_by_code

from .models import Referral
from .reports import REGISTER_COLUMNS, month_bounds, recap_rows, recap_summary, register_values, row_values
from .settings import setting


def as_job(n_rows: int) -> bool:
    return n_rows > int(setting("RUJUKAN_PDF_JOB_ROWS"))


# ---- register --------------------------------------------------------------------------------------------------


def register_stmt(organisation_id: int, y: int, m: int, patients=joinedload):
    """The facility's letters issued in the month, in register order. ``patients``: how their patients load;
    a page of it takes ``selectinload`` (its rows' patients by primary key: joined, PostgreSQL hashes every
    patient of the regency before the LIMIT)."""
    start, end = month_bounds(y, m)
    return (
        select(Referral)
        .where(
            Referral.origin_id == organisation_id,
            Referral.issued_on >= start,  # the (origin, issue day, seq) index: the month's letters only
            Referral.issued_on <= end,
        )
        .options(patients(Referral.patient), joinedload(Referral.destination))
        .order_by(Referral.seq, Referral.id)
    )


def register_name(y: int, m: int) -> str:
    return f"register-rujukan-{y}-{m:02d}"


def register_pdf(org: Organisation, y: int, m: int, rows: list, printed_for=None) -> bytes:
    return render_pdf(
        "rujukan/pdf/register.html",
        paper="F4",
        printed_for=printed_for,
        org=org,
        month=bulan_tahun(m, y),
        columns=REGISTER_COLUMNS,
        rows=rows,
    )


def register_pdf_job(user, y: int, m: int, n_rows: int) -> jobs.Offer:
    label = f"Register rujukan {bulan_tahun(m, y)} (PDF)"
    params = {"organisation": user.organisation_id, "y": y, "m": m}
    return jobs.Offer("rujukan_register_pdf", label, params, user, total=n_rows)


@jobs.job("rujukan_register_pdf", record_type="rujukan_register", action="export")
def register_job(job, progress) -> jobs.Result:
    p = job.params
    org = db.session.get(Organisation, p["organisation"])
    if org is None or job.owner.organisation_id != org.id:
        raise jobs.JobError("Faskes pekerjaan ini tidak lagi milik akun Anda.")
    rows = [register_values(r) for r in db.session.scalars(register_stmt(org.id, p["y"], p["m"]))]
    progress(0, len(rows), "Menyusun PDF")
    data = register_pdf(org, p["y"], p["m"], rows, printed_for=job.owner)
    return jobs.Result(
        data,
        register_name(p["y"], p["m"]) + ".pdf",
        MIMETYPES["pdf"],
        summary=f"register rujukan {p['y']}-{p['m']:02d} (pdf), {len(rows)} baris",
        message=f"{len(rows)} rujukan dalam register",
    )


# ---- recap -----------------------------------------------------------------------------------------------------


def recap_title(home: Regency, served: Regency, y: int, m: int) -> str:
    return f"Rekap layanan kesehatan penduduk {home.name} di {served.name}, {bulan_tahun(m, y)}"


def recap_parts(n_rows: int) -> int:
    """The recap PDF comes in parts of RUJUKAN_RECAP_PDF_ROWS rows (at least one, even when empty)."""
    return max(1, -(-n_rows // int(setting("RUJUKAN_RECAP_PDF_ROWS"))))


def recap_part(count: int, asked) -> int:
    """The part of the recap PDF asked for (``?bagian=``), within 1..parts."""
    try:
        part = int(asked or 1)
    except (TypeError, ValueError):
        part = 1
    return min(max(part, 1), recap_parts(count))


def recap_part_size(count: int, part: int) -> int:
    """How many rows that part holds."""
    per = int(setting("RUJUKAN_RECAP_PDF_ROWS"))
    return max(0, min(per, count - (part - 1) * per))


def recap_pdf(
    home: Regency, served: Regency, y: int, m: int, part: int, printed_for=None, data: dict | None = None
) -> tuple[bytes, str]:
    """One part of the recap as PDF: (bytes, file name). Totals in one GROUP BY (``data``: the
    ``recap_summary`` already read), the part's rows as a window."""
    data = data or recap_summary(y, m, home, served)
    dinkes = {
        o.regency_id: o
        for o in db.session.scalars(
            select(Organisation)
            .where(Organisation.regency_id.in_((home.id, served.id)), Organisation.kind == "dinkes")
            .order_by(Organisation.id.desc())
        )
    }  # the first of each regency, as one query
    per = int(setting("RUJUKAN_RECAP_PDF_ROWS"))
    parts = recap_parts(data["count"])
    part = min(max(part, 1), parts)
    chunk, places = recap_rows(y, m, home, served, offset=(part - 1) * per, limit=per)
    pdf = render_pdf(
        "rujukan/pdf/recap.html",
        paper="F4",
        printed_for=printed_for,
        title=recap_title(home, served, y, m),
        home=home,
        served=served,
        dinkes=dinkes,
        month=bulan_tahun(m, y),
        today=today_local(),
        **data,
        values=[row_values(x, places) for x in chunk],
        part=part,
        parts=parts,
    )
    name = f"rekap-rujukan-{home.short_name}-{served.short_name}-{y}-{m:02d}".lower()
    return pdf, name + (f"-bagian-{part}" if parts > 1 else "") + ".pdf"


def recap_pdf_job(user, home: Regency, served: Regency, y: int, m: int, part: int, n_rows: int) -> jobs.Offer:
    label = f"Rekap rujukan {home.short_name} di {served.short_name}, {bulan_tahun(m, y)} (PDF bagian {part})"
    params = {"home": home.code, "served": served.code, "y": y, "m": m, "part": part}
    return jobs.Offer("rujukan_recap_pdf", label, params, user, total=n_rows)


@jobs.job("rujukan_recap_pdf", record_type="rujukan_rekap", action="export")
def recap_job(job, progress) -> jobs.Result:
    p = job.params
    home, served = regency_by_code(p["home"]), regency_by_code(p["served"])
    if home is None or served is None or job.owner.regency_id not in (home.id, served.id):
        raise jobs.JobError("Rekap ini di luar wilayah akun Anda.")
    progress(0, job.total or 0, "Menyusun PDF")
    pdf, name = recap_pdf(home, served, p["y"], p["m"], p["part"], printed_for=job.owner)
    return jobs.Result(
        pdf,
        name,
        MIMETYPES["pdf"],
        summary=f"rekap rujukan {home.code}->{served.code} {p['y']}-{p['m']:02d} (pdf bagian {p['part']})",
    )
