"""Verification workflow (docs/sidilan.md §9.1): order on the server, rejection note, roles, read-only."""

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.sidilan.models import Person, VerificationEvent

from .conftest import keyed, person_by_name, person_id_of


def _status(app, pid):
    with app.app_context():
        return db.session.get(Person, pid).status_verifikasi


def _act(client, pid, action, note=None):
    data = {"action": action}
    if note is not None:
        data["note"] = note
    return client.post(f"/sidilan/orang/{pid}/status", data=data, follow_redirects=True)


def test_full_flow_with_order_and_roles(app, client, auth, person_data):
    auth.login("operator.solok")
    client.post("/sidilan/orang/baru", data=person_data())
    pid = person_by_name(app, "Marlinda").id
    assert "Tindakan tidak dikenal" not in _act(client, pid, "setujui").get_data(as_text=True)
    assert _status(app, pid) == "draf"  # operator cannot approve
    assert _act(client, pid, "ajukan").status_code == 200 and _status(app, pid) == "diajukan"
    auth.logout()
    auth.login("verifikator.solok")
    html = _act(client, pid, "setujui").get_data(as_text=True)
    assert (
        _status(app, pid) == "diajukan" and "belum atau tidak dapat dilakukan" in html
    )  # approve before verify
    _act(client, pid, "verifikasi")
    assert _status(app, pid) == "diajukan"  # the nagari step is the nagari verifier's
    auth.logout()
    auth.login("verifikator-nagari.solok")
    _act(client, pid, "verifikasi")
    assert _status(app, pid) == "diverifikasi"
    auth.logout()
    auth.login("verifikator.solok")
    _act(client, pid, "setujui")
    assert _status(app, pid) == "disetujui"
    with app.app_context():
        events = list(
            db.session.scalars(
                select(VerificationEvent)
                .where(VerificationEvent.person_id == pid)
                .order_by(VerificationEvent.id)
            )
        )
        assert [e.to_status for e in events] == ["draf", "diajukan", "diverifikasi", "disetujui"]
        assert all(e.user_id and e.at for e in events)
    page = client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)
    assert "Disetujui dinas oleh" in page
    # approved records are locked for editing
    auth.logout()
    auth.login("operator.solok")
    r = client.get(f"/sidilan/orang/{pid}/ubah", follow_redirects=True)
    assert "tidak dapat diubah" in r.get_data(as_text=True)


def test_rejection_needs_a_note_then_back_to_draft(app, client, auth, person_data):
    auth.login("operator.solok")
    client.post("/sidilan/orang/baru", data=person_data())
    pid = person_by_name(app, "Marlinda").id
    _act(client, pid, "ajukan")
    auth.logout()
    auth.login("verifikator-nagari.solok")
    html = _act(client, pid, "tolak", note="   ").get_data(as_text=True)
    assert "Catatan penolakan wajib diisi." in html and _status(app, pid) == "diajukan"
    _act(client, pid, "tolak", note="<b>Foto KK</b> buram")
    assert _status(app, pid) == "ditolak"
    auth.logout()
    auth.login("operator.solok")
    home = client.get("/").get_data(as_text=True)
    assert "ditolak, perlu perbaikan" in home and "Marlinda" in home
    page = client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)
    assert "&lt;b&gt;Foto KK&lt;/b&gt; buram" in page
    _act(client, pid, "perbaiki")
    assert _status(app, pid) == "draf"
    # a rejected record can also be resubmitted straight away once fixed
    _act(client, pid, "ajukan")
    auth.logout()
    auth.login("verifikator-nagari.solok")
    _act(client, pid, "verifikasi")
    auth.logout()
    auth.login("verifikator.solok")
    _act(client, pid, "tolak", note="Alamat salah")
    auth.logout()
    auth.login("operator.solok")
    _act(client, pid, "ajukan")
    assert _status(app, pid) == "diajukan"


def test_submit_requires_consent(app, client, auth, person_data):
    auth.login("operator.solok")
    client.post(
        "/sidilan/orang/baru",
        data=person_data(persetujuan=None, tgl_persetujuan=None, pemberi_persetujuan=None),
    )
    pid = person_by_name(app, "Marlinda").id
    assert "Persetujuan (consent) belum dicatat" in _act(client, pid, "ajukan").get_data(as_text=True)
    assert _status(app, pid) == "draf"


