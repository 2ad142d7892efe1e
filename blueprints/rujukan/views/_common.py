"""Template helpers of the module's pages: letter status, value lists, vital-sign numbers."""

from blueprints.core.timeutil import today_local

from .. import bp
from .. import lists as L
from ..models import STATUS_LABELS, STATUS_TONE, Referral


@bp.app_template_global("rj_status")
def rj_status(ref: Referral) -> tuple[str, str]:
    status = ref.effective_status(today_local())
    return STATUS_LABELS[status], STATUS_TONE.get(status, "")


@bp.context_processor
def _lists():
    return {"L": L}


@bp.app_template_filter("rjnum")
def rjnum(value) -> str:
    """36.8 -> '36,8', 58.0 -> '58', None -> '–' (vital signs on screen and paper)."""
    if value is None:
        return "–"
    return f"{value:g}".replace(".", ",")
