"""Households (docs/sidilan.md §5.2): one per No. KK in a regency, found or created when a member is saved;
its address and DTSEN data edited on its own page."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome, raced
from blueprints.core.versioning import is_stale

from .forms import optional_text
from .history import apply_changes
from .models import Household

KEPALA_KELUARGA = "Kepala Keluarga"
ADDRESS_FIELDS = ("alamat", "kecamatan_code", "nagari_code", "jorong_id", "rt", "rw")
HOUSEHOLD_FIELDS = (
    "alamat",
    "rt",
    "rw",
    "desil_dtsen",
    "tgl_cek_dtsen",
    "lintang",
    "bujur",
    "kondisi_rumah",
    "sumber_penghasilan",
)


def household_for(regency_id: int, no_kk: str | None, address: dict) -> Household | None:
    """Find or create the household of a No. KK in this regency; None without a KK."""
    if not no_kk:
        return None
    find = select(Household).where(Household.regency_id == regency_id, Household.no_kk == no_kk)
    hh = db.session.scalar(find)
    if hh is None:
        try:
            with db.session.begin_nested():  # two clerks registering the first two members of one KK at once
                hh = Household(regency_id=regency_id, no_kk=no_kk, **address)
                db.session.add(hh)
        except IntegrityError:
            hh = db.session.scalar(find)
    return hh


def head_of(hh: Household):
    """The member whose history a household edit is written to: its Kepala Keluarga, else its first member."""
    return next((m for m in hh.members if m.hubungan_keluarga == KEPALA_KELUARGA), None) or (
        hh.members[0] if hh.members else None
    )


def save_household(hh, form, cascade, user) -> Outcome:
    if is_stale(hh, form.version.data):
        return Outcome(stale=hh)
    if not form.validate():
        return Outcome()
    data = {
        k: optional_text(form[k].data) if isinstance(form[k].data, str) else form[k].data
        for k in HOUSEHOLD_FIELDS
    }
    data.update(
        kecamatan_code=cascade.kecamatan or None,
        nagari_code=cascade.nagari or None,
        jorong_id=cascade.jorong_id,
    )
    head = head_of(hh)
    apply_changes(hh, data, head.id if head else None, "household")
    audit.record("update", "sidilan_household", hh.id, f"mengubah keluarga #{hh.id}", user=user)
    try:
        db.session.commit()
    except StaleDataError:
        return raced(hh)
    return Outcome(record=hh)
