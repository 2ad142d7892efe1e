"""Report pages as a clerk meets them: byte budgets, CSRF on the hand-written import forms, and the issue's
'done means' path from the sample spreadsheet to the dashboard, invisible to the other regency."""

import io
import re

from sqlalchemy import func, select

from blueprints.core.extensions import db
from blueprints.sidilan.models import DuplicateCandidate, Person
from tests.conftest import HX
from tests.sidilan.conftest import gz
from tests.sidilan.test_import import (
    CSV,
    XLSX,
    FileStorage,
    map_and_preview,
    run,
    stream_encode_multipart,
    token_of,
    upload,
)
from tests.sidilan.test_reports_dashboard import table

PAGE, FRAGMENT = 14_000, 4_000


def test_report_pages_fit_the_byte_budget(app, client, auth):
    auth.login("operator.solok")
    token = token_of(upload(client))
    pages = [
        "/sidilan/dasbor",
        "/sidilan/impor",
        f"/sidilan/impor/{token}/kolom",
        "/sidilan/cetak/formulir",
        "/sidilan/cetak/formulir?kecamatan=13.02.18",
    ]
    map_and_preview(client, token)
    pages += [f"/sidilan/impor/{token}/uji", f"/sidilan/impor/{token}/uji?tampil=ditolak"]

    def measure(urls):
        for url in urls:
            r = client.get(url)
            assert r.status_code == 200, url
            assert gz(r.data) <= PAGE, f"{url}: {gz(r.data)} B gz"

    measure(pages)
    measure([run(client, token).headers["Location"]])
    token2 = token_of(upload(client))
    map_and_preview(client, token2)
    fragment = client.get(f"/sidilan/impor/{token2}/uji?tampil=cocok", headers=HX)
    assert b"<html" not in fragment.data and gz(fragment.data) <= FRAGMENT


