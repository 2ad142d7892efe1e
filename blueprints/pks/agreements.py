"""Drafting an agreement (docs/pks.md §4.1, §6.1): recording it, editing it before signing, its adendum or
perpanjangan, the KSB's scope items, notes; and finding agreements. The create and edit use cases answer an
``Outcome`` (through ``saving``: one record per submission key, edits only on the version they were made on)."""

from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from flask import url_for
from sqlalchemy import Integer, and_, bindparam, func, literal, or_, select

from blueprints.auth.models import Organisation, Regency, regencies
from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import CONTROL_CHARS
from blueprints.core.outcome import Outcome
from blueprints.core.pagination import Page, paginate
from blueprints.core.scope import scope_of, scoped
from blueprints.core.versioning import change_text

from .events import log
from .forms import REGENCY_LEVEL
from .models import (
    JENIS,
    SIGNED_STAGES,
    TAHAP,
    URUSAN,
    Agreement,
    DocNumber,
    Note,
    Party,
    ScopeItem,
    ScopeLink,
)
from .queries import list_options
from .register import apply_registration, registration_errors
from .saving import creates_once, refused, saved, stale_outcome
from .stages import FIRST_STAGE
from .storage import add_document, check_file

SCOPE_NOT_OF_PARENT = "Ruang lingkup harus milik KSB induk."
INITIATOR_NEEDS_REGENCY = "Pilih daerah pemrakarsa; OPD pemrakarsa dipilih dari daftar organisasi daerah itu."
INITIATOR_NOT_PARTY = (
    "Daerah pemrakarsa harus salah satu daerah yang menjadi pihak kesepakatan ini; tambahkan daerah itu sebagai "
    "pihak lebih dulu."
)
INITIATOR_FIXED = (
    "Pemrakarsa tidak dapat diubah setelah naskah ditandatangani; perubahan isi melalui adendum."
)
SCAN_KIND = "ttd"  # the kind of document the signed text's scan is stored as (documents page: "ttd")
SCAN_TYPES = {"pdf", "jpg", "jpeg", "png"}
SCAN_AGAIN = "Pilih berkas scan lagi: berkas tidak ikut ditampilkan ulang bersama isian lain."
SCAN_ONLY_SIGNED = (
    "Scan naskah bertanda tangan hanya untuk kesepakatan yang sudah ditandatangani; draf diunggah di halaman "
    "Dokumen."
)
SCAN_TYPE = "Scan naskah berupa PDF, JPG atau PNG."
INTERNAL_KINDS = {"disposisi", "telaahan"}  # the regency's own paperwork: always internal


# ---- finding ------------------------------------------------------------------------------------

# The list's filter arguments (its pager keeps exactly these).
LIST_FILTERS = ("q", "jenis", "tahap", "daerah", "urusan", "status")


def search(args, user):
    """(statement, cleaned q): the user's agreements filtered by jenis, tahap, urusan, party regency and a
    text in the title or any number; newest first."""
    q = CONTROL_CHARS.sub("", args.get("q") or "").strip()[:100]
    stmt = scoped(Agreement, user)
    tahap, daerah, urusan = (args.get(k, "") for k in ("tahap", "daerah", "urusan"))
    jenis = [j for j in args.getlist("jenis") if j in JENIS]  # several from the board's "lihat semua"
    if jenis:
        stmt = stmt.where(Agreement.jenis.in_(jenis))
    if tahap in TAHAP:
        stmt = stmt.where(Agreement.tahap == tahap)
    if urusan in URUSAN:
        stmt = stmt.where(Agreement.urusan_codes.like(f"%,{urusan},%"))
    if daerah.isascii() and daerah.isdigit() and len(daerah) <= 9:  # a regency id, never past an INTEGER
        stmt = stmt.where(Agreement.id.in_(select(Party.agreement_id).where(Party.regency_id == int(daerah))))
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Agreement.judul).like(like),
                Agreement.id.in_(
                    select(DocNumber.agreement_id).where(func.lower(DocNumber.nomor).like(like))
                ),
            )
        )
    return stmt.options(*list_options()).order_by(Agreement.id.desc()), q


