"""Parties, signatories and agreement numbers of an agreement, and their corrections (the use cases:
``parties.py``). Another side's party, signatory or number has no form for this user: 404."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render

from .. import bp
from .. import parties as party_cases
from ..access import can_write, owns_party
from ..forms import (
    UNKNOWN_FORM,
    NumberEditForm,
    NumberForm,
    PartyEditForm,
    PartyForm,
    RemoveForm,
    SignatoryEditForm,
    SignatoryForm,
)
from ..models import Agreement, DocNumber, Party, Signatory
from ..outcome import Locked
from ._common import answer, get_agreement


def _party_forms(a: Agreement):
    party_form = PartyForm(prefix="p")
    party_cases.fill_party_form(party_form)
    sig_form = SignatoryForm(prefix="s")
    num_form = NumberForm(prefix="n")
    sig_form.party_id.choices = num_form.party_id.choices = party_cases.party_choices(a, current_user)
    return party_form, sig_form, num_form


def _parties_page(a, party_form, sig_form, num_form, status=200, error=None):
    numbers = {n.party_id: n for n in a.numbers}
    return render(
        "pks/parties.html",
        a=a,
        party_form=party_form,
        sig_form=sig_form,
        num_form=num_form,
        numbers=numbers,
        can_write=can_write(),
        owns=owns_party,
        status=status,
        error=error,
    )


@bp.route("/<int:agreement_id>/pihak", methods=["GET", "POST"])
@audit.not_sensitive
def parties(agreement_id):
    a = get_agreement(agreement_id)
    party_form, sig_form, num_form = _party_forms(a)
    if request.method == "POST":
        if a.is_locked:
            flash(Locked.message, "error")
            return redirect(url_for("pks.parties", agreement_id=a.id))
        which = request.form.get("bagian")
        forms = {
            "pihak": (party_form, party_cases.add_party),
            "penandatangan": (sig_form, party_cases.add_signatory),
            "nomor": (num_form, party_cases.record_number),
        }
        error = None
        if which in forms:
            form, make = forms[which]
            if form.validate_on_submit() and (done := answer(make(a, form, current_user))):
                return done
        else:
            error = UNKNOWN_FORM
        return _parties_page(a, party_form, sig_form, num_form, status=FORM_INVALID, error=error)
    return _parties_page(a, party_form, sig_form, num_form)


# ---- one party's part: the forms exist only for the side that owns it ---------------------------------


def _owned_party(a: Agreement, party: Party | None) -> Party:
    if party is None or party.agreement_id != a.id or not owns_party(party):
        abort(404)
    return party


def _part_page(a, obj, title, form, remove_form, endpoints, status=200, error=None):
    """The page of one owned record: its edit (a koreksi after signing) and, before signing, its delete."""
    edit, delete, id_name = endpoints
    ids = {"agreement_id": a.id, id_name: obj.id}
    return render(
        "pks/party_part.html",
        a=a,
        title=title,
        form=form,
        remove_form=remove_form,
        edit_url=url_for(edit, **ids),
        delete_url=None if a.is_locked else url_for(delete, **ids),
        koreksi=a.is_locked,
        status=status,
        error=error,
    )


def _remove_form(obj) -> RemoveForm:
    """The delete form under the record's edit form, on the version shown (never what the edit posted)."""
    form = RemoveForm(prefix="d", formdata=None)
    form.version.data = obj.version
    return form


def _edit(a, obj, form, save, title, endpoints):
    """GET shows the record's form; POST saves it (PRG), or shows it again with its messages (422)."""
    if request.method == "POST":
        if form.validate_on_submit() and (done := answer(save(a, obj, form, current_user), form)):
            return done
        return _part_page(a, obj, title, form, _remove_form(obj), endpoints, FORM_INVALID)
    return _part_page(a, obj, title, form, _remove_form(obj), endpoints)


def _remove(a, obj, remove, title, edit_form, endpoints):
    """Delete with a reason on the version shown (PRG); a delete from an older version gets the conflict page
    (409); otherwise the record's page again with the message (422)."""
    remove_form = RemoveForm(prefix="d")
    out = remove(a, obj, remove_form, current_user)
    if done := answer(out, remove_form):
        return done
    return _part_page(a, obj, title, edit_form, remove_form, endpoints, FORM_INVALID, error=out.error)


