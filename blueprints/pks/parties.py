"""Parties to an agreement, their signatories and each party's number of the text (docs/pks.md §4.2). Create
use cases answer an ``Outcome`` through ``saving.creates_once``."""

from flask import flash, url_for

from blueprints.core import audit
from blueprints.core.extensions import db

from .events import log
from .models import Agreement, DocNumber, Party, Signatory
from .queries import find_number
from .saving import creates_once

NEEDS_POWER_OF_ATTORNEY = (
    "Peringatan: penandatangan selain Bupati memerlukan surat kuasa sebelum penandatanganan."
)


def _text(field) -> str:
    return (field.data or "").strip()


def party_choices(a: Agreement) -> list[tuple[int, str]]:
    return [(p.id, f"{p.urutan_label}: {p.short_label} ({p.regency.short_name})") for p in a.parties]


def party_conflicts(a: Agreement, form) -> bool:
    """One party per position (pihak kesatu, kedua, ...) and no party twice (the same region and OPD, or the
    same organisation): the messages go on the form's fields. True when there is one."""
    opd = " ".join(form.opd.data.split()).casefold()
    for p in a.parties:
        if p.urutan == form.urutan.data:
            form.urutan.errors.append(
                f"{p.urutan_label} sudah diisi oleh {p.short_label}; pilih kedudukan lain."
            )
        if p.regency_id == form.regency_id.data and " ".join(p.opd_name.split()).casefold() == opd:
            form.opd.errors.append(f"{p.short_label} sudah menjadi pihak kesepakatan ini ({p.urutan_label}).")
    return bool(form.urutan.errors or form.opd.errors)


@creates_once
def add_party(a: Agreement, form, user):
    if party_conflicts(a, form):
        return None
    party = Party(
        agreement_id=a.id,
        regency_id=form.regency_id.data,
        urutan=form.urutan.data,
        opd=form.opd.data.strip(),
        peran=_text(form.peran),
        pic_nama=_text(form.pic_nama),
        pic_jabatan=_text(form.pic_jabatan),
        alamat=_text(form.alamat),
        dasar_hukum=_text(form.dasar_hukum),
        menandatangani=form.menandatangani.data,
    )
    db.session.add(party)
    log(a, "pihak", user, reason=f"Pihak ditambahkan: {form.opd.data.strip()[:120]}")
    db.session.flush()
    audit.record("create", "pks_party", party.id, f"pihak #{party.id} kesepakatan #{a.id}")
    return url_for("pks.parties", agreement_id=a.id), "Pihak ditambahkan."


@creates_once
def add_signatory(a: Agreement, form, user):
    """A signatory other than the Bupati is recorded with a warning until the surat kuasa is named."""
    if not form.is_bupati.data and not form.kuasa_nomor.data:
        flash(NEEDS_POWER_OF_ATTORNEY, "warn")
    row = Signatory(
        party_id=form.party_id.data,
        nama=form.nama.data.strip(),
        jabatan=form.jabatan.data.strip(),
        is_bupati=form.is_bupati.data,
        kuasa_nomor=_text(form.kuasa_nomor),
        kuasa_tanggal=form.kuasa_tanggal.data,
    )
    db.session.add(row)
    db.session.flush()
    audit.record("create", "pks_signatory", row.id, f"penandatangan #{row.id} kesepakatan #{a.id}")
    return url_for("pks.parties", agreement_id=a.id), "Penandatangan dicatat."


@creates_once
def record_number(a: Agreement, form, user):
    """Each party numbers the text in its own register: one number per party, a later one replaces it."""
    number = find_number(a.id, form.party_id.data)
    if number is None:
        number = DocNumber(agreement_id=a.id, party_id=form.party_id.data)
        db.session.add(number)
    number.nomor = form.nomor.data.strip()
    number.tanggal = form.tanggal.data
    number.register = _text(form.register)
    log(a, "nomor", user, reason=f"Nomor dicatat: {number.nomor[:100]}")
    db.session.flush()
    audit.record("update", "pks_doc_number", number.id, f"nomor naskah kesepakatan #{a.id}")
    return url_for("pks.parties", agreement_id=a.id), "Nomor dicatat."