def parent_choices() -> list[tuple[int, str]]:
    parents = db.session.scalars(
        scoped(Agreement).where(Agreement.tahap != "dibatalkan").order_by(Agreement.id)
    )
    return [(0, "— tanpa induk —")] + [(a.id, f"{a.jenis} #{a.id}: {a.judul[:80]}") for a in parents]


def scope_item_choices() -> list[tuple[int, str]]:
    items = db.session.scalars(
        select(ScopeItem)
        .where(ScopeItem.ksb_id.in_(scoped(Agreement, None, Agreement.id).where(Agreement.jenis == "KSB")))
        .order_by(ScopeItem.id)
    )
    return [(0, "—")] + [(s.id, s.nama[:80]) for s in items]


def _initiator_regency(a: Agreement):
    """The rule of the regencies an agreement's initiator is chosen from on the edit form: those that are its
    parties, plus the current initiator (an older record saves unchanged). A condition on ``Regency``."""
    return or_(
        Regency.id.in_(select(Party.regency_id).where(Party.agreement_id == a.id)),
        Regency.id == (a.pemrakarsa_regency_id or 0),
    )


def initiator_regency_ids(a: Agreement) -> set[int]:
    """The regencies the initiator may be (``_initiator_regency``)."""
    return set(db.session.scalars(select(Regency.id).where(_initiator_regency(a))))


def _no_opd(a: Agreement | None) -> tuple[int, str, None]:
    """ "No OPD" (the regency itself); for an older record with a free text initiator it keeps that text."""
    if a is not None and a.pemrakarsa_organisation_id is None and a.pemrakarsa_opd:
        return (REGENCY_LEVEL, f"— tercatat sebagai isian bebas: {a.pemrakarsa_opd} —", None)
    return (REGENCY_LEVEL, "— tanpa OPD (pemerintah kabupaten) —", None)


def initiator_organisation_choices() -> list[tuple[int, str, str | None]]:
    """The OPD a new agreement's initiator is chosen from: every regency's offices (not health facilities) as
    (id, name, regency name), grouped by regency; first "no OPD" (the regency itself)."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Regency.name)
        .join(Regency, Regency.id == Organisation.regency_id)
        .where(Organisation.facility_level.is_(None))
        .order_by(Regency.code, Organisation.name)
    ).all()
    return [_no_opd(None), *((oid, name, regency) for oid, name, regency in rows)]


def edit_initiator_choices(a: Agreement) -> tuple[list[tuple[int, str]], list[tuple[int, str, str | None]]]:
    """The edit form's initiating regencies and OPD, in one statement: only the regencies that are parties of
    the agreement (``initiator_regency_ids``) and their offices, plus the current initiator and its OPD (an
    older record saves unchanged); first "not recorded" while no regency is."""
    listed = _initiator_regency(a)
    rows = db.session.execute(
        select(Regency.id, Regency.name, Organisation.id, Organisation.name, listed)
        .outerjoin(
            Organisation, and_(Organisation.regency_id == Regency.id, Organisation.facility_level.is_(None))
        )
        .where(or_(listed, Organisation.id == (a.pemrakarsa_organisation_id or 0)))
        .order_by(Regency.code, Organisation.name)
    ).all()
    regency_rows = dict.fromkeys((rid, rname) for rid, rname, _o, _n, is_listed in rows if is_listed)
    regencies_offered = [*([] if a.pemrakarsa_regency_id else [(0, "— belum dicatat —")]), *regency_rows]
    opds = [(oid, name, rname) for _r, rname, oid, name, _l in rows if oid is not None]
    return regencies_offered, [_no_opd(a), *opds]


def initiator_editable(a: Agreement) -> bool:
    """The initiator is corrected on the edit form before signing; after it, the edit form (which has no
    koreksi) does not offer it."""
    return not a.is_signed


def _initiator(form, regency_id: int | None) -> Organisation | None:
    """The initiating OPD the form names, checked against the initiating regency ``regency_id``; a mismatch
    puts its reason on the OPD field (the select already refused an id that is not in the list)."""
    org_id = form.pemrakarsa_organisation_id.data
    if not org_id:
        return None
    org = db.session.get(Organisation, org_id)
    field = form.pemrakarsa_organisation_id
    if org is None or org.is_facility:
        field.errors.append(form.pemrakarsa_organisation_id.invalid_choice_message)
    elif regency_id is None:
        field.errors.append(INITIATOR_NEEDS_REGENCY)
    elif org.regency_id != regency_id:
        chosen = next((r.name for r in regencies() if r.id == regency_id), "daerah pemrakarsa")
        field.errors.append(
            f"{org.name} adalah OPD {org.regency.name}, bukan {chosen}. Pilih OPD dari kelompok {chosen}, "
            "atau ubah daerah pemrakarsa."
        )
    return org


def _set_initiator(a: Agreement, regency_id: int | None, org: Organisation | None) -> None:
    """An OPD chosen from the list replaces an older record's free text; "no OPD" keeps that text."""
    a.pemrakarsa_regency_id = regency_id
    a.pemrakarsa_organisation_id = org.id if org else None
    if org is not None:
        a.pemrakarsa_opd = ""


