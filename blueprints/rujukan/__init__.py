from flask import Blueprint

from blueprints.core import roles as R
from blueprints.core.modules import Module

bp = Blueprint("rujukan", __name__, url_prefix="/rujukan")

from . import cli, demo, home, views  # noqa: E402,F401
from .views.verify import verify_bp  # noqa: E402

# The public /v/<code> page (no login) lives outside the module's gate. Referrals link to SIDILAN persons and to
# the PKS that is the border-area basis (links.py), so those modules' demo rows come first.
MODULE = Module(
    "rujukan",
    "Rujukan",
    frozenset({R.PETUGAS_FASKES}),
    bp,
    demo=demo.load,
    panels=home.panels,
    extra_blueprints=(verify_bp,),
    requires=("sidilan", "pks"),
)
