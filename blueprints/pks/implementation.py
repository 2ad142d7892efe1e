"""Implementation of a signed agreement (pelaksanaan, docs/pks.md §4.6): activities, obligations per party,
periodic reports and evaluations."""

from flask import url_for
from sqlalchemy import select

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome

from .models import Activity, Agreement, Evaluation, Obligation, Report
from .saving import creates_once, refused_as_one, saved, stale_outcome

NOT_SIGNED = "Pelaksanaan dicatat setelah naskah ditandatangani."
SECTIONS = ("kegiatan", "kewajiban", "laporan", "evaluasi")


def _text(field) -> str:
    return (field.data or "").strip()


def _row(a: Agreement, which: str, form):
    if which == "kegiatan":
        return Activity(
            agreement_id=a.id,
            tanggal=form.tanggal.data,
            jenis=_text(form.jenis),
            peserta=form.peserta.data,
            pic_solok=_text(form.pic_solok),
            pic_sijunjung=_text(form.pic_sijunjung),
            status=form.status.data,
        )
    if which == "kewajiban":
        return Obligation(
            agreement_id=a.id,
            party_id=form.party_id.data or None,
            text=_text(form.text),
            due=form.due.data,
            status=form.status.data,
            bukti=_text(form.bukti),
        )
    if which == "laporan":
        return Report(
            agreement_id=a.id,
            periode=_text(form.periode),
            jatuh_tempo=form.jatuh_tempo.data,
            disampaikan_pada=form.disampaikan_pada.data,
            kepada=form.kepada.data,
            penyusun=_text(form.penyusun),
            sipgwpp=form.sipgwpp.data,
        )
    return Evaluation(
        agreement_id=a.id,
        tanggal=form.tanggal.data,
        temuan=_text(form.temuan),
        rekomendasi=form.rekomendasi.data,
    )


@creates_once
def record(a: Agreement, which: str, form):
    """The implementation record of section ``which`` (one of SECTIONS) made from its form."""
    row = _row(a, which, form)
    db.session.add(row)
    db.session.flush()
    audit.record("create", row.__tablename__, row.id, f"{which} #{row.id} kesepakatan #{a.id}")
    return url_for("pks.work", agreement_id=a.id), "Disimpan."


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