@dataclass(slots=True)
class CoverageLink:
    """An agreement implementing a scope item; ``visible``: the user may open it (else only its number)."""

    id: int
    judul: str
    tahap_label: str
    visible: bool


@dataclass(slots=True)
class CoverageItem:
    """A scope item with its live agreements; ``days_uncovered``: days since it was recorded (or its KSB signed)
    while no agreement implements it, None when one does or no date is known."""

    nama: str
    pks: list[CoverageLink] = field(default_factory=list)
    since: date | None = None
    days_uncovered: int | None = None


@dataclass(slots=True)
class CoverageKsb:
    id: int
    judul: str
    tgl_ttd: date | None
    scope_items: list[CoverageItem] = field(default_factory=list)


COVERAGE_PER_PAGE = 10  # KSBs a page (each with all its scope items)


def coverage_page(today: date, page_arg) -> Page:
    """One page of the user's KSB (oldest first) with their scope items and the agreements implementing each
    (a cancelled one does not count), as ``CoverageKsb``. Column-only queries, the same at any number of KSBs:
    the count and the page of KSBs, then their items with each live agreement and whether the user may see it
    (the scope rule on the agreement, in the same query)."""
    stmt = (
        scoped(Agreement, None, Agreement.id, Agreement.judul, Agreement.tgl_ttd)
        .where(Agreement.jenis == "KSB")
        .order_by(Agreement.id)
    )
    page = paginate(stmt, page_arg, per_page=COVERAGE_PER_PAGE, rows=True)
    page.items = coverage_of([CoverageKsb(k.id, k.judul, k.tgl_ttd) for k in page.items], today)
    return page


def coverage_of(ksb_list: list[CoverageKsb], today: date) -> list[CoverageKsb]:
    """``ksb_list`` with each KSB's scope items, their live agreements and the days an uncovered item waits."""
    ksbs = {k.id: k for k in ksb_list}
    if not ksbs:
        return []
    clause = scope_of(Agreement)
    visible = (literal(True) if clause is None else clause).label("visible")
    rows = db.session.execute(
        select(
            ScopeItem.id,
            ScopeItem.ksb_id,
            ScopeItem.nama,
            ScopeItem.dicatat_pada,
            Agreement.id.label("agreement_id"),
            Agreement.judul,
            Agreement.tahap,
            visible,
        )
        .select_from(ScopeItem)
        .outerjoin(ScopeLink, ScopeLink.scope_item_id == ScopeItem.id)
        .outerjoin(Agreement, and_(Agreement.id == ScopeLink.agreement_id, Agreement.tahap != "dibatalkan"))
        .where(ScopeItem.ksb_id.in_(list(ksbs)))
        .order_by(ScopeItem.id, Agreement.id)
    )
    items: dict[int, CoverageItem] = {}
    for item_id, ksb_id, nama, recorded, agreement_id, judul, tahap, seen in rows:
        item = items.get(item_id)
        if item is None:
            ksb = ksbs[ksb_id]
            item = items[item_id] = CoverageItem(nama, [], recorded or ksb.tgl_ttd)
            ksb.scope_items.append(item)
        if agreement_id is not None:
            item.pks.append(CoverageLink(agreement_id, judul, TAHAP.get(tahap, tahap), bool(seen)))
    for item in items.values():
        if not item.pks and item.since is not None:
            item.days_uncovered = (today - item.since).days
    return list(ksbs.values())


