"""SIDILAN duplicate review views: open cases, side-by-side comparison and decision."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from blueprints.core import audit
from blueprints.core.forms import FORM_INVALID
from blueprints.core.outcome import has_errors
from blueprints.core.pagination import paginate
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404

from .. import bp
from ..access import may_see_nik, may_staff
from ..changelog import compare_rows
from ..duplicates import REASON_LABELS, decide_duplicate, open_cases_stmt
from ..forms import DuplicateDecisionForm
from ..models import DuplicateCandidate, Person
from ._common import recorded


@bp.route("/duplikat")
@audit.reads("sidilan_duplicate", "daftar kemungkinan duplikat")
def duplicates():
    page = paginate(open_cases_stmt(current_user), request.args.get("hal"))
    return render("sidilan/duplicates.html", page=page, reasons=REASON_LABELS)


@bp.route("/duplikat/<int:cand_id>", methods=["GET", "POST"])
@audit.reads("sidilan_duplicate", "perbandingan duplikat")
def duplicate_review(cand_id: int):
    cand = get_scoped_or_404(
        DuplicateCandidate,
        cand_id,
        # the pair with the places the comparison names, in the same statement
        options=tuple(
            joinedload(side).joinedload(place)
            for side in (DuplicateCandidate.person_a, DuplicateCandidate.person_b)
            for place in (Person.kecamatan, Person.nagari, Person.jorong)
        ),
    )
    form = DuplicateDecisionForm()
    form.keep.choices = [
        (cand.person_a_id, f"#{cand.person_a_id}"),
        (cand.person_b_id, f"#{cand.person_b_id}"),
    ]
    if request.method == "POST":
        if not may_staff(current_user):
            abort(404)
        out = decide_duplicate(cand, form, current_user)
        if out.replay:
            return out.replay.response()
        if out.error:
            flash(out.error, "error")
            return redirect(url_for("sidilan.duplicate_review", cand_id=cand.id))
        if out.record is not None:
            if cand.keputusan == "duplikat":
                flash(f"Data digabung ke #{form.keep.data}.", "ok")
            else:
                flash("Dicatat: bukan duplikat. Pasangan ini tidak akan ditanyakan lagi.", "ok")
            return redirect(out.redirect)
    page = render(
        "sidilan/duplicate.html",
        cand=cand,
        a=cand.person_a,
        b=cand.person_b,
        form=form,
        rows=compare_rows(cand.person_a, cand.person_b, may_see_nik(current_user)),
        reasons=REASON_LABELS,
        may_decide=may_staff(current_user),
        status=FORM_INVALID if has_errors(form) else 200,
    )
    summary = f"membandingkan orang #{cand.person_a_id} dan #{cand.person_b_id}"
    return recorded(page, "view", "sidilan_duplicate", cand.id, summary)
