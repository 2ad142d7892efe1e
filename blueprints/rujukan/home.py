"""'Perlu perhatian hari ini' panels for facility staff and Dinas Kesehatan."""

from flask import url_for
from sqlalchemy.orm import joinedload

from blueprints.core.extensions import db
from blueprints.core.panels import Panel
from blueprints.core.timeutil import today_local

from .access import is_dinkes
from .models import Referral
from .worklists import LABELS, TONE, matches, open_referrals


def panels(user) -> list[Panel]:
    if is_dinkes(user):
        return [
            Panel(
                "Rujukan lintas kabupaten", [("Rekap bulanan untuk rekonsiliasi", url_for("rujukan.recap"))]
            )
        ]
    if user.organisation is None or user.organisation.facility_level is None:
        return []
    today = today_local()
    refs = list(
        db.session.scalars(open_referrals(user.organisation_id).options(joinedload(Referral.patient)))
    )
    out = []
    for name in LABELS:
        rows = [r for r in refs if matches(name, r, user.organisation_id, today)]
        if not rows:
            continue
        items = [(f"{r.number} · {r.patient.name}", url_for("rujukan.detail", ref_id=r.id)) for r in rows[:5]]
        out.append(
            Panel(
                f"{LABELS[name]} ({len(rows)})",
                items,
                tone=TONE.get(name, ""),
                more_url=url_for("rujukan.worklist_page", daftar=name) if len(rows) > 5 else None,
            )
        )
    return out