# ---- recording and editing ----------------------------------------------------------------------


def parent_problems(jenis: str, parent: Agreement | None, scope_item_id: int | None) -> dict[str, str]:
    """A PKS needs its KSB; an adendum or perpanjangan needs the original; a KSB has no parent; a scope item
    belongs to the parent KSB (docs/pks.md §7, errors). By field name."""
    errors = {}
    if jenis == "PKS" and (parent is None or parent.jenis != "KSB"):
        errors["parent_id"] = "PKS wajib merujuk Kesepakatan Bersama induknya."
    elif jenis in ("ADENDUM", "PERPANJANGAN") and parent is None:
        errors["parent_id"] = "Adendum dan perpanjangan wajib merujuk naskah asalnya."
    elif jenis == "KSB" and parent is not None:
        errors["parent_id"] = "Kesepakatan Bersama tidak memiliki induk."
    if scope_item_id and (parent is None or scope_item_id not in {s.id for s in parent.scope_items}):
        errors["scope_item_id"] = SCOPE_NOT_OF_PARENT
    return errors


def _parent(form) -> Agreement | None:
    """The parent the form names, when the user can see it; else the reason is on the form."""
    if not form.parent_id.data:
        return None
    parent = db.session.scalar(scoped(Agreement).where(Agreement.id == form.parent_id.data))
    if parent is None:
        form.parent_id.errors.append("Induk tidak ditemukan.")
    return parent


def apply_form(form, a: Agreement) -> None:
    """The fields both the new and the edit form carry."""
    a.judul = form.judul.data.strip()
    a.objek = (form.objek.data or "").strip()
    a.urusan = [u for u in form.urusan.data or [] if u in URUSAN]
    a.kategori = form.kategori.data or None
    a.rujukan_rpjmd = (form.rujukan_rpjmd.data or "").strip()
    a.klausul = form.klausul.data or []
    a.tgl_keputusan_perpanjangan = form.tgl_keputusan_perpanjangan.data
    a.dprd_perlu = {"ya": True, "tidak": False}.get(form.dprd_perlu.data)
    a.dprd_alasan = (form.dprd_alasan.data or "").strip()
    a.dprd_nomor = (form.dprd_nomor.data or "").strip()
    a.dprd_tanggal = form.dprd_tanggal.data


def _scan(form, storage, tahap: str) -> tuple[bytes, str] | None:
    """The scan of the signed text chosen on the new form, checked as the documents page checks an upload, or
    None (none chosen, or its reason on the field)."""
    if storage is None or not storage.filename:
        return None
    if tahap not in SIGNED_STAGES:
        form.scan_ttd.errors.append(SCAN_ONLY_SIGNED)
        return None
    error, data, ext = check_file(storage)
    if error is None and ext not in SCAN_TYPES:
        error = SCAN_TYPE
    if error:
        form.scan_ttd.errors.append(f"{error} {SCAN_AGAIN}")
        return None
    return data, ext


def ask_scan_again(form, storage) -> None:
    """A refused new form shown again cannot keep the file chosen: say so next to the field."""
    if storage is not None and storage.filename and not form.scan_ttd.errors:
        form.scan_ttd.errors.append(SCAN_AGAIN)


