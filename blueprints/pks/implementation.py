"""Implementation of a signed agreement (pelaksanaan, docs/pks.md §4.6): activities, obligations per party,
periodic reports and evaluations; each can be corrected (on its version, every changed field in the history)
or deleted with a reason (kept in the history and the audit log)."""

from flask import url_for
from sqlalchemy import select

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal
from blueprints.core.outcome import Outcome
from blueprints.core.versioning import change_text

from .events import log
from .models import Activity, Agreement, Evaluation, Obligation, Report
from .saving import creates_once, refused, refused_as_one, saved, stale_action, stale_outcome

NOT_SIGNED = "Pelaksanaan dicatat setelah naskah ditandatangani."
SECTIONS = ("kegiatan", "kewajiban", "laporan", "evaluasi")


#: The record of each section, and how the history names it.
MODELS = {"kegiatan": Activity, "kewajiban": Obligation, "laporan": Report, "evaluasi": Evaluation}
NOUN = {"kegiatan": "Kegiatan", "kewajiban": "Kewajiban", "laporan": "Laporan", "evaluasi": "Evaluasi"}


def _text(field) -> str:
    return (field.data or "").strip()


def _values(which: str, form) -> dict:
    """The stored values of section ``which`` read from its (new or edit) form."""
    if which == "kegiatan":
        return dict(
            tanggal=form.tanggal.data,
            jenis=_text(form.jenis),
            peserta=form.peserta.data,
            pic_solok=_text(form.pic_solok),
            pic_sijunjung=_text(form.pic_sijunjung),
            status=form.status.data,
        )
    if which == "kewajiban":
        return dict(
            party_id=form.party_id.data or None,
            text=_text(form.text),
            due=form.due.data,
            status=form.status.data,
            bukti=_text(form.bukti),
        )
    if which == "laporan":
        return dict(
            periode=_text(form.periode),
            jatuh_tempo=form.jatuh_tempo.data,
            disampaikan_pada=form.disampaikan_pada.data,
            kepada=form.kepada.data,
            penyusun=_text(form.penyusun),
            sipgwpp=form.sipgwpp.data,
        )
    return dict(tanggal=form.tanggal.data, temuan=_text(form.temuan), rekomendasi=form.rekomendasi.data)


def describe(which: str, row) -> str:
    """How the history names a record of section ``which``: its kind, id and what it says."""
    if which == "kegiatan":
        what = f"{tanggal(row.tanggal)}: {row.jenis}"
    elif which == "kewajiban":
        what = row.text
    elif which == "laporan":
        what = row.periode
    else:
        what = f"{tanggal(row.tanggal)}: {row.temuan}"
    return f"{NOUN[which]} #{row.id} ({' '.join(what.split())[:120]})"


@creates_once
def record(a: Agreement, which: str, form):
    """The implementation record of section ``which`` (one of SECTIONS) made from its form."""
    row = MODELS[which](agreement_id=a.id, **_values(which, form))
    db.session.add(row)
    db.session.flush()
    audit.record("create", row.__tablename__, row.id, f"{which} #{row.id} kesepakatan #{a.id}")
    return url_for("pks.work", agreement_id=a.id), "Disimpan."


def row_of(a: Agreement, which: str, row_id: int):
    """The record ``row_id`` of section ``which`` of ``a``, or None (another agreement's, or none)."""
    model = MODELS.get(which)
    if model is None:
        return None
    return db.session.scalar(select(model).where(model.id == row_id, model.agreement_id == a.id))


def _party_now(which: str, row) -> dict:
    return {"party_id": row.party_id or 0} if which == "kewajiban" else {}


def save_row(a: Agreement, which: str, row, form, user) -> Outcome:
    """Correct a record: on the version it was filled on, then valid; the history and the audit log keep each
    changed field (old → new)."""
    url = url_for("pks.work", agreement_id=a.id)
    current = _party_now(which, row)
    if stale := stale_outcome(form, row, url=url, current=current):
        return stale
    if not form.validate():
        return refused(form)
    changes = change_text(form, row, current)
    if not changes:
        return Outcome(repeated=True, data={"url": url})
    for name, value in _values(which, form).items():
        setattr(row, name, value)
    text = f"{describe(which, row)} diubah: {changes}"[:2000]
    log(a, "pelaksanaan", user, reason=text)
    audit.record("update", row.__tablename__, row.id, f"kesepakatan #{a.id}: {text}"[:200], user=user)
    return saved(row, url, f"{NOUN[which]} diperbarui.")


def delete_row(a: Agreement, which: str, row, form, user) -> Outcome:
    """Delete a mistaken record with a reason; the history keeps what it said and why it went."""
    url = url_for("pks.work", agreement_id=a.id)
    if stale := stale_action(form, row, url=url):
        return stale
    if not form.validate():
        return refused(form)
    reason = " ".join(form.alasan.data.split())
    text = f"{describe(which, row)} dihapus: {reason}"[:2000]
    log(a, "pelaksanaan", user, reason=text)
    audit.record("delete", row.__tablename__, row.id, f"kesepakatan #{a.id}: {text}"[:200], user=user)
    db.session.delete(row)
    return saved(url, url, f"{NOUN[which]} dihapus.")  # the record is gone: known by its address


def mark_submitted(a: Agreement, report: Report, form, user) -> Outcome:
    """A report entered without its submission date, now submitted on the date given (not after today)."""
    url = url_for("pks.work", agreement_id=a.id)
    if report.disampaikan_pada is not None and report.disampaikan_pada == form.disampaikan_pada.data:
        return Outcome(repeated=True, data={"url": url})
    if stale := stale_action(form, report, url=url):
        return stale
    if not form.validate():
        return refused(form)
    old = tanggal(report.disampaikan_pada) if report.disampaikan_pada else "belum"
    report.disampaikan_pada = form.disampaikan_pada.data
    text = f"{describe('laporan', report)} disampaikan: {old} → {tanggal(report.disampaikan_pada)}"
    log(a, "pelaksanaan", user, reason=text, on_date=report.disampaikan_pada)
    audit.record("update", "pks_report", report.id, f"kesepakatan #{a.id}: {text}"[:200], user=user)
    return saved(report, url, "Laporan ditandai sudah disampaikan.")


def obligation_of(a: Agreement, obligation_id: int) -> Obligation | None:
    return db.session.scalar(
        select(Obligation).where(Obligation.id == obligation_id, Obligation.agreement_id == a.id)
    )


def save_obligation_status(a: Agreement, ob: Obligation, form) -> Outcome:
    """The status form of an obligation: on the version it was filled on, then valid (its messages as one
    refusal, shown above the page)."""
    url = url_for("pks.work", agreement_id=a.id)
    if stale := stale_outcome(form, ob, url=url):
        return stale
    if not form.validate():
        return refused_as_one(form)
    set_obligation_status(a, ob, form.status.data)
    return saved(ob, url, "Status kewajiban disimpan.")


def set_obligation_status(a: Agreement, ob: Obligation, status: str) -> None:
    """The obligation's new status (the caller commits)."""
    ob.status = status
    audit.record(
        "update", "pks_obligation", ob.id, f"status kewajiban #{ob.id} kesepakatan #{a.id}: {status}"
    )


def rows_of(model, a: Agreement) -> list:
    return list(db.session.scalars(select(model).where(model.agreement_id == a.id).order_by(model.id)))