PARTY = ("pks.party_edit", "pks.party_delete", "party_id")
SIGNATORY = ("pks.signatory_edit", "pks.signatory_delete", "signatory_id")
NUMBER = ("pks.number_edit", "pks.number_delete", "number_id")


def _party_edit_form(party: Party, posted: bool = True):
    """The party's edit form: what was posted, or (``posted`` False, or a GET) what is stored."""
    posted = posted and request.method == "POST"
    form = PartyEditForm(obj=party) if posted else PartyEditForm(formdata=None, obj=party)
    if not posted:
        form.regency_id.data = party.regency_id or 0
        form.organisation_id.data = party.organisation_id or 0
    party_cases.fill_party_form(form)
    return form


@bp.route("/<int:agreement_id>/pihak/<int:party_id>", methods=["GET", "POST"])
@audit.not_sensitive
def party_edit(agreement_id, party_id):
    a = get_agreement(agreement_id)
    party = _owned_party(a, db.session.get(Party, party_id))
    if a.is_locked:
        flash(Locked.message, "error")
        return redirect(url_for("pks.parties", agreement_id=a.id))
    title = f"Ubah {party.urutan_label}: {party.short_label}"
    return _edit(a, party, _party_edit_form(party), party_cases.save_party, title, PARTY)


@bp.route("/<int:agreement_id>/pihak/<int:party_id>/hapus", methods=["POST"])
def party_delete(agreement_id, party_id):
    a = get_agreement(agreement_id)
    party = _owned_party(a, db.session.get(Party, party_id))
    title = f"Ubah {party.urutan_label}: {party.short_label}"
    return _remove(a, party, party_cases.remove_party, title, _party_edit_form(party, posted=False), PARTY)


def _owned_signatory(a: Agreement, signatory_id: int) -> Signatory:
    row = db.session.get(Signatory, signatory_id)
    _owned_party(a, row.party if row else None)
    return row


def _signatory_title(a, row):
    return f"{'Koreksi' if a.is_locked else 'Ubah'} penandatangan {row.party.short_label}"


@bp.route("/<int:agreement_id>/penandatangan/<int:signatory_id>", methods=["GET", "POST"])
@audit.not_sensitive
def signatory_edit(agreement_id, signatory_id):
    a = get_agreement(agreement_id)
    row = _owned_signatory(a, signatory_id)
    form = SignatoryEditForm(obj=row)
    title = _signatory_title(a, row)
    return _edit(a, row, form, party_cases.save_signatory, title, SIGNATORY)


@bp.route("/<int:agreement_id>/penandatangan/<int:signatory_id>/hapus", methods=["POST"])
def signatory_delete(agreement_id, signatory_id):
    a = get_agreement(agreement_id)
    row = _owned_signatory(a, signatory_id)
    form = SignatoryEditForm(formdata=None, obj=row)
    return _remove(a, row, party_cases.remove_signatory, _signatory_title(a, row), form, SIGNATORY)


def _owned_number(a: Agreement, number_id: int) -> DocNumber:
    number = db.session.get(DocNumber, number_id)
    if number is None or number.agreement_id != a.id:
        abort(404)
    _owned_party(a, number.party)
    return number


def _number_title(a, number):
    return f"{'Koreksi' if a.is_locked else 'Ubah'} nomor {number.party.short_label}"


@bp.route("/<int:agreement_id>/nomor/<int:number_id>", methods=["GET", "POST"])
@audit.not_sensitive
def number_edit(agreement_id, number_id):
    a = get_agreement(agreement_id)
    number = _owned_number(a, number_id)
    form = NumberEditForm(obj=number)
    title = _number_title(a, number)
    return _edit(a, number, form, party_cases.save_number, title, NUMBER)


@bp.route("/<int:agreement_id>/nomor/<int:number_id>/hapus", methods=["POST"])
def number_delete(agreement_id, number_id):
    a = get_agreement(agreement_id)
    number = _owned_number(a, number_id)
    form = NumberEditForm(formdata=None, obj=number)
    return _remove(a, number, party_cases.remove_number, _number_title(a, number), form, NUMBER)
