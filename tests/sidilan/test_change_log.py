"""The readable, private change log (issue 13 part 6): Indonesian labels, formatted values, internal fields
hidden, the page's masking per role; the duplicate comparison formatted the same way; WG-SS kept per visit."""

from datetime import timedelta

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal
from blueprints.core.nik import mask_nik
from blueprints.sidilan.models import Disability, Person, WgssVisit
from tests.clock import TODAY
from tests.test_migrations import empty_db_url  # noqa: F401  (fixture)

from .conftest import NIK_WOMAN_1984, keyed, person_by_name, version_of

NIK_OTHER = "1302185203840098"  # the same woman's structure, another serial
KK_OLD, KK_NEW = "1302180101249999", "1302180101249998"


def _change_log(html: str) -> str:
    return html.split("<h2>Riwayat perubahan</h2>", 1)[1]


def _edited_person(app, client, auth, person_data) -> int:
    """Marlinda registered, then edited: NIK, No. KK, name, birth date, mother's name, data source, jorong."""
    auth.login("operator.solok")
    assert client.post("/sidilan/orang/baru", data=person_data()).status_code == 302
    pid = person_by_name(app, "Marlinda").id
    r = client.post(
        f"/sidilan/orang/{pid}/ubah",
        data=person_data(
            submission_key=None,
            version=version_of(app, Person, pid),
            nik=NIK_OTHER,
            no_kk=KK_NEW,
            nama_lengkap="Marlinda Sari",
            tanggal_lahir="1945-06-05",
            nama_ibu_kandung="Rahmah Binti Sutan",
            sumber_data="usulan_nagari",
            jorong="",
        ),
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    auth.logout()
    return pid


def test_operator_sees_labels_and_formatted_values_and_no_internal_fields(app, client, auth, person_data):
    pid = _edited_person(app, client, auth, person_data)
    auth.login("operator.solok")
    log = _change_log(client.get(f"/sidilan/orang/{pid}").get_data(as_text=True))
    for text in (
        "Tanggal lahir",
        "12 Maret 1984",
        "5 Juni 1945",
        "Sumber data",
        "Pendataan lapangan",
        "Usulan nagari",
        "Jorong",
        "Tigo Jangko",
        "Nama lengkap",
        "Marlinda Sari",
        "Nama ibu kandung",
        "Rahmah Binti Sutan",
        NIK_WOMAN_1984,  # the operator sees the full numbers, as on the rest of the page
        NIK_OTHER,
        KK_NEW,
    ):
        assert text in log, text
    for raw in ("name_key", "name_search", "nik_rev", "kk_rev", "jorong_id", "household_id", "1945-06-05"):
        assert raw not in log, raw
    assert ">lapangan<" not in log and ">usulan_nagari<" not in log


def test_pimpinan_sees_masked_numbers_and_no_maiden_name(app, client, auth, person_data):
    pid = _edited_person(app, client, auth, person_data)
    auth.login("pimpinan.solok")
    html = client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)
    for full in (NIK_WOMAN_1984, NIK_OTHER, KK_OLD, KK_NEW, "Rahmah"):
        assert full not in html, full
    log = _change_log(html)
    assert mask_nik(NIK_WOMAN_1984) in log and mask_nik(NIK_OTHER) in log and mask_nik(KK_NEW) in log
    assert "Nama ibu kandung" in log and "(disamarkan)" in log


def test_duplicate_comparison_is_formatted_and_masked(app, client, auth, person_data):
    auth.login("operator.solok")
    client.post("/sidilan/orang/baru", data=person_data())
    r = client.post("/sidilan/orang/baru", data=person_data(nama_lengkap="Orang Lain", no_kk=""))
    assert r.status_code == 302 and "/sidilan/duplikat/" in r.headers["Location"]
    url = r.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    for text in ("Jenis kelamin", "Perempuan", "Tanggal lahir", "12 Maret 1984", "Pendataan lapangan"):
        assert text in page, text
    assert "Tigo Jangko" in page and "Draf" in page and NIK_WOMAN_1984 in page and "Rahmah" in page
    assert "1984-03-12" not in page and ">P<" not in page and ">lapangan<" not in page
    auth.logout()
    auth.login("pimpinan.solok")
    page = client.get(url).get_data(as_text=True)
    assert NIK_WOMAN_1984 not in page and mask_nik(NIK_WOMAN_1984) in page
    assert "Rahmah" not in page and "(disamarkan)" in page and "12 Maret 1984" in page


def _visit(client, pid, when, **answers):
    return client.post(f"/sidilan/orang/{pid}/wgss", data=keyed(tgl_wawancara=when.isoformat(), **answers))


