"""Pages of implementation: activities, obligations per party, periodic reports, evaluations (the use cases
are in ``implementation.py``)."""

from flask import abort, request

from blueprints.core import audit
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.timeutil import today_local

from .. import bp, implementation
from ..access import can_write
from ..forms import (
    UNKNOWN_FORM,
    ActivityForm,
    EvaluationForm,
    ObligationForm,
    ObligationStatusForm,
    ReportForm,
)
from ..models import (
    ACTIVITY_STATUS,
    OBLIGATION_STATUS,
    REKOMENDASI,
    REPORT_TO,
    Activity,
    Agreement,
    Evaluation,
    Obligation,
    Report,
)
from ..queries import party_options
from ._common import answer


def _forms(a):
    ob = ObligationForm(prefix="o")
    ob.party_id.choices = [(0, "—")] + [(p.id, f"{p.short_label} ({p.where_short})") for p in a.parties]
    return ActivityForm(prefix="k"), ob, ReportForm(prefix="r"), EvaluationForm(prefix="e")


def _page(a, forms, status=200, error=None):
    act, ob, rep, ev = forms
    rows = implementation.rows_of
    return render(
        "pks/work.html",
        a=a,
        act_form=act,
        ob_form=ob,
        rep_form=rep,
        ev_form=ev,
        error=error,
        activities=rows(Activity, a),
        obligations=rows(Obligation, a),
        reports=rows(Report, a),
        evaluations=rows(Evaluation, a),
        today=today_local(),
        OBLIGATION_STATUS=OBLIGATION_STATUS,
        ACTIVITY_STATUS=ACTIVITY_STATUS,
        REKOMENDASI=REKOMENDASI,
        REPORT_TO=REPORT_TO,
        can_write=can_write(),
        status=status,
    )


@bp.route("/<int:agreement_id>/pelaksanaan", methods=["GET", "POST"])
@audit.not_sensitive
def work(agreement_id):
    a = get_scoped_or_404(Agreement, agreement_id, options=party_options())
    forms = _forms(a)
    if request.method == "POST":
        which = request.form.get("bagian")
        by_section = dict(zip(implementation.SECTIONS, forms, strict=True))
        if not a.is_signed:
            return _page(a, forms, FORM_INVALID, implementation.NOT_SIGNED)
        if which not in by_section:
            return _page(a, forms, FORM_INVALID, UNKNOWN_FORM)
        form = by_section[which]
        if form.validate_on_submit() and (done := answer(implementation.record(a, which, form))):
            return done
        return _page(a, forms, FORM_INVALID)
    return _page(a, forms)


@bp.route("/<int:agreement_id>/kewajiban/<int:obligation_id>", methods=["POST"])
def obligation_status(agreement_id, obligation_id):
    a = get_scoped_or_404(Agreement, agreement_id)
    ob = implementation.obligation_of(a, obligation_id)
    if ob is None:
        abort(404)
    form = ObligationStatusForm()
    out = implementation.save_obligation_status(a, ob, form)
    return answer(out, form) or _page(a, _forms(a), FORM_INVALID, out.error)
