"""'Perlu perhatian hari ini' panels for facility staff and Dinas Kesehatan."""
from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from blueprints.core.extensions import db
from blueprints.core.panels import Panel
from blueprints.core.timeutil import today_local

from .models import Referral, is_dinkes
from .worklists import LABELS, TONE, worklist


def panels(user) -> list[Panel]:
    if is_dinkes(user):
        return [Panel("Rujukan lintas kabupaten", [("Rekap bulanan untuk rekonsiliasi",
                                                     url_for("rujukan.recap"))])]
    if user.organisation is None or user.organisation.facility_level is None:
        return []
    today = today_local()
    out = []
    for name in LABELS:
        stmt = worklist(name, user.organisation_id, today)
        total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
        if not total:
            continue
        rows = db.session.scalars(stmt.options(joinedload(Referral.patient)).limit(5))
        items = [(f"{r.number or 'draf'} · {r.patient.name}", url_for("rujukan.detail", ref_id=r.id)) for r in rows]
        out.append(Panel(f"{LABELS[name]} ({total})", items, tone=TONE.get(name, ""),
                         more_url=url_for("rujukan.worklist_page", daftar=name) if total > 5 else None))
    return out
