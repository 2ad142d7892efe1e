"""Tindak lanjut terbuka: the open action items of the clerk's scope, grouped by owner, with their age and due
date, overdue ones flagged, each linking to its meeting; paged, and small on a phone."""

import gzip
from datetime import date, timedelta

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.pks.minutes import OPEN_PER_PAGE
from blueprints.pks.models import ActionItem, Agreement, Meeting
from tests.clock import TODAY
from tests.pks.scale import add_agreements

from .conftest import regency_id


def _meeting(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Meeting.id).where(Meeting.tanggal == date(2024, 8, 29)))


def _own_meeting(app, aid, held, items) -> int:
    with app.app_context():
        m = Meeting(tanggal=held, tempat="Ruang rapat")
        m.agreements = [db.session.get(Agreement, aid)]
        db.session.add(m)
        db.session.flush()
        for text, owner, due in items:
            db.session.add(ActionItem(meeting_id=m.id, text=text, owner=owner, due=due))
        db.session.commit()
        return m.id


def test_open_items_by_owner_with_age_and_overdue_flag(app, ids, solok):
    home = solok.get("/pks/").get_data(as_text=True)
    assert 'href="/pks/tindak-lanjut"' in home
    page = solok.get("/pks/tindak-lanjut").get_data(as_text=True)
    held = date(2024, 8, 29)
    assert "2 tindak lanjut terbuka" in page and "2 lewat tenggat" in page
    # the two demo items, each under its owner, aged from the meeting, overdue since 6 September 2024
    order = [
        page.index("<h2>Bagian Pemerintahan dan Otda Setda Kab. Sijunjung"),
        page.index("dengan Sekda Kab. Sijunjung"),
        page.index("<h2>Bagian Kerjasama Setda Kab. Solok"),
        page.index("dengan Sekda Kab. Solok"),
    ]
    assert order == sorted(order)
    assert "(Solok)</h2>" in page and "(Sijunjung)</h2>" in page
    assert f"umur {(TODAY - held).days} hari" in page
    assert f"lewat {(TODAY - date(2024, 9, 6)).days} hari" in page
    assert f'href="/pks/rapat/{_meeting(app)}"' in page

    soon = TODAY + timedelta(days=3)
    mid = _own_meeting(
        app, ids["pks1"], TODAY - timedelta(days=1), [("Kirim draf final", "Dinas Kominfo", soon)]
    )
    page = solok.get("/pks/tindak-lanjut").get_data(as_text=True)
    assert "3 tindak lanjut terbuka" in page and "2 lewat tenggat" in page
    assert "Kirim draf final" in page and "umur 1 hari" in page

    # closing an item on its meeting takes it off the list
    with app.app_context():
        tid = db.session.scalar(select(ActionItem.id).where(ActionItem.text == "Kirim draf final"))
    assert solok.post(f"/pks/rapat/{mid}/tindak-lanjut/{tid}", data={"done": "1"}).status_code == 302
    assert "Kirim draf final" not in solok.get("/pks/tindak-lanjut").get_data(as_text=True)


def test_only_the_clerks_scope_is_listed(app, solok, sijunjung):
    with app.app_context():
        (theirs,) = add_agreements(1, "PKS", seed=3)
        a = db.session.get(Agreement, theirs)
        their_regency = regency_id(app, "13.03")
        for p in list(a.parties):
            if p.regency_id != their_regency:
                db.session.delete(p)
        db.session.commit()
    _own_meeting(app, theirs, TODAY, [("Urusan internal Sijunjung", "Bagian Pemerintahan", None)])
    page = solok.get("/pks/tindak-lanjut").get_data(as_text=True)
    assert "Urusan internal Sijunjung" not in page
    assert "Urusan internal Sijunjung" in sijunjung.get("/pks/tindak-lanjut").get_data(as_text=True)


def test_a_long_list_is_paged_and_stays_small(app, ids, solok):
    n = OPEN_PER_PAGE + 10
    _own_meeting(
        app,
        ids["pks1"],
        TODAY - timedelta(days=40),
        [
            (f"Tindak lanjut nomor {i:03d} " + "uraian " * 20, f"OPD {i % 7}", TODAY + timedelta(days=i))
            for i in range(n)
        ],
    )
    first = solok.get("/pks/tindak-lanjut")
    assert first.status_code == 200
    assert len(gzip.compress(first.data)) <= 6000
    body = first.get_data(as_text=True)
    assert f"{n + 2} tindak lanjut terbuka" in body and "Halaman 1 dari 2" in body
    assert body.count("umur ") == OPEN_PER_PAGE
    second = solok.get("/pks/tindak-lanjut?hal=2").get_data(as_text=True)
    assert second.count("umur ") == 12 and "‹ Sebelumnya" in second
    assert solok.get("/pks/tindak-lanjut?hal=x%00").status_code == 200  # junk is the first page
    assert "Halaman 2 dari 2" in solok.get("/pks/tindak-lanjut?hal=99").get_data(as_text=True)


def test_a_reader_sees_the_list(app):
    from tests.conftest import AuthActions

    reader = app.test_client()
    AuthActions(reader).login("pimpinan.sijunjung")
    page = reader.get("/pks/tindak-lanjut").get_data(as_text=True)
    assert "2 tindak lanjut terbuka" in page


def test_each_item_names_its_agreement_and_a_cancelled_agreement_leaves_the_list(app, ids, solok):
    mid = _own_meeting(
        app, ids["pks1"], TODAY - timedelta(days=2), [("Siapkan data sasaran", "Dinas Sosial", None)]
    )
    with app.app_context():
        judul = db.session.get(Agreement, ids["pks1"]).judul
    page = solok.get("/pks/tindak-lanjut").get_data(as_text=True)
    item = page[page.index("Siapkan data sasaran") :].split("</li>")[0]
    assert f'href="/pks/{ids["pks1"]}"' in item and f"PKS: {judul}"[:60] in item
    with app.app_context():
        db.session.get(Agreement, ids["pks1"]).tahap = "dibatalkan"
        db.session.commit()
    page = solok.get("/pks/tindak-lanjut").get_data(as_text=True)
    assert "Siapkan data sasaran" not in page
    assert solok.get(f"/pks/rapat/{mid}").status_code == 200  # the meeting itself stays readable
