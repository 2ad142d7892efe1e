"""Every SIDILAN form: empty, 10,000-character and script-tag input gets a message, never a 500."""

import re

import pytest
from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.sidilan.models import DuplicateCandidate, Household, Person

from .conftest import keyed, person_by_name, person_id_of

VALUES = ("", "x" * 10_000, "<script>alert(1)</script>")


def _disability_version(app, pid) -> str:
    """The version the disability form shows: empty while the person has none."""
    with app.app_context():
        d = db.session.get(Person, pid).disability
        return str(d.version) if d else ""


def _household_of(app, pid) -> tuple[int, str]:
    with app.app_context():
        hh = db.session.get(Person, pid).household
        return hh.id, str(hh.version)


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
        html = _check(
            client.post(
                f"/sidilan/orang/{pid}/disabilitas",
                data={
                    "ragam": ["fisik"],
                    "penyebab": v,
                    "surat_penerbit": v,
                    "tahun_mulai": v,
                    "surat_tanggal": v,
                    "version": _disability_version(app, pid),
                },
            )
        )
        if v:
            assert (
                "Pilihan tidak sah" in html
                or "maksimal" in html
                or "bilangan bulat" in html
                or "Tanggal" in html
            )
        _check(
            client.post(
                f"/sidilan/orang/{pid}/bantuan",
                data=keyed(program_id=v, tahun=v, tahap=v, uraian_barang=v, catatan=v, nilai_rp=v),
            )
        )
        _check(client.post(f"/sidilan/orang/{syamsul}/asesmen", data=keyed(tgl_asesmen=v, kebutuhan=v)))
        _check(
            client.post(f"/sidilan/orang/{pid}/status", data={"action": v, "note": v}, follow_redirects=True)
        )
        _check(client.post("/sidilan/duplikat/1", data=keyed(keputusan=v, keep=v)))
        _check(client.post("/sidilan/bantuan/1/status", data={"status": v}, follow_redirects=True))
        _check(
            client.get(
                "/sidilan/",
                query_string={
                    "q": v,
                    "kecamatan": v,
                    "nagari": v,
                    "jorong": v,
                    "ragam": v,
                    "lansia": v,
                    "status": v,
                    "program": v,
                    "hal": v,
                },
            )
        )
        _check(
            client.get("/sidilan/cek-nik", query_string={"nik": v, "tanggal_lahir": v, "jenis_kelamin": v})
        )
    long_note = client.post(
        f"/sidilan/orang/{pid}/status", data={"action": "ajukan", "note": "x" * 10_000}, follow_redirects=True
    )
    assert "maksimal 500 karakter" in long_note.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Person.status_verifikasi).where(Person.id == pid)) == "draf"
    auth.logout()
    auth.login("verifikator.solok")
    for v in VALUES:
        _check(client.post("/sidilan/program/baru", data=keyed(kode=v, nama=v, sasaran=v)))


def test_household_and_paper_form_survive_bad_input(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, "Rosmaniar")
    for v in VALUES:
        hh, version = _household_of(app, pid)
        html = _check(
            client.post(
                f"/sidilan/keluarga/{hh}",
                data={
                    "alamat": v,
                    "rt": v,
                    "rw": v,
                    "desil_dtsen": v,
                    "tgl_cek_dtsen": v,
                    "lintang": v,
                    "bujur": v,
                    "kondisi_rumah": v,
                    "sumber_penghasilan": v,
                    "kecamatan": v,
                    "nagari": v,
                    "jorong": v,
                    "version": version,
                },
            )
        )
        if v.startswith("x"):
            assert (
                "maksimal 250 karakter" in html and 'value="xxxx' in html
            )  # message at the field, input kept
        _check(
            client.get(
                "/sidilan/cetak/formulir",
                query_string={"cetak": "1", "kecamatan": v, "nagari": v, "jorong": v},
            )
        )


# ---- regressions: each of these answered 500, 400 without a word, or stored junk ----------------


def _errors_in_group(html: str, legend: str) -> list[str]:
    m = re.search(rf"<fieldset[^>]*><legend>{re.escape(legend)}[^<]*</legend>(.*?)</fieldset>", html, re.S)
    assert m, legend
    return re.findall(r'<span class="err">([^<]*)</span>', m.group(1))


