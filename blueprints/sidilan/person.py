"""A person's registration and edit (docs/sidilan.md §5.3, §7): the rules every person record satisfies,
whoever writes it, and the one builder of a stored person that the form (``save_person``) and the spreadsheet
import (``importer.apply``) share."""

from flask import url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.nik import check_kk, check_nik, clean_number, missing_nik_reason
from blueprints.core.outcome import Outcome, add_errors, has_errors, raced
from blueprints.core.scope import scoped
from blueprints.core.versioning import is_stale

from . import duplicates
from . import values as V
from .access import may_see_nik
from .assistance import assistance_for
from .changelog import change_rows
from .disability import set_codes
from .forms import optional_text
from .history import apply_changes, record_creation
from .households import ADDRESS_FIELDS, KEPALA_KELUARGA, household_for
from .models import Household, Person, VerificationEvent, reversed_numbers
from .names import person_name_columns
from .search import live

# ---- rules -------------------------------------------------------------------------------------


def death_problem(data: dict) -> str | None:
    """A deceased person needs a date of death, not before the birth."""
    if data.get("status_hidup") != "meninggal":
        return None
    died, born = data.get("tgl_meninggal"), data.get("tanggal_lahir")
    if not died:
        return "Status meninggal: isi tanggal meninggal."
    if born and died < born:
        return "Tanggal meninggal tidak boleh sebelum tanggal lahir."
    return None


def heads_of_kk(regency_id: int, kks, exclude_id: int | None = None) -> dict[str, Person]:
    """No. KK -> its Kepala Keluarga in this regency: active, not merged, alive, other than ``exclude_id``.
    A deceased head does not count: the family card is reissued with a new head after a death."""
    kks = sorted({k for k in kks if k})
    found: dict[str, Person] = {}
    for start in range(0, len(kks), 500):
        stmt = live(
            select(Person).where(
                Person.regency_id == regency_id,
                Person.no_kk.in_(kks[start : start + 500]),
                Person.hubungan_keluarga == KEPALA_KELUARGA,
                Person.status_hidup != "meninggal",
            )
        )
        if exclude_id is not None:
            stmt = stmt.where(Person.id != exclude_id)
        for p in db.session.scalars(stmt.order_by(Person.id)):
            found.setdefault(p.no_kk, p)
    return found


def head_taken_message(name: str, ref: str) -> str:
    return f"No. KK ini sudah punya Kepala Keluarga: {name} ({ref})."


def person_rule_errors(data: dict, regency_id: int, person_id: int | None = None) -> dict[str, list[str]]:
    """Rules a person record must satisfy whoever writes it (form or import): field name -> messages.
    ``data`` holds the values about to be stored."""
    errors: dict[str, list[str]] = {}
    alive = data.get("status_hidup") != "meninggal"
    if problem := death_problem(data):
        errors["tgl_meninggal"] = [problem]
    if alive and data.get("hubungan_keluarga") == KEPALA_KELUARGA and data.get("no_kk"):
        head = heads_of_kk(regency_id, [data["no_kk"]], exclude_id=person_id).get(data["no_kk"])
        if head is not None:
            errors["hubungan_keluarga"] = [head_taken_message(head.nama_lengkap, f"#{head.id}")]
    return errors


def check_numbers(form, regency_code: str) -> tuple[str | None, str | None, list[str]]:
    """NIK and No. KK levels: errors go onto the fields, warnings are returned."""
    warnings: list[str] = []
    nik = clean_number(form.nik.data)
    if nik:
        chk = check_nik(
            nik,
            sex=form.jenis_kelamin.data,
            regency_code=regency_code,
            birth_date=form.tanggal_lahir.data if not form.tanggal_lahir.errors else None,
        )
        form.nik.errors = list(form.nik.errors) + chk.errors
        warnings += chk.warnings
    elif problem := missing_nik_reason(nik, form.alasan_tanpa_nik.data):
        form.alasan_tanpa_nik.errors = list(form.alasan_tanpa_nik.errors) + [problem]
    kk = clean_number(form.no_kk.data)
    if kk:
        kchk = check_kk(kk)
        form.no_kk.errors = list(form.no_kk.errors) + kchk.errors
        warnings += kchk.warnings
    return nik or None, kk or None, warnings


