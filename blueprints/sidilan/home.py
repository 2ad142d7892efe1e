"""SIDILAN worklists on the home page ('perlu perhatian hari ini')."""
from flask import url_for
from sqlalchemy import func

from blueprints.core.extensions import db
from blueprints.core.panels import Panel
from blueprints.core.roles import OPERATOR_DINSOS, VERIFIKATOR_DINSOS
from blueprints.core.scope import scoped

from .models import DuplicateCandidate, Person

PANELS = {
    OPERATOR_DINSOS: [("ditolak", "SIDILAN: ditolak, perlu perbaikan", "danger"),
                      ("draf", "SIDILAN: draf belum diajukan", "")],
    VERIFIKATOR_DINSOS: [("diajukan", "SIDILAN: menunggu verifikasi", "warn"),
                         ("diverifikasi", "SIDILAN: menunggu persetujuan dinas", "warn")],
}


def panels(user) -> list[Panel]:
    out = []
    for status, title, tone in PANELS.get(user.role, []):
        base = scoped(Person, user).where(Person.status_verifikasi == status, Person.active.is_(True),
                                          Person.merged_into_id.is_(None))
        rows = list(db.session.scalars(base.order_by(Person.updated_at.desc(), Person.id.desc()).limit(5)))
        total = db.session.scalar(scoped(Person, user, func.count(Person.id)).where(
            Person.status_verifikasi == status, Person.active.is_(True), Person.merged_into_id.is_(None)))
        out.append(Panel(title=f"{title} ({total})",
                         items=[(f"{p.nama_lengkap} (#{p.id})", url_for("sidilan.person_view", person_id=p.id))
                                for p in rows],
                         more_url=url_for("sidilan.index", status=status) if total > len(rows) else None,
                         tone=tone if rows else ""))
    if user.role in PANELS:
        pending = db.session.scalar(scoped(DuplicateCandidate, user, func.count(DuplicateCandidate.id)).where(
            DuplicateCandidate.keputusan.is_(None)))
        out.append(Panel(title="SIDILAN: kemungkinan data ganda",
                         items=[(f"{pending} pasangan perlu diperiksa", url_for("sidilan.duplicates"))]
                         if pending else [], tone="warn" if pending else ""))
    return out