def test_worklists_per_role(client, auth):
    auth.login("verifikator-nagari.solok")
    html = client.get("/sidilan/verifikasi").get_data(as_text=True)
    assert "Menunggu verifikasi nagari" in html and "Syamsul Bahri" in html
    assert "SIDILAN: menunggu verifikasi nagari" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("verifikator.solok")
    html = client.get("/sidilan/verifikasi").get_data(as_text=True)
    assert "Menunggu persetujuan dinas" in html and "Febri" in html


def test_pimpinan_is_read_only(app, client, auth):
    auth.login("pimpinan.solok")
    pid = person_id_of(app, "Syamsul Bahri")  # the Kab. Solok one: each regency's demo has a Syamsul Bahri
    assert client.get(f"/sidilan/orang/{pid}").status_code == 200
    assert client.get("/sidilan/").status_code == 200
    for url in (
        "/sidilan/orang/baru",
        f"/sidilan/orang/{pid}/ubah",
        f"/sidilan/orang/{pid}/disabilitas",
        f"/sidilan/orang/{pid}/asesmen",
        f"/sidilan/orang/{pid}/bantuan",
        "/sidilan/program/baru",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, data={}).status_code == 404, url
    assert client.post(f"/sidilan/orang/{pid}/status", data={"action": "verifikasi"}).status_code == 404
    assert client.post("/sidilan/duplikat/1", data={"keputusan": "bukan_duplikat"}).status_code == 404
    assert client.post("/sidilan/bantuan/1/status", data={"status": "dihentikan"}).status_code == 404
    assert _status(app, pid) == "diajukan"
    page = client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)
    assert "Ubah data" not in page and 'name="action"' not in page


def test_done_means_story(app, client, auth, person_data):
    """A Solok clerk registers a woman with a physical disability in Jorong Tigo Jangko, records a Barthel
    assessment for her elderly father, submits both; the verifier approves; Sijunjung cannot see them."""
    auth.login("operator.solok")
    decode = client.get(
        "/sidilan/cek-nik", query_string={"nik": "1302185203840099"}, headers={"HX-Request": "true"}
    )
    assert "Tigo Lurah" in decode.get_data(as_text=True)
    assert client.post("/sidilan/orang/baru", data=person_data()).status_code == 302
    woman = person_by_name(app, "Marlinda").id
    client.post(
        f"/sidilan/orang/{woman}/disabilitas",
        data={"ragam": ["fisik"], "jenis_fisik": "amputasi", "derajat": "sedang", "wg_berjalan": "3"},
    )
    r = client.post(
        "/sidilan/orang/baru",
        data=person_data(
            nama_lengkap="Bagindo Marah",
            nik="1302180305500099",
            jenis_kelamin="L",
            tanggal_lahir="1950-05-03",
            hubungan_keluarga="Kepala Keluarga",
            pemberi_persetujuan="Bagindo Marah",
        ),
    )
    assert r.status_code == 302
    father = person_by_name(app, "Bagindo Marah").id
    items = {
        "barthel_bab": "2",
        "barthel_bak": "2",
        "barthel_kebersihan_diri": "1",
        "barthel_toilet": "2",
        "barthel_makan": "2",
        "barthel_berpindah": "2",
        "barthel_mobilitas": "2",
        "barthel_berpakaian": "1",
        "barthel_tangga": "0",
        "barthel_mandi": "0",
    }
    assert (
        client.post(
            f"/sidilan/orang/{father}/asesmen", data=keyed(items, tgl_asesmen="2024-08-29")
        ).status_code
        == 302
    )
    for pid in (woman, father):
        _act(client, pid, "ajukan")
    auth.logout()
    auth.login("verifikator-nagari.solok")
    for pid in (woman, father):
        _act(client, pid, "verifikasi")
    auth.logout()
    auth.login("verifikator.solok")
    for pid in (woman, father):
        _act(client, pid, "setujui")
        assert _status(app, pid) == "disetujui"
    page = client.get(f"/sidilan/orang/{father}").get_data(as_text=True)
    assert "Ketergantungan ringan" in page and "Marlinda" in page  # same family card
    auth.logout()
    auth.login("operator.sijunjung")
    for pid in (woman, father):
        assert client.get(f"/sidilan/orang/{pid}").status_code == 404
    assert (
        "Marlinda" not in client.get("/sidilan/?q=marl").get_data(as_text=True).split('id="daftar-orang"')[1]
    )
