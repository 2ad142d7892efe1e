"""Person registration: NIK levels (docs/sidilan.md §7.1), no-NIK reason, masking, audited record view."""

from sqlalchemy import select

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.core.nik import NO_NIK_REASON_MESSAGE
from blueprints.sidilan.models import ChangeLog, Household, Person
from tests.conftest import HX

from .conftest import NIK_WOMAN_1984, person_by_name, person_id_of, version_of


def _new(client, data):
    return client.post("/sidilan/orang/baru", data=data)


def test_register_woman_in_tigo_jangko(app, client, auth, person_data, jorong_id):
    auth.login("operator.solok")
    r = _new(client, person_data())
    assert r.status_code == 302
    p = person_by_name(app, "Marlinda")
    assert p.nik == NIK_WOMAN_1984 and p.jorong_id == jorong_id and p.status_verifikasi == "draf"
    with app.app_context():
        hh = db.session.get(Household, p.household_id)
        assert hh.no_kk == "1302180101249999"
        assert db.session.scalar(select(ChangeLog.id).where(ChangeLog.person_id == p.id)) is not None
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert NIK_WOMAN_1984 in page and "Tigo Jangko" in page and "Tanjung Balik Sumiso" in page


NIK_ERRORS = [
    ("13021852038400", "NIK harus tepat 16 digit angka."),
    ("13021852O3840001", "NIK harus tepat 16 digit angka."),
    ("9902185203840001", "Kode provinsi 99 pada NIK tidak dikenal."),
    ("1302185213840001", "Bulan lahir pada NIK (digit 9–10) harus 01–12."),
    ("1302183203840001", "Tanggal lahir pada NIK (digit 7–8) harus 01–31, atau 41–71 untuk perempuan."),
    ("1302187203840001", "Tanggal lahir pada NIK (digit 7–8) harus 01–31, atau 41–71 untuk perempuan."),
    ("1302185203840000", "Nomor urut NIK (4 digit terakhir) tidak boleh 0000."),
]


def test_nik_errors_block_at_the_field_and_keep_input(app, client, auth, person_data):
    auth.login("operator.solok")
    for nik, message in NIK_ERRORS:
        r = _new(client, person_data(nik=nik, nama_lengkap="Tetap Diketik"))
        assert r.status_code == 422
        html = r.get_data(as_text=True)
        assert message in html, nik
        assert f'value="{nik}"' in html and 'value="Tetap Diketik"' in html
    assert person_by_name(app, "Tetap Diketik") is None


NIK_WARNINGS = [
    ({"jenis_kelamin": "L"}, "Jenis kelamin berbeda dengan NIK (NIK menunjukkan perempuan)."),
    ({"tanggal_lahir": "1984-03-13"}, "Tanggal lahir berbeda dengan NIK (NIK menunjukkan 12 Maret 1984)."),
    ({"nik": "1303045203840001"}, "NIK diterbitkan di luar kabupaten ini"),
    ({"nik": "1302995203840001"}, "Kode kecamatan pada NIK tidak ada di data Kemendagri terbaru"),
    (
        {"nik": "1302187102840001", "tanggal_lahir": "1984-02-28"},
        "Tanggal lahir pada NIK bukan tanggal yang ada",
    ),
]


def test_nik_warnings_shown_never_block(app, client, auth, person_data):
    auth.login("operator.solok")
    for i, (over, warning) in enumerate(NIK_WARNINGS):
        name = f"Peringatan {i}"
        r = _new(client, person_data(nama_lengkap=name, **over))
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        flashed = client.get(r.headers["Location"]).get_data(as_text=True)
        assert warning in flashed
        # the record page keeps showing it
        pid = person_by_name(app, name).id
        assert warning in client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)


def test_women_day_plus_40_and_no_check_digit(app, client, auth, person_data):
    """Day 52 = 12th for a woman; any last four digits other than 0000 are accepted (no check digit)."""
    auth.login("operator.solok")
    for serial in ("0001", "4321", "9999"):
        r = _new(client, person_data(nik="130218520384" + serial, nama_lengkap=f"Serial {serial}"))
        assert r.status_code == 302
    html = client.get(f"/sidilan/orang/{person_by_name(app, 'Serial 4321').id}").get_data(as_text=True)
    assert "12 Maret 1984" in html and "Peringatan" not in html


