"""Issue 13 part 8 for clerks: DTSEN/DTKS reconciliation (upload, results, usulan per nagari and its export, the
reverse list), "Usulan masuk" (the public reports of the regency: list, review, accept, reject, photo) and the
cross-regency NIK check. The public form itself is ``usulan_public``."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from blueprints.core import audit
from blueprints.core.export import download
from blueprints.core.extensions import db, limiter
from blueprints.core.forms import FORM_INVALID
from blueprints.core.pagination import paginate
from blueprints.core.render import render
from blueprints.core.roles import roles_required
from blueprints.core.scope import get_scoped_or_404, scoped
from blueprints.wilayah.models import Jorong, Wilayah
from blueprints.wilayah.service import jorong_key

from .. import bp, reconcile, usulan
from ..access import ENTRY_ROLES, STAFF_ROLES, may_see_nik, may_write
from ..settings import setting
from ..usulan_forms import PELAPOR, AcceptForm, NikCheckForm, ReconcileForm, RejectForm
from ..usulan_models import BARU, DITERIMA, DITOLAK, USULAN_STATUS, ReconcileRun, Usulan

# ---- reconciliation ----------------------------------------------------------------------------------------


@bp.route("/rekonsiliasi", methods=["GET", "POST"])
@audit.reads("sidilan_reconcile", "daftar rekonsiliasi")
@roles_required(*STAFF_ROLES)
def reconcile_upload():
    form = ReconcileForm()
    if request.method == "POST":
        out = reconcile.run_reconcile(form, current_user)
        if out.replay:
            return out.replay.response()
        if job := out.data.get("job") if out.data else None:
            return redirect(job, code=303)
        if out.record is not None:
            flash("Rekonsiliasi selesai.", "ok")
            return redirect(url_for("sidilan.reconcile_run", run_id=out.record.id), code=303)
    runs = paginate(
        scoped(ReconcileRun)
        .options(selectinload(ReconcileRun.user))
        .order_by(ReconcileRun.created_at.desc(), ReconcileRun.id.desc()),
        request.args.get("hal"),
    )
    return render(
        "sidilan/reconcile.html",
        form=form,
        runs=runs,
        sources=reconcile.SOURCES,
        status=FORM_INVALID if form.errors else 200,
    )


@bp.route("/rekonsiliasi/<int:run_id>")
@audit.reads("sidilan_reconcile", "hasil rekonsiliasi")
@roles_required(*STAFF_ROLES)
def reconcile_run(run_id: int):
    run = get_scoped_or_404(ReconcileRun, run_id, options=(selectinload(ReconcileRun.user),))
    return render(
        "sidilan/reconcile_run.html",
        run=run,
        groups=reconcile.missing_per_nagari(run),
        no_nagari=reconcile.NO_NAGARI,
        sources=reconcile.SOURCES,
    )


def _nagari_name(run: ReconcileRun, nagari: str) -> str:
    if nagari == reconcile.NO_NAGARI:
        return "(tanpa nagari)"
    place = db.session.get(Wilayah, nagari)
    if place is None or place.regency_id != run.regency_id:
        abort(404)
    return place.name


@bp.route("/rekonsiliasi/<int:run_id>/nagari/<nagari>")
@audit.reads("sidilan_reconcile", "usulan rekonsiliasi per nagari")
@roles_required(*STAFF_ROLES)
def reconcile_nagari(run_id: int, nagari: str):
    run = get_scoped_or_404(ReconcileRun, run_id)
    name = _nagari_name(run, nagari)
    page = paginate(reconcile.missing_stmt_for(run, nagari), request.args.get("hal"), per_page=50, rows=True)
    return render(
        "sidilan/reconcile_nagari.html",
        run=run,
        nagari=nagari,
        nagari_name=name,
        page=page,
        show_nik=may_see_nik(current_user),
        sources=reconcile.SOURCES,
    )


@bp.route("/rekonsiliasi/<int:run_id>/unduh/<nagari>")
@audit.reads("sidilan_reconcile", "unduh usulan rekonsiliasi")
@roles_required(*STAFF_ROLES)
def reconcile_export(run_id: int, nagari: str):
    run = get_scoped_or_404(ReconcileRun, run_id)
    name = _nagari_name(run, nagari)
    out = reconcile.usulan_file(run, nagari, name, current_user)
    db.session.commit()
    return download(out.payload, out.filename)


@bp.route("/rekonsiliasi/<int:run_id>/luar")
@audit.reads("sidilan_reconcile", "baris ekstrak di luar registri")
@roles_required(*STAFF_ROLES)
def reconcile_extra(run_id: int):
    run = get_scoped_or_404(ReconcileRun, run_id)
    invalid = request.args.get("tampil") == "tidak_sah"
    stmt = reconcile.invalid_stmt(run) if invalid else reconcile.extra_stmt(run)
    page = paginate(stmt, request.args.get("hal"), per_page=50, filters=("tampil",))
    return render(
        "sidilan/reconcile_extra.html",
        run=run,
        page=page,
        invalid=invalid,
        show_nik=may_see_nik(current_user),
        sources=reconcile.SOURCES,
    )


# ---- usulan masuk ------------------------------------------------------------------------------------------


@bp.route("/usulan")
@audit.reads("sidilan_usulan", "daftar usulan masuk")
@roles_required(*STAFF_ROLES)
def usulan_list():
    show = request.args.get("status", BARU)
    if show not in USULAN_STATUS:
        show = BARU
    page = paginate(
        scoped(Usulan)
        .where(Usulan.status == show)
        .options(selectinload(Usulan.nagari))
        .order_by(Usulan.created_at.desc(), Usulan.id.desc()),
        request.args.get("hal"),
        filters=("status",),
    )
    return render("sidilan/usulan_list.html", page=page, show=show, statuses=USULAN_STATUS)


def _usulan_page(row: Usulan, reject_form=None, status: int = 200):
    return render(
        "sidilan/usulan_view.html",
        u=row,
        pelapor=dict(PELAPOR),
        reject_form=reject_form or RejectForm(),
        may_write=may_write(current_user),
        status=status,
    )


@bp.route("/usulan/<int:usulan_id>")
@audit.reads("sidilan_usulan", "usulan masuk")
@roles_required(*STAFF_ROLES)
def usulan_view(usulan_id: int):
    row = get_scoped_or_404(Usulan, usulan_id, options=(selectinload(Usulan.nagari),))
    return _usulan_page(row)


@bp.route("/usulan/<int:usulan_id>/terima", methods=["POST"])
@roles_required(*ENTRY_ROLES)
def usulan_accept(usulan_id: int):
    """Accept a report: it leaves the new list, and the person form opens prefilled with it."""
    row = get_scoped_or_404(Usulan, usulan_id)
    if not AcceptForm().validate_on_submit():
        abort(400)
    out = usulan.review(row, DITERIMA, current_user)
    if out.refusals:
        db.session.rollback()
        flash(out.error, "warn")
        return redirect(url_for("sidilan.usulan_view", usulan_id=row.id), code=303)
    db.session.commit()
    flash("Usulan diterima. Lengkapi data orang ini lalu simpan.", "ok")
    return redirect(url_for("sidilan.person_new", usulan=row.id), code=303)


@bp.route("/usulan/<int:usulan_id>/tolak", methods=["POST"])
@roles_required(*STAFF_ROLES)
def usulan_reject(usulan_id: int):
    row = get_scoped_or_404(Usulan, usulan_id, options=(selectinload(Usulan.nagari),))
    if row.status != BARU:  # decided meanwhile: the form is gone from the page, say so instead
        flash(usulan.ALREADY_REVIEWED, "warn")
        return redirect(url_for("sidilan.usulan_view", usulan_id=row.id), code=303)
    form = RejectForm()
    if not form.validate_on_submit():  # the report is shown again, with the message: a read like its page
        audit.record(
            "view", "sidilan_usulan", row.id, f"usulan masuk #{row.id} (alasan penolakan belum diisi)"
        )
        db.session.commit()
        return _usulan_page(row, form, FORM_INVALID)
    out = usulan.review(row, DITOLAK, current_user, form.alasan.data)
    if out.refusals:
        db.session.rollback()
        flash(out.error, "warn")
    else:
        db.session.commit()
        flash("Usulan ditolak.", "ok")
    return redirect(url_for("sidilan.usulan_view", usulan_id=row.id), code=303)


@bp.route("/usulan/<int:usulan_id>/foto")
@audit.reads("sidilan_usulan", "foto usulan")
@roles_required(*STAFF_ROLES)
def usulan_photo(usulan_id: int):
    row = get_scoped_or_404(Usulan, usulan_id)
    path = usulan.photo_path(row)
    if path is None:
        abort(404)
    audit.record("download", "sidilan_usulan", row.id, f"membuka foto usulan #{row.id}")
    db.session.commit()
    response = download(path.read_bytes(), f"usulan-{row.id}.jpg", inline=True)
    response.mimetype = "image/jpeg"
    return response


def prefill_from_usulan(form, usulan_id) -> dict | None:
    """The person form's values from an accepted report of the user's regency (404 otherwise), and the place
    for its cascade; audited as a read of the report."""
    try:
        ident = int(usulan_id)
    except (TypeError, ValueError):
        abort(404)
    row = get_scoped_or_404(Usulan, ident, options=(selectinload(Usulan.nagari),))
    if row.status != DITERIMA:  # only an accepted report opens a registration
        abort(404)
    form.nama_lengkap.data = row.nama
    form.sumber_data.data = "usulan_nagari"
    place = {"kecamatan": row.nagari.parent_code or "", "nagari": row.nagari_code, "jorong": ""}
    if row.jorong:
        found = db.session.scalar(
            select(Jorong.id).where(
                Jorong.nagari_code == row.nagari_code,
                func.lower(Jorong.name) == jorong_key(row.jorong),  # typed by the public: no wildcards
                Jorong.active,
            )
        )
        if found is not None:
            place["jorong"] = str(found)
    audit.record("view", "sidilan_usulan", row.id, f"formulir orang baru dari usulan #{row.id}")
    return place


# ---- cross-regency NIK check -------------------------------------------------------------------------------


def _user_key() -> str:
    return f"nik-check:{current_user.get_id()}"


@bp.route("/cek-nik-lintas", methods=["GET", "POST"])
@audit.not_sensitive
@roles_required(*STAFF_ROLES)
@limiter.limit(lambda: setting("SIDILAN_NIK_CHECK_LIMIT"), key_func=_user_key, methods=["POST"])
def nik_cross_check():
    """Is this NIK registered, and in which regency? Nothing more (no name, no link). Every check is audited."""
    form = NikCheckForm()
    result = None
    if request.method == "POST" and form.validate():
        result = usulan.regencies_with_nik(form.nik.data.strip(), current_user)
        db.session.commit()
    return render(
        "sidilan/nik_cross.html",
        form=form,
        result=result,
        status=FORM_INVALID if form.errors else 200,
    )
