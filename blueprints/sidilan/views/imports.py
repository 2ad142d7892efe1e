"""SIDILAN spreadsheet import (item 8): upload, column mapping, dry run, run, batch report, rejected rows."""

import itertools

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.orm import selectinload

from blueprints.core import audit
from blueprints.core.export import download
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID, CreateForm
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
            if not errors:
                pending.mapping, pending.mapped = mapping, True
                pending.save()
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
        status=422 if errors else 200,
    )


def _run(pending: importer.Pending) -> importer.DryRun:
    return importer.dry_run(pending, current_user, today_local())


def _preview(pending: importer.Pending, form: RunForm, status: int = 200):
    run = _run(pending)
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
        form=form,
        status=status,
    )


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
    flash(
        f"Impor selesai: {batch.created_count} data baru dibuat (draf), {batch.matched_count} cocok dengan data "
        f"yang ada, {batch.rejected_count} ditolak.",
        "ok",
    )
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
    payload = exporter.rejects_file(
        fmt, batch.headers, batch.rejected, exporter.watermark(current_user, "diunduh")
    )
    audit.record("download", "sidilan_import", batch.id, f"unduh baris ditolak impor #{batch.id} ({fmt})")
    db.session.commit()
    return download(payload, f"impor-{batch.id}-ditolak.{fmt}")
