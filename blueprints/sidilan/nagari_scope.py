"""The nagari verifier's narrower scope (docs/sidilan.md §9.1): a ``verifikator_nagari`` sees the persons and
households of the nagari assigned to its account (auth.UserNagari) and nothing else of the regency.

- ``clause``: the scope condition of Person and Household (their ``scope_clause``), one subquery, no extra query;
- ``gate``: the module pages a nagari verifier may open at all. Regency-wide pages (dashboard, reports,
  imports, duplicates, programs) answer 404 for it; pages of one person (``/orang/<id>/...``) pass, since they
  load the person through the scoped query.
"""

from flask import abort, request
from flask_login import current_user

from blueprints.auth.models import UserNagari
from blueprints.core.roles import VERIFIKATOR_NAGARI

# the pages beside the person pages that a nagari verifier opens
NAGARI_ENDPOINTS = frozenset(
    {
        "sidilan.index",
        "sidilan.export",  # the list's export: the same scoped rows
        "sidilan.worklist",
        "sidilan.bulk_step",
        "sidilan.bulk_result",
        "sidilan.verval",
        "sidilan.verval_record",
        "sidilan.verval_sheet",
        "sidilan.household",
        # the documents beside the fields at the nagari step (each read checks its person or household's scope)
        "sidilan.document_file",
        "sidilan.document_thumb",
        "sidilan.document_download",
        "sidilan.household_documents",
    }
)
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
    if request.endpoint in NAGARI_ENDPOINTS or rule == PERSON_RULE or rule.startswith(PERSON_RULE + "/"):
        return None
    abort(404)
