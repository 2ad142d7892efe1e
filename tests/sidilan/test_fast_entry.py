"""Fast entry (issue 13 part 3): the NIK decoder fills empty fields (htmx and no-JS), the entri cepat screen,
"Tambah anggota" from a household, principal and alternate recipient, one Kepala Keluarga per No. KK."""

import re

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.sidilan.models import Household, Person
from tests.conftest import HX

from .conftest import NIK_WOMAN_1984, browser_form, person_by_name, version_of

NEW = "/sidilan/orang/baru"


def _checked(html: str, name: str) -> list[str]:
    return [
        v
        for tag in re.findall(r"<input[^>]*>", html)
        if f'name="{name}"' in tag and " checked" in tag
        for v in re.findall(r'value="([^"]*)"', tag)
    ]


def _selected(html: str, name: str) -> str | None:
    m = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    if not m:
        return None
    chosen = re.search(r'<option value="([^"]*)" selected>', m.group(1))
    return chosen.group(1) if chosen else ""


# ---- the decoder fills --------------------------------------------------------------------------


def test_fill_without_js_keeps_everything_typed(client, auth):
    auth.login("operator.solok")
    r = client.post(
        NEW,
        data={"nik": NIK_WOMAN_1984, "nama_lengkap": "Diketik Dulu", "alamat": "Jl. Tetap", "_isi_nik": "1"},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Isi dari NIK" in html
    assert _checked(html, "jenis_kelamin") == ["P"]
    assert 'value="1984-03-12"' in html
    assert _selected(html, "kecamatan") == "13.02.18"
    assert 'value="Diketik Dulu"' in html and 'value="Jl. Tetap"' in html
    assert "Nama lengkap wajib diisi" not in html and "Periksa isian" not in html  # nothing validated
    # the form as the browser now holds it saves (after choosing the nagari)
    form = browser_form(html, NEW)
    assert (
        form["jenis_kelamin"] == "P"
        and form["tanggal_lahir"] == "1984-03-12"
        and form["kecamatan"] == "13.02.18"
    )


def test_fill_without_js_never_overwrites(client, auth):
    auth.login("operator.solok")
    r = client.post(
        NEW,
        data={
            "nik": NIK_WOMAN_1984,
            "jenis_kelamin": "L",
            "tanggal_lahir": "1984-03-13",
            "kecamatan": "13.02.10",
            "_isi_nik": "1",
        },
    )
    html = r.get_data(as_text=True)
    assert _checked(html, "jenis_kelamin") == ["L"]
    assert 'value="1984-03-13"' in html and 'value="1984-03-12"' not in html
    assert _selected(html, "kecamatan") == "13.02.10"
    # a date typed wrongly is kept as typed, not replaced
    r = client.post(NEW, data={"nik": NIK_WOMAN_1984, "tanggal_lahir": "12-3-84", "_isi_nik": "1"})
    assert 'value="12-3-84"' in r.get_data(as_text=True)


def test_fill_with_htmx_swaps_only_empty_fields(client, auth):
    auth.login("operator.solok")
    r = client.get("/sidilan/cek-nik", query_string={"nik": NIK_WOMAN_1984, "isi": "1"}, headers=HX)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in html and "Tigo Lurah" in html
    assert 'id="jk-box" data-hx-swap-oob="true"' in html and _checked(html, "jenis_kelamin") == ["P"]
    assert 'id="tgl-lahir-box" data-hx-swap-oob="innerHTML"' in html and 'value="1984-03-12"' in html
    assert 'id="wilayah-box" data-hx-swap-oob="innerHTML"' in html
    assert _selected(html, "kecamatan") == "13.02.18"
    typed = client.get(
        "/sidilan/cek-nik",
        query_string={
            "nik": NIK_WOMAN_1984,
            "isi": "1",
            "jenis_kelamin": "L",
            "tanggal_lahir": "1984-03-13",
            "kecamatan": "13.02.10",
        },
        headers=HX,
    ).get_data(as_text=True)
    assert "swap-oob" not in typed and "Jenis kelamin berbeda dengan NIK" in typed
    # the decoder page without the form (no isi, or not htmx) fills nothing
    assert (
        "swap-oob"
        not in client.get("/sidilan/cek-nik", query_string={"nik": NIK_WOMAN_1984}, headers=HX).text
    )
    assert (
        "swap-oob"
        not in client.get("/sidilan/cek-nik", query_string={"nik": NIK_WOMAN_1984, "isi": "1"}).text
    )
    # a NIK of another regency fills sex and birth date, never a kecamatan that is not this regency's
    other = client.get(
        "/sidilan/cek-nik", query_string={"nik": "1303045203840001", "isi": "1"}, headers=HX
    ).get_data(as_text=True)
    assert "jk-box" in other and "wilayah-box" not in other


def test_person_form_asks_the_decoder_to_fill(client, auth):
    auth.login("operator.solok")
    html = client.get(NEW).get_data(as_text=True)
    assert "isi=1" in html and "[name='kecamatan']" in html
    assert 'id="jk-box"' in html and 'id="tgl-lahir-box"' in html and 'id="wilayah-box"' in html
    # Enter in a field saves: the first submit button of the form is Simpan
    form = html.split(f'action="{NEW}"', 1)[1]
    assert re.search(r"<button[^>]*>([^<]*)</button>", form).group(1) == "Simpan"