@pytest.mark.parametrize("field", ["wg_melihat", "wg_komunikasi", "derajat", "jenis_fisik"])
def test_choice_of_only_spaces_is_refused_not_500(app, client, auth, field):
    """A select sent as spaces passed as 'nothing chosen' yet reached int() (500) or the row (junk)."""
    auth.login("operator.solok")
    pid = person_id_of(app, "Rosmaniar")
    with app.app_context():
        db.session.get(Person, pid).status_verifikasi = "draf"
        db.session.commit()
    r = client.post(
        f"/sidilan/orang/{pid}/disabilitas",
        data={"ragam": ["fisik"], field: "   ", "version": _disability_version(app, pid)},
    )
    assert r.status_code == 422 and "Pilihan tidak sah" in r.get_data(as_text=True)


def test_reason_without_nik_of_only_spaces_is_refused(app, client, auth, person_data):
    auth.login("operator.solok")
    r = client.post("/sidilan/orang/baru", data=person_data(nik="", alasan_tanpa_nik="   "))
    assert r.status_code == 422 and "Pilihan tidak sah" in r.get_data(as_text=True)
    assert person_by_name(app, "Marlinda") is None


def _int_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("sidilan.") and any(
            type(c).__name__ == "IntegerConverter" for c in rule._converters.values()
        ):
            yield rule


@pytest.mark.parametrize("ident", [2**31, 10**20])
def test_out_of_range_ids_are_not_found(app, client, auth, ident):
    """A huge id in the address made the database driver fail (500) on SQLite and PostgreSQL."""
    auth.login("verifikator.solok")
    rules = list(_int_routes(app))
    assert len(rules) >= 8
    for rule in rules:
        values = {
            name: ident if type(c).__name__ == "IntegerConverter" else "csv"
            for name, c in rule._converters.items()
        }
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods & {"GET", "POST"}):
            r = client.open(url, method=method, data={})
            assert r.status_code == 404, (method, url, r.status_code)


