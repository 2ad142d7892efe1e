from flask import flash, redirect, request, url_for
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.pagination import paginate
from blueprints.core.render import render
from blueprints.core.timeutil import utcnow

from . import bp
from .service import listing, mark_all_read, mark_read, own_or_404, share_text, target_url, wa_link


@bp.route("/")
@audit.reads("pemberitahuan", "daftar pemberitahuan")
def index():
    page = paginate(listing(current_user), request.args.get("hal"), rows=True)
    items = [
        {"n": n, "read": read_at is not None, "url": target_url(n), "wa": wa_link(share_text(n))}
        for n, read_at in page.items
    ]
    return render("notify/index.html", "notify/_list.html", page=page, items=items)


@bp.route("/<int:id>/buka", methods=["POST"])
def open_one(id: int):
    """Marks it read and goes to what it is about (the letter)."""
    row = own_or_404(id, current_user)
    mark_read(row, current_user)
    url = target_url(row) or url_for("notify.index")
    db.session.commit()
    return redirect(url)


@bp.route("/<int:id>/baca", methods=["POST"])
def read_one(id: int):
    mark_read(own_or_404(id, current_user), current_user)
    db.session.commit()
    return redirect(url_for("notify.index"))


@bp.route("/baca-semua", methods=["POST"])
def read_all():
    n = mark_all_read(current_user)
    db.session.commit()
    flash(f"{n} pemberitahuan ditandai sudah dibaca." if n else "Tidak ada pemberitahuan yang belum dibaca.")
    return redirect(url_for("notify.index"))


@bp.route("/<int:id>/selesai", methods=["POST"])
def handled(id: int):
    """The facility marks a rejected/redirected letter handled (e.g. the patient was sent elsewhere by phone):
    it leaves "Perlu perhatian"."""
    row = own_or_404(id, current_user)
    if row.open:
        row.resolved_at = utcnow()
        mark_read(row, current_user)
        audit.record("update", "pemberitahuan", row.id, f"pemberitahuan #{row.id} ditandai sudah ditangani")
        db.session.commit()
        flash("Ditandai sudah ditangani.")
    return redirect(url_for("notify.index"))
