"""The nagari verifier's narrower scope (docs/sidilan.md §9.1): a ``verifikator_nagari`` sees the persons and
households of the nagari assigned to its account (auth.UserNagari) and nothing else of the regency.

- ``clause``: the scope condition of Person and Household (their ``scope_clause``), one subquery, no extra query;
- ``gate``: the module pages a nagari verifier may open at all (views marked ``@nagari_open``). Regency-wide pages (dashboard, reports,
  imports, duplicates, programs) answer 404 for it; pages of one person (``/orang/<id>/...``) pass, since they
  load the person through the scoped query.
"""

from flask import abort, current_app, request
from flask_login import current_user

from blueprints.auth.models import UserNagari
from blueprints.core.roles import VERIFIKATOR_NAGARI

NAGARI_OPEN = "nagari_open"


def nagari_open(view):
    """Marks a view beside the person pages that a nagari verifier may open (the list, its export, the
    worklists, verval, a household, the documents): the mark sits on the view, so the view says who opens it.
    Each such view still loads its rows through the scoped queries."""
    setattr(view, NAGARI_OPEN, True)
    return view


PERSON_RULE = "/sidilan/orang/<int:person_id>"


def assigned_nagari(user):
    """The nagari codes of a nagari verifier, as a subquery."""
    return UserNagari.codes_of(user.id)


def clause(model, user):
    """Same regency; for a nagari verifier also one of its nagari (none assigned: nothing)."""
    cond = model.regency_id == user.regency_id
    if user.role == VERIFIKATOR_NAGARI:
        cond = cond & model.nagari_code.in_(assigned_nagari(user))
    return cond


def gate():
    """before_request of the SIDILAN blueprint (after the module's login/role gate)."""
    if not current_user.is_authenticated or current_user.role != VERIFIKATOR_NAGARI:
        return None
    rule = request.url_rule.rule if request.url_rule else ""
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, NAGARI_OPEN, False) or rule == PERSON_RULE or rule.startswith(PERSON_RULE + "/"):
        return None
    abort(404)
