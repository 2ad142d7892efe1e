from blueprints.core.render import render

from . import bp


@bp.route("/")
def index():
    return render("rujukan/index.html")
