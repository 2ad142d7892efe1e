from blueprints.core.render import render

from . import bp
from . import models  # noqa: F401  (register the tables)


@bp.route("/")
def index():
    return render("pks/index.html")
