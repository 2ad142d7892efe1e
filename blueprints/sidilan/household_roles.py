"""Household roles (docs/sidilan.md §5.2, after OpenG2P): one Kepala Keluarga per No. KK (``person`` checks it on
every save, an index guarantees it), and at most one principal and one alternate recipient (penerima utama /
pengganti) per household, chosen among its members on the household page."""

from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectField

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import EditForm
from blueprints.core.outcome import Outcome, add_errors, raced
from blueprints.core.versioning import is_stale

from .forms import optional_choice
from .history import apply_changes
from .households import head_of

PREFIX = "penerima"  # beside the household form on one page: field ids of its own
NONE_CHOSEN = ("", "— belum ditetapkan —")
SAME_PERSON = "Penerima pengganti harus orang lain, bukan penerima utama."
ALTERNATE_FIRST = "Tetapkan penerima utama lebih dulu."


class RecipientsForm(EditForm):
    penerima_utama_id = SelectField("Penerima utama", validators=[optional_choice()])
    penerima_pengganti_id = SelectField("Penerima pengganti", validators=[optional_choice()])


def eligible_members(hh) -> list:
    """The members who may receive for the household: live records of living people."""
    return [m for m in hh.members if m.active and m.merged_into_id is None and m.status_hidup != "meninggal"]


def recipients_form(hh, formdata=None) -> RecipientsForm:
    """The form with the household's eligible members as choices; shown (no ``formdata``) with the stored roles."""
    if formdata is None:
        form = RecipientsForm(
            prefix=PREFIX,
            formdata=None,
            data=dict(
                penerima_utama_id=str(hh.penerima_utama_id or ""),
                penerima_pengganti_id=str(hh.penerima_pengganti_id or ""),
                version=hh.version,
            ),
        )
    else:
        form = RecipientsForm(prefix=PREFIX, formdata=formdata)
    choices = [NONE_CHOSEN] + [(str(m.id), m.nama_lengkap) for m in eligible_members(hh)]
    form.penerima_utama_id.choices = form.penerima_pengganti_id.choices = choices
    return form


def recipient_of(hh, person_id: int | None):
    return next((m for m in hh.members if m.id == person_id), None) if person_id else None


def save_recipients(hh, form, user) -> Outcome:
    """Set the principal and alternate recipient: version check, members only (the form's choices), never the
    same person twice, no alternate without a principal."""
    if is_stale(hh, form.version.data):
        return Outcome(stale=hh)
    if not form.validate():
        return Outcome()
    main = int(form.penerima_utama_id.data) if form.penerima_utama_id.data else None
    alternate = int(form.penerima_pengganti_id.data) if form.penerima_pengganti_id.data else None
    if alternate and not main:
        add_errors(form, {"penerima_pengganti_id": [ALTERNATE_FIRST]})
        return Outcome()
    if alternate and alternate == main:
        add_errors(form, {"penerima_pengganti_id": [SAME_PERSON]})
        return Outcome()
    head = head_of(hh)
    changed = apply_changes(
        hh,
        {"penerima_utama_id": main, "penerima_pengganti_id": alternate},
        head.id if head else None,
        "household",
    )
    if changed:
        audit.record(
            "update", "sidilan_household", hh.id, f"menetapkan penerima keluarga #{hh.id}", user=user
        )
    try:
        db.session.commit()
    except StaleDataError:
        return raced(hh)
    return Outcome(record=hh)