def test_import_forms_need_the_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    login = client.get("/masuk").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login) or re.search(
        r'name="csrf_token" value="([^"]+)"', login
    )
    client.post(
        "/masuk",
        data={"username": "operator.solok", "password": "sinergi-demo-2024", "csrf_token": token.group(1)},
    )
    r = client.post("/sidilan/impor", data={})
    assert r.status_code == 400 and "token keamanan" in r.text.lower()
    page = client.get("/sidilan/impor").text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)
    stream, _, boundary = stream_encode_multipart(
        {
            "csrf_token": csrf,
            "submission_key": key,
            "berkas": FileStorage(io.BytesIO(XLSX.read_bytes()), filename=XLSX.name),
        },
        use_tempfile=False,
    )
    r = client.post(
        "/sidilan/impor", data=stream.getvalue(), content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert r.status_code == 302
    mapping_url = r.headers["Location"]
    form = client.get(mapping_url).text
    assert 'name="csrf_token"' in form
    assert client.post(mapping_url, data={"header_row": "3"}).status_code == 400  # no token
    token = mapping_url.split("/")[-2]
    assert client.post(f"/sidilan/impor/{token}/jalankan").status_code == 400


def test_sample_import_reaches_dashboard_and_stays_in_regency(app, client, auth):
    auth.login("operator.solok")
    before = table(client.get("/sidilan/dasbor").text, "c-kec")
    token = token_of(upload(client, CSV))
    map_and_preview(client, token)
    preview = client.get(f"/sidilan/impor/{token}/uji").text
    new = int(re.search(r"(\d+) <small class=\"muted\">akan dibuat", preview).group(1))
    run(client, token)
    assert client.post("/sidilan/dasbor/hitung-ulang").status_code == 302  # the stored summary, counted now
    after = table(client.get("/sidilan/dasbor").text, "c-kec")
    assert after["Jumlah"][0] == before["Jumlah"][0] + new
    assert after["Tigo Lurah"][0] == before["Tigo Lurah"][0] + 2  # Siti Aminah and Nasrul
    # the export lists them; the other regency sees none of them
    export = client.get("/sidilan/ekspor.csv?kecamatan=13.02.18").data.decode("utf-8-sig")
    assert "Siti Aminah" in export and "Nasrul" in export
    auth.logout()
    auth.login("operator.sijunjung")
    other = client.get("/sidilan/ekspor.csv").data.decode("utf-8-sig")
    assert "1302185208700003" not in other and "1302180503500004" not in other
    with app.app_context():
        siti = db.session.scalar(select(Person.id).where(Person.nik == "1302185208700003"))
    assert client.get(f"/sidilan/orang/{siti}/profil.pdf").status_code == 404


def test_imported_person_similar_to_an_existing_one_opens_a_review(app, client, auth):
    """Same name, birth date and nagari but no NIK: proposed as the same person in the dry run; created when
    the clerk says otherwise (never rejected), and a duplicate review still opens through the registry's own
    duplicate detection."""
    with app.app_context():
        existing = db.session.scalar(
            select(Person)
            .where(Person.regency_id == 1, Person.tanggal_lahir.is_not(None), Person.nagari_code.is_not(None))
            .order_by(Person.id)
        )
        nagari = existing.nagari.name
        name, birth = existing.nama_lengkap, existing.tanggal_lahir.strftime("%d-%m-%Y")
        sex, kecamatan, existing_id = existing.jenis_kelamin, existing.kecamatan.name, existing.id
        before = db.session.scalar(select(func.count()).select_from(DuplicateCandidate))
    data = (
        "NAMA;L/P;TGL LAHIR;NAGARI;KECAMATAN;ALASAN TANPA NIK\n"
        f"{name.upper()};{sex};{birth};{nagari};{kecamatan};belum rekam\n"
    ).encode()
    auth.login("operator.solok")
    token = token_of(upload(client, name="mirip.csv", data=data))
    map_and_preview(client, token)
    # the dry run proposes the existing person; the clerk says it is someone else, so the row is created
    assert "Mungkin sama (perlu keputusan)" in client.get(f"/sidilan/impor/{token}/uji").text
    client.post(f"/sidilan/impor/{token}/cocok", data={"baris": "2", "keputusan": "beda"})
    assert "Akan dibuat" in client.get(f"/sidilan/impor/{token}/uji").text
    run(client, token)
    with app.app_context():
        cands = list(db.session.scalars(select(DuplicateCandidate)))
        assert len(cands) == before + 1
        assert cands[-1].alasan == "nama_lahir_nagari" and existing_id in (
            cands[-1].person_a_id,
            cands[-1].person_b_id,
        )


def test_dry_run_page_of_noisy_rows_fits_the_budget(client, auth):
    """Twenty rows that each carry several warnings and a rejection still fit one fragment."""
    head = "NIK;NAMA;JK;TGL LAHIR;NAGARI;KECAMATAN;JORONG;RT;NO HP;JENIS DISABILITAS;HUBUNGAN KELUARGA\n"
    rows = "".join(
        f"'13021852087{i:05d};NAMA YANG CUKUP PANJANG NOMOR {i};L;13-08-1971;Tanjung Balik Sumiso;Tigo Lurah;"
        f"Jorong Tidak Terdaftar {i};RT{i};telepon {i};kelainan tidak dikenal {i};Sepupu jauh\n"
        for i in range(60)
    )
    auth.login("operator.solok")
    token = token_of(upload(client, name="berisik.csv", data=(head + rows).encode()))
    map_and_preview(client, token)
    page = client.get(f"/sidilan/impor/{token}/uji")
    assert page.text.count("warn-text") >= 20 * 4
    assert gz(page.data) <= PAGE
    fragment = client.get(f"/sidilan/impor/{token}/uji?hal=2", headers=HX)
    assert b"<html" not in fragment.data and gz(fragment.data) <= FRAGMENT, gz(fragment.data)


def test_bad_query_and_form_values_never_fail(client, auth):
    auth.login("operator.solok")
    junk = "<script>alert(1)</script>" + "x" * 10000
    for url, args in (
        ("/sidilan/cetak/formulir", {"kecamatan": junk, "nagari": junk, "jorong": junk, "cetak": "1"}),
        ("/sidilan/dasbor", {"kecamatan": junk}),
        ("/sidilan/impor", {"hal": junk}),
        ("/sidilan/impor/riwayat/1", {}),
        ("/sidilan/impor/" + "a" * 30 + "/uji", {"hal": junk, "tampil": junk}),
        ("/sidilan/impor/../../etc/passwd/kolom", {}),
    ):
        r = client.get(url, query_string=args)
        assert r.status_code in (200, 404, 422), url
        assert "<script>alert(1)</script>" not in r.text
    token = token_of(upload(client))
    form = {"header_row": junk, "map_nama": junk, "map_nagari": "999", "sumber_data": junk}
    r = client.post(f"/sidilan/impor/{token}/kolom", data=form)
    assert r.status_code == 422 and "Baris judul harus angka" in r.text
    form["header_row"] = "3"
    r = client.post(f"/sidilan/impor/{token}/kolom", data=form)
    assert r.status_code == 422
    assert "Pilihan kolom tidak sah." in r.text and "Pilih sumber data." in r.text
    assert "<script>alert(1)</script>" not in r.text
