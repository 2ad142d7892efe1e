"""The public usulan page /usulan/ (no login, outside SIDILAN's gate): family or a Wali Jorong reports a person.
Rate-limited per address (``SIDILAN_USULAN_LIMIT``), CSRF-protected, with a honeypot field; Post/Redirect/Get
to a thank-you page that shows the reference number only, never what was sent."""

import re

from flask import Blueprint, redirect, request, url_for

from blueprints.core import audit
from blueprints.core.auth_gate import public
from blueprints.core.extensions import db, limiter
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render

from . import usulan
from .settings import setting
from .usulan_forms import PublicUsulanForm

public_bp = Blueprint("sidilan_public", __name__, url_prefix="/usulan")
_REF = re.compile(r"US-[A-Z0-9]{8}")


@public_bp.route("/", methods=["GET", "POST"])
@audit.not_sensitive
@public
@limiter.limit(lambda: setting("SIDILAN_USULAN_LIMIT"), methods=["POST"])
def usulan_form():
    form = PublicUsulanForm()
    form.kabupaten.choices = {"": "— pilih kabupaten —", **dict(usulan.regency_choices())}
    groups = usulan.nagari_groups()
    if request.method == "POST":
        if (form.website.data or "").strip():  # the honeypot: look done, keep nothing
            return redirect(url_for("sidilan_public.usulan_thanks", ref=usulan.new_reference()), code=303)
        out = usulan.submit_usulan(form)
        if out.replay:
            return redirect(out.replay.url, code=303)
        if out.record is not None:
            ref = out.record.reference
            db.session.commit()
            return redirect(url_for("sidilan_public.usulan_thanks", ref=ref), code=303)
        db.session.rollback()
    return render(
        "sidilan/usulan_public.html",
        form=form,
        groups=groups,
        status=FORM_INVALID if form.errors else 200,
    )


@public_bp.route("/terima-kasih")
@audit.not_sensitive
@public
def usulan_thanks():
    """Shows the reference given in the URL back, and nothing looked up."""
    ref = request.args.get("ref", "")
    return render("sidilan/usulan_thanks.html", ref=ref if _REF.fullmatch(ref) else None)
