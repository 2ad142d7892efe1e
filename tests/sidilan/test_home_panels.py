"""SIDILAN worklist panels on the home page: each shows how many live records wait at its status (the count stops
at the lists' cap and then says so) and links the newest five."""

import re

from sqlalchemy import func, select

from blueprints.auth.models import User
from blueprints.core.extensions import db
from blueprints.sidilan import home
from blueprints.sidilan.models import Person


def _waiting(app, username: str, status: str) -> int:
    with app.app_context():
        regency = db.session.scalar(select(User.regency_id).where(User.username == username))
        return db.session.scalar(
            select(func.count(Person.id)).where(
                Person.regency_id == regency,
                Person.status_verifikasi == status,
                Person.active.is_(True),
                Person.merged_into_id.is_(None),
            )
        )


def _panel_title(html: str, label: str) -> str:
    m = re.search(rf"SIDILAN: {label} \(([^)]*)\)", html)
    assert m, html
    return m.group(1)


def test_verifikator_panel_counts_the_records_waiting(app, client, auth):
    waiting = _waiting(app, "verifikator-nagari.solok", "diajukan")  # the nagari step (docs/sidilan.md §9.1)
    assert waiting > 0
    auth.login("verifikator-nagari.solok")
    html = client.get("/").get_data(as_text=True)
    assert _panel_title(html, "menunggu verifikasi nagari") == str(waiting)
    auth.logout()
    approving = _waiting(app, "verifikator.solok", "diverifikasi")
    auth.login("verifikator.solok")
    html = client.get("/").get_data(as_text=True)
    assert _panel_title(html, "menunggu persetujuan dinas") == str(approving)


def test_panel_count_stops_at_the_cap_and_says_so(app, client, auth, monkeypatch):
    waiting = _waiting(app, "operator.solok", "draf")
    assert waiting > 1
    monkeypatch.setattr(home, "COUNT_CAP", 1)
    auth.login("operator.solok")
    html = client.get("/").get_data(as_text=True)
    assert _panel_title(html, "draf belum diajukan") == "lebih dari 1"
