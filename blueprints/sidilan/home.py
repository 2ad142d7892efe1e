"""SIDILAN worklists on the home page ('perlu perhatian hari ini')."""

from flask import url_for
from sqlalchemy import func, literal, select

from blueprints.core.extensions import db
from blueprints.core.fmt import angka
from blueprints.core.pagination import COUNT_CAP
from blueprints.core.panels import Panel
from blueprints.core.roles import VERIFIKATOR_NAGARI
from blueprints.core.scope import scoped

from .models import DuplicateCandidate, Person
from .workflow import WORKLISTS, in_status


def panels(user) -> list[Panel]:
    out = []
    for status, title, tone in WORKLISTS.get(user.role, []):
        # one query per panel: the five newest rows, each carrying the panel's count, which stops at COUNT_CAP
        # rows like every list's (a window count would read every row of the status)
        capped = in_status(user, status).with_only_columns(literal(1)).limit(COUNT_CAP + 1).subquery()
        counted = select(func.count()).select_from(capped).scalar_subquery()
        found = db.session.execute(
            in_status(user, status)
            .add_columns(counted.label("total"))
            .order_by(Person.updated_at.desc(), Person.id.desc())
            .limit(5)
        ).all()
        rows = [p for p, _ in found]
        total = found[0].total if found else 0
        shown = f"lebih dari {angka(COUNT_CAP)}" if total > COUNT_CAP else angka(total)
        out.append(
            Panel(
                title=f"SIDILAN: {title[0].lower()}{title[1:]} ({shown})",
                items=[
                    (f"{p.nama_lengkap} (#{p.id})", url_for("sidilan.person_view", person_id=p.id))
                    for p in rows
                ],
                more_url=url_for("sidilan.index", status=status) if total > len(rows) else None,
                tone=tone if rows else "",
            )
        )
    if user.role in WORKLISTS and user.role != VERIFIKATOR_NAGARI:  # duplicates are a regency-wide page
        pending = db.session.scalar(
            scoped(DuplicateCandidate, user, func.count(DuplicateCandidate.id)).where(
                DuplicateCandidate.keputusan.is_(None)
            )
        )
        out.append(
            Panel(
                title="SIDILAN: kemungkinan data ganda",
                items=[(f"{pending} pasangan perlu diperiksa", url_for("sidilan.duplicates"))]
                if pending
                else [],
                tone="warn" if pending else "",
            )
        )
    return out
