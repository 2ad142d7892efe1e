from flask import jsonify
from flask_login import current_user, login_required
from sqlalchemy import text

from blueprints.core import audit
from blueprints.core.auth_gate import public
from blueprints.core.extensions import db, limiter
from blueprints.core.panels import collect_panels
from blueprints.core.render import render
from blueprints.notify.panels import panels as notify_panels

from . import bp

_PING = text("SELECT 1")  # built once: load balancers ask often


@bp.route("/")
@audit.reads("beranda", "beranda: daftar perlu perhatian")
@login_required
def index():
    return render("home/index.html", panels=notify_panels(current_user) + collect_panels(current_user))


@bp.route("/healthz")
@audit.not_sensitive
@public
@limiter.exempt
def healthz():
    try:
        db.session.execute(_PING)
    except Exception:  # the point is to answer, whatever the database does
        db.session.rollback()
        return jsonify(status="error", database="tidak terhubung"), 503
    return jsonify(status="ok", database="ok")
