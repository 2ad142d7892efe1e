"""The switchable rules: shown to everyone, switched by an admin (the use cases: ``rules.py``)."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render

from .. import bp
from .. import rules as rule_cases
from ..access import may_switch_rules
from ..forms import RuleForm
from ..rules import RULES, blocking_codes, rule_setting
from ..saving import stale_answer


def _rules_page(is_admin: bool, error: str | None = None, status: int = 200):
    settings = {code: rule_setting(code) for code in RULES}
    return render(
        "pks/rules.html",
        rules=RULES.values(),
        blocking=blocking_codes(),
        is_admin=is_admin,
        versions={code: row.version for code, row in settings.items()},
        error=error,
        status=status,
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
    if form.code.data not in RULES:
        return _rules_page(
            is_admin, "Aturan tidak dikenali. Muat ulang halaman lalu coba lagi.", FORM_INVALID
        )
    row = rule_setting(form.code.data)
    stale = stale_answer(
        form, row, back_url=url_for("pks.rules"), current={"blocking": "1" if row.blocking else "0"}
    )
    if stale:
        return stale
    if not form.validate_on_submit():
        return _rules_page(is_admin, " ".join(e for errs in form.errors.values() for e in errs), FORM_INVALID)
    if not rule_cases.switch(form.code.data, form.blocking.data == "1", current_user):
        abort(409)  # another admin switched this rule for the first time at the same moment
    db.session.commit()
    flash("Aturan disimpan.", "ok")
    return redirect(url_for("pks.rules"))
