"""The switchable rules: shown to everyone, switched by an admin (the use cases: ``rules.py``)."""

from flask import abort, request
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render
from blueprints.core.versioning import conflict_page

from .. import bp
from .. import rules as rule_cases
from ..access import may_switch_rules
from ..forms import ReminderContactForm, RuleForm, opd_contact_form
from ..rules import RULES, opd_contacts, reminder_contact, rule_settings
from ._common import answer


def _contact_form(submitted: bool = False) -> ReminderContactForm:
    form = ReminderContactForm(prefix="m")
    if not submitted:
        row = reminder_contact(current_user.regency_id)
        form.version.data, form.email.data = row.version, row.email
    return form


def _rules_page(
    is_admin: bool, error: str | None = None, status: int = 200, contact_form=None, opd_form=None, opds=None
):
    settings = rule_settings(current_user.regency_id)
    admin_here = is_admin and current_user.regency_id is not None
    if admin_here and opd_form is None:
        opds = opd_contacts(current_user.regency_id)
        opd_form = opd_contact_form(opds)
    return render(
        "pks/rules.html",
        rules=RULES.values(),
        blocking={code for code, row in settings.items() if row.blocking},
        is_admin=is_admin and current_user.regency_id is not None,
        regency=current_user.regency,
        versions={code: row.version for code, row in settings.items()},
        error=error,
        status=status,
        contact_form=(contact_form or _contact_form()) if admin_here else None,
        opd_form=opd_form if admin_here else None,
        opds=[org for org, _row in opds or ()],
    )


@bp.route("/aturan", methods=["GET", "POST"])
@audit.not_sensitive
def rules():
    is_admin = may_switch_rules()
    if request.method == "GET":
        return _rules_page(is_admin)
    if not is_admin:
        abort(404)
    form = RuleForm()
    out = rule_cases.switch_from_form(form, current_user)
    return answer(out, form) or _rules_page(is_admin, out.error, FORM_INVALID)


@bp.route("/aturan/email", methods=["POST"])
def reminder_contact_save():
    """A regency admin's reminder address (the page is the rules page)."""
    if not may_switch_rules() or current_user.regency_id is None:
        abort(404)
    form = _contact_form(submitted=True)
    out = rule_cases.save_contact(form, current_user)
    return answer(out, form) or _rules_page(True, status=FORM_INVALID, contact_form=form)


@bp.route("/aturan/email-opd", methods=["POST"])
def opd_contacts_save():
    """A regency admin's reminder addresses of its OPDs, in one form (the page is the rules page)."""
    if not may_switch_rules() or current_user.regency_id is None:
        abort(404)
    opds = opd_contacts(current_user.regency_id)
    form = opd_contact_form(opds)
    out = rule_cases.save_opd_contacts(form, opds, list(request.form.keys()), current_user)
    if out.stale:
        return _opd_conflict(out)
    return answer(out, form) or _rules_page(True, status=FORM_INVALID, opd_form=form, opds=opds)


def _opd_conflict(out):
    """The conflict page (409) for addresses changed meanwhile: each OPD's stored and typed address, and a
    button that posts the typed ones again on the current versions."""
    return conflict_page(out.data["rows"], back_url=out.data["url"], versions=out.data["versions"])
