"""SIDILAN "entri cepat": paper forms typed one person after another (issue 13 part 3). The registration is
``person.save_person``, the same as the normal form; this view only lays the form out in the paper form's order
and, after each save, starts the next person with the household carried over."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.forms import FORM_INVALID
from blueprints.core.outcome import Outcome, has_errors
from blueprints.core.render import render
from blueprints.core.roles import roles_required
from blueprints.core.scope import get_scoped_or_404
from blueprints.wilayah.service import Cascade, is_cascade_refresh

from .. import bp
from ..access import ENTRY_ROLES
from ..fast_entry import FastEntryForm, household_values
from ..models import Person
from ..person import save_person
from ._common import _place_values, recorded
from .persons import FILL_BUTTON, _decode_for, fill_from_nik


@bp.route("/entri-cepat", methods=["GET", "POST"])
@audit.reads("sidilan_person", "entri cepat")
@roles_required(*ENTRY_ROLES)
def fast_entry():
    last = None
    out = Outcome()
    if request.method == "POST":
        form = FastEntryForm()
        cascade = Cascade.build(current_user.regency, request.form, required=True)
        if FILL_BUTTON in request.form:
            cascade = fill_from_nik(form, cascade)
        elif not is_cascade_refresh(request.form):
            out = save_person(
                None, form, cascade, current_user, done_url=lambda p: url_for("sidilan.fast_entry", dari=p.id)
            )
            if out.replay:
                return out.replay.response()
            if out.record is not None:
                for w in out.warnings:
                    flash("Peringatan: " + w, "warn")
                if out.related:
                    flash("Ada data lain yang mungkin orang yang sama; periksa di menu Duplikat.", "warn")
                return redirect(url_for("sidilan.fast_entry", dari=out.record.id))
    elif request.args.get("dari", type=int):
        # the person just saved: their name as the confirmation, their household for the next one
        last = get_scoped_or_404(Person, request.args.get("dari", type=int))
        form = FastEntryForm(data=household_values(last))
        cascade = Cascade.build(current_user.regency, _place_values(last), required=True)
    else:
        form = FastEntryForm()
        cascade = Cascade.build(current_user.regency, {}, required=True)
    page = render(
        "sidilan/fast_entry.html",
        form=form,
        cascade=cascade,
        errors=out.errors,
        last=last,
        decode=_decode_for(form),
        status=FORM_INVALID if has_errors(form, out.errors) else 200,
    )
    if last is not None:
        return recorded(page, "view", "sidilan_person", last.id, f"entri cepat setelah orang #{last.id}")
    return page
