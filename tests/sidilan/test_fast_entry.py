"""Fast entry (issue 13 part 3): the NIK decoder fills empty fields (htmx and no-JS), the entri cepat screen,
"Tambah anggota" from a household, principal and alternate recipient, one Kepala Keluarga per No. KK."""

import re

from sqlalchemy import select

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.sidilan.models import Household, Person
from tests.conftest import HX

from .conftest import NIK_WOMAN_1984, browser_form, person_by_name, person_id_of, version_of

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


# ---- entri cepat ------------------------------------------------------------------------------------

FAST = "/sidilan/entri-cepat"


def test_fast_entry_two_people_in_a_row_household_carried(app, client, auth, person_data, jorong_id):
    auth.login("operator.solok")
    page = client.get(FAST).get_data(as_text=True)
    # the paper form's order; the first field has focus; Enter saves (Simpan is the form's first button)
    order = [
        page.index(f'name="{n}"') for n in ("no_kk", "alamat", "kecamatan", "nik", "nama_lengkap", "agama")
    ]
    assert order == sorted(order)
    assert re.search(r'<input[^>]*autofocus[^>]*name="no_kk"|<input[^>]*name="no_kk"[^>]*autofocus', page)
    form = page.split(f'action="{FAST}"', 1)[1]
    assert re.search(r"<button[^>]*>([^<]*)</button>", form).group(1) == "Simpan"
    assert 'tabindex="1' not in page  # no positive tab index: the document order is the tab order
    first = person_data(nama_lengkap="Cepat Satu", hubungan_keluarga="Kepala Keluarga", alamat="Jl. Sawah 3")
    r = client.post(FAST, data=first)
    assert r.status_code == 302 and "/entri-cepat?dari=" in r.headers["Location"]
    one = person_by_name(app, "Cepat Satu")
    nxt = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Tersimpan:" in nxt and "Cepat Satu" in nxt and f"/sidilan/orang/{one.id}" in nxt
    carried = browser_form(nxt, FAST)
    assert carried["no_kk"] == "1302180101249999" and carried["alamat"] == "Jl. Sawah 3"
    assert carried["kecamatan"] == "13.02.18" and carried["nagari"] == "13.02.18.2004"
    assert carried["jorong"] == str(jorong_id)
    assert carried.get("nik") == "" and carried.get("nama_lengkap") == "" and "jenis_kelamin" not in carried
    assert carried["submission_key"] != first["submission_key"]
    assert re.search(r'<input[^>]*name="nik"[^>]*autofocus', nxt)  # household carried: focus on the NIK
    # the second person: only what the paper form says about them, the household as carried
    second = dict(carried)
    second.update(
        nik="1302181205100003",
        nama_lengkap="Cepat Dua",
        jenis_kelamin="L",
        tanggal_lahir="2010-05-12",
        hubungan_keluarga="Anak",
        persetujuan="y",
        tgl_persetujuan="2024-08-29",
        pemberi_persetujuan="Ibu",
    )
    r = client.post(FAST, data=second)
    assert r.status_code == 302
    two = person_by_name(app, "Cepat Dua")
    assert two.household_id == one.household_id and two.jorong_id == jorong_id and two.alamat == "Jl. Sawah 3"
    # a replay of the same submit creates nothing and lands on the next-person screen
    again = client.post(FAST, data=second)
    assert again.status_code in (302, 303) and "/entri-cepat?dari=" in again.headers["Location"]
    with app.app_context():
        assert (
            db.session.scalar(select(db.func.count(Person.id)).where(Person.nama_lengkap == "Cepat Dua")) == 1
        )


def test_fast_entry_errors_use_the_same_rules(app, client, auth, person_data):
    auth.login("operator.solok")
    r = client.post(FAST, data=person_data(nik="", nama_lengkap="Tanpa Alasan"))
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "alasan tanpa NIK" in html and 'value="Tanpa Alasan"' in html
    assert person_by_name(app, "Tanpa Alasan") is None
    # the no-JS fill works here too
    r = client.post(FAST, data={"nik": NIK_WOMAN_1984, "_isi_nik": "1", "no_kk": "1302180101249999"})
    html = r.get_data(as_text=True)
    assert (
        r.status_code == 200
        and _checked(html, "jenis_kelamin") == ["P"]
        and 'value="1302180101249999"' in html
    )


def test_fast_entry_last_person_scoped(app, client, auth):
    auth.login("operator.sijunjung")
    assert client.get(f"{FAST}?dari={person_id_of(app, 'Rosmaniar')}").status_code == 404
    auth.logout()
    auth.login("pimpinan.solok")
    assert client.get(FAST).status_code == 404


# ---- tambah anggota -----------------------------------------------------------------------------------


def _household_of(app, name):
    with app.app_context():
        return db.session.get(Person, person_id_of(app, name)).household_id


