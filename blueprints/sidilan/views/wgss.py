"""SIDILAN WG-SS visits: a person's history of WG-SS interviews and the form for a new visit."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.forms import FORM_INVALID
from blueprints.core.outcome import has_errors
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.timeutil import today_local

from .. import bp
from ..access import may_write
from ..disability import wgss_cutoff, wgss_flag
from ..forms import WgssVisitForm
from ..models import Person
from ..wgss import add_wgss_visit, visits_of
from ._common import recorded


@bp.route("/orang/<int:person_id>/wgss", methods=["GET", "POST"])
@audit.reads("sidilan_wgss_visit", "riwayat WG-SS orang")
def wgss_visits(person_id: int):
    person = get_scoped_or_404(Person, person_id)
    # like an elderly assessment: a new visit for a live record that has its disability data
    may_add = may_write(current_user) and person.active and not person.merged_into_id and person.disability
    form = WgssVisitForm()
    if request.method == "POST":
        if not may_add:
            abort(404)
        out = add_wgss_visit(person, form, current_user)
        if out.replay:
            return out.replay.response()
        if out.record is not None:
            flash("Kunjungan WG-SS tersimpan.", "ok")
            return redirect(url_for("sidilan.person_view", person_id=person.id))
    elif form.tgl_wawancara.data is None:
        form.tgl_wawancara.data = today_local()
    cutoff = wgss_cutoff()
    visits = visits_of(person)
    page = render(
        "sidilan/wgss.html",
        p=person,
        form=form,
        visits=[(v, wgss_flag(v.wg_answers, cutoff)) for v in visits],
        cutoff=cutoff,
        may_add=may_add,
        status=FORM_INVALID if has_errors(form) else 200,
    )
    return recorded(page, "view", "sidilan_person", person.id, f"membuka riwayat WG-SS orang #{person.id}")
