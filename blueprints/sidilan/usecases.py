"""SIDILAN use cases that write: one function per create or edit flow, called by a thin view.

Each one owns its transaction (unlike the helpers in service.py, which only add and flush): it checks the
version an edit form showed (``core.versioning``) or claims the create form's one-time key
(``core.submission``) as its first write, applies the rules, writes, and commits; a refusal rolls back, which
also releases a claimed key. The view turns the ``Outcome`` into a page, a redirect or the conflict page.
"""
import json
import logging
from dataclasses import dataclass, field

from flask import abort, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.forms import KEY_MISSING
from blueprints.core.nik import check_kk, check_nik, clean_number
from blueprints.core.versioning import is_stale

from . import importer
from . import service as S
from . import values as V
from .models import Assistance, ChangeLog, Disability, ElderlyAssessment, Person, Program
from .report_models import ImportBatch

log = logging.getLogger(__name__)

RACED = "Data ini baru saja diubah oleh pengiriman lain. Muat ulang halaman lalu periksa kembali."


@dataclass
class Outcome:
    """What a use case did. ``record`` is set when it wrote; otherwise one of the other fields says why not
    (a form that is not valid carries its messages on its own fields)."""
    record: object = None
    replay: submission.Replay | None = None  # the same submit ran before: where its result lives
    stale: object = None  # the form was filled on another version of this (freshly loaded) record
    already: str | None = None  # the state the form asked for holds already: nothing was changed
    error: str | None = None  # a refusal that belongs to no field
    redirect: str | None = None  # where to continue instead (e.g. a step that must come first)
    warnings: list[str] = field(default_factory=list)
    duplicates: list = field(default_factory=list)
    place_errors: dict[str, str] = field(default_factory=dict)
    cases: list = field(default_factory=list)


def has_errors(form, extra: dict | None = None) -> bool:
    return any(f.errors for f in form) or bool(extra)


def _add_errors(form, errors: dict[str, list[str]]) -> None:
    for name, messages in errors.items():
        form[name].errors = list(form[name].errors) + messages


def _raced(obj) -> Outcome:
    """Another save of the same version got past the version check first (StaleDataError): the conflict page,
    on the record as it is now."""
    db.session.rollback()
    db.session.refresh(obj)
    return Outcome(stale=obj)


def _text(value) -> str | None:
    value = value.strip() if isinstance(value, str) else value
    return value or None


# ---- person ------------------------------------------------------------------------------------

def check_numbers(form, regency_code: str) -> tuple[str | None, str | None, list[str]]:
    """NIK and No. KK levels: errors go onto the fields, warnings are returned."""
    warnings: list[str] = []
    nik = clean_number(form.nik.data)
    if nik:
        chk = check_nik(nik, sex=form.jenis_kelamin.data, regency_code=regency_code,
                        birth_date=form.tanggal_lahir.data if not form.tanggal_lahir.errors else None)
        form.nik.errors = list(form.nik.errors) + chk.errors
        warnings += chk.warnings
    elif not form.alasan_tanpa_nik.data:
        form.alasan_tanpa_nik.errors = list(form.alasan_tanpa_nik.errors) + ["NIK kosong: pilih alasan tanpa NIK."]
    kk = clean_number(form.no_kk.data)
    if kk:
        kchk = check_kk(kk)
        form.no_kk.errors = list(form.no_kk.errors) + kchk.errors
        warnings += kchk.warnings
    return nik or None, kk or None, warnings