def test_disability_checkbox_groups_explain_bad_values_and_keep_input(app, client, auth, person_data):
    """Unknown values in the device and need groups answered 400 with no message anywhere."""
    auth.login("operator.solok")
    client.post("/sidilan/orang/baru", data=person_data())
    pid = person_by_name(app, "Marlinda").id
    r = client.post(
        f"/sidilan/orang/{pid}/disabilitas",
        data={
            "ragam": ["fisik"],
            "alat_bantu_dimiliki": ["kursi_roda", "roket"],
            "alat_bantu_dibutuhkan": [""],
            "kebutuhan_layanan": ["terapi", "<b>x</b>"],
            "penyebab": "Kecelakaan kerja",
        },
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert _errors_in_group(html, "Alat bantu dimiliki") == ["Pilihan tidak sah: &#39;roket&#39;."]
    assert _errors_in_group(html, "Alat bantu dibutuhkan") == ["Pilihan tidak sah: &#39;&#39;."]
    assert _errors_in_group(html, "Kebutuhan layanan") == [
        "Pilihan tidak sah: &#39;&lt;b&gt;x&lt;/b&gt;&#39;."
    ]
    assert re.search(r'<input checked[^>]*value="kursi_roda"', html)  # what was ticked stays ticked
    assert re.search(r'<input checked[^>]*value="terapi"', html) and 'value="Kecelakaan kerja"' in html
    r = client.post(f"/sidilan/orang/{pid}/disabilitas", data={"derajat": "berat"})
    assert r.status_code == 422
    assert _errors_in_group(r.get_data(as_text=True), "Ragam disabilitas") == [
        "Pilih sedikitnya satu ragam disabilitas."
    ]


def test_person_tags_group_explains_bad_values(app, client, auth, person_data):
    auth.login("operator.solok")
    r = client.post("/sidilan/orang/baru", data=person_data(tags=["terlantar", "palsu"]))
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and _errors_in_group(html, "Penanda") == [
        "Pilihan tidak sah: &#39;palsu&#39;."
    ]
    assert re.search(r'<input checked[^>]*value="terlantar"', html)


def test_post_to_a_decided_duplicate_case_says_so(app, client, auth):
    """A second decision (e.g. a form sent twice) answered 400 with an empty page section."""
    auth.login("verifikator.solok")
    with app.app_context():
        cand = db.session.scalar(select(DuplicateCandidate.id).order_by(DuplicateCandidate.id))
    decision = keyed(keputusan="bukan_duplikat")
    assert client.post(f"/sidilan/duplikat/{cand}", data=decision).status_code == 302
    # the same form sent again lands where the first did; any other decision is refused with a message
    again = client.post(f"/sidilan/duplikat/{cand}", data=decision, follow_redirects=True)
    assert again.status_code == 200 and "Data ini sudah tersimpan" in again.get_data(as_text=True)
    for data in (
        keyed(keputusan="bukan_duplikat"),
        keyed(keputusan="duplikat", keep="abc"),
        {},
        {"keputusan": "bukan_duplikat"},
    ):
        r = client.post(f"/sidilan/duplikat/{cand}", data=data, follow_redirects=True)
        assert r.status_code == 200 and "Pasangan ini sudah diputuskan." in r.get_data(as_text=True)


@pytest.mark.parametrize("value", ["nan", "NaN", "-nan"])
def test_household_coordinates_refuse_nan(app, client, auth, value):
    """NaN passed the range check and was stored as the household's position."""
    auth.login("operator.solok")
    pid = person_id_of(app, "Rosmaniar")
    hh, version = _household_of(app, pid)
    r = client.post(f"/sidilan/keluarga/{hh}", data={"lintang": value, "bujur": value, "version": version})
    assert r.status_code == 422 and r.get_data(as_text=True).count("Angka tidak sah.") == 2
    with app.app_context():
        h = db.session.get(Household, hh)
        assert h.lintang is None and h.bujur is None


def test_invalid_forms_answer_422_with_the_message(app, client, auth):
    auth.login("operator.solok")
    syamsul = person_id_of(app, "Syamsul Bahri")
    r = client.post(f"/sidilan/orang/{syamsul}/asesmen", data=keyed(tgl_asesmen="2024-02-30"))
    assert r.status_code == 422 and "Tanggal tidak sah" in r.get_data(as_text=True)
    auth.logout()
    auth.login("verifikator.solok")
    r = client.post("/sidilan/program/baru", data=keyed(kode="x" * 10_000, nama="", sasaran="individu"))
    assert r.status_code == 422 and "Kode maksimal 20 karakter." in r.get_data(as_text=True)


@pytest.mark.parametrize("name", ["fmt", "endpoint", "_method", "_external", "_anchor"])
def test_list_export_links_take_only_the_filters(client, auth, name):
    """Every query argument went into url_for for the export links: ?fmt=, ?endpoint= and ?_method= gave 500."""
    auth.login("operator.solok")
    r = client.get("/sidilan/", query_string={name: "x", "kecamatan": "13.02.18", "status": "draf"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    links = re.findall(r'href="(/sidilan/ekspor\.(?:xlsx|csv)[^"]*)"', html)
    assert len(links) == 2
    for link in links:
        assert "kecamatan=13.02.18" in link and "status=draf" in link and f"{name}=" not in link


@pytest.mark.parametrize("birth", ["1899-12-31", "1850-01-01"])
def test_birth_dates_before_1900_get_the_shared_range_message(app, client, auth, person_data, birth):
    """One range for every date: the form and the import refuse a birth before 1900 with the same words."""
    from .test_import import map_and_preview, token_of, upload

    auth.login("operator.solok")
    r = client.post("/sidilan/orang/baru", data=person_data(tanggal_lahir=birth))
    assert r.status_code == 422 and "Tanggal di luar rentang yang wajar (1 Januari 1900" in r.get_data(
        as_text=True
    )
    day, month, year = birth[8:], birth[5:7], birth[:4]
    data = (
        "NAMA;JK;TGL LAHIR;NAGARI;KECAMATAN;ALASAN TANPA NIK\n"
        f"Inyiak Tuo;L;{day}-{month}-{year};Cupak;Gunung Talang;belum rekam\n"
    ).encode()
    token = token_of(upload(client, name="tua.csv", data=data))
    map_and_preview(client, token)
    text = client.get(f"/sidilan/impor/{token}/uji?tampil=ditolak").get_data(as_text=True)
    assert "Tanggal lahir: Tanggal di luar rentang yang wajar (1 Januari 1900" in text
