"""Parties to an agreement, their signatories and each party's number of the text (docs/pks.md §4.2), and their
corrections. Create use cases answer an ``Outcome`` through ``saving.creates_once``; edits check the version
(``saving.stale_outcome``) and commit through ``saving.saved``.

Each party owns its part (``access.owns_party``): the forms of another side's party, number and signatories
do not exist for a user (404). Before signing every entry can be edited or deleted (a delete with a reason);
after signing (``Agreement.is_locked``) only facts can be corrected, with a reason, as a "koreksi": a
signatory's name, title and surat kuasa, and a number's text, date and register. Each change is written to the
agreement's history field by field (old -> new) and to the audit log."""

from flask import flash, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from blueprints.auth.models import Organisation, regency_choices
from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal
from blueprints.core.outcome import Outcome

from .access import owns_party
from .events import log
from .forms import OUTSIDE_PARTNER, REGENCY_LEVEL
from .models import PERAN_PIHAK, Agreement, DocNumber, Obligation, Party, Signatory
from .outcome import Locked
from .queries import find_number
from .saving import checked, creates_once, refused, saved, stale_action, stale_outcome

NEEDS_POWER_OF_ATTORNEY = (
    "Peringatan: penandatangan selain Bupati memerlukan surat kuasa sebelum penandatanganan."
)
KOREKSI_NEEDS_REASON = "Alasan koreksi wajib diisi: naskah sudah ditandatangani."
KOREKSI_ONLY_FACTS = (
    "Naskah sudah ditandatangani: hanya nama, jabatan dan surat kuasa yang dapat dikoreksi; "
    "perubahan isi melalui adendum."
)
REGENCY_FIXED = "Daerah pihak tidak dapat diubah; hapus pihak ini lalu tambahkan pihak yang benar."
OPD_FROM_LIST = "OPD pihak kabupaten dipilih dari daftar organisasi; isian bebas hanya untuk mitra luar."
NOTHING_CHANGED = "Tidak ada yang berubah."
PARTY_RACED = "Pihak ini baru saja diisi oleh pengiriman lain. Muat ulang halaman lalu periksa kembali."

SIGNATORY_LABELS = {
    "nama": "nama",
    "jabatan": "jabatan",
    "is_bupati": "Bupati",
    "kuasa_nomor": "nomor surat kuasa",
    "kuasa_tanggal": "tanggal surat kuasa",
}
NUMBER_LABELS = {"nomor": "nomor", "tanggal": "tanggal", "register": "register"}
PARTY_LABELS = {
    "urutan": "kedudukan",
    "organisation_id": "OPD",
    "opd": "unit",
    "mitra_nama": "nama mitra",
    "mitra_jenis": "jenis mitra",
    "peran": "peran",
    "alamat": "alamat",
    "pic_nama": "PIC",
    "pic_jabatan": "jabatan PIC",
    "dasar_hukum": "dasar hukum",
    "menandatangani": "ikut menandatangani",
}


def _text(field) -> str:
    return (field.data or "").strip()