def test_no_nik_requires_reason(app, client, auth, person_data):
    auth.login("operator.solok")
    r = _new(client, person_data(nik="", nama_lengkap="Tanpa NIK"))
    assert r.status_code == 422
    assert NO_NIK_REASON_MESSAGE in r.get_data(as_text=True)
    r = _new(client, person_data(nik="", alasan_tanpa_nik="belum_rekam", nama_lengkap="Tanpa NIK"))
    assert r.status_code == 302
    p = person_by_name(app, "Tanpa NIK")
    assert p.nik is None and p.alasan_tanpa_nik == "belum_rekam"


def test_kk_error_and_address_required(app, client, auth, person_data):
    auth.login("operator.solok")
    r = _new(client, person_data(no_kk="1234", nagari="", jorong=""))
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "No. KK harus tepat 16 digit angka." in html and "Pilih nagari." in html


def test_nik_decode_fragment_and_page(client, auth):
    auth.login("operator.solok")
    r = client.get("/sidilan/cek-nik?nik=1302185203840001&jenis_kelamin=L", headers=HX)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in html
    assert "Tigo Lurah" in html and "Perempuan" in html and "12 Maret 1984" in html
    assert "Jenis kelamin berbeda dengan NIK" in html
    page = client.get("/sidilan/cek-nik?nik=1302185203840001").get_data(as_text=True)
    assert "<html" in page and "Tigo Lurah" in page
    bad = client.get("/sidilan/cek-nik?nik=12ab", headers=HX).get_data(as_text=True)
    assert "NIK harus tepat 16 digit angka." in bad


def test_decode_shown_after_submit_without_js(client, auth, person_data):
    auth.login("operator.solok")
    r = _new(client, person_data(nama_lengkap=""))  # an unrelated error re-renders the form
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Nama lengkap wajib diisi." in html
    assert "Tigo Lurah" in html and "12 Maret 1984" in html


def test_masking_in_list_full_on_audited_record(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, "Rosmaniar")
    with app.app_context():
        nik = db.session.get(Person, pid).nik
    listing = client.get("/sidilan/?q=ros").get_data(as_text=True)
    assert "Rosmaniar" in listing and nik not in listing and nik[:4] + "********" + nik[12:] in listing
    assert "Rahmah" not in listing
    with app.app_context():
        before = db.session.scalar(
            select(db.func.count(AuditEvent.id)).where(
                AuditEvent.action == "view", AuditEvent.object_id == str(pid)
            )
        )
    page = client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)
    assert nik in page
    with app.app_context():
        events = list(
            db.session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "view",
                    AuditEvent.object_type == "sidilan_person",
                    AuditEvent.object_id == str(pid),
                )
            )
        )
        assert len(events) == before + 1
        assert "Rosmaniar" not in events[-1].summary and nik not in events[-1].summary


def test_edit_logs_old_and_new_value(app, client, auth, person_data):
    auth.login("operator.solok")
    _new(client, person_data())
    pid = person_by_name(app, "Marlinda").id
    form = client.get(f"/sidilan/orang/{pid}/ubah").get_data(as_text=True)
    assert 'value="Marlinda"' in form
    r = client.post(
        f"/sidilan/orang/{pid}/ubah",
        data=person_data(no_hp="081234567890", version=version_of(app, Person, pid)),
    )
    assert r.status_code == 302
    html = client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)
    assert "<td>No. HP</td>" in html and "081234567890" in html and "no_hp" not in html


def test_bad_input_never_500_and_escaped(client, auth, person_data):
    auth.login("operator.solok")
    for value in ("", "x" * 10_000, "<script>alert(1)</script>"):
        _bad_input(client, person_data, value)


