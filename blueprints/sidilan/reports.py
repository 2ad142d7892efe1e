"""SIDILAN dashboard, import/export and printouts (views registered on the sidilan blueprint)."""
import itertools

import segno
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.auth.models import Regency
from blueprints.core import audit
from blueprints.core.charts import bar_chart, percent
from blueprints.core.export import download
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID, CreateForm
from blueprints.core.pagination import paginate, paginate_list
from blueprints.core.pdf import pdf_response, render_pdf
from blueprints.core.render import render
from blueprints.core.roles import roles_required
from blueprints.core.scope import get_scoped_or_404, scoped
from blueprints.core.timeutil import today_local
from blueprints.wilayah.models import Jorong, Wilayah
from blueprints.wilayah.service import Cascade

from . import bp, exporter, importer, report_dashboard, report_models
from . import values as V
from .access import IMPORT_REPORT_ROLES, IMPORT_ROLES, may_see_nik
from .assessments import barthel_maxima
from .assistance import assistance_for
from .disability import wgss_flag
from .models import Person, VerificationEvent
from .search import Filters

# ---- blank paper form per jorong (docs/sidilan.md §12) ------------------------------------------

def form_number(nagari_code: str, jorong_id: int | None) -> str:
    """Short, human-copyable: 'F-0218-2004-J7' (kecamatan + nagari digits, jorong id)."""
    digits = nagari_code.replace(".", "")
    return f"F-{digits[2:6]}-{digits[6:]}" + (f"-J{jorong_id}" if jorong_id else "")


@bp.route("/cetak/formulir")
@audit.not_sensitive
def paper_form():
    cascade = Cascade.build(current_user.regency, request.args, required=True)
    errors = {}
    if request.args.get("cetak") and "_cascade" not in request.args:
        errors = cascade.errors()
        if not errors:
            nagari = db.session.get(Wilayah, cascade.nagari)
            jorong = db.session.get(Jorong, cascade.jorong_id) if cascade.jorong_id else None
            number = form_number(nagari.code, jorong.id if jorong else None)
            qr = segno.make(f"SIDILAN|{nagari.code}|{jorong.id if jorong else ''}|{number}", error="m")
            maxima = barthel_maxima()  # configurable (unverified item maxima, docs/sidilan.md §8.2)
            pdf = render_pdf("sidilan/pdf_form.html", regency=current_user.regency, kecamatan=nagari.parent,
                             nagari=nagari, jorong=jorong, form_no=number, qr=qr.svg_data_uri(scale=3),
                             v=V, maxima=maxima, barthel_max=max(maxima.values()), footer=f"SIDILAN · {number}")
            name = (jorong.name if jorong else nagari.name).replace(" ", "_")
            return pdf_response(pdf, f"formulir-sidilan-{name}.pdf")
    return render("sidilan/report_form.html", cascade=cascade, errors=errors, status=422 if errors else 200)


# ---- dashboard (item 9) -------------------------------------------------------------------------

@bp.route("/dasbor")
@audit.not_sensitive
def dashboard():
    data = report_dashboard.build(current_user, today_local())
    charts = {
        "ragam": bar_chart(data.ragam, "Penyandang disabilitas menurut ragam"),
        "kecamatan": bar_chart([(n, (d, l)) for n, _, d, l in data.kecamatan], "Terdaftar per kecamatan",
                               series=("Disabilitas", "Lansia"), label_width=130),
        "usia": bar_chart([(b, (l, p)) for b, l, p in data.age_sex], "Kelompok umur dan jenis kelamin",
                          series=("Laki-laki", "Perempuan")),
        "barthel": bar_chart(data.barthel, "Lansia menurut kategori Barthel (asesmen terakhir)", label_width=150),
        "bantuan": bar_chart([(k, n) for k, _, n in data.programs], "Penerima per program bantuan"),
        "sasaran": bar_chart([(g, (c, n - c)) for g, n, c in data.targets], "Kelompok sasaran menerima bantuan",
                             series=("Menerima", "Belum"), label_width=140),
    }
    return render("sidilan/report_dashboard.html", d=data, charts=charts, percent=percent)


# ---- export (item 8) ----------------------------------------------------------------------------

FORMATS = exporter.FORMATS