def person_data(form, nik, kk, cascade) -> dict:
    """The values a valid person form stores."""
    s = lambda f: _text(f.data)  # noqa: E731
    return dict(
        nik=nik, alasan_tanpa_nik=None if nik else form.alasan_tanpa_nik.data, no_kk=kk,
        hubungan_keluarga=s(form.hubungan_keluarga), nama_lengkap=" ".join(form.nama_lengkap.data.split()),
        nama_panggilan=s(form.nama_panggilan), jenis_kelamin=form.jenis_kelamin.data,
        tempat_lahir=s(form.tempat_lahir), tanggal_lahir=form.tanggal_lahir.data,
        tgl_lahir_perkiraan=bool(form.tgl_lahir_perkiraan.data), agama=s(form.agama),
        status_perkawinan=s(form.status_perkawinan), pendidikan_terakhir=s(form.pendidikan_terakhir),
        pekerjaan=s(form.pekerjaan), nama_ibu_kandung=s(form.nama_ibu_kandung), no_hp=s(form.no_hp),
        nama_pendamping=s(form.nama_pendamping), hubungan_pendamping=s(form.hubungan_pendamping),
        status_hidup=form.status_hidup.data,
        tgl_meninggal=form.tgl_meninggal.data if form.status_hidup.data == "meninggal" else None,
        status_domisili=form.status_domisili.data, kepesertaan_jkn=s(form.kepesertaan_jkn), no_kpd=s(form.no_kpd),
        alamat=s(form.alamat), rt=s(form.rt), rw=s(form.rw), kecamatan_code=cascade.kecamatan or None,
        nagari_code=cascade.nagari or None, jorong_id=cascade.jorong_id, sumber_data=form.sumber_data.data,
        tags=S.set_codes(V.TAGS, form.tags.data or []), persetujuan=bool(form.persetujuan.data),
        tgl_persetujuan=form.tgl_persetujuan.data if form.persetujuan.data else None,
        pemberi_persetujuan=s(form.pemberi_persetujuan) if form.persetujuan.data else None,
    )


def save_person(person: Person | None, form, cascade, user) -> Outcome:
    """Register a person (``person`` None, a ``NewPersonForm``) or save an edit (an ``EditPersonForm``): the
    version or key check, every rule, then the person, its household link and its duplicate candidates."""
    if person is not None and is_stale(person, form.version.data):
        return Outcome(stale=person)
    valid = form.validate()
    out = Outcome(place_errors=cascade.errors())
    nik, kk, out.warnings = check_numbers(form, user.regency.code)
    if not valid or has_errors(form, out.place_errors):
        return out
    # a replay is recognised before the rules that read the registry, which the first submit has changed
    if person is None and (replay := submission.claim(form.submission_key.data)):
        return Outcome(replay=replay)
    data = person_data(form, nik, kk, cascade)
    rule_errors = S.person_rule_errors(data, user.regency_id, person.id if person else None)
    if rule_errors:
        db.session.rollback()
        _add_errors(form, rule_errors)
        return out
    data["name_search"] = S.name_search(data["nama_lengkap"])
    data["name_key"] = S.name_key(data["nama_lengkap"])
    address = {k: data[k] for k in ("alamat", "kecamatan_code", "nagari_code", "jorong_id", "rt", "rw")}
    hh = S.household_for(user.regency_id, kk, address)
    data["household_id"] = hh.id if hh else None
    if person is None:
        person = Person(regency_id=user.regency_id, created_by_id=user.id, updated_by_id=user.id,
                        status_verifikasi="draf", **data)
        db.session.add(person)
        db.session.flush()
        S.record_creation(person, user)
        submission.remember(form.submission_key.data, url_for("sidilan.person_view", person_id=person.id))
    else:
        changed = S.apply_changes(person, data, person.id, "person")
        if changed:
            person.updated_by_id = user.id
        try:
            db.session.flush()
        except StaleDataError:
            return _raced(person)
        audit.record("update", "sidilan_person", person.id, f"mengubah orang #{person.id} ({len(changed)} isian)")
    out.duplicates = S.record_duplicates(person)
    db.session.commit()
    out.record = person
    return out


# ---- household ---------------------------------------------------------------------------------

HOUSEHOLD_FIELDS = ("alamat", "rt", "rw", "desil_dtsen", "tgl_cek_dtsen", "lintang", "bujur", "kondisi_rumah",
                    "sumber_penghasilan")