def _norm(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if hasattr(value, "year"):
        return tanggal(value)
    return str(value)


def _apply(obj, values: dict, labels: dict, shown=None) -> list[str]:
    """Write ``values`` onto ``obj``; the changes as "label: old → new" for the history."""
    shown = shown or {}
    changes = []
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            show = shown.get(name, _shown)
            changes.append(f"{labels[name]}: {show(old)} → {show(new)}")
            setattr(obj, name, new)
    return changes


# ---- choices ----------------------------------------------------------------------------------------


def party_choices(a: Agreement, user=None) -> list[tuple[int, str]]:
    """The agreement's parties as (id, label); with ``user``, only the parties whose part that user owns."""
    return [
        (p.id, f"{p.urutan_label}: {p.short_label} ({p.where_short})")
        for p in a.parties
        if user is None or owns_party(p, user)
    ]


def regency_party_choices() -> list[tuple[int, str]]:
    return [(OUTSIDE_PARTNER, "Mitra luar (bukan kabupaten di aplikasi)"), *regency_choices()]


def organisation_choices() -> list[tuple[int, str]]:
    """Offices of every regency (not health facilities), "Solok · Dinas Sosial ...", by regency and name."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.regency_id)
        .where(Organisation.facility_level.is_(None))
        .order_by(Organisation.regency_id, Organisation.name)
    ).all()
    names = dict(regency_choices())
    return [(REGENCY_LEVEL, "Pemerintah kabupaten (tanpa OPD)")] + [
        (oid, f"{names.get(rid, '').removeprefix('Kabupaten ')} · {name}") for oid, name, rid in rows
    ]


def fill_party_form(form) -> None:
    form.regency_id.choices = regency_party_choices()
    form.organisation_id.choices = organisation_choices()


# ---- parties ----------------------------------------------------------------------------------------


def _party_values(a: Agreement, form, party: Party | None = None) -> dict | None:
    """What the party form asks for, or None with the messages on its fields: an app regency's party takes its
    OPD from the organisation list, an outside partner is named in free text; one party per position and no
    party twice (the same regency or partner with the same OPD)."""
    regency_id = form.regency_id.data or None
    if party is not None and regency_id != party.regency_id:
        form.regency_id.errors.append(REGENCY_FIXED)
        return None
    org = db.session.get(Organisation, form.organisation_id.data) if form.organisation_id.data else None
    opd = " ".join(_text(form.opd).split())
    if regency_id is None:
        if org is not None:
            form.organisation_id.errors.append("Daftar OPD hanya untuk pihak kabupaten; isi unit mitra luar.")
        if not _text(form.mitra_nama):
            form.mitra_nama.errors.append("Nama mitra luar wajib diisi.")
        if not form.mitra_jenis.data:
            form.mitra_jenis.errors.append("Pilih jenis mitra luar.")
        mitra_nama, mitra_jenis = " ".join(_text(form.mitra_nama).split()), form.mitra_jenis.data
    else:
        if org is not None and org.regency_id != regency_id:
            form.organisation_id.errors.append("OPD ini bukan organisasi daerah yang dipilih.")
        if opd and opd != (party.opd if party else ""):  # a party recorded before the list keeps its text
            form.opd.errors.append(OPD_FROM_LIST)
        mitra_nama, mitra_jenis = "", ""
    if form.errors:
        return None
    name = _norm(opd or (org.name if org else ""))
    for p in a.parties:
        if p is party:
            continue
        if p.urutan == form.urutan.data:
            form.urutan.errors.append(
                f"{p.urutan_label} sudah diisi oleh {p.short_label}; pilih kedudukan lain."
            )
        same_side = p.regency_id == regency_id and _norm(p.mitra_nama) == _norm(mitra_nama)
        if same_side and _norm(p.opd_name) == name:
            field = form.opd if regency_id is None or opd else form.organisation_id
            field.errors.append(f"{p.short_label} sudah menjadi pihak kesepakatan ini ({p.urutan_label}).")
    if form.errors:
        return None
    return {
        "urutan": form.urutan.data,
        "organisation_id": org.id if org else None,
        "opd": opd,
        "mitra_nama": mitra_nama,
        "mitra_jenis": mitra_jenis,
        "peran": _text(form.peran),
        "alamat": _text(form.alamat),
        "pic_nama": _text(form.pic_nama),
        "pic_jabatan": _text(form.pic_jabatan),
        "dasar_hukum": _text(form.dasar_hukum),
        "menandatangani": form.menandatangani.data,
    }


def _raced(a: Agreement, form, party: Party | None = None) -> None:
    """Another clerk's party took the position or the same party a moment ago, after this form's check read the
    agreement: the database's index refused this one (models.PARTY_UNIQUE). The same field message as the check,
    read again with that party."""
    db.session.expire(a, ["parties"])
    if _party_values(a, form, party) is not None:  # not explained by a party now stored: say it plainly
        form.urutan.errors.append(PARTY_RACED)


@creates_once
def add_party(a: Agreement, form, user):
    """Either side adds a party: a regency (which then owns its part) or an outside partner."""
    values = _party_values(a, form)
    if values is None:
        return None
    party = Party(agreement_id=a.id, regency_id=form.regency_id.data or None, **values)
    try:
        with db.session.begin_nested():
            db.session.add(party)
    except IntegrityError:
        _raced(a, form)
        return None
    db.session.refresh(party)
    log(a, "pihak", user, reason=f"Pihak ditambahkan: {party.short_label[:120]} ({party.where_short[:60]})")
    audit.record("create", "pks_party", party.id, f"pihak #{party.id} kesepakatan #{a.id}")
    return url_for("pks.parties", agreement_id=a.id), "Pihak ditambahkan."


def _party_shown():
    def org_name(oid):
        org = db.session.get(Organisation, oid) if oid else None
        return org.name if org else "—"

    return {"organisation_id": org_name, "urutan": lambda n: PERAN_PIHAK.get(n, f"Pihak ke-{n}")}


def save_party(a: Agreement, party: Party, form, user) -> Outcome:
    """Correct a party before signing (its row: position, OPD, role, PIC ...); after signing: by adendum."""
    url = url_for("pks.parties", agreement_id=a.id)
    if a.is_locked:
        return refused(None, Locked.message)
    # the selects show "0" for an outside partner and for a regency's party without an OPD
    current = {"regency_id": party.regency_id or 0, "organisation_id": party.organisation_id or 0}
    if stale := stale_outcome(form, party, url=url, current=current):
        return stale
    values = _party_values(a, form, party)
    if values is None:
        return refused(form)
    try:
        with db.session.begin_nested():
            changes = _apply(party, values, PARTY_LABELS, _party_shown())
    except IntegrityError:
        _raced(a, form, party)
        return refused(form)
    if not changes:
        return Outcome(repeated=True, data={"url": url})
    note = f" Keterangan: {_text(form.alasan)}" if _text(form.alasan) else ""
    log(
        a,
        "pihak",
        user,
        reason=f"Pihak diubah ({party.short_label[:80]}): {'; '.join(changes)}.{note}"[:2000],
    )
    audit.record(
        "update", "pks_party", party.id, f"pihak #{party.id} kesepakatan #{a.id}: {len(changes)} isian"
    )
    return saved(party, url, "Perubahan pihak disimpan.")


def _removal(a: Agreement, form, obj) -> str | Outcome:
    """The shared first steps of a delete: refused after signing, the conflict page (409) when the page showed
    another version of ``obj``, then the reason the form asks for. The reason, or the answer."""
    if a.is_locked:
        return refused(None, Locked.message)
    if out := checked(form, stale_action(form, obj, url=url_for("pks.parties", agreement_id=a.id))):
        return out
    return " ".join(form.alasan.data.split())


def remove_party(a: Agreement, party: Party, form, user) -> Outcome:
    """Delete a party before signing, with its signatories and its number (named in the history), on the
    version its page showed. Refused when an obligation names it, or when it is the user's regency's last party:
    the regency would lose the record."""
    reason = _removal(a, form, party)
    if isinstance(reason, Outcome):
        return reason
    duties = db.session.scalar(select(func.count(Obligation.id)).where(Obligation.party_id == party.id))
    if duties:
        return refused(
            None,
            f"Pihak ini penanggung jawab {duties} kewajiban; pindahkan kewajiban itu ke pihak lain dahulu.",
        )
    if party.regency_id is not None and not any(
        p.regency_id == party.regency_id for p in a.parties if p is not party
    ):
        return refused(
            None,
            f"Ini satu-satunya pihak {party.regency.name} dalam kesepakatan ini; tanpa pihak ini daerah tersebut "
            "tidak lagi melihat kesepakatan. Tambahkan pihak yang benar dahulu, atau ubah pihak ini.",
        )
    gone = [f"penandatangan {s.nama}" for s in party.signatories]
    number = find_number(a.id, party.id)
    if number is not None:
        gone.append(f"nomor {number.nomor}")
        db.session.delete(number)
    for s in list(party.signatories):
        db.session.delete(s)
    label = f"{party.urutan_label}: {party.short_label} ({party.where_short})"
    with_it = f" beserta {', '.join(gone)}" if gone else ""
    log(a, "pihak", user, reason=f"Pihak dihapus: {label}{with_it}. Alasan: {reason}"[:2000])
    audit.record("delete", "pks_party", party.id, f"pihak #{party.id} kesepakatan #{a.id}")
    db.session.delete(party)
    return saved(a, url_for("pks.parties", agreement_id=a.id), "Pihak dihapus.")


# ---- signatories ------------------------------------------------------------------------------------


@creates_once
def add_signatory(a: Agreement, form, user):
    """A signatory other than the Bupati is recorded with a warning until the surat kuasa is named (it can be
    completed later on the signatory's own form)."""
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
    log(a, "penandatangan", user, reason=f"Penandatangan dicatat: {row.nama[:100]}, {row.jabatan[:100]}")
    audit.record("create", "pks_signatory", row.id, f"penandatangan #{row.id} kesepakatan #{a.id}")
    return url_for("pks.parties", agreement_id=a.id), "Penandatangan dicatat."


def _correction(
    a: Agreement, form, obj, values: dict, labels: dict, url: str
) -> tuple[list[str], str] | Outcome:
    """The shared steps of an edit and a koreksi: version, the reason a koreksi needs, what changes."""
    if stale := stale_outcome(form, obj, url=url):
        return stale
    reason = _text(form.alasan)
    if a.is_locked and not reason:
        form.alasan.errors.append(KOREKSI_NEEDS_REASON)
        return refused(form)
    changes = _apply(obj, values, labels)
    if not changes:
        return Outcome(repeated=NOTHING_CHANGED, data={"url": url})
    return changes, reason


def _history(a: Agreement, what: str, changes: list[str], reason: str, user) -> None:
    kind, verb = ("koreksi", "dikoreksi") if a.is_locked else ("penandatangan", "diubah")
    if what.startswith("Nomor") and not a.is_locked:
        kind = "nomor"
    tail = f" Alasan: {reason}" if reason else ""
    log(a, kind, user, reason=f"{what} {verb}: {'; '.join(changes)}.{tail}"[:2000])


def save_signatory(a: Agreement, row: Signatory, form, user) -> Outcome:
    """Edit a signatory before signing; after signing a koreksi of the facts (name, title, surat kuasa) with a
    reason. A signatory saved without a surat kuasa is completed here."""
    url = url_for("pks.parties", agreement_id=a.id)
    if a.is_locked and bool(form.is_bupati.data) != row.is_bupati:
        form.is_bupati.errors.append(KOREKSI_ONLY_FACTS)
        return refused(form)
    values = {
        "nama": form.nama.data.strip(),
        "jabatan": form.jabatan.data.strip(),
        "is_bupati": bool(form.is_bupati.data),
        "kuasa_nomor": _text(form.kuasa_nomor),
        "kuasa_tanggal": form.kuasa_tanggal.data,
    }
    done = _correction(a, form, row, values, SIGNATORY_LABELS, url)
    if isinstance(done, Outcome):
        return done
    changes, reason = done
    _history(a, f"Penandatangan {row.nama[:100]}", changes, reason, user)
    what = "koreksi penandatangan" if a.is_locked else "penandatangan"
    audit.record("update", "pks_signatory", row.id, f"{what} #{row.id} kesepakatan #{a.id}")
    return saved(row, url, "Koreksi dicatat." if a.is_locked else "Penandatangan diperbarui.")


def remove_signatory(a: Agreement, row: Signatory, form, user) -> Outcome:
    """Delete a signatory before signing, on the version its page showed, with a reason kept in the history."""
    reason = _removal(a, form, row)
    if isinstance(reason, Outcome):
        return reason
    log(
        a,
        "penandatangan",
        user,
        reason=f"Penandatangan dihapus: {row.nama}, {row.jabatan}. Alasan: {reason}"[:2000],
    )
    audit.record("delete", "pks_signatory", row.id, f"penandatangan #{row.id} kesepakatan #{a.id}")
    db.session.delete(row)
    return saved(a, url_for("pks.parties", agreement_id=a.id), "Penandatangan dihapus.")


# ---- numbers ----------------------------------------------------------------------------------------


@creates_once
def record_number(a: Agreement, form, user):
    """Each party numbers the text in its own register: one number per party, a later one replaces it."""
    number = find_number(a.id, form.party_id.data)
    old = number.nomor if number is not None else ""
    if number is None:
        number = DocNumber(agreement_id=a.id, party_id=form.party_id.data)
        db.session.add(number)
    number.nomor = form.nomor.data.strip()
    number.tanggal = form.tanggal.data
    number.register = _text(form.register)
    replaced = f" (menggantikan {old[:100]})" if old and old != number.nomor else ""
    log(a, "nomor", user, reason=f"Nomor dicatat: {number.nomor[:100]}{replaced}")
    db.session.flush()
    audit.record("update", "pks_doc_number", number.id, f"nomor naskah kesepakatan #{a.id}")
    return url_for("pks.parties", agreement_id=a.id), "Nomor dicatat."


def save_number(a: Agreement, number: DocNumber, form, user) -> Outcome:
    """Edit a party's number before signing; after signing a koreksi (a typo) with a reason."""
    url = url_for("pks.parties", agreement_id=a.id)
    values = {
        "nomor": form.nomor.data.strip(),
        "tanggal": form.tanggal.data,
        "register": _text(form.register),
    }
    done = _correction(a, form, number, values, NUMBER_LABELS, url)
    if isinstance(done, Outcome):
        return done
    changes, reason = done
    _history(a, f"Nomor {number.party.short_label[:100]}", changes, reason, user)
    what = "koreksi nomor" if a.is_locked else "nomor"
    audit.record("update", "pks_doc_number", number.id, f"{what} naskah kesepakatan #{a.id}")
    return saved(number, url, "Koreksi dicatat." if a.is_locked else "Nomor diperbarui.")


def remove_number(a: Agreement, number: DocNumber, form, user) -> Outcome:
    """Delete a party's number before signing, on the version its page showed, with a reason kept in the
    history."""
    reason = _removal(a, form, number)
    if isinstance(reason, Outcome):
        return reason
    label = number.party.short_label
    log(a, "nomor", user, reason=f"Nomor {label[:100]} dihapus: {number.nomor}. Alasan: {reason}"[:2000])
    audit.record("delete", "pks_doc_number", number.id, f"nomor naskah kesepakatan #{a.id}")
    db.session.delete(number)
    return saved(a, url_for("pks.parties", agreement_id=a.id), "Nomor dihapus.")
