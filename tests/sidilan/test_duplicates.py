"""Duplicate detection on save (docs/sidilan.md §9.4), merge, 'bukan duplikat' remembered, audit."""

from sqlalchemy import select

from blueprints.auth.models import Regency
from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.sidilan import names as S
from blueprints.sidilan.models import DuplicateCandidate, Person

from .conftest import NIK_WOMAN_1984, keyed, person_by_name, version_of


def test_name_normalisation():
    assert S.name_key("Syamsul Bahri") == S.name_key("SAMSUL  bahri")
    assert S.name_key("Nurhayati") == S.name_key("Nur Hayati")
    assert S.name_key("Djamaluddin") == S.name_key("Jamaludin")
    assert S.names_similar("Siti Aminah", "siti aminah binti rusli")
    assert not S.names_similar("Siti Aminah", "Rosmaniar")


def _pairs(app, pid):
    with app.app_context():
        return list(
            db.session.execute(
                select(DuplicateCandidate.alasan, DuplicateCandidate.keputusan).where(
                    (DuplicateCandidate.person_a_id == pid) | (DuplicateCandidate.person_b_id == pid)
                )
            )
        )


def test_each_trigger_opens_review_without_rejecting(app, client, auth, person_data):
    auth.login("operator.solok")
    r = client.post("/sidilan/orang/baru", data=person_data())
    assert r.headers["Location"].startswith("/sidilan/orang/")
    # 1. same NIK, different name
    r = client.post("/sidilan/orang/baru", data=person_data(nama_lengkap="Orang Lain", no_kk=""))
    assert r.status_code == 302 and "/sidilan/duplikat/" in r.headers["Location"]
    assert [a for a, _ in _pairs(app, person_by_name(app, "Orang Lain").id)] == ["nik"]
    # 2. same KK + similar name (spelling variant), no NIK
    client.post(
        "/sidilan/orang/baru",
        data=person_data(
            nama_lengkap="Syamsuddin Malin",
            nik="1302180101700001",
            jenis_kelamin="L",
            tanggal_lahir="1970-01-01",
            no_kk="1302180101248888",
        ),
    )
    r = client.post(
        "/sidilan/orang/baru",
        data=person_data(
            nama_lengkap="SAMSUDIN  MALIN",
            nik="",
            alasan_tanpa_nik="hilang",
            jenis_kelamin="L",
            tanggal_lahir="1971-05-05",
            no_kk="1302180101248888",
        ),
    )
    assert "/sidilan/duplikat/" in r.headers["Location"]
    assert [a for a, _ in _pairs(app, person_by_name(app, "SAMSUDIN MALIN").id)] == ["kk_nama"]
    # 3. similar name + same birth date + same nagari, nothing else shared
    r = client.post(
        "/sidilan/orang/baru",
        data=person_data(nama_lengkap="Marlinda", nik="", no_kk="", alasan_tanpa_nik="belum_rekam"),
    )
    assert "/sidilan/duplikat/" in r.headers["Location"]
    review = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Nama + tgl lahir + nagari" in review and NIK_WOMAN_1984 in review
    with app.app_context():
        assert (
            db.session.scalar(select(db.func.count(Person.id)).where(Person.nama_lengkap == "Marlinda")) == 2
        )


def test_not_duplicate_is_remembered(app, client, auth, person_data):
    auth.login("operator.solok")
    client.post("/sidilan/orang/baru", data=person_data())
    r = client.post("/sidilan/orang/baru", data=person_data(nama_lengkap="Orang Lain", no_kk=""))
    cand_url = r.headers["Location"]
    r = client.post(cand_url, data=keyed(keputusan="bukan_duplikat"))
    assert r.status_code == 302
    other = person_by_name(app, "Orang Lain")
    assert _pairs(app, other.id) == [("nik", "bukan_duplikat")]
    # saving again does not ask again
    r = client.post(
        f"/sidilan/orang/{other.id}/ubah",
        data=person_data(
            nama_lengkap="Orang Lain", no_kk="", no_hp="0812345678", version=version_of(app, Person, other.id)
        ),
    )
    assert "/sidilan/duplikat/" not in r.headers["Location"]
    assert len(_pairs(app, other.id)) == 1
    with app.app_context():
        ev = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.object_type == "sidilan_duplicate", AuditEvent.action == "update"
            )
        )
        assert "bukan_duplikat" in ev.summary and "Orang Lain" not in ev.summary


def test_merge_keeps_old_record_findable(app, client, auth):
    auth.login("operator.solok")
    with app.app_context():
        solok = db.session.scalar(select(Regency.id).where(Regency.code == "13.02"))
        cand = db.session.scalar(select(DuplicateCandidate).where(DuplicateCandidate.regency_id == solok))
        keep, gone = cand.person_a_id, cand.person_b_id
        gone_name = db.session.get(Person, gone).nama_lengkap
    page = client.get(f"/sidilan/duplikat/{cand.id}").get_data(as_text=True)
    assert f"#{keep}" in page and f"#{gone}" in page
    r = client.post(f"/sidilan/duplikat/{cand.id}", data=keyed(keputusan="duplikat"))
    assert r.status_code == 422 and "Pilih data yang dipertahankan." in r.get_data(as_text=True)
    r = client.post(f"/sidilan/duplikat/{cand.id}", data=keyed(keputusan="duplikat", keep=str(keep)))
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Person, gone).merged_into_id == keep
    listing = client.get("/sidilan/", query_string={"q": gone_name[:5]}).get_data(as_text=True)
    assert f"digabung ke #{keep}" in listing
    old = client.get(f"/sidilan/orang/{gone}").get_data(as_text=True)
    assert "Data ini digabung ke" in old
    assert "Duplikat (gabungkan)" not in client.get(f"/sidilan/duplikat/{cand.id}").get_data(as_text=True)


def test_compare_page_masks_numbers_for_pimpinan(app, client, auth):
    """The side-by-side page follows the record page's NIK rule: full for clerks, masked for pimpinan."""
    with app.app_context():
        solok = db.session.scalar(select(Regency.id).where(Regency.code == "13.02"))
        cand = db.session.scalar(
            select(DuplicateCandidate)
            .join(Person, Person.id == DuplicateCandidate.person_a_id)
            .where(DuplicateCandidate.regency_id == solok, Person.nik.is_not(None))
            .order_by(DuplicateCandidate.id)
        )
        nik = db.session.get(Person, cand.person_a_id).nik
    auth.login("operator.solok")
    assert nik in client.get(f"/sidilan/duplikat/{cand.id}").get_data(as_text=True)
    auth.logout()
    auth.login("pimpinan.solok")
    page = client.get(f"/sidilan/duplikat/{cand.id}").get_data(as_text=True)
    assert nik not in page and nik[:4] + "********" + nik[12:] in page