def save_household(hh, form, cascade, user) -> Outcome:
    if is_stale(hh, form.version.data):
        return Outcome(stale=hh)
    if not form.validate():
        return Outcome()
    data = {k: _text(form[k].data) if isinstance(form[k].data, str) else form[k].data for k in HOUSEHOLD_FIELDS}
    data.update(kecamatan_code=cascade.kecamatan or None, nagari_code=cascade.nagari or None,
                jorong_id=cascade.jorong_id)
    head = next((m for m in hh.members if m.hubungan_keluarga == S.KEPALA_KELUARGA), None) or (
        hh.members[0] if hh.members else None)
    S.apply_changes(hh, data, head.id if head else None, "household")
    audit.record("update", "sidilan_household", hh.id, f"mengubah keluarga #{hh.id}", user=user)
    try:
        db.session.commit()
    except StaleDataError:
        return _raced(hh)
    return Outcome(record=hh)


# ---- disability --------------------------------------------------------------------------------

def disability_values(d: Disability) -> dict:
    """A stored disability row as the form's field values (for the form and the conflict page)."""
    values = {"ragam": d.ragam_codes, "alat_bantu_dimiliki": d.devices_owned,
              "alat_bantu_dibutuhkan": d.devices_needed, "kebutuhan_layanan": d.needs}
    values.update({f: str(getattr(d, f) or "") for f in Disability.WG_FIELDS})
    return values


def save_disability(person: Person, form, user) -> Outcome:
    """The person's disability row: created on the first save, then edited on its version."""
    d = person.disability
    if d is not None and is_stale(d, form.version.data):
        return Outcome(stale=d)
    if not form.validate():
        return Outcome()
    ragam = set(form.ragam.data)
    data = {}
    for r, _ in V.RAGAM:
        data[f"ragam_{r}"] = r in ragam
        data[f"jenis_{r}"] = (form[f"jenis_{r}"].data or None) if r in ragam else None
    for f in Disability.WG_FIELDS:
        data[f] = int(form[f].data) if form[f].data else None
    data.update(
        derajat=form.derajat.data or None, sejak=form.sejak.data or None, tahun_mulai=form.tahun_mulai.data,
        penyebab=_text(form.penyebab.data),
        alat_bantu_dimiliki=S.set_codes(V.ALAT_BANTU, form.alat_bantu_dimiliki.data),
        alat_bantu_dibutuhkan=S.set_codes(V.ALAT_BANTU, form.alat_bantu_dibutuhkan.data),
        surat_penerbit=_text(form.surat_penerbit.data), surat_tanggal=form.surat_tanggal.data,
        butuh_pendamping=bool(form.butuh_pendamping.data),
        kebutuhan_layanan=S.set_codes(V.KEBUTUHAN_LAYANAN, form.kebutuhan_layanan.data))
    if d is None:
        d = Disability(person_id=person.id, **data)
        db.session.add(d)
        db.session.add(ChangeLog(person_id=person.id, entity="disability", field="dibuat",
                                 new_value=",".join(sorted(ragam)), user_id=user.id))
    else:
        S.apply_changes(d, data, person.id, "disability")
    d.ganda = S.derive_ganda(d)
    audit.record("update", "sidilan_person", person.id, f"data disabilitas orang #{person.id}", user=user)
    try:
        db.session.commit()
    except StaleDataError:
        return _raced(d)
    except IntegrityError:  # another clerk's first save of this person's disability came first
        db.session.rollback()
        current = db.session.scalar(select(Disability).where(Disability.person_id == person.id))
        if current is None:
            raise
        return Outcome(stale=current)
    return Outcome(record=d)


# ---- elderly assessment ------------------------------------------------------------------------

