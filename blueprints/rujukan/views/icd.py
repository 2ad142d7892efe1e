"""ICD-10 search and pick for the diagnosis slots of the referral form (1, 2, 3) and of the reply form
(``jawaban``), both drawn by rujukan/_diag.html."""

from flask import abort, request
from markupsafe import Markup, escape

from blueprints.core import audit
from blueprints.core.render import render

from .. import bp, icd
from ..forms import ReferralForm, ReplyForm

REPLY_SLOT = "jawaban"


def _slot(value: str):
    """A slot of the referral form (1, 2, 3), the reply form's ``jawaban``, else None."""
    return int(value) if value in ("1", "2", "3") else (REPLY_SLOT if value == REPLY_SLOT else None)


@bp.app_template_filter("icd_nama")
def icd_nama(code, stored=None) -> str:
    """A diagnosis as shown on screen and on the letter: its Indonesian name (``icd.display_name``)."""
    return icd.display_name(code, stored)


@bp.app_template_filter("icd_en")
def icd_en(code, shown="") -> Markup:
    """The WHO English name as a secondary line of a search result, when it differs from the one shown."""
    english = icd.english_name(code)
    if not english or english == shown:
        return Markup("")
    return Markup(" <small>") + escape(english) + Markup("</small>")


@bp.route("/icd")
@audit.not_sensitive
def icd_search():
    slot = _slot(request.args.get("slot", ""))
    q = (request.args.get(f"diag_q{slot}") if slot else None) or request.args.get("q") or ""
    q = q.strip()[:60]
    return render("rujukan/icd.html", "rujukan/_icd_results.html", q=q, results=icd.search(q), slot=slot)


@bp.route("/icd/pilih")
@audit.not_sensitive
def icd_pick():
    """htmx: a picked result fills its diagnosis slot."""
    slot = _slot(request.args.get("slot", ""))
    if slot is None:
        abort(404)
    found = icd.lookup(request.args.get("code"))
    form = ReplyForm(formdata=None) if slot == REPLY_SLOT else ReferralForm(formdata=None)
    form[f"diag{slot}" if slot != REPLY_SLOT else "reply_diag"].data = found[0] if found else ""
    return render(
        "rujukan/icd.html",
        "rujukan/_diag.html",
        form=form,
        i=slot,
        diag_names={slot: found[1] if found else ""},
        icd_results={},
        q="",
        results=[],
        slot=None,
    )
