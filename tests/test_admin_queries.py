"""The admin lists run as many statements with many distinct users on the page as with a few (no query per row
for the user's organisation or the event's user)."""

from sqlalchemy import select

from blueprints.auth.models import Organisation, User
from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.wilayah.models import LEVEL_NAGARI, Jorong, Wilayah
from tests.people import colleague
from tests.queries import statements
from tests.replay import logged_in


def _add_users_and_events(app, n: int) -> None:
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin.solok"))
        orgs = db.session.scalars(
            select(Organisation).where(Organisation.regency_id == admin.regency_id)
        ).all()
        for i in range(n):
            org = orgs[i % len(orgs)]
            user = colleague(
                admin,
                "banyak",
                i,
                role="operator_dinsos",
                organisation_id=org.id,
                regency_id=org.regency_id,
            )
            db.session.flush()
            db.session.add(
                AuditEvent(user_id=user.id, regency_id=org.regency_id, action="view", summary="uji")
            )
        db.session.commit()


def _count(app, client, url: str) -> int:
    with statements(app) as seen:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(seen)


def test_user_list_and_audit_log_stay_flat_as_distinct_users_grow(app):
    client = logged_in(app, "admin.solok")
    few = {url: _count(app, client, url) for url in ("/admin/pengguna", "/admin/audit")}
    _add_users_and_events(app, 40)
    many = {url: _count(app, client, url) for url in ("/admin/pengguna", "/admin/audit")}
    assert "uji.banyak.39" in client.get("/admin/audit").get_data(as_text=True)
    assert many == few


def _add_jorongs(app, n: int, start: int = 0) -> None:
    """``n`` jorong of the admin's regency, each in a nagari of its own (the list shows the nagari per row)."""
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin.solok"))
        nagari = db.session.scalars(
            select(Wilayah)
            .where(Wilayah.regency_id == admin.regency_id, Wilayah.level == LEVEL_NAGARI)
            .order_by(Wilayah.code)
            .offset(start)
            .limit(n)
        ).all()
        assert len(nagari) == n
        db.session.add_all(
            Jorong(nagari_code=w.code, name=f"Jorong Uji {start + i}", regency_id=w.regency_id)
            for i, w in enumerate(nagari)
        )
        db.session.commit()


def test_jorong_list_stays_flat_with_50_jorong_in_50_nagari(app):
    urls = [("admin.solok", "/admin/jorong"), ("superadmin", "/admin/jorong")]
    clients = {name: logged_in(app, name) for name, _ in urls}
    _add_jorongs(app, 5)
    few = {(name, url): _count(app, clients[name], url) for name, url in urls}
    _add_jorongs(app, 45, start=5)
    many = {(name, url): _count(app, clients[name], url) for name, url in urls}
    assert "Jorong Uji 49" in clients["admin.solok"].get("/admin/jorong").get_data(as_text=True)
    assert many == few
    assert max(many.values()) <= 5
