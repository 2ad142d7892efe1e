"""The home page's panel of what waits for the facility to act (a rejected or redirected letter), which stays
until the facility acts on it: a new referral copied from the letter, or "Sudah ditangani"."""

from flask import url_for

from blueprints.core.panels import Panel

from .service import open_items, target_url


def panels(user) -> list[Panel]:
    total, rows = open_items(user)
    if not total:
        return []
    items = [(row.text, target_url(row) or url_for("notify.index")) for row in rows]
    return [
        Panel(
            f"Rujukan ditolak/dialihkan, perlu ditindaklanjuti ({total})",
            items,
            tone="danger",
            more_url=url_for("notify.index") if total > len(rows) else None,
        )
    ]
