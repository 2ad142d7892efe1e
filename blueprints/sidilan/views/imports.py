"""SIDILAN spreadsheet import (item 8): upload, column mapping, dry run, run, batch report (progress, resume,
undo), rejected rows."""

import itertools

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.orm import selectinload
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from blueprints.core import audit, jobs
from blueprints.core.export import download
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID, CreateForm, Form
from blueprints.core.pagination import paginate, paginate_list
from blueprints.core.render import render
from blueprints.core.roles import roles_required
from blueprints.core.scope import get_scoped_or_404, scoped
from blueprints.core.timeutil import today_local

from .. import bp, exporter, importer, report_models
from .. import values as V
from ..access import IMPORT_REPORT_ROLES, IMPORT_ROLES
from ._common import FORMATS


class UploadForm(CreateForm):
    berkas = FileField(
        "Berkas spreadsheet (.xlsx atau .csv)",
        validators=[FileRequired("Pilih berkas .xlsx atau .csv untuk diunggah.")],
    )


class RunForm(CreateForm):
    """The run button of a dry run. Its key is the upload's token (see importer.apply.start_import)."""


class UndoForm(Form):
    alasan = TextAreaField(
        "Alasan pembatalan",
        validators=[
            DataRequired("Isi alasan pembatalan impor."),
            Length(max=500, message="Maksimal 500 karakter."),
        ],
    )


class ResumeForm(Form):
    """The 'lanjutkan' button of a stopped batch (CSRF only)."""


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
    batches = paginate(
        scoped(report_models.ImportBatch)
        .options(selectinload(report_models.ImportBatch.user))
        .order_by(report_models.ImportBatch.created_at.desc(), report_models.ImportBatch.id.desc()),
        request.args.get("hal"),
    )
    return render(
        "sidilan/report_import.html",
        form=form,
        batches=batches,
        fields=importer.FIELDS,
        max_rows=importer.MAX_ROWS,
        chunk=importer.chunk_size(),
        status=FORM_INVALID if form.errors else 200,
    )


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
            flash(
                "Judul kolom dibaca ulang dari baris " + str(header + 1) + ". Periksa pemetaan kolom.", "ok"
            )
            return redirect(url_for("sidilan.import_mapping", token=token))
        if not errors:
            mapping, errors = importer.read_mapping(request.form, len(sheet.headers))
            source = request.form.get("sumber_data", "")
            if source not in importer.SOURCES:
                errors["sumber_data"] = "Pilih sumber data."
            else:
                pending.source = source
            default_reason = request.form.get("alasan_default", "")
            if default_reason and default_reason not in {c for c, _ in V.ALASAN_TANPA_NIK}:
                errors["alasan_default"] = "Pilih alasan dari daftar."
            else:
                pending.default_reason = default_reason or None
            if not errors:
                pending.mapping, pending.mapped = mapping, True
                pending.save()
                if offer := importer.dry_run_job(pending, current_user, today_local()):
                    return offer.started()  # a large file: its dry run is a job, the clerk sees its progress
                return redirect(url_for("sidilan.import_preview", token=token))
    preview = [cells for _, cells, _ in itertools.islice(sheet.data_rows(), 3)]
    sources = [(code, V.label(V.SUMBER_DATA, code)) for code in importer.SOURCES]
    return render(
        "sidilan/report_import_map.html",
        pending=pending,
        sheet=sheet,
        fields=importer.FIELDS,
        mapping=mapping,
        errors=errors,
        preview=preview,
        sources=sources,
        source=request.form.get("sumber_data", pending.source),
        reasons=V.ALASAN_TANPA_NIK,
        default_reason=request.form.get("alasan_default", pending.default_reason or ""),
        status=422 if errors else 200,
    )


def _preview(pending: importer.Pending, form: RunForm, status: int = 200):
    run = importer.preview_or_job(pending, current_user, today_local())
    if isinstance(
        run, jobs.Offer
    ):  # a large file not checked yet: the button that checks it in the background
        return run.response()
    show = request.args.get("tampil", "")
    rows = [r for r in run.rows if r.status == show] if show in importer.STATUS_LABELS else run.rows
    page = paginate_list(rows, request.args.get("hal"), filters=("tampil",))
    return render(
        "sidilan/report_import_preview.html",
        "sidilan/_report_import_rows.html",
        pending=pending,
        run=run,
        page=page,
        show=show,
        labels=importer.STATUS_LABELS,
        decisions=pending.decisions,
        form=form,
        status=status,
    )


@bp.route("/impor/<token>/uji", methods=["GET", "POST"])
@audit.reads("sidilan_import", "uji coba impor")
@roles_required(*IMPORT_ROLES)
def import_preview(token: str):
    """The dry run: what each row would do. Nothing is written. (A large file's dry run is a job: the POST of
    the page's button starts it.)"""
    pending = _pending_or_404(token)
    if not pending.mapped:
        return redirect(url_for("sidilan.import_mapping", token=token))
    form = RunForm()
    form.submission_key.data = pending.token
    return _preview(pending, form)


