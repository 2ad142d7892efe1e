"""Correspondence of an agreement (surat, docs/pks.md §4.4): offer letters, replies, invitations."""

from flask import url_for
from sqlalchemy import select

from blueprints.core import audit
from blueprints.core.extensions import db

from .models import Agreement, Letter
from .saving import creates_once


@creates_once
def add_letter(a: Agreement, form, user):
    """Recorded with the stage the agreement is in (the tembusan rule reads the offer letters)."""
    row = Letter(
        agreement_id=a.id,
        arah=form.arah.data,
        nomor=form.nomor.data.strip(),
        tanggal=form.tanggal.data,
        perihal=form.perihal.data.strip(),
        pengirim=(form.pengirim.data or "").strip(),
        penerima=(form.penerima.data or "").strip(),
        tembusan=(form.tembusan.data or "").strip(),
        tahap=a.tahap,
        created_by_id=user.id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record("create", "pks_letter", row.id, f"surat #{row.id} kesepakatan #{a.id}")
    return url_for("pks.letters", agreement_id=a.id), "Surat dicatat."


def letters_of(a: Agreement) -> list[Letter]:
    return list(
        db.session.scalars(
            select(Letter)
            .where(Letter.agreement_id == a.id)
            .order_by(Letter.tanggal.desc(), Letter.id.desc())
        )
    )
