"""Every SIDILAN form: empty, 10,000-character and script-tag input gets a message, never a 500."""
from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.sidilan.models import Person

from .conftest import person_by_name, person_id_of

VALUES = ("", "x" * 10_000, "<script>alert(1)</script>")


def _check(response):
    assert response.status_code < 500
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    return html


def test_every_form_survives_bad_input(app, client, auth, person_data):
    auth.login("operator.solok")
    client.post("/sidilan/orang/baru", data=person_data())
    pid = person_by_name(app, "Marlinda").id
    syamsul = person_id_of(app, "Syamsul Bahri")
    for v in VALUES:
        html = _check(client.post(f"/sidilan/orang/{pid}/disabilitas", data={
            "ragam": ["fisik"], "penyebab": v, "surat_penerbit": v, "tahun_mulai": v, "surat_tanggal": v}))
        if v:
            assert "Pilihan tidak sah" in html or "maksimal" in html or "bilangan bulat" in html or "Tanggal" in html
        _check(client.post(f"/sidilan/orang/{pid}/bantuan", data={
            "program_id": v, "tahun": v, "tahap": v, "uraian_barang": v, "catatan": v, "nilai_rp": v}))
        _check(client.post(f"/sidilan/orang/{syamsul}/asesmen", data={"tgl_asesmen": v, "kebutuhan": v}))
        _check(client.post(f"/sidilan/orang/{pid}/status", data={"action": v, "note": v}, follow_redirects=True))
        _check(client.post("/sidilan/duplikat/1", data={"keputusan": v, "keep": v}))
        _check(client.post("/sidilan/bantuan/1/status", data={"status": v}, follow_redirects=True))
        _check(client.get("/sidilan/", query_string={"q": v, "kecamatan": v, "nagari": v, "jorong": v, "ragam": v,
                                                      "lansia": v, "status": v, "program": v, "hal": v}))
        _check(client.get("/sidilan/cek-nik", query_string={"nik": v, "tanggal_lahir": v, "jenis_kelamin": v}))
    long_note = client.post(f"/sidilan/orang/{pid}/status", data={"action": "ajukan", "note": "x" * 10_000},
                            follow_redirects=True)
    assert "maksimal 500 karakter" in long_note.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Person.status_verifikasi).where(Person.id == pid)) == "draf"
    auth.logout()
    auth.login("verifikator.solok")
    for v in VALUES:
        _check(client.post("/sidilan/program/baru", data={"kode": v, "nama": v, "sasaran": v}))


def test_household_and_paper_form_survive_bad_input(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, "Rosmaniar")
    with app.app_context():
        hh = db.session.get(Person, pid).household_id
    for v in VALUES:
        html = _check(client.post(f"/sidilan/keluarga/{hh}", data={
            "alamat": v, "rt": v, "rw": v, "desil_dtsen": v, "tgl_cek_dtsen": v, "lintang": v, "bujur": v,
            "kondisi_rumah": v, "sumber_penghasilan": v, "kecamatan": v, "nagari": v, "jorong": v}))
        if v.startswith("x"):
            assert "maksimal 250 karakter" in html and 'value="xxxx' in html  # message at the field, input kept
        _check(client.get("/sidilan/cetak/formulir", query_string={"cetak": "1", "kecamatan": v, "nagari": v,
                                                                    "jorong": v}))
