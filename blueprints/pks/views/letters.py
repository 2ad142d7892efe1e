"""Correspondence of an agreement (the use cases: ``letters.py``)."""

from flask import request
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404

from .. import bp
from .. import letters as letter_cases
from ..access import can_write
from ..forms import LetterForm
from ..models import Agreement
from ._common import answer


@bp.route("/<int:agreement_id>/surat", methods=["GET", "POST"])
@audit.not_sensitive
def letters(agreement_id):
    a = get_scoped_or_404(Agreement, agreement_id)
    form = LetterForm()
    if form.validate_on_submit() and (done := answer(letter_cases.add_letter(a, form, current_user))):
        return done
    return render(
        "pks/letters.html",
        a=a,
        form=form,
        rows=letter_cases.letters_of(a),
        can_write=can_write(),
        status=FORM_INVALID if request.method == "POST" else 200,
    )