def person_data(form, nik, kk, cascade) -> dict:
    """The values a valid person form stores."""
    s = lambda f: optional_text(f.data)  # noqa: E731
    return dict(
        nik=nik,
        alasan_tanpa_nik=None if nik else form.alasan_tanpa_nik.data,
        no_kk=kk,
        hubungan_keluarga=s(form.hubungan_keluarga),
        nama_lengkap=" ".join(form.nama_lengkap.data.split()),
        nama_panggilan=s(form.nama_panggilan),
        jenis_kelamin=form.jenis_kelamin.data,
        tempat_lahir=s(form.tempat_lahir),
        tanggal_lahir=form.tanggal_lahir.data,
        tgl_lahir_perkiraan=bool(form.tgl_lahir_perkiraan.data),
        agama=s(form.agama),
        status_perkawinan=s(form.status_perkawinan),
        pendidikan_terakhir=s(form.pendidikan_terakhir),
        pekerjaan=s(form.pekerjaan),
        nama_ibu_kandung=s(form.nama_ibu_kandung),
        no_hp=s(form.no_hp),
        nama_pendamping=s(form.nama_pendamping),
        hubungan_pendamping=s(form.hubungan_pendamping),
        status_hidup=form.status_hidup.data,
        tgl_meninggal=form.tgl_meninggal.data if form.status_hidup.data == "meninggal" else None,
        status_domisili=form.status_domisili.data,
        kepesertaan_jkn=s(form.kepesertaan_jkn),
        no_kpd=s(form.no_kpd),
        alamat=s(form.alamat),
        rt=s(form.rt),
        rw=s(form.rw),
        kecamatan_code=cascade.kecamatan or None,
        nagari_code=cascade.nagari or None,
        jorong_id=cascade.jorong_id,
        sumber_data=form.sumber_data.data,
        tags=set_codes(V.TAGS, form.tags.data or []),
        persetujuan=bool(form.persetujuan.data),
        tgl_persetujuan=form.tgl_persetujuan.data if form.persetujuan.data else None,
        pemberi_persetujuan=s(form.pemberi_persetujuan) if form.persetujuan.data else None,
    )


# ---- the stored person ----------------------------------------------------------------------------


def stored_values(data: dict, regency_id: int) -> dict:
    """The values of a person about to be stored plus what is derived from them: the name's search form and
    duplicate key, and the household of its No. KK (found or created)."""
    hh = household_for(regency_id, data.get("no_kk"), {k: data.get(k) for k in ADDRESS_FIELDS})
    return derived_values(data, hh.id if hh else None)


def derived_values(data: dict, household_id: int | None) -> dict:
    """``data`` plus the name's search forms and duplicate key, the reversed numbers (suffix search) and the
    household it belongs to (a bulk insert gets every derived column from here)."""
    return dict(
        data,
        **person_name_columns(data["nama_lengkap"]),
        **reversed_numbers(data.get("nik"), data.get("no_kk")),
        household_id=household_id,
    )


def new_person_values(values: dict, user) -> dict:
    """The columns of a new draft person of the user's regency (``values`` as ``stored_values`` gives them)."""
    return dict(
        values,
        regency_id=user.regency_id,
        created_by_id=user.id,
        updated_by_id=user.id,
        status_verifikasi="draf",
    )


def build_person(data: dict, user) -> Person:
    """A new person of the user's regency, a draft: typed on the form or read from an import row. The caller
    adds and flushes it, then starts its trail (``history.record_creation``)."""
    return Person(**new_person_values(stored_values(data, user.regency_id), user))


def _second_head(error: IntegrityError) -> bool:
    """The one-Kepala-Keluarga index refused the row (two clerks saving two heads of one KK at once)."""
    text = str(error.orig)
    return "uq_sidilan_person_kepala_keluarga" in text or "sidilan_person.no_kk" in text


