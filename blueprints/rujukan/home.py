"""'Perlu perhatian hari ini' panels for facility staff and Dinas Kesehatan."""

from flask import url_for

from blueprints.core.panels import Panel
from blueprints.core.timeutil import today_local

from .access import is_dinkes
from .worklists import LABELS, TONE, panels_of


def panels(user) -> list[Panel]:
    if is_dinkes(user):
        return [
            Panel(
                "Rujukan lintas kabupaten", [("Rekap bulanan untuk rekonsiliasi", url_for("rujukan.recap"))]
            )
        ]
    if user.organisation is None or user.organisation.facility_level is None:
        return []
    out = []
    for name, (count, lines) in panels_of(user.organisation_id, today_local()).items():
        items = [
            (f"{line.number} · {line.patient}", url_for("rujukan.detail", ref_id=line.ref_id))
            for line in lines
        ]
        out.append(
            Panel(
                f"{LABELS[name]} ({count})",
                items,
                tone=TONE.get(name, ""),
                more_url=url_for("rujukan.worklist_page", daftar=name) if count > len(lines) else None,
            )
        )
    return out
