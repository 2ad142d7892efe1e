"""The agreement page runs as many statements with 40 distinct people in its timeline and notes as with 5 (no
query per row for an event's actor or a note's author)."""

from sqlalchemy import select

from blueprints.auth.models import User
from blueprints.core.extensions import db
from blueprints.pks.models import Agreement, Event, Note
from tests.people import colleague
from tests.queries import statements
from tests.replay import logged_in


def _add_people(app, agreement_id: int, start: int, n: int) -> None:
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.username == "kerjasama.solok"))
        for i in range(start, start + n):
            user = colleague(officer, "pks", i)
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


# ---- every Kerja Sama page: at most 6 statements, the same at 5 and at 50 related rows ----------------------

MAX_STATEMENTS = 6
PAGES = [
    "/",
    "/pks/",
    "/pks/perhatian/reminders",
    "/pks/perhatian/waiting_signature",
    "/pks/daftar",
    "/pks/daftar?tahap=siap_ttd",
    "/pks/papan",
    "/pks/papan?jenis=PKS&semua=1",
    "/pks/papan?jenis=KSB",
    "/pks/cakupan",
    "/pks/menunggu",
    "/pks/laporan",
    "/pks/laporan.xlsx",
    "/pks/laporan.pdf",
    "/pks/laporan.docx",
    "/pks/aturan",
    "/pks/baru",
    "/pks/{pks}",
    "/pks/{pks}/ubah",
    "/pks/{pks}/turunan",
    "/pks/{pks}/wilayah",
    "/pks/{pks}/dokumen",
    "/pks/{pks}/surat",
    "/pks/{pks}/rapat/baru",
    "/pks/{pks}/pihak",
    "/pks/{pks}/tahap",
    "/pks/{pks}/pelaksanaan",
    "/pks/{pks}/lembar.pdf",
    "/pks/{pks}/linimasa.pdf",
    "/pks/{ksb}",
    "/pks/{ksb}/ruang-lingkup",
    "/pks/{ksb}/lembar.pdf",
    "/pks/rapat/{meeting}",
    "/pks/rapat/{meeting}/paket.pdf",
]


def _grow(app, ids, n: int, tag: str) -> None:
    from tests.pks.scale import add_agreements, grow_agreement, grow_ksb

    with app.app_context():
        grow_agreement(ids["pks"], ids["meeting"], n, tag)
        grow_ksb(ids["ksb"], n, tag)
        add_agreements(n, "PKS", seed=n)
        add_agreements(n, "KSB", seed=n + 1)
        db.session.commit()


def test_every_page_runs_at_most_six_statements_flat_from_5_to_50_rows(app):
    from blueprints.pks.demo import KSB_TITLE, PKS1_TITLE
    from blueprints.pks.models import Meeting

    with app.app_context():
        ids = {
            "pks": db.session.scalar(select(Agreement.id).where(Agreement.judul == PKS1_TITLE)),
            "ksb": db.session.scalar(select(Agreement.id).where(Agreement.judul == KSB_TITLE)),
            "meeting": db.session.scalar(select(Meeting.id).order_by(Meeting.id)),
        }
    # the report pack is counted as the file made in the request; over PKS_REPORT_JOB_ROWS agreements it is a
    # background job instead (tests/pks/test_outputs.py)
    app.config["PKS_REPORT_JOB_ROWS"] = 10_000
    client = logged_in(app, "kerjasama.solok")
    urls = [p.format(**ids) for p in PAGES]
    ceiling = {p.format(**ids): MAX_STATEMENTS for p in PAGES}

    def counts() -> dict[str, int]:
        out = {}
        for url in urls:
            with statements(app) as seen:
                assert client.get(url).status_code == 200, url
            out[url] = len(seen)
        return out

    _grow(app, ids, 5, "a")
    few = counts()
    _grow(app, ids, 45, "b")
    many = counts()
    page = client.get(f"/pks/{ids['pks']}/pihak").get_data(as_text=True)
    assert "Penandatangan b 44" in page  # the 50 rows are really on the pages counted
    bad = {u: (few[u], many[u]) for u in urls if few[u] > ceiling[u] or many[u] != few[u]}
    assert not bad, "\n".join(f"{u}: {f} at 5 rows, {m} at 50" for u, (f, m) in bad.items())


def test_record_names_a_waited_on_regency_that_is_not_a_party(app):
    """The record page names the regency it waits on from its parties' rows, and reads all the names only for
    a regency that is not a party."""
    from blueprints.auth.models import Regency
    from blueprints.pks.demo import PKS1_TITLE

    with app.app_context():
        other = Regency(code="13.99", name="Kabupaten Uji Lain")
        db.session.add(other)
        db.session.flush()
        a = db.session.scalar(select(Agreement).where(Agreement.judul == PKS1_TITLE))
        a.menunggu, agreement_id = f"regency:{other.id}", a.id
        db.session.commit()
    page = logged_in(app, "kerjasama.solok").get(f"/pks/{agreement_id}").get_data(as_text=True)
    assert "menunggu Kab. Uji Lain" in page