def test_wgss_visits_are_all_kept_and_the_latest_is_shown(app, client, auth, person_data):
    auth.login("operator.solok")
    client.post("/sidilan/orang/baru", data=person_data())
    pid = person_by_name(app, "Marlinda").id
    assert client.post(f"/sidilan/orang/{pid}/disabilitas", data={"ragam": ["fisik"]}).status_code == 302
    early, late, older = TODAY - timedelta(days=300), TODAY - timedelta(days=10), TODAY - timedelta(days=400)
    assert _visit(client, pid, early, wg_berjalan="2").status_code == 302
    assert _visit(client, pid, late, wg_berjalan="4", wg_melihat="1").status_code == 302
    # a paper form of an older visit, typed afterwards, is kept but does not replace the latest
    assert _visit(client, pid, older, wg_berjalan="1").status_code == 302
    # a visit needs at least one answer
    r = _visit(client, pid, late)
    assert r.status_code == 422 and "Isi sedikitnya satu jawaban WG-SS." in r.get_data(as_text=True)
    with app.app_context():
        visits = db.session.scalars(
            select(WgssVisit).where(WgssVisit.person_id == pid).order_by(WgssVisit.tgl_wawancara)
        ).all()
        assert [(v.tgl_wawancara, v.wg_berjalan) for v in visits] == [(older, 1), (early, 2), (late, 4)]
        d = db.session.scalar(select(Disability).where(Disability.person_id == pid))
        assert (d.wg_berjalan, d.wg_melihat, d.wg_tanggal) == (4, 1, late)
    page = client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)
    assert "Terindikasi disabilitas" in page and f"kunjungan terakhir {tanggal(late)}" in page
    history = client.get(f"/sidilan/orang/{pid}/wgss").get_data(as_text=True)
    assert history.index(tanggal(late)) < history.index(tanggal(early)) < history.index(tanggal(older))
    assert "terakhir" in history.split(tanggal(late), 1)[1].split("</td>", 1)[0]
    # answers changed on the disability form are a new visit of today; the earlier ones stay
    r = client.post(
        f"/sidilan/orang/{pid}/disabilitas",
        data={"ragam": ["fisik"], "wg_berjalan": "2", "version": version_of(app, Disability, d.id)},
    )
    assert r.status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(WgssVisit).where(WgssVisit.person_id == pid)).all()
        assert sorted((v.tgl_wawancara, v.wg_berjalan) for v in rows) == [
            (older, 1),
            (early, 2),
            (late, 4),
            (TODAY, 2),
        ]
        d = db.session.scalar(select(Disability).where(Disability.person_id == pid))
        assert (d.wg_berjalan, d.wg_tanggal) == (2, TODAY)
    assert "Tidak terindikasi" in client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)


def test_wgss_visit_form_is_for_entry_roles_and_scoped(app, client, auth, person_data):
    auth.login("operator.solok")
    client.post("/sidilan/orang/baru", data=person_data())
    pid = person_by_name(app, "Marlinda").id
    client.post(f"/sidilan/orang/{pid}/disabilitas", data={"ragam": ["fisik"], "wg_melihat": "3"})
    auth.logout()
    auth.login("pimpinan.solok")
    history = client.get(f"/sidilan/orang/{pid}/wgss")
    assert history.status_code == 200 and tanggal(TODAY) in history.get_data(as_text=True)
    assert "Simpan kunjungan" not in history.get_data(as_text=True)
    assert _visit(client, pid, TODAY, wg_melihat="1").status_code == 404
    auth.logout()
    auth.login("operator.sijunjung")
    assert client.get(f"/sidilan/orang/{pid}/wgss").status_code == 404


def test_migration_makes_existing_wgss_answers_a_first_visit(request):
    """0027 turns the answers a disability row already held into its first visit, dated on its last save."""
    url = request.getfixturevalue("empty_db_url")  # an empty database of its own (test_migrations)
    from datetime import UTC, date, datetime

    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from blueprints.core.timeutil import WIB
    from tests.conftest import make_config

    app = create_app(make_config(url))
    # 1 March in WIB, still 28 February in UTC: the visit takes the WIB day
    saved = datetime(2026, 3, 1, 6, 30, tzinfo=WIB).astimezone(UTC)
    with app.app_context():
        upgrade(revision="0021_rujukan_awaiting_reply")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO regency (id, code, name) VALUES (1, '13.02', 'Kabupaten Solok')"))
            for pid in (1, 2):
                conn.execute(
                    text(
                        "INSERT INTO sidilan_person (id, regency_id, nama_lengkap, name_search, name_key,"
                        " jenis_kelamin, tgl_lahir_perkiraan, status_hidup, status_domisili, persetujuan, tags,"
                        " status_verifikasi, active, created_at, updated_at, version) VALUES (:id, 1, 'Uji',"
                        " 'uji', 'uji', 'P', false, 'hidup', 'menetap', false, '', 'draf', true, :at, :at, 1)"
                    ),
                    dict(id=pid, at=saved),
                )
            conn.execute(
                text(
                    "INSERT INTO sidilan_disability (id, person_id, ragam_fisik, ragam_intelektual, ragam_mental,"
                    " ragam_sensorik, ganda, wg_berjalan, wg_melihat, alat_bantu_dimiliki,"
                    " alat_bantu_dibutuhkan, butuh_pendamping, kebutuhan_layanan, updated_at, version)"
                    " VALUES (1, 1, true, false, false, false, false, 4, 2, '', '', false, '', :at, 1),"
                    " (2, 2, true, false, false, false, false, NULL, NULL, '', '', false, '', :at, 1)"
                ),
                dict(at=saved),
            )
        upgrade(revision="heads")
        visits = db.session.scalars(select(WgssVisit)).all()
        assert [(v.person_id, v.tgl_wawancara, v.wg_berjalan, v.wg_melihat) for v in visits] == [
            (1, date(2026, 3, 1), 4, 2)
        ]
        assert visits[0].regency_id == 1 and visits[0].petugas_id is None
        dates = dict(db.session.execute(select(Disability.id, Disability.wg_tanggal)).all())
        assert dates == {1: date(2026, 3, 1), 2: None}
        db.session.remove()
        db.engine.dispose()
