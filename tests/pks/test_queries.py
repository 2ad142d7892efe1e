"""The agreement page runs as many statements with 40 distinct people in its timeline and notes as with 5 (no
query per row for an event's actor or a note's author)."""

from sqlalchemy import select

from blueprints.auth.models import User
from blueprints.core.extensions import db
from blueprints.pks.models import Agreement, Event, Note
from tests.queries import statements
from tests.replay import logged_in


def _add_people(app, agreement_id: int, start: int, n: int) -> None:
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.username == "kerjasama.solok"))
        for i in range(start, start + n):
            user = User(
                username=f"uji.pks.{i}",
                name=f"Petugas Uji {i}",
                password_hash="x",
                role=officer.role,
                organisation_id=officer.organisation_id,
                regency_id=officer.regency_id,
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(
                Event(agreement_id=agreement_id, actor_id=user.id, kind="catatan", reason=f"uji {i}")
            )
            db.session.add(Note(agreement_id=agreement_id, author_id=user.id, text=f"Catatan uji {i}"))
        db.session.commit()


def test_agreement_page_stays_flat_as_distinct_people_grow(app):
    with app.app_context():
        agreement_id = db.session.scalar(
            select(Agreement.id).where(Agreement.jenis == "PKS").order_by(Agreement.id)
        )
    client = logged_in(app, "kerjasama.solok")
    url = f"/pks/{agreement_id}"

    def count() -> int:
        with statements(app) as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    _add_people(app, agreement_id, 0, 5)
    few = count()
    _add_people(app, agreement_id, 5, 35)
    many = count()
    page = client.get(url).get_data(as_text=True)
    assert "Petugas Uji 39" in page and "Catatan uji 39" in page
    assert many == few
