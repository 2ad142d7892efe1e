"""Monthly cross-regency recap (docs/rujukan.md §10) and register book (§9.3): page, PDF, XLSX, CSV."""

import io

from flask import Response, abort, request
from flask_login import current_user
from sqlalchemy.orm import selectinload

from blueprints.auth.models import Regency, regencies
from blueprints.core import audit
from blueprints.core.export import csv_bytes, download, safe_row
from blueprints.core.extensions import db
from blueprints.core.fmt import BULAN, bulan_tahun
from blueprints.core.pagination import paginate
from blueprints.core.pdf import pdf_response
from blueprints.core.render import render
from blueprints.core.timeutil import today_local

from .. import bp, report_jobs
from ..access import require_dinkes, require_facility
from ..forms import search_text
from ..models import STATUS_LABELS
from ..reports import (
    COLUMNS,
    REGISTER_COLUMNS,
    parse_month,
    recap,
    recap_rows,
    recap_summary,
    register_values,
    row_values,
)

ROWS_SHOWN, OPEN_SHOWN = 200, 50  # the page shows the first rows and open letters; the files hold every one


def _regency(choices: list[Regency], code: str | None, default: str) -> Regency:
    code = search_text(code, 13) or default
    return next((r for r in choices if r.code == code), None) or abort(404)


@bp.route("/rekap", endpoint="recap", methods=["GET", "POST"])
@audit.reads("rujukan_rekap", "rekap rujukan")
def recap_page():
    require_dinkes()
    y, m = parse_month(request.args.get("bulan"))
    choices = regencies()
    home = _regency(choices, request.args.get("asal"), "13.02")
    served = _regency(choices, request.args.get("layanan"), "13.03" if home.code == "13.02" else "13.02")
    if home.id == served.id or current_user.regency_id not in (home.id, served.id):
        abort(404)
    fmt = request.args.get("format", "")
    title = report_jobs.recap_title(home, served, y, m)
    if fmt == "pdf":
        data = recap_summary(y, m, home, served)
        part = report_jobs.recap_part(data["count"], request.args.get("bagian"))
        size = report_jobs.recap_part_size(data["count"], part)
        if report_jobs.as_job(size):
            return report_jobs.recap_pdf_job(current_user, home, served, y, m, part, size).response()
        response = pdf_response(*report_jobs.recap_pdf(home, served, y, m, part, data=data))
    elif fmt in ("xlsx", "csv"):
        response = _recap_file(fmt, title, home, served, y, m)
    if fmt in ("pdf", "xlsx", "csv"):
        audit.record(
            "export",
            "rujukan_rekap",
            f"{y}-{m:02d}",
            f"rekap rujukan {home.code}->{served.code} {y}-{m:02d} ({fmt})",
        )
        db.session.commit()  # after the file is built: a commit expires the loaded rows (a query per row)
        return response
    data = recap_summary(y, m, home, served, open_first=OPEN_SHOWN)
    rows, places = recap_rows(y, m, home, served, limit=ROWS_SHOWN)
    audit.record("view", "rujukan_rekap", f"{y}-{m:02d}", f"melihat rekap rujukan {home.code}->{served.code}")
    response = render(
        "rujukan/recap.html",
        title=title,
        home=home,
        served=served,
        y=y,
        m=m,
        bulan=BULAN,
        regencies=choices,
        values=[row_values(x, places) for x in rows],
        pdf_parts=report_jobs.recap_parts(data["count"]),
        columns=COLUMNS,
        **data,
    )
    db.session.commit()
    return response


def _recap_file(fmt: str, title: str, home: Regency, served: Regency, y: int, m: int) -> Response:
    name = f"rekap-rujukan-{home.short_name}-{served.short_name}-{y}-{m:02d}".lower()
    data = recap(y, m, home, served)
    if fmt == "csv":
        return download(
            csv_bytes([COLUMNS] + [row_values(x, data["places"]) for x in data["rows"]], ";"), name + ".csv"
        )
    return _xlsx(title, data, name + ".xlsx")


def _xlsx(title: str, data: dict, filename: str) -> Response:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Rekap"
    ws.append([title])
    ws.append(COLUMNS)
    for x in data["rows"]:
        ws.append(safe_row(row_values(x, data["places"])))
    for name, counter in data["totals"].items():
        sheet = wb.create_sheet(f"Per {name}")
        sheet.append([f"Per {name}", "Jumlah"])
        for key, n in sorted(counter.items(), key=lambda kv: str(kv[0])):
            sheet.append(safe_row([" · ".join(key) if isinstance(key, tuple) else key, n]))
    sheet = wb.create_sheet("Belum selesai")
    sheet.append(["Nomor", "Tanggal terbit", "Tujuan", "Status"])
    for r in data["open_refs"]:
        sheet.append(
            safe_row(
                [
                    r.number,
                    r.issued_on.isoformat(),
                    r.destination_name,
                    STATUS_LABELS[r.effective_status(today_local())],
                ]
            )
        )
    buf = io.BytesIO()
    wb.save(buf)
    return download(buf.getvalue(), filename)


@bp.route("/register", methods=["GET", "POST"])
@audit.reads("rujukan_register", "register rujukan")
def register():
    """Buku register rujukan: the facility's issued letters of one month."""
    require_facility()
    y, m = parse_month(request.args.get("bulan"))
    stmt = report_jobs.register_stmt(current_user.organisation_id, y, m)
    fmt = request.args.get("format", "")
    if fmt in ("csv", "pdf"):
        rows = [register_values(r) for r in db.session.scalars(stmt)]
        name = report_jobs.register_name(y, m)
        if fmt == "pdf" and report_jobs.as_job(len(rows)):
            return report_jobs.register_pdf_job(current_user, y, m, len(rows)).response()
        if fmt == "csv":
            response = download(csv_bytes([REGISTER_COLUMNS] + rows, ";"), name + ".csv")
        else:
            response = pdf_response(
                report_jobs.register_pdf(current_user.organisation, y, m, rows), name + ".pdf"
            )
        audit.record("export", "rujukan_register", f"{y}-{m:02d}", f"register rujukan {y}-{m:02d} ({fmt})")
        db.session.commit()
        return response
    page = paginate(
        report_jobs.register_stmt(current_user.organisation_id, y, m, patients=selectinload),
        request.args.get("hal"),
        filters=("bulan",),
    )
    audit.record("view", "rujukan_register", f"{y}-{m:02d}", f"melihat register rujukan {y}-{m:02d}")
    response = render(
        "rujukan/register.html",
        "rujukan/_register.html",
        page=page,
        y=y,
        m=m,
        bulan=BULAN,
        month=bulan_tahun(m, y),
        rows=[register_values(r) for r in page.items],
        columns=REGISTER_COLUMNS,
        refs=page.items,
    )
    db.session.commit()
    return response
