from flask import request

from blueprints.core import audit
from blueprints.core.pagination import paginate
from blueprints.core.render import render

from .. import audit_log, bp
from ..forms import AuditFilterForm


@bp.route("/audit", endpoint="audit_log")
@audit.reads("audit_event", "log audit")
def audit_log_page():
    form = AuditFilterForm(request.args)
    audit_log.fill_choices(form)
    form.validate()
    page = paginate(
        audit_log.events_stmt(form), request.args.get("hal"), per_page=50, filters=[f.name for f in form]
    )
    return render("admin/audit.html", "admin/_audit.html", form=form, page=page)
