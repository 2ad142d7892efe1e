"""A person's disability (docs/sidilan.md §5.4, §8.1): ragam and jenis, the WG-SS answers, devices and needs;
'ganda' is always derived, never typed. At most one row per person."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome, raced
from blueprints.core.timeutil import today_local
from blueprints.core.versioning import is_stale

from . import values as V
from . import wgss
from .forms import optional_text
from .history import apply_changes
from .models import ChangeLog, Disability, Person, join_codes
from .settings import setting


def wgss_cutoff() -> int:
    return int(setting("SIDILAN_WGSS_CUTOFF"))


def wgss_flag(answers, cutoff: int | None = None) -> bool:
    """WG-SS disability flag: at least one domain answered at or above the cut-off (default 3,
    'a lot of difficulty'; docs/sidilan.md §8.1, unverified, hence configurable)."""
    cutoff = wgss_cutoff() if cutoff is None else cutoff
    return any(a is not None and a >= cutoff for a in answers)


def derive_ganda(d: Disability) -> bool:
    jenis = {d.jenis_fisik, d.jenis_intelektual, d.jenis_mental, d.jenis_sensorik}
    return len(d.ragam_codes) >= 2 or bool(jenis & V.JENIS_GANDA)


def set_codes(values_list, chosen) -> str:
    """The chosen codes that the (code, label) list knows, stored as one joined text."""
    valid = {c for c, _ in values_list}
    return join_codes(c for c in chosen if c in valid)


def ragam_data(chosen: dict[str, str | None]) -> dict:
    """{ragam: jenis or None} as the row's ragam_* / jenis_* columns (the form and the import alike)."""
    data = {}
    for r, _ in V.RAGAM:
        data[f"ragam_{r}"] = r in chosen
        data[f"jenis_{r}"] = (chosen[r] or None) if r in chosen else None
    return data


def new_disability(person_id: int, chosen: dict[str, str | None], **values) -> Disability:
    """A first disability row built from ragam/jenis (and other columns), ganda derived. Not added."""
    d = Disability(person_id=person_id, **ragam_data(chosen), **values)
    d.ganda = derive_ganda(d)
    return d


def disability_values(d: Disability) -> dict:
    """A stored disability row as the form's field values (for the form and the conflict page)."""
    values = {
        "ragam": d.ragam_codes,
        "alat_bantu_dimiliki": d.devices_owned,
        "alat_bantu_dibutuhkan": d.devices_needed,
        "kebutuhan_layanan": d.needs,
    }
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
    data = ragam_data({r: form[f"jenis_{r}"].data for r in ragam})
    answers = wgss.form_answers(form)  # a visit of today when they differ from the latest (wgss.py)
    data.update(
        derajat=form.derajat.data or None,
        sejak=form.sejak.data or None,
        tahun_mulai=form.tahun_mulai.data,
        penyebab=optional_text(form.penyebab.data),
        alat_bantu_dimiliki=set_codes(V.ALAT_BANTU, form.alat_bantu_dimiliki.data),
        alat_bantu_dibutuhkan=set_codes(V.ALAT_BANTU, form.alat_bantu_dibutuhkan.data),
        surat_penerbit=optional_text(form.surat_penerbit.data),
        surat_tanggal=form.surat_tanggal.data,
        butuh_pendamping=bool(form.butuh_pendamping.data),
        kebutuhan_layanan=set_codes(V.KEBUTUHAN_LAYANAN, form.kebutuhan_layanan.data),
    )
    if d is None:
        d = Disability(person_id=person.id, **data)
        db.session.add(d)
        db.session.add(
            ChangeLog(
                person_id=person.id,
                entity="disability",
                field="dibuat",
                new_value=",".join(sorted(ragam)),
                user_id=user.id,
            )
        )
    else:
        apply_changes(d, data, person.id, "disability")
    d.ganda = derive_ganda(d)
    # a visit is answers given: clearing the answers on the disability form records no empty visit
    new_visit = any(answers.values()) and answers != {f: getattr(d, f) for f in Disability.WG_FIELDS}
    audit.record("update", "sidilan_person", person.id, f"data disabilitas orang #{person.id}", user=user)
    try:
        if new_visit:
            db.session.flush()
            wgss.record_visit(person, d, answers, today_local(), user)
        db.session.commit()
    except StaleDataError:
        return raced(d)
    except IntegrityError:  # another clerk's first save of this person's disability came first
        db.session.rollback()
        current = db.session.scalar(select(Disability).where(Disability.person_id == person.id))
        if current is None:
            raise
        return Outcome(stale=current)
    return Outcome(record=d)
