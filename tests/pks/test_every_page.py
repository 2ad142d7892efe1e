"""Every PKS page answers for each reader, as a plain page and under htmx, within the byte budgets."""

import gzip

import pytest

from tests.conftest import HX, AuthActions

PAGES = [
    "/pks/",
    "/pks/daftar",
    "/pks/daftar?q=sidilan&jenis=PKS",
    "/pks/papan",
    "/pks/papan?jenis=KSB",
    "/pks/menunggu",
    "/pks/cakupan",
    "/pks/laporan",
    "/pks/aturan",
    "/pks/rapat/1",
    "/pks/tindak-lanjut",
]
PER_AGREEMENT = ["", "/pihak", "/tahap", "/dokumen", "/surat", "/pelaksanaan", "/wilayah"]


@pytest.mark.parametrize(
    "username", ["kerjasama.sijunjung", "pimpinan.sijunjung"]
)  # Solok: test_byte_budgets
def test_pages_render_for_each_reader(app, ids, username):
    client = app.test_client()
    AuthActions(client).login(username)
    read_only = username.startswith("pimpinan")
    # the stage page is nothing but forms: a reader sees stage, target and slips on the record page
    suffixes = [s for s in PER_AGREEMENT if not (read_only and s == "/tahap")]
    urls = PAGES + [f"/pks/{aid}{suffix}" for aid in ids.values() for suffix in suffixes]
    for url in urls:
        plain = client.get(url)
        assert plain.status_code == 200, url
        assert b"<h1>" in plain.data and len(gzip.compress(plain.data)) <= 14000, url
        hx = client.get(url, headers=HX)
        assert hx.status_code == 200, url
        limit = 14000 if b"<html" in hx.data else 4000
        assert len(gzip.compress(hx.data)) <= limit, url
    writes = [b"Simpan catatan" in client.get(f"/pks/{ids['pks1']}").data]
    assert writes == [not read_only]


def test_the_new_correction_pages_stay_within_the_page_budget(app, ids):
    """The meeting's own edit page (edit, delete, take an agreement off) and the admin's rules page with one
    reminder address per OPD: plain pages within 14,000 B gzipped."""
    officer = app.test_client()
    AuthActions(officer).login("kerjasama.solok")
    edit = officer.get("/pks/rapat/1/ubah")
    assert edit.status_code == 200 and "Hapus rapat" in edit.get_data(as_text=True)
    assert len(gzip.compress(edit.data)) <= 14000
    admin = app.test_client()
    AuthActions(admin).login("admin.solok")
    rules = admin.get("/pks/aturan")
    assert rules.status_code == 200 and "E-mail pengingat per OPD" in rules.get_data(as_text=True)
    assert len(gzip.compress(rules.data)) <= 14000
