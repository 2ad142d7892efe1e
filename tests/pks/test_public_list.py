"""The public "Daftar kerja sama" page (issue 15 part 8): no login, the signed agreements in force with their
partners, scope, dates and status, and nothing internal."""

import gzip
from datetime import date

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.pks.models import Agreement

URL = "/kerja-sama/"


def test_without_login_lists_the_signed_ksb_in_force_and_nothing_internal(app, client):
    r = client.get(URL)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Kesepakatan Bersama Pemerintah Kabupaten Solok dan Pemerintah Kabupaten Sijunjung" in page
    assert "Ditandatangani 25 Januari 2023" in page and "Aktif" in page
    assert "Replikasi aplikasi SIDILAN" in page  # its scope
    with app.app_context():
        ksb = db.session.scalar(select(Agreement).where(Agreement.jenis == "KSB"))
        drafts = db.session.scalars(select(Agreement.judul).where(Agreement.tgl_ttd.is_(None))).all()
        internal = [ksb.sumber[:40], "Roni, S.SSTP"]
    for text in internal:
        assert text not in page
    assert drafts and not any(title in page for title in drafts)  # PKS 1 and 2 are not signed yet
    assert "/pks/" not in page  # no link into the officers' pages
    assert len(gzip.compress(r.data)) <= 14_000


def test_an_agreement_past_its_end_or_ended_is_not_listed(app, client):
    with app.app_context():
        ksb = db.session.scalar(select(Agreement).where(Agreement.jenis == "KSB"))
        ksb.tgl_berakhir = date(2024, 1, 24)
        db.session.commit()
    assert "Kesepakatan Bersama Pemerintah" not in client.get(URL).get_data(as_text=True)
    assert "Belum ada kerja sama yang berlaku" in client.get(URL).get_data(as_text=True)


def test_filtered_by_a_party(app, client):
    solok = client.get(URL, query_string={"pihak": "13.02"}).get_data(as_text=True)
    assert "Kesepakatan Bersama Pemerintah" in solok and 'value="13.02" selected' in solok
    other = client.get(URL, query_string={"pihak": "99.99"}).get_data(as_text=True)  # unknown: all
    assert "Kesepakatan Bersama Pemerintah" in other