@creates_once
def create_agreement(form, user, today, scan=None):
    """Record a new KSB, PKS, adendum or perpanjangan (at its first stage, or at the stage it has already
    reached: ``register``). The user's regency is its first party, as the regency itself (no OPD: the creator's
    own office is not a party by being the one who typed it in; the party is corrected or replaced on the parties
    page); the initiator is the one chosen (an OPD of the initiating regency's list). A signed one registered
    after the fact may bring the scan of its signed text (``scan``, a file from the same POST), stored as the
    documents page stores it; a replay of the submission key stores nothing again."""
    parent = _parent(form)
    if form.parent_id.errors:
        return None
    regency_id = form.pemrakarsa_regency_id.data or user.regency_id
    org = _initiator(form, regency_id)
    problems = parent_problems(form.jenis.data, parent, form.scope_item_id.data)
    problems.update(registration_errors(form, form.jenis.data, today))
    upload = _scan(form, scan, form.tahap.data or "")
    if problems or form.errors:
        for name, message in problems.items():
            form[name].errors.append(message)
        ask_scan_again(form, scan)
        return None
    a = Agreement(
        jenis=form.jenis.data,
        parent_id=parent.id if parent else None,
        tahap=FIRST_STAGE[form.jenis.data],
        tahap_sejak=today,
    )
    apply_form(form, a)
    _set_initiator(a, regency_id, org)
    db.session.add(a)
    db.session.flush()
    if form.scope_item_id.data:
        db.session.add(ScopeLink(agreement_id=a.id, scope_item_id=form.scope_item_id.data))
    db.session.add(Party(agreement_id=a.id, regency_id=user.regency_id, urutan=1))
    log(a, "dibuat", user, "", a.tahap, f"{a.jenis_label} dicatat")
    apply_registration(form, a, user, today)
    audit.record("create", "pks_agreement", a.id, f"kesepakatan #{a.id}")
    if a.dicatat_susulan:
        message = (
            "Kesepakatan yang sudah ditandatangani dicatat. Lengkapi pihak, nomor, penandatangan dan scan "
            "naskah, lalu tekan Selesai dicatat untuk menguncinya."
        )
    else:
        message = "Kesepakatan dicatat. Tambahkan pihak lain agar daerah mitra dapat melihatnya."
    if upload is not None:
        doc = add_document(a, SCAN_KIND, *upload, scan.filename, user)
        message += f" Scan naskah disimpan sebagai v{doc.versi}. SHA-256: {doc.sha256}"
    return url_for("pks.detail", agreement_id=a.id), message


def agreement_now(a: Agreement) -> dict:
    """What the edit form shows of ``a`` where a field is not an attribute of the same name."""
    return {
        "scope_item_id": a.scope_item.id if a.scope_item else 0,
        "dprd_perlu": {True: "ya", False: "tidak"}.get(a.dprd_perlu, ""),
        "pemrakarsa_regency_id": a.pemrakarsa_regency_id or 0,
        "pemrakarsa_organisation_id": a.pemrakarsa_organisation_id or REGENCY_LEVEL,
    }


def _set_scope_link(a: Agreement, scope_item_id: int | None) -> None:
    link = db.session.get(ScopeLink, a.id)
    if scope_item_id and link is None:
        db.session.add(ScopeLink(agreement_id=a.id, scope_item_id=scope_item_id))
    elif link is not None and scope_item_id:
        link.scope_item_id = scope_item_id
    elif link is not None:
        db.session.delete(link)


def save_agreement(form, a: Agreement, user) -> Outcome:
    """Apply the posted edit form: on the version it was filled on, valid, its scope item one of the parent
    KSB's, its initiating regency a party's (or the current one), its initiating OPD one of the initiating
    regency's (the initiator only before signing: the form
    ``initiator_editable`` leaves it out after); else nothing is written and the reasons are on the form. The
    history names each changed field (old → new)."""
    url = url_for("pks.detail", agreement_id=a.id)
    if stale := stale_outcome(form, a, url=url, current=agreement_now(a)):
        return stale
    if not form.validate():
        return refused(form)
    with_initiator = "pemrakarsa_regency_id" in form
    if with_initiator and not initiator_editable(a):
        return refused(None, INITIATOR_FIXED)
    if form.scope_item_id.data and form.scope_item_id.data not in {
        s.id for s in (a.parent.scope_items if a.parent else [])
    }:
        form.scope_item_id.errors.append(SCOPE_NOT_OF_PARENT)
    if with_initiator:
        regency_id = form.pemrakarsa_regency_id.data or None
        if regency_id is not None and regency_id not in initiator_regency_ids(a):
            form.pemrakarsa_regency_id.errors.append(INITIATOR_NOT_PARTY)
        org = _initiator(form, regency_id)
    if form.errors:
        return refused(form)
    changes = change_text(form, a, agreement_now(a))
    apply_form(form, a)
    if with_initiator:
        _set_initiator(a, regency_id, org)
    _set_scope_link(a, form.scope_item_id.data)
    log(a, "ubah", user, reason=changes or "Disimpan tanpa perubahan data")
    audit.record("update", "pks_agreement", a.id, f"kesepakatan #{a.id}")
    return saved(a, url, "Perubahan disimpan.")