@bp.route("/ekspor.<fmt>")
@audit.reads("sidilan_person", "ekspor daftar orang")
def export(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    payload, filename = exporter.export_list(fmt, Filters.from_args(request.args), current_user, today_local())
    return download(payload, filename)


# ---- profile PDF (item 10) ----------------------------------------------------------------------

PROFILE_ROWS = 4  # assessments / assistance rows that keep the profile on one page


@bp.route("/orang/<int:person_id>/profil.pdf")
@audit.reads("sidilan_person", "cetak profil orang")
def profile_pdf(person_id: int):
    person = get_scoped_or_404(Person, person_id)
    assistance = list(db.session.scalars(assistance_for(person, current_user)))
    events = list(db.session.scalars(select(VerificationEvent).where(VerificationEvent.person_id == person.id)
                                     .order_by(VerificationEvent.at.desc(), VerificationEvent.id.desc()).limit(1)))
    show_nik = may_see_nik(current_user)
    today = today_local()
    pdf = render_pdf("sidilan/pdf_profile.html", p=person, v=V, show_nik=show_nik, today=today,
                     regency=db.session.get(Regency, person.regency_id),
                     age=person.age_on(today), assessments=person.assessments, assistance=assistance,
                     last_event=events[0] if events else None, limit=PROFILE_ROWS,
                     wg_flag=wgss_flag(person.disability.wg_answers) if person.disability else False,
                     mark=exporter.watermark(current_user, "dicetak"),
                     footer=f"SIDILAN #{person.id}")
    audit.record("print", "sidilan_person", person.id, f"cetak profil orang #{person.id}")
    db.session.commit()
    return pdf_response(pdf, f"profil-sidilan-{person.id}.pdf")


# ---- import (item 8) ----------------------------------------------------------------------------

class UploadForm(CreateForm):
    berkas = FileField("Berkas spreadsheet (.xlsx atau .csv)",
                       validators=[FileRequired("Pilih berkas .xlsx atau .csv untuk diunggah.")])


class RunForm(CreateForm):
    """The run button of a dry run. Its key is the upload's token (see importer.apply.run_import)."""


def _pending_or_404(token: str) -> importer.Pending:
    pending = importer.load_pending(token, current_user)
    if pending is None:
        abort(404)
    return pending


@bp.route("/impor", methods=["GET", "POST"])
@audit.reads("sidilan_import", "daftar impor")
@roles_required(*IMPORT_ROLES)
def import_upload():
    form = UploadForm()
    if request.method == "POST":
        out = importer.upload_import(form, current_user)
        if out.replay:
            return out.replay.response()
        if out.record is not None:
            return redirect(url_for("sidilan.import_mapping", token=out.record.token))
    batches = paginate(scoped(report_models.ImportBatch).options(selectinload(report_models.ImportBatch.user))
                       .order_by(report_models.ImportBatch.created_at.desc(), report_models.ImportBatch.id.desc()),
                       request.args.get("hal"))
    return render("sidilan/report_import.html", form=form, batches=batches, fields=importer.FIELDS,
                  max_rows=importer.MAX_ROWS, status=FORM_INVALID if form.errors else 200)


@bp.route("/impor/<token>/kolom", methods=["GET", "POST"])
@audit.reads("sidilan_import", "pemetaan kolom impor")
@roles_required(*IMPORT_ROLES)
def import_mapping(token: str):
    pending = _pending_or_404(token)
    sheet = pending.sheet
    errors: dict[str, str] = {}
    mapping = dict(pending.mapping)
    if request.method == "POST":
        try:
            header = int(request.form.get("header_row", "")) - 1
        except ValueError:
            header = -1
        if not 0 <= header < min(len(sheet.rows), 50):
            errors["header_row"] = f"Baris judul harus angka 1–{min(len(sheet.rows), 50)}."
        elif "_reread" in request.form or header != sheet.header_row:
            sheet.header_row = header
            pending.mapping = importer.guess_mapping(sheet.headers)
            pending.mapped = False
            pending.save()
            flash("Judul kolom dibaca ulang dari baris " + str(header + 1) + ". Periksa pemetaan kolom.", "ok")
            return redirect(url_for("sidilan.import_mapping", token=token))
        if not errors:
            mapping, errors = importer.read_mapping(request.form, len(sheet.headers))
            source = request.form.get("sumber_data", "")
            if source not in importer.SOURCES:
                errors["sumber_data"] = "Pilih sumber data."
            else:
                pending.source = source
            if not errors:
                pending.mapping, pending.mapped = mapping, True
                pending.save()
                return redirect(url_for("sidilan.import_preview", token=token))
    preview = [cells for _, cells, _ in itertools.islice(sheet.data_rows(), 3)]
    sources = [(code, V.label(V.SUMBER_DATA, code)) for code in importer.SOURCES]
    return render("sidilan/report_import_map.html", pending=pending, sheet=sheet, fields=importer.FIELDS,
                  mapping=mapping, errors=errors, preview=preview, sources=sources,
                  source=request.form.get("sumber_data", pending.source), status=422 if errors else 200)


def _run(pending: importer.Pending) -> importer.DryRun:
    return importer.dry_run(pending, current_user, today_local())


def _preview(pending: importer.Pending, form: RunForm, status: int = 200):
    run = _run(pending)
    show = request.args.get("tampil", "")
    rows = [r for r in run.rows if r.status == show] if show in importer.STATUS_LABELS else run.rows
    page = paginate_list(rows, request.args.get("hal"), filters=("tampil",))
    return render("sidilan/report_import_preview.html", "sidilan/_report_import_rows.html", pending=pending,
                  run=run, page=page, show=show, labels=importer.STATUS_LABELS, form=form, status=status)


@bp.route("/impor/<token>/uji")
@audit.reads("sidilan_import", "uji coba impor")
@roles_required(*IMPORT_ROLES)
def import_preview(token: str):
    """The dry run: what each row would do. Nothing is written."""
    pending = _pending_or_404(token)
    if not pending.mapped:
        return redirect(url_for("sidilan.import_mapping", token=token))
    form = RunForm()
    form.submission_key.data = pending.token
    return _preview(pending, form)


@bp.route("/impor/<token>/jalankan", methods=["POST"])
@roles_required(*IMPORT_ROLES)
def import_run(token: str):
    """Import the rows that passed, all in one transaction; the rejected ones go to the batch report."""
    form = RunForm()
    out = importer.run_import(token, form, current_user, today_local())
    if out.replay:
        return out.replay.response()
    if out.error:
        flash(out.error, "error")
    if out.redirect:
        return redirect(out.redirect)
    if out.record is None:  # the form itself was refused: the dry run again, with the message
        pending = _pending_or_404(token)
        if not pending.mapped:
            return redirect(url_for("sidilan.import_mapping", token=token))
        return _preview(pending, form, FORM_INVALID)
    batch = out.record
    flash(f"Impor selesai: {batch.created_count} data baru dibuat (draf), {batch.matched_count} cocok dengan data "
          f"yang ada, {batch.rejected_count} ditolak.", "ok")
    return redirect(url_for("sidilan.import_batch", batch_id=batch.id))


@bp.route("/impor/riwayat/<int:batch_id>")
@audit.reads("sidilan_import", "laporan impor")
@roles_required(*IMPORT_REPORT_ROLES)
def import_batch(batch_id: int):
    batch = get_scoped_or_404(report_models.ImportBatch, batch_id)
    page = paginate_list(batch.rejected, request.args.get("hal"))
    return render("sidilan/report_import_batch.html", batch=batch, page=page, headers=batch.headers)


@bp.route("/impor/riwayat/<int:batch_id>/ditolak.<fmt>")
@audit.reads("sidilan_import", "baris ditolak impor")
@roles_required(*IMPORT_REPORT_ROLES)
def import_rejects(batch_id: int, fmt: str):
    """The rejected rows as they were in the file, plus the reason, to fix and import again."""
    if fmt not in FORMATS:
        abort(404)
    batch = get_scoped_or_404(report_models.ImportBatch, batch_id)
    payload = exporter.rejects_file(fmt, batch.headers, batch.rejected,
                                    exporter.watermark(current_user, "diunduh"))
    audit.record("download", "sidilan_import", batch.id, f"unduh baris ditolak impor #{batch.id} ({fmt})")
    db.session.commit()
    return download(payload, f"impor-{batch.id}-ditolak.{fmt}")
