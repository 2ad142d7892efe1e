from . import models  # noqa: F401  (tables registered before create_all)
from blueprints.core.render import render

from . import bp


@bp.route("/")
def index():
    return render("sidilan/index.html")