# ---- adendum / perpanjangan ---------------------------------------------------------------------


def create_child(a: Agreement, jenis: str, judul: str, user, today) -> Agreement:
    """A linked new document with its own parties, signing and numbers (docs/pks.md §6.1, adendum)."""
    child = Agreement(
        jenis=jenis,
        parent_id=a.id,
        judul=judul[:250],
        objek=a.objek,
        urusan_codes=a.urusan_codes,
        kategori=a.kategori,
        rujukan_rpjmd=a.rujukan_rpjmd,
        tahap=FIRST_STAGE[jenis],
        tahap_sejak=today,
        dprd_perlu=None,
        pemrakarsa_regency_id=a.pemrakarsa_regency_id,
        pemrakarsa_organisation_id=a.pemrakarsa_organisation_id,
        pemrakarsa_opd=a.pemrakarsa_opd,
    )
    db.session.add(child)
    db.session.flush()
    for p in a.parties:
        db.session.add(
            Party(
                agreement_id=child.id,
                regency_id=p.regency_id,
                urutan=p.urutan,
                organisation_id=p.organisation_id,
                opd=p.opd,
                peran=p.peran,
                alamat=p.alamat,
                pic_nama=p.pic_nama,
                pic_jabatan=p.pic_jabatan,
                dasar_hukum=p.dasar_hukum,
                menandatangani=p.menandatangani,
            )
        )
    log(child, "dibuat", user, "", child.tahap, f"{child.jenis_label} atas naskah #{a.id}")
    log(a, "turunan", user, reason=f"{child.jenis_label} dibuat: {child.judul}")
    db.session.flush()
    return child


@creates_once
def add_child(a: Agreement, form, user, today):
    """The child form's use case: only a signed text gets an adendum or perpanjangan."""
    if not a.is_signed:
        form.form_errors.append("Adendum atau perpanjangan hanya untuk naskah yang sudah ditandatangani.")
        return None
    c = create_child(a, form.jenis.data, form.judul.data.strip(), user, today)
    audit.record("create", "pks_agreement", c.id, f"kesepakatan #{c.id} ({c.jenis}) atas #{a.id}")
    return (
        url_for("pks.detail", agreement_id=c.id),
        f"{c.jenis_label} dibuat dengan pihak yang sama; lengkapi nomor dan penandatangannya.",
    )


# ---- KSB scope items and notes ------------------------------------------------------------------


@creates_once
def add_scope_item(a: Agreement, form, today):
    row = ScopeItem(
        ksb_id=a.id, nama=form.nama.data.strip(), urusan_code=form.urusan_code.data, dicatat_pada=today
    )
    db.session.add(row)
    db.session.flush()
    audit.record("create", "pks_scope_item", row.id, f"ruang lingkup #{row.id} KSB #{a.id}")
    return url_for("pks.coverage"), "Ruang lingkup ditambahkan."


@creates_once
def add_note(a: Agreement, form, user):
    """A shared note, or the regency's internal one (disposisi and telaahan are always internal)."""
    internal = form.internal.data or form.kind.data in INTERNAL_KINDS
    note = Note(
        agreement_id=a.id,
        kind=form.kind.data,
        text=form.text.data.strip(),
        regency_id=user.regency_id if internal else None,
        author_id=user.id,
    )
    db.session.add(note)
    db.session.flush()
    audit.record("create", "pks_note", note.id, f"catatan {note.kind} #{note.id} kesepakatan #{a.id}")
    return url_for("pks.detail", agreement_id=a.id) + "#catatan", "Catatan disimpan."


NOTES_SHOWN = 30  # the newest notes a record page shows


def visible_notes(role: str):
    """The newest notes of one agreement that a user of ``role`` may read, as a subquery of the note's columns
    (the record page reads them with its timeline, ``timeline.story``). The agreement and the user's regency are
    the bound ``agreement_id`` and ``regency_id``, so one statement serves every record page of that role."""
    user = SimpleNamespace(role=role, regency_id=bindparam("regency_id", type_=Integer))
    return (
        scoped(Note, user)
        .where(Note.agreement_id == bindparam("agreement_id", type_=Integer))
        .order_by(Note.created_at.desc(), Note.id.desc())
        .limit(NOTES_SHOWN)
        .subquery()
    )
