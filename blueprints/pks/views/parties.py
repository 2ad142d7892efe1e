"""Parties, signatories and agreement numbers of an agreement (the use cases: ``parties.py``)."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from blueprints.auth.models import regency_choices
from blueprints.core import audit
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render

from .. import bp
from .. import parties as party_cases
from ..access import can_write
from ..forms import UNKNOWN_FORM, NumberForm, PartyForm, SignatoryForm
from ..models import Agreement
from ..outcome import Locked
from ._common import answer, get_agreement


def _party_forms(a: Agreement, prefix_data: bool = False):
    party_form = PartyForm(prefix="p")
    party_form.regency_id.choices = regency_choices()
    sig_form = SignatoryForm(prefix="s")
    num_form = NumberForm(prefix="n")
    sig_form.party_id.choices = num_form.party_id.choices = party_cases.party_choices(a)
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