def _bad_input(client, person_data, value):
    data = person_data(
        nama_lengkap=value,
        tempat_lahir=value,
        alamat=value,
        nik=value or NIK_WOMAN_1984,
        tanggal_lahir=value or "2024-02-31",
    )
    r = _new(client, data)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    if value.startswith("<script"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    if value == "":
        assert "Nama lengkap wajib diisi." in html and "Tanggal tidak sah" in html
    if value.startswith("xxx"):
        assert "Nama maksimal 120 karakter." in html
    for url in ("/sidilan/", "/sidilan/cek-nik"):
        assert client.get(url, query_string={"q": value, "nik": value}).status_code == 200


def test_future_and_impossible_birth_dates(client, auth, person_data):
    auth.login("operator.solok")
    html = _new(client, person_data(tanggal_lahir="2999-01-01")).get_data(as_text=True)
    assert "Tanggal lahir tidak boleh melewati hari ini." in html
    html = _new(client, person_data(tanggal_lahir="1984-02-31")).get_data(as_text=True)
    assert "Tanggal tidak sah" in html and 'value="1984-02-31"' in html


def test_cascade_refresh_without_js_keeps_input(client, auth, person_data):
    auth.login("operator.solok")
    r = client.post(
        "/sidilan/orang/baru",
        data=person_data(nagari="", jorong="", _cascade="1", nama_lengkap="Sedang Diketik"),
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'value="Sedang Diketik"' in html and "Tanjung Balik Sumiso" in html
    assert "Periksa isian" not in html


def test_forms_work_with_csrf_on_and_js_off(make_app, person_data):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    import re

    login = client.get("/masuk").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
    client.post(
        "/masuk", data={"username": "operator.solok", "password": "sinergi-demo-2024", "csrf_token": token}
    )
    form = client.get("/sidilan/orang/baru").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    assert client.post("/sidilan/orang/baru", data=person_data()).status_code == 400  # no token
    r = client.post("/sidilan/orang/baru", data=person_data(csrf_token=token))
    assert r.status_code == 302


def test_household_page_and_desil_rule(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, "Rosmaniar")
    with app.app_context():
        hh = db.session.get(Person, pid).household_id
    page = client.get(f"/sidilan/keluarga/{hh}").get_data(as_text=True)
    assert "Rosmaniar" in page and "Syamsul Bahri" in page
    version = version_of(app, Household, hh)
    r = client.post(
        f"/sidilan/keluarga/{hh}",
        data={"desil_dtsen": "11", "alamat": "<script>x</script>", "version": version},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Desil DTSEN harus 1–10." in html and "&lt;script&gt;x" in html
    assert f'name="version" type="hidden" value="{version}"' in html  # the form keeps the version it showed
    r = client.post(
        f"/sidilan/keluarga/{hh}",
        data={
            "desil_dtsen": "2",
            "tgl_cek_dtsen": "2024-08-29",
            "kecamatan": "13.02.18",
            "nagari": "13.02.18.2004",
            "version": version,
        },
    )
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Household, hh).desil_dtsen == 2
    auth.logout()
    auth.login("pimpinan.solok")
    assert (
        client.post(
            f"/sidilan/keluarga/{hh}", data={"desil_dtsen": "3", "version": version_of(app, Household, hh)}
        ).status_code
        == 404
    )
    with app.app_context():
        no_kk = db.session.get(Household, hh).no_kk
    page = client.get(f"/sidilan/keluarga/{hh}").get_data(as_text=True)
    assert (
        no_kk not in page and no_kk[:4] + "********" + no_kk[12:] in page
    )  # same NIK rule as the record page
    auth.logout()
    auth.login("operator.sijunjung")
    assert client.get(f"/sidilan/keluarga/{hh}").status_code == 404


def test_pimpinan_sees_masked_nik_on_record(app, client, auth):
    """Pimpinan reads dashboards; the record page masks NIK, No. KK and mother's name for that role."""
    from sqlalchemy import select

    from blueprints.auth.models import Regency
    from blueprints.core.extensions import db
    from blueprints.sidilan.models import Person

    with app.app_context():
        person = db.session.scalars(
            select(Person)
            .join(Regency, Regency.id == Person.regency_id)
            .where(Person.nik.is_not(None), Regency.code == "13.02")
            .order_by(Person.id)
        ).first()
        person.nama_ibu_kandung = "Siti Rahmah Uji"
        db.session.commit()
        pid, nik, mother = person.id, person.nik, person.nama_ibu_kandung
    auth.login("pimpinan.solok")
    page = client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)
    assert nik not in page and f"{nik[:4]}********{nik[12:]}" in page
    assert mother not in page
    auth.logout()
    auth.login("operator.solok")
    page = client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)
    assert nik in page and mother in page