def add_assessment(person: Person, form, user) -> Outcome:
    """One visit, a new row (a replay of the same submit adds none)."""
    if not form.validate():
        return Outcome()
    when = form.tgl_asesmen.data
    age = person.age_on(when)
    if age is None or age < S.LANSIA_AGE:
        shown = "tidak diketahui" if age is None else f"{age} tahun"
        form.tgl_asesmen.errors.append(f"Usia pada tanggal asesmen {shown}; asesmen lansia hanya untuk usia "
                                       f"{S.LANSIA_AGE} tahun ke atas.")
        return Outcome()
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    items = {f: int(form[f].data) for f, _, _ in V.BARTHEL_ITEMS}
    total, kategori = S.barthel_result(items)
    row = ElderlyAssessment(
        regency_id=person.regency_id, person_id=person.id, tgl_asesmen=when, petugas_id=user.id, usia=age,
        kategori_potensi=form.kategori_potensi.data or None, tinggal_dengan=form.tinggal_dengan.data or None,
        terlantar=bool(form.terlantar.data), lawton_iadl=form.lawton_iadl.data,
        penyakit_kronis=_text(form.penyakit_kronis.data), kebutuhan=_text(form.kebutuhan.data),
        barthel_total=total, barthel_kategori=kategori, **items)
    db.session.add(row)
    db.session.flush()
    audit.record("create", "sidilan_assessment", row.id, f"asesmen lansia orang #{person.id}", user=user)
    submission.remember(form.submission_key.data, url_for("sidilan.person_view", person_id=person.id))
    db.session.commit()
    return Outcome(record=row)


# ---- assistance --------------------------------------------------------------------------------

def add_assistance(person: Person, form, programs: list[Program], user) -> Outcome:
    if not form.validate():
        return Outcome()
    program = next((p for p in programs if p.id == form.program_id.data), None)
    if form.untuk_keluarga.data and not person.household_id:
        form.untuk_keluarga.errors.append("Orang ini belum tercatat dalam keluarga (No. KK kosong).")
    if program is not None and not program.punya_komponen and form.komponen_atensi.data:
        form.komponen_atensi.errors.append("Komponen hanya untuk program ATENSI.")
    if program is None or has_errors(form):
        return Outcome()
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    family = bool(form.untuk_keluarga.data)
    row = Assistance(
        regency_id=person.regency_id, program_id=program.id, komponen_atensi=form.komponen_atensi.data or None,
        person_id=None if family else person.id, household_id=person.household_id if family else None,
        tahun=form.tahun.data, tahap=_text(form.tahap.data), tgl_salur=form.tgl_salur.data,
        nilai_rp=form.nilai_rp.data, uraian_barang=_text(form.uraian_barang.data), jumlah=form.jumlah.data,
        status="diusulkan", sumber_dana=form.sumber_dana.data or program.sumber_dana,
        penyalur=_text(form.penyalur.data), catatan=_text(form.catatan.data), created_by_id=user.id)
    db.session.add(row)
    db.session.flush()
    audit.record("create", "sidilan_assistance", row.id, f"bantuan {program.kode} untuk orang #{person.id}",
                 user=user)
    submission.remember(form.submission_key.data, url_for("sidilan.person_view", person_id=person.id))
    db.session.commit()
    return Outcome(record=row)


BAD_ASSISTANCE_STEP = "Perubahan status bantuan tidak sah untuk status saat ini."


def set_assistance_status(row: Assistance, form, user) -> Outcome:
    """The form posts the status it wants: posted twice, the second finds it done and changes nothing."""
    if not form.validate():
        return Outcome(error=BAD_ASSISTANCE_STEP)
    wanted = form.status.data
    if row.status == wanted:
        return Outcome(already=f"Status bantuan sudah {V.label(V.STATUS_BANTUAN, wanted)}; tidak ada yang diubah.")
    if is_stale(row, form.version.data):
        return Outcome(stale=row)
    if wanted not in S.ASSISTANCE_TRANSITIONS.get(row.status, ()):
        return Outcome(error=BAD_ASSISTANCE_STEP)
    old, row.status = row.status, wanted
    audit.record("update", "sidilan_assistance", row.id, f"status bantuan #{row.id}: {old} -> {wanted}", user=user)
    try:
        db.session.commit()
    except StaleDataError:  # the same change, sent twice at once: the first one holds
        db.session.rollback()
        if row.status == wanted:
            return Outcome(already=f"Status bantuan sudah {V.label(V.STATUS_BANTUAN, wanted)}; tidak ada yang "
                                   "diubah.")
        return Outcome(error=RACED)
    return Outcome(record=row)