def test_add_member_from_household_page(app, client, auth, jorong_id):
    auth.login("operator.solok")
    hid = _household_of(app, "Rosmaniar")
    page = client.get(f"/sidilan/keluarga/{hid}").get_data(as_text=True)
    assert f"/sidilan/orang/baru?keluarga={hid}" in page and "Tambah anggota" in page
    form_html = client.get(f"{NEW}?keluarga={hid}").get_data(as_text=True)
    with app.app_context():  # the form shows the household's full No. KK: an audited read
        assert db.session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.object_type == "sidilan_household",
                AuditEvent.object_id == str(hid),
                AuditEvent.summary.contains("tambah anggota"),
            )
        )
    prefilled = browser_form(form_html, NEW)
    with app.app_context():
        hh = db.session.get(Household, hid)
        assert prefilled["no_kk"] == hh.no_kk and prefilled["alamat"] == (hh.alamat or "")
        assert prefilled["nagari"] == hh.nagari_code and prefilled["kecamatan"] == hh.kecamatan_code
    auth.logout()
    auth.login("operator.sijunjung")
    assert client.get(f"{NEW}?keluarga={hid}").status_code == 404
    auth.logout()
    auth.login("pimpinan.solok")
    assert "Tambah anggota" not in client.get(f"/sidilan/keluarga/{hid}").get_data(as_text=True)


# ---- principal and alternate recipient ----------------------------------------------------------------


def _members(app, hid):
    with app.app_context():
        return [(m.id, m.nama_lengkap) for m in db.session.get(Household, hid).members]


def test_principal_and_alternate_recipient(app, client, auth):
    auth.login("operator.solok")
    hid = _household_of(app, "Rosmaniar")
    (a, _), (b, _) = _members(app, hid)[:2]
    url = f"/sidilan/keluarga/{hid}/penerima"

    def post(main, alt, version=None):
        return client.post(
            url,
            data={
                "penerima-penerima_utama_id": str(main or ""),
                "penerima-penerima_pengganti_id": str(alt or ""),
                "penerima-version": version or version_of(app, Household, hid),
            },
        )

    r = post(a, b)
    assert r.status_code == 302
    with app.app_context():
        hh = db.session.get(Household, hid)
        assert (hh.penerima_utama_id, hh.penerima_pengganti_id) == (a, b)
    page = client.get(f"/sidilan/keluarga/{hid}").get_data(as_text=True)
    assert "penerima utama" in page and "penerima pengganti" in page
    same = post(a, a)
    assert same.status_code == 422 and "Penerima pengganti harus orang lain" in same.get_data(as_text=True)
    alone = post("", b)
    assert alone.status_code == 422 and "Tetapkan penerima utama lebih dulu." in alone.get_data(as_text=True)
    # someone outside the household is not a choice
    with app.app_context():
        stranger = db.session.scalar(select(Person.id).where(Person.household_id != hid).limit(1))
    assert post(stranger, "").status_code == 422
    # a stale version gets the conflict page, nothing changes
    stale = post(b, "", version="0")
    assert stale.status_code == 409
    with app.app_context():
        assert db.session.get(Household, hid).penerima_utama_id == a
    # read-only roles see the names, cannot post
    auth.logout()
    auth.login("pimpinan.solok")
    assert "Penerima utama" in client.get(f"/sidilan/keluarga/{hid}").get_data(as_text=True)
    assert post(b, "").status_code == 404


# ---- one Kepala Keluarga per No. KK --------------------------------------------------------------------


def test_second_head_of_kk_refused_with_message(app, client, auth, person_data):
    auth.login("operator.solok")
    assert (
        client.post(
            NEW, data=person_data(nama_lengkap="Kepala Satu", hubungan_keluarga="Kepala Keluarga")
        ).status_code
        == 302
    )
    r = client.post(
        NEW,
        data=person_data(
            nik="1302181205700004",
            nama_lengkap="Kepala Dua",
            jenis_kelamin="L",
            tanggal_lahir="1970-05-12",
            hubungan_keluarga="Kepala Keluarga",
        ),
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "No. KK ini sudah punya Kepala Keluarga: Kepala Satu" in html
    # the message sits at the SHDK field
    assert re.search(
        r'id="hubungan_keluarga-err"><span class="err">No. KK ini sudah punya Kepala Keluarga', html
    )
    assert person_by_name(app, "Kepala Dua") is None
    # the same through entri cepat
    r = client.post(
        FAST,
        data=person_data(
            nik="1302181205700004",
            nama_lengkap="Kepala Dua",
            jenis_kelamin="L",
            tanggal_lahir="1970-05-12",
            hubungan_keluarga="Kepala Keluarga",
        ),
    )
    assert r.status_code == 422 and "sudah punya Kepala Keluarga" in r.get_data(as_text=True)


def test_database_refuses_a_second_live_head(app):
    """The index behind the rule: a write that skips the use case (two saves racing) cannot add a second head."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from blueprints.sidilan.names import person_name_columns

    with app.app_context():
        head = db.session.scalar(
            select(Person)
            .where(Person.hubungan_keluarga == "Kepala Keluarga", Person.no_kk.is_not(None))
            .limit(1)
        )

        def twin(**over):
            values = dict(
                regency_id=head.regency_id,
                no_kk=head.no_kk,
                hubungan_keluarga="Kepala Keluarga",
                nama_lengkap="Kembar",
                jenis_kelamin="L",
                tanggal_lahir=head.tanggal_lahir,
                **person_name_columns("Kembar"),
            )
            values.update(over)
            return Person(**values)

        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.add(twin())
        # a deceased or merged head does not count
        with db.session.begin_nested():
            db.session.add(twin(status_hidup="meninggal"))
            db.session.add(twin(hubungan_keluarga="Anak"))
        db.session.rollback()
