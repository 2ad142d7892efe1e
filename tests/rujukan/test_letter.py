"""The letter holds everything (docs/rujukan.md §9.1, §9.2; issue 14 part 2): no text is cut, the body is 11 pt
when the letter fits one page and smaller down to the floor before a continuation page; the tear-off is whole on
the last page and filled with the hospital's answer; the form warns when the letter will need a second page.
Real WeasyPrint, text read back with poppler's pdftotext."""

import re
import subprocess

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.rujukan.models import Patient, Referral
from blueprints.rujukan.printouts import LETTER_FLOOR_PT, letter_fit, letter_texts, reply_texts

from ..conftest import HX
from .conftest import form_data, org, patient_named, referral_where, version
from .test_pdf import pdf_info, pdf_runs

PX_PER_PT = 96 / 72  # WeasyPrint writes font sizes in CSS px

# Clinical texts of 600-1500 characters, each made of lower-case words that occur nowhere else (a field's tag,
# then its word number in letters), so that finding the whole text proves that not one character went missing.
LONG = {
    "anamnesis": 1500,
    "physical_exam": 1100,
    "supporting": 800,
    "therapy_drug": 700,
    "therapy_other": 600,
    "bmhp": 600,
    "procedures": 600,
    "reason": 900,
    "condition": 600,
    "note": 600,
}