def _refuse_second_head(form, data: dict, user) -> Outcome:
    db.session.rollback()
    head = heads_of_kk(user.regency_id, [data["no_kk"]]).get(data["no_kk"])
    add_errors(
        form,
        {
            "hubungan_keluarga": [
                head_taken_message(head.nama_lengkap if head else "?", f"#{head.id}" if head else "")
            ]
        },
    )
    return Outcome()


def save_person(person: Person | None, form, cascade, user, done_url=None) -> Outcome:
    """Register a person (``person`` None, a ``NewPersonForm``) or save an edit (an ``EditPersonForm``): the
    version or key check, every rule, then the person, its household link and its duplicate candidates.
    ``done_url(person)``: where a replay of this create lands (default: the person's record)."""
    if person is not None and is_stale(person, form.version.data):
        return Outcome(stale=person)
    valid = form.validate()
    out = Outcome(errors=cascade.errors())
    nik, kk, out.warnings = check_numbers(form, user.regency.code)
    if not valid or has_errors(form, out.errors):
        return out
    # a replay is recognised before the rules that read the registry, which the first submit has changed
    if person is None and (replay := submission.claim(form.submission_key.data)):
        return Outcome(replay=replay)
    data = person_data(form, nik, kk, cascade)
    rule_errors = person_rule_errors(data, user.regency_id, person.id if person else None)
    if rule_errors:
        db.session.rollback()
        add_errors(form, rule_errors)
        return out
    if person is None:
        person = build_person(data, user)
        db.session.add(person)
        try:
            db.session.flush()
        except IntegrityError as error:
            if not _second_head(error):
                raise
            return _refuse_second_head(form, data, user)
        record_creation(person, user)
        url = done_url(person) if done_url else url_for("sidilan.person_view", person_id=person.id)
        submission.remember(form.submission_key.data, url)
    else:
        changed = apply_changes(person, stored_values(data, user.regency_id), person.id, "person")
        if changed:
            person.updated_by_id = user.id
        try:
            db.session.flush()
        except StaleDataError:
            return raced(person)
        except IntegrityError as error:
            if not _second_head(error):
                raise
            return _refuse_second_head(form, data, user)
        audit.record(
            "update", "sidilan_person", person.id, f"mengubah orang #{person.id} ({len(changed)} isian)"
        )
    out.related = duplicates.record_duplicates(person)
    db.session.commit()
    out.record = person
    return out


# ---- reading -----------------------------------------------------------------------------------


def existing_with_nik(nik: str, user) -> int | None:
    """The id of a live record in the user's scope that carries this NIK (the NIK check while typing)."""
    return db.session.scalar(live(scoped(Person, user, Person.id)).where(Person.nik == nik).limit(1))


def load_record(person_id: int, user) -> Person | None:
    """A person in the user's scope with what the record page shows of it, or None."""
    return (
        db.session.scalars(
            scoped(Person, user)
            .where(Person.id == person_id)
            .options(
                joinedload(Person.disability),
                joinedload(Person.kecamatan),
                joinedload(Person.nagari),
                joinedload(Person.jorong),
                joinedload(Person.household).joinedload(Household.members),
                joinedload(Person.assessments),
                joinedload(Person.open_flags),
                joinedload(Person.documents),  # sidilan/document_models.py
            )
        )
        .unique()
        .first()
    )


def record_context(person: Person, user) -> dict:
    """What hangs on a person's record page: household members, assistance, workflow events, the latest
    changes and the undecided duplicate pairs."""
    members = []
    if person.household is not None:  # loaded with the record (load_record), ordered by id
        members = [m for m in person.household.members if m.id != person.id and m.active]
    events = list(
        db.session.scalars(
            select(VerificationEvent)
            .options(joinedload(VerificationEvent.user))
            .where(VerificationEvent.person_id == person.id)
            .order_by(VerificationEvent.at, VerificationEvent.id)
        )
    )
    # labelled, formatted and masked for this user's role, like the rest of the page (changelog.py)
    changes = change_rows(person.id, may_see_nik(user))
    return dict(
        members=members,
        assistance=list(db.session.scalars(assistance_for(person, user))),
        events=events,
        changes=changes,
        dups=duplicates.open_cases_of(person),
    )
