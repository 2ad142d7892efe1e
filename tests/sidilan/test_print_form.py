"""Blank paper form per jorong (docs/sidilan.md §12): PDF from the foundation cascade."""

import re

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.wilayah.models import Jorong
from tests.sidilan.test_print_profile import pdf_pages

TIGO_JANGKO_NAGARI = "13.02.18.2004"


def _tigo_jangko(app):
    with app.app_context():
        return db.session.scalar(select(Jorong.id).where(Jorong.name == "Tigo Jangko"))


def test_paper_form_page_has_cascade(client, auth):
    auth.login("operator.solok")
    r = client.get("/sidilan/cetak/formulir")
    assert r.status_code == 200
    assert 'name="kecamatan"' in r.text and 'name="nagari"' in r.text


def test_paper_form_pdf_for_jorong(app, client, auth):
    auth.login("operator.solok")
    jorong_id = _tigo_jangko(app)
    r = client.get(
        "/sidilan/cetak/formulir",
        query_string={
            "kecamatan": "13.02.18",
            "nagari": TIGO_JANGKO_NAGARI,
            "jorong": jorong_id,
            "cetak": "1",
        },
    )
    assert r.status_code == 200
    assert r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF")
    assert "Tigo_Jangko" in r.headers["Content-Disposition"]
    assert pdf_pages(r.data) == 2  # front and back of one A4 sheet


def test_paper_form_needs_nagari(client, auth):
    auth.login("operator.solok")
    r = client.get("/sidilan/cetak/formulir", query_string={"kecamatan": "13.02.18", "cetak": "1"})
    assert r.status_code == 422
    assert "Pilih nagari." in r.text


def test_paper_form_other_regency_nagari_is_ignored(client, auth):
    """A Sijunjung clerk cannot print a Solok nagari: the cascade drops codes outside the regency."""
    auth.login("operator.sijunjung")
    r = client.get(
        "/sidilan/cetak/formulir",
        query_string={"kecamatan": "13.02.18", "nagari": TIGO_JANGKO_NAGARI, "cetak": "1"},
    )
    assert r.status_code == 422
    assert r.mimetype == "text/html"
    assert "Pilih kecamatan." in r.text


def test_paper_form_cascade_refresh_without_js(client, auth):
    auth.login("operator.solok")
    r = client.get("/sidilan/cetak/formulir", query_string={"kecamatan": "13.02.18", "_cascade": "1"})
    assert r.status_code == 200
    assert TIGO_JANGKO_NAGARI in r.text  # the nagari list is filled
    assert "Pilih nagari." not in r.text


def test_paper_form_follows_configured_barthel_maxima(make_app):
    """Item maxima are (unverified) and configurable; the printed Barthel grid follows the configuration."""
    from flask import render_template

    from blueprints.auth.models import Regency
    from blueprints.sidilan import assessments as S
    from blueprints.sidilan import values as V
    from blueprints.wilayah.models import Wilayah

    app = make_app(SIDILAN_BARTHEL_MAXIMA={"barthel_mandi": 4})
    client = app.test_client()
    client.post("/masuk", data={"username": "operator.solok", "password": "sinergi-demo-2024"})
    r = client.get(
        "/sidilan/cetak/formulir",
        query_string={"kecamatan": "13.02.18", "nagari": TIGO_JANGKO_NAGARI, "cetak": "1"},
    )
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    with app.test_request_context():
        nagari = db.session.get(Wilayah, TIGO_JANGKO_NAGARI)
        maxima = S.barthel_maxima()
        html = render_template(
            "sidilan/pdf_form.html",
            regency=db.session.get(Regency, nagari.regency_id),
            kecamatan=nagari.parent,
            nagari=nagari,
            jorong=None,
            form_no="F-1",
            qr="",
            v=V,
            maxima=maxima,
            barthel_max=max(maxima.values()),
            page_size="210mm 297mm",
        )
    rows = dict(re.findall(r"<tr><td>([^<]+)</td>(.*?)</tr>", html))
    assert rows["Mandi"].count("\u2610") == 5  # 0..4
    assert rows["Makan"].count("\u2610") == 3  # 0..2, the default maximum