def _words(tag: str, length: int) -> str:
    out, n = [], 0
    while len(" ".join(out)) < length:
        number = "".join("abcdefghijklmnopqrstuvwxyz"[n // 26**k % 26] for k in (2, 1, 0))
        out.append(f"{tag}{number}" + ("," if n % 7 == 6 else ""))
        n += 1
    return " ".join(out)[:length].rstrip()


def pages_text(data: bytes, tmp_path) -> list[str]:
    """Each page's text (pdftotext, reading order), whitespace and break opportunities (U+200B) dropped."""
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    out = []
    for page in range(1, pdf_info(data)[0] + 1):
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-raw", "-f", str(page), "-l", str(page), str(path), "-"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        out.append(re.sub(r"[\s\u200b\u00ad]+", "", text))
    return out


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _ros(app) -> int:
    with app.app_context():
        ros = db.session.scalar(select(Patient).where(Patient.nik == "1302185203840001"))
        return referral_where(Referral.patient_id == ros.id, Referral.status == "dijawab").id


def _make_long(app, ref_id: int) -> dict:
    texts = {name: _words("w" + "abcdefghij"[i], length) for i, (name, length) in enumerate(LONG.items())}
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        for name, text in texts.items():
            setattr(ref, name, text)
        db.session.commit()
    return texts


def _body_sizes(data: bytes) -> set[float]:
    """Font sizes (pt) of the clinical rows' labels."""
    return {
        round(size / PX_PER_PT, 2) for size, text in pdf_runs(data) if text in ("Anamnesa", "Alasan rujuk")
    }


def test_long_letter_holds_every_character_within_two_pages(app, faskes, tmp_path):
    ref_id = _ros(app)
    texts = _make_long(app, ref_id)
    for paper in ("A4", "F4"):
        resp = faskes.get(f"/rujukan/{ref_id}/cetak?kertas={paper}")
        assert resp.status_code == 200
        pages = pages_text(resp.data, tmp_path)
        assert len(pages) == 2, paper
        # a row may run across the page break: read the pages as one text without the running footer and the
        # SALINAN mark each page repeats
        footer = re.compile(r"^SALINAN|SuratRujukan[^·]*·Rosmaniar|Dicetakoleh.*?Halaman\d+dari\d+")
        whole = "".join(footer.sub("", page) for page in pages)
        for name, text in texts.items():
            assert _flat(text) in whole, f"{paper}: {name} is not printed whole"
        assert "..." not in whole and "…" not in whole
        # the tear-off is whole on the last page, and only there
        assert "SURATRUJUKANBALIK" in pages[-1] and "SURATRUJUKANBALIK" not in pages[0]
        assert "✂guntingdisini" in pages[-1]
        (size,) = _body_sizes(resp.data)
        assert LETTER_FLOOR_PT <= size <= 11


def test_short_letter_is_one_page_at_11_pt(app, faskes):
    ref_id = _ros(app)
    for paper in ("A4", "F4"):
        resp = faskes.get(f"/rujukan/{ref_id}/cetak?kertas={paper}")
        assert pdf_info(resp.data)[0] == 1
        assert _body_sizes(resp.data) == {11.0}


def test_middling_letter_shrinks_before_it_takes_a_second_page(app, faskes, tmp_path):
    ref_id = _ros(app)
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        ref.anamnesis = _words("m", 1400)
        db.session.commit()
    resp = faskes.get(f"/rujukan/{ref_id}/cetak?kertas=A4")
    (size,) = _body_sizes(resp.data)
    assert pdf_info(resp.data)[0] == 1 and LETTER_FLOOR_PT <= size < 11
    assert _flat(_words("m", 1400)) in pages_text(resp.data, tmp_path)[0]


def test_estimate_matches_the_renderer(app, faskes):
    """The pages the estimate promises are the pages WeasyPrint makes, on both papers, around the limits."""
    ref_id = _ros(app)
    for length in (150, 260, 700):
        with app.app_context():
            ref = db.session.get(Referral, ref_id)
            for name in LONG:
                setattr(ref, name, _words("e", length))
            db.session.commit()
            texts = letter_texts(ref) + reply_texts(ref)
            fits = {paper: letter_fit(texts, paper) for paper in ("A4", "F4")}
        for paper, fit in fits.items():
            data = faskes.get(f"/rujukan/{ref_id}/cetak?kertas={paper}").data
            assert pdf_info(data)[0] == fit.pages and _body_sizes(data) == {fit.size}, (length, paper, fit)


def test_tear_off_is_filled_after_the_answer_and_blank_before(app, faskes, tmp_path):
    answered = _ros(app)
    with app.app_context():
        ref = db.session.get(Referral, answered)
        assert ref.replied_at is not None
        ref.reply_therapy, ref.reply_advice = "Furosemid 2x40 mg, spironolakton 25 mg", "Kontrol poli jantung"
        ref.reply_doctor, ref.reply_inpatient, ref.reply_finished = "dr. Uji Jawaban, Sp.JP", False, True
        db.session.commit()
        reply_code, reply_name = ref.reply_diag_code, ref.reply_diag_name
        waiting = referral_where(
            Referral.origin_id == org("pkm").id,
            Referral.status == "diterbitkan",
            Referral.replied_at.is_(None),
        ).id
    tear = pages_text(faskes.get(f"/rujukan/{answered}/cetak?kertas=A4").data, tmp_path)[-1]
    tear = tear[tear.index("SURATRUJUKANBALIK") :]
    for shown in (
        reply_code,
        reply_name,
        "Furosemid2x40mg,spironolakton25mg",
        "Kontrolpolijantung",
        "dr.UjiJawaban,Sp.JP",
    ):
        assert _flat(shown) in tear
    assert "☒Konsultasiselesai" in tear and "☐Perlurawatinap" in tear and "(......" not in tear
    tear = pages_text(faskes.get(f"/rujukan/{waiting}/cetak?kertas=A4").data, tmp_path)[-1]
    tear = tear[tear.index("SURATRUJUKANBALIK") :]
    assert "Tanggal........" in tear and "(......" in tear and "☒" not in tear


def test_void_letter_keeps_its_mark_on_every_page(app, faskes):
    with app.app_context():
        cancelled = referral_where(
            Referral.origin_id == org("pkm").id, Referral.status == "dibatalkan", Referral.number.is_not(None)
        ).id
    _make_long(app, cancelled)
    data = faskes.get(f"/rujukan/{cancelled}/cetak?kertas=A4").data
    pages = pdf_info(data)[0]
    assert pages == 2
    assert [t for _, t in pdf_runs(data) if t == "DIBATALKAN"] == ["DIBATALKAN"] * pages


def test_form_hints_a_second_page_for_long_text(app, faskes):
    with app.app_context():
        new_url = f"/rujukan/pasien/{patient_named('Baharuddin').id}/rujukan/baru"
    long = {name: _words("f", length) for name, length in LONG.items()}
    hint = "akan dicetak 2 halaman"
    # short texts: no hint on the form
    assert hint not in faskes.get(new_url).text
    # the no-JS round trip: a form sent back with an error shows the hint next to the text areas
    resp = faskes.post(new_url, data=form_data(app, destination_id="", **long))
    assert (
        resp.status_code == 422
        and hint in resp.text
        and resp.text.count('class="flash warn letter-fit"') == 2
    )
    assert _words("f", 1500)[:200] in resp.text  # the typed text is kept
    # on save: a warning on the next page, and on the draft's form
    resp = faskes.post(new_url, data=form_data(app, **long))
    assert resp.status_code == 302
    assert hint in faskes.get(resp.headers["Location"]).text
    with app.app_context():
        ref_id = db.session.scalars(select(Referral.id).order_by(Referral.id.desc())).first()
    assert hint in faskes.get(f"/rujukan/{ref_id}/ubah").text
    # shortened again: the hint goes away
    resp = faskes.post(f"/rujukan/{ref_id}/ubah", data=form_data(app, **version(app, Referral, ref_id)))
    assert resp.status_code == 302 and hint not in faskes.get(resp.headers["Location"]).text


def test_form_hint_follows_the_text_via_htmx(app, faskes):
    """htmx asks the estimate again when a field changes: the same hint, as a fragment; nothing stored."""
    url = "/rujukan/perkiraan-surat"
    long = {name: _words("h", length) for name, length in LONG.items()}
    resp = faskes.post(url, data=form_data(app, **long), headers=HX)
    assert resp.status_code == 200 and "akan dicetak 2 halaman" in resp.text and "<html" not in resp.text
    assert 'id="letter-fit"' in resp.text
    resp = faskes.post(url, data=form_data(app), headers=HX)
    assert resp.status_code == 200 and "halaman" not in resp.text and 'id="letter-fit"' in resp.text
    assert faskes.post(url, data=form_data(app)).status_code == 302  # no htmx: nothing to show


def test_form_hint_endpoint_takes_bad_input(app, faskes, client, auth):
    url = "/rujukan/perkiraan-surat"
    for data in (
        {},
        {"anamnesis": "x" * 100_000, "diag1": "ZZZ" * 50, "diag2": "<script>", "note": "\x00\ufffd"},
        {"anamnesis": ["a", "b"], "tacc": "time", "tacc_reason": "y" * 5000},
    ):
        resp = faskes.post(url, data=data, headers=HX)
        assert resp.status_code == 200 and "<script>" not in resp.text
    huge = {name: "kata " * 20_000 for name in LONG}  # each read up to the form's 3,000 characters
    assert "akan dicetak" in faskes.post(url, data=huge, headers=HX).text
    auth.logout()
    auth.login("dinkes.solok")  # not a facility: no letters to estimate
    assert client.post(url, data={}, headers=HX).status_code in (403, 404)