class DecideForm(Form):
    """A proposed match of the dry run: the same person ('sama') or someone else ('beda'), per file row."""


@bp.route("/impor/<token>/cocok", methods=["POST"])
@roles_required(*IMPORT_ROLES)
def import_decide(token: str):
    """The clerk's answer to a proposed match (No. KK + similar name, or name + birth date + nagari): 'sama'
    skips the row (no duplicate), 'beda' creates it. Nothing is written to the registry; the answer is kept
    with the upload, and the dry run shows it."""
    pending = _pending_or_404(token)
    line, answer = request.form.get("baris", ""), request.form.get("keputusan", "")
    if (
        not DecideForm().validate()
        or not line.isdigit()
        or len(line) > 6
        or answer not in ("sama", "beda", "")
    ):
        abort(400)
    if answer:
        pending.decisions[line] = answer
    else:
        pending.decisions.pop(line, None)
    pending.save()
    audit.record(
        "update", "sidilan_import", None, f"keputusan usulan cocok baris {line}: {answer or 'batal'}"
    )
    db.session.commit()
    back = {k: v for k in ("tampil", "hal") if (v := request.form.get(k, "")[:20])}
    return redirect(url_for("sidilan.import_preview", token=token, **back))


@bp.route("/impor/<token>/jalankan", methods=["POST"])
@roles_required(*IMPORT_ROLES)
def import_run(token: str):
    """Open the import batch of the rows that passed and run it; the batch page shows how far it got."""
    form = RunForm()
    out = importer.start_import(token, form, current_user)
    if out.replay:
        return out.replay.response()
    if out.redirect:
        return redirect(out.redirect)
    if out.record is None:  # the form itself was refused: the dry run again, with the message
        pending = _pending_or_404(token)
        if not pending.mapped:
            return redirect(url_for("sidilan.import_mapping", token=token))
        return _preview(pending, form, FORM_INVALID)
    return _started(out.record)


def _started(batch):
    """The run goes to the job queue; its page shows the progress (and the batch page links to it)."""
    return jobs.page_of(importer.queue_run(batch, current_user)[0], 302)


def _batch_page(batch, undo_form=None, status: int = 200):
    page = paginate_list(batch.rejected, request.args.get("hal"))
    return render(
        "sidilan/report_import_batch.html",
        batch=batch,
        page=page,
        headers=batch.headers,
        resumable=importer.resumable(batch),
        stopped=importer.stopped(batch),
        undo_form=undo_form or UndoForm(),
        resume_form=ResumeForm(),
        status=status,
    )


@bp.route("/impor/riwayat/<int:batch_id>")
@audit.reads("sidilan_import", "laporan impor")
@roles_required(*IMPORT_REPORT_ROLES)
def import_batch(batch_id: int):
    return _batch_page(get_scoped_or_404(report_models.ImportBatch, batch_id))


@bp.route("/impor/riwayat/<int:batch_id>/lanjutkan", methods=["POST"])
@roles_required(*IMPORT_ROLES)
def import_resume(batch_id: int):
    """Resume a stopped batch from its last committed chunk."""
    batch = get_scoped_or_404(report_models.ImportBatch, batch_id)
    if not ResumeForm().validate_on_submit():
        abort(400)
    out = importer.resume_import(batch, current_user)
    if out.error:
        flash(out.error, "error")
        return redirect(url_for("sidilan.import_batch", batch_id=batch_id))
    return _started(batch)


@bp.route("/impor/riwayat/<int:batch_id>/batalkan", methods=["POST"])
@roles_required(*IMPORT_ROLES)
def import_undo(batch_id: int):
    """Undo a batch as a unit, with a reason; refused with the records named when some were worked on."""
    batch = get_scoped_or_404(report_models.ImportBatch, batch_id)
    form = UndoForm()
    out = importer.undo_batch(batch, form, current_user)
    if out.record is None and not out.refusals:
        return _batch_page(batch, form, FORM_INVALID)
    if out.error:
        flash(out.error, "error")
    else:
        flash(f"Impor #{batch.id} dibatalkan: {len(batch.created_ids)} data dikeluarkan dari registri.", "ok")
    return redirect(url_for("sidilan.import_batch", batch_id=batch_id))


@bp.route("/impor/riwayat/<int:batch_id>/ditolak.<fmt>")
@audit.reads("sidilan_import", "baris ditolak impor")
@roles_required(*IMPORT_REPORT_ROLES)
def import_rejects(batch_id: int, fmt: str):
    """The rejected rows as they were in the file, plus the reason, to fix and import again."""
    if fmt not in FORMATS:
        abort(404)
    batch = get_scoped_or_404(report_models.ImportBatch, batch_id)
    payload = exporter.rejects_file(
        fmt, batch.headers, batch.rejected, exporter.watermark(current_user, "diunduh")
    )
    audit.record("download", "sidilan_import", batch.id, f"unduh baris ditolak impor #{batch.id} ({fmt})")
    db.session.commit()
    return download(payload, f"impor-{batch.id}-ditolak.{fmt}")