# ---- programs ----------------------------------------------------------------------------------

KODE_TAKEN = "Kode program ini sudah ada."


def save_program(row: Program | None, form, user) -> Outcome:
    """A new program (``NewProgramForm``, its key claimed) or an edit on its version (``EditProgramForm``)."""
    if row is not None and is_stale(row, form.version.data):
        return Outcome(stale=row)
    if not form.validate():
        return Outcome()
    if row is None and (replay := submission.claim(form.submission_key.data)):
        return Outcome(replay=replay)
    kode = form.kode.data.strip().upper()
    clash = db.session.scalar(select(Program.id).where(Program.regency_id == user.regency_id, Program.kode == kode))
    if clash is not None and (row is None or clash != row.id):
        db.session.rollback()
        form.kode.errors.append(KODE_TAKEN)
        return Outcome()
    data = dict(kode=kode, nama=" ".join(form.nama.data.split()), sumber_dana=form.sumber_dana.data or None,
                jenis=form.jenis.data or None, sasaran=form.sasaran.data,
                punya_komponen=bool(form.punya_komponen.data), aktif=bool(form.aktif.data))
    if row is None:
        row = Program(regency_id=user.regency_id, **data)
        db.session.add(row)
        action = "create"
    else:
        for k, v in data.items():
            setattr(row, k, v)
        action = "update"
    try:
        db.session.flush()
    except StaleDataError:
        return _raced(row)
    except IntegrityError:  # the same code saved by another clerk a moment ago
        db.session.rollback()
        form.kode.errors.append(KODE_TAKEN)
        return Outcome()
    audit.record(action, "sidilan_program", row.id, f"program bantuan {kode}", user=user)
    if action == "create":
        submission.remember(form.submission_key.data, url_for("sidilan.programs"))
    db.session.commit()
    return Outcome(record=row)


# ---- verification workflow ---------------------------------------------------------------------

def step(person: Person, action: str, note: str | None, user) -> Outcome:
    """One workflow step. A step whose target status already holds (a double tap, a retried POST, a second
    verifier) changes nothing and says so; two at once leave one event, the other is told it is done."""
    try:
        S.transition(person, action, user, note)
        db.session.flush()
    except S.AlreadyDone as e:
        db.session.rollback()
        return Outcome(already=str(e))
    except S.DuplicateUndecided as e:
        audit.record("update", "sidilan_person", person.id, f"langkah {action} orang #{person.id} ditahan: kasus "
                     f"duplikat {', '.join(f'#{c.id}' for c in e.cases)}", user=user)
        db.session.commit()  # only the cases the check opened: kept, so the links in the message lead somewhere
        return Outcome(error=str(e), cases=e.cases)
    except S.WorkflowError as e:
        db.session.rollback()
        return Outcome(error=str(e))
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        dst = S.TRANSITIONS[action][1]
        if person.status_verifikasi == dst:
            return Outcome(already=S.already_message(dst))
        return Outcome(error=RACED)
    db.session.commit()
    return Outcome(record=person)


# ---- duplicate review --------------------------------------------------------------------------

DECIDED = "Pasangan ini sudah diputuskan."