def test_paper_form_pdf_has_every_box(app, client, auth):
    """The tick and digit boxes are ballot-box glyphs (cheap to lay out): the printed text holds one per option
    of every value list on the form, 16 digit boxes for the NIK and No. KK, and the Barthel grid."""
    import io

    import pypdf

    from blueprints.sidilan import assessments as S
    from blueprints.sidilan import values as V

    auth.login("operator.solok")
    r = client.get(
        "/sidilan/cetak/formulir",
        query_string={
            "kecamatan": "13.02.18",
            "nagari": TIGO_JANGKO_NAGARI,
            "jorong": _tigo_jangko(app),
            "cetak": "1",
        },
    )
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(r.data)).pages)
    flat = re.sub(r"\s+", " ", text.replace("\xa0", " "))
    box = "\u2610"
    assert f"No. KK {box * 16}" in flat and f"NIK {box * 16}" in flat
    for values in (V.SHDK, V.AGAMA, V.JENIS_KELAMIN, V.DERAJAT, V.KATEGORI_POTENSI, V.ALAT_BANTU):
        for _, label in values:
            assert f"{box} {label}" in flat, label
    with app.app_context():
        grid = sum(m + 1 for m in S.barthel_maxima().values())
    ticks = sum(
        len(values)
        for values in (
            V.ALASAN_TANPA_NIK,
            V.SHDK,
            V.JENIS_KELAMIN,
            V.AGAMA,
            V.STATUS_PERKAWINAN,
            V.STATUS_HIDUP,
            V.STATUS_DOMISILI,
            V.KEPESERTAAN_JKN,
            V.SUMBER_DATA,
            V.TAGS,
            V.DERAJAT,
            V.SEJAK,
            V.ALAT_BANTU,
            V.ALAT_BANTU,
            V.KEBUTUHAN_LAYANAN,
            V.KATEGORI_POTENSI,
            V.TINGGAL_DENGAN,
        )
    )
    ticks += sum(1 + len(V.JENIS[code]) for code, _ in V.RAGAM) + len(V.WG_QUESTIONS) * len(V.WG_ANSWERS)
    singles = 5  # perkiraan, bersedia didata, Ya, Tidak, terlantar
    digits = 16 + 16 + 8 + 4 + 8  # No. KK, NIK, birth date, year since, assessment date
    assert text.count(box) == ticks + grid + digits + singles


def test_paper_form_pdf_holds_every_field(app, client, auth):
    """What a clerk reads on paper: two A4 pages holding the place, the form number, every section, every field
    label, every WG-SS question and answer, every Barthel item and the three signatures, with blank lines to
    write on (runs of underscores)."""
    import io

    import pypdf

    from blueprints.sidilan import values as V

    auth.login("operator.solok")
    r = client.get(
        "/sidilan/cetak/formulir",
        query_string={
            "kecamatan": "13.02.18",
            "nagari": TIGO_JANGKO_NAGARI,
            "jorong": _tigo_jangko(app),
            "cetak": "1",
        },
    )
    reader = pypdf.PdfReader(io.BytesIO(r.data))
    assert [(round(p.mediabox.width), round(p.mediabox.height)) for p in reader.pages] == [(595, 842)] * 2
    front, back = (re.sub(r"\s+", " ", p.extract_text().replace("\xa0", " ")) for p in reader.pages)
    flat = front + " " + back
    for text in (
        "Formulir Pendataan Penyandang Disabilitas dan Lanjut Usia (SIDILAN)",
        "Nagari Tanjung Balik Sumiso",
        f"kode Kemendagri {TIGO_JANGKO_NAGARI}",
        "Jorong Tigo Jangko",
        f"No. formulir: F-0218-2004-J{_tigo_jangko(app)}-",
        "A. Keluarga (Kartu Keluarga)",
        "B. Individu",
        "C. Disabilitas",
        "D. Asesmen lanjut usia (umur 60 tahun ke atas)",
    ):
        assert text in flat, text
    labels = (
        "No. KK", "Alamat", "Desil DTSEN (1–10)", "NIK", "Jika tanpa NIK, alasan", "Nama lengkap", "panggilan",
        "Hubungan keluarga", "Jenis kelamin", "Tempat, tanggal lahir", "perkiraan", "Agama", "Status perkawinan",
        "Pendidikan terakhir", "pekerjaan", "Nama ibu kandung", "No. HP", "Pendamping / wali", "Status hidup",
        "tgl meninggal", "Domisili", "Kepesertaan JKN", "No. KPD", "Sumber data", "Catatan khusus",
        "Persetujuan (UU PDP)", "Derajat", "sejak", "Penyebab", "Surat keterangan", "Alat bantu dimiliki",
        "Alat bantu dibutuhkan", "Butuh pendamping", "kebutuhan layanan", "Tanggal asesmen", "kategori",
        "Tinggal dengan", "terlantar", "Indeks Barthel", "Penyakit kronis", "Kebutuhan",
    )  # fmt: skip
    for label in labels:
        assert label in flat, label
    for _, label in V.RAGAM + V.WG_QUESTIONS + V.WG_ANSWERS + [(c, lab) for c, lab, _ in V.BARTHEL_ITEMS]:
        assert label in flat, label
    for code, _ in V.RAGAM:
        for jenis in V.JENIS[code]:
            assert f"\u2610 {jenis}" in flat, jenis
    assert "Washington Group (WG-SS)" in back and "Indeks Barthel" in back  # the back page starts with WG-SS
    for who in ("Yang didata / keluarga", "Wali Jorong", "Petugas pendata"):
        assert who in back, who
    assert re.search(r"Alamat _{60,} RT _+ RW _+", front)  # the lines to write on
