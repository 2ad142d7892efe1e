"""The home page's panels: what waits for the facility to act (a rejected or redirected letter), which stays
until the facility acts on it (a new referral copied from the letter, or "Sudah ditangani"); and the news the
user has not read yet (a letter received, the patient arrived, an answer came), until it is read."""

from flask import url_for

from blueprints.core.panels import Panel

from .service import open_items, target_url, unread_for_bar, unread_news


def panels(user) -> list[Panel]:
    out = []
    total, rows = open_items(user)
    if total:
        items = [(row.text, target_url(row) or url_for("notify.index")) for row in rows]
        out.append(
            Panel(
                f"Rujukan ditolak/dialihkan, perlu ditindaklanjuti ({total})",
                items,
                tone="danger",
                more_url=url_for("notify.index") if total > len(rows) else None,
            )
        )
    if unread_for_bar():  # the top bar's count, loaded with the user: no query when all is read
        news = unread_news(user)
        if news:
            # to the list, where opening one marks it read (a link cannot POST)
            items = [(row.text, url_for("notify.index")) for row in news]
            out.append(Panel("Pemberitahuan baru", items, more_url=url_for("notify.index")))
    return out