def decide_duplicate(cand, form, user) -> Outcome:
    """A merge or 'not a duplicate': once per pair. A replay of the same submit lands where the first did."""
    valid = form.validate()
    keep = form.keep.data
    if valid and form.keputusan.data == "duplikat" and keep not in (cand.person_a_id, cand.person_b_id):
        form.keep.errors = list(form.keep.errors) + ["Pilih data yang dipertahankan."]
        valid = False
    if not valid:  # a decided pair has no form left to correct
        return Outcome(error=DECIDED) if cand.keputusan else Outcome()
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    if cand.keputusan:
        db.session.rollback()
        return Outcome(error=DECIDED)
    try:
        S.decide_duplicate(cand, form.keputusan.data, user, keep)
        if form.keputusan.data == "duplikat":
            url = url_for("sidilan.person_view", person_id=keep)
        else:
            url = url_for("sidilan.duplicates")
        submission.remember(form.submission_key.data, url)
        db.session.commit()
    except S.WorkflowError as e:
        db.session.rollback()
        return Outcome(error=str(e))
    except StaleDataError:  # another decision on this pair (or a merge of one of its records) came first
        db.session.rollback()
        return Outcome(error=DECIDED if cand.keputusan else RACED)
    return Outcome(record=cand, redirect=url)


# ---- import ------------------------------------------------------------------------------------

def upload_import(form, user) -> Outcome:
    """Read an uploaded spreadsheet into the temporary area. The key is claimed before the file is written,
    so a replayed upload stores nothing twice and lands on the first upload's column mapping."""
    if not form.validate():
        return Outcome()
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    upload = form.berkas.data
    try:
        sheet = importer.read_upload(upload.filename or "", upload.read())
    except importer.ImportFileError as exc:
        db.session.rollback()
        form.berkas.errors.append(str(exc))
        return Outcome()
    pending = importer.create_pending(sheet, user)
    submission.remember(form.submission_key.data, url_for("sidilan.import_mapping", token=pending.token))
    db.session.commit()
    return Outcome(record=pending)


IMPORT_FAILED = "Impor gagal dan dibatalkan seluruhnya; tidak ada data yang tersimpan. Coba lagi."


def run_import(token: str, form, user, today) -> Outcome:
    """Import the rows of a dry run that passed, all in one transaction. The upload's token is the run form's
    submission key: however often and from however many pages the run is sent, it imports once, and every
    later send lands on the batch report."""
    if not form.validate() or form.submission_key.data != token:
        if not form.submission_key.errors:
            form.submission_key.errors = [KEY_MISSING]
        form.submission_key.data = token
        return Outcome()
    if replay := submission.claim(token):
        return Outcome(replay=replay)
    pending = importer.load_pending(token, user)
    if pending is None:
        db.session.rollback()
        abort(404)
    if not pending.mapped:
        db.session.rollback()
        return Outcome(redirect=url_for("sidilan.import_mapping", token=token))
    run = importer.dry_run(pending, user, today)
    counts = run.counts
    batch = ImportBatch(
        regency_id=user.regency_id, user_id=user.id, filename=pending.sheet.filename[:200],
        rows_total=len(run.rows), created_count=counts[importer.BARU], matched_count=counts[importer.COCOK],
        rejected_count=counts[importer.DITOLAK], headers_json=json.dumps(pending.sheet.headers),
        rejected_json=json.dumps([{"line": r.line, "cells": r.cells, "reasons": r.reasons}
                             for r in run.rows if r.status == importer.DITOLAK]))
    try:
        created = importer.apply(run, user, pending.source)
        batch.created_ids_json = json.dumps(created)
        db.session.add(batch)
        db.session.flush()
        audit.record("create", "sidilan_import", batch.id, f"impor #{batch.id}: {len(created)} baru, "
                     f"{batch.matched_count} cocok, {batch.rejected_count} ditolak", user=user)
        submission.remember(token, url_for("sidilan.import_batch", batch_id=batch.id))
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        # no traceback: the driver's message quotes the row's values (names), which never go to a log
        log.error("sidilan import failed and was rolled back (%s, %s rows)", type(exc).__name__, len(run.rows))
        return Outcome(error=IMPORT_FAILED, redirect=url_for("sidilan.import_preview", token=token))
    pending.discard()
    return Outcome(record=batch)
