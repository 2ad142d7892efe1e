"""Indonesian ICD-10 names (data/icd10_id.csv): the search finds what puskesmas staff type, Indonesian first, and
the letter, detail page and stored referral carry the Indonesian name with the code."""

import gzip

import pytest
from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.rujukan import icd
from blueprints.rujukan.models import Referral

from ..conftest import HX
from .conftest import form_data
from .test_form import _new_url
from .test_pdf import _ros_ref, pdf_text


def _codes(q):
    return [code for code, _name in icd.search(q)]


@pytest.mark.parametrize(
    "q, first",
    [
        ("hipertensi", "I10"),
        ("diare", "A09"),
        ("katarak", "H25"),
        ("demam tifoid", "A01.0"),
        ("gagal jantung", "I50"),
        ("TB paru", "A15"),
        ("ispa", "J06.9"),
        ("ISPA", "J06.9"),
        ("DM", "E11"),
        ("DBD", "A91"),
        ("hipertnsi", "I10"),  # typo
        ("diarre", "A09"),  # typo
        ("I10", "I10"),  # code
        ("j06.9", "J06.9"),
        ("hypertension", "I10"),  # English still works
        ("tbc", "A15"),
        ("kencing manis", "E11"),
        ("HT", "I10"),
        ("GEA", "A09"),
        ("PPOK", "J44"),
        ("CHF", "I50"),
        ("ISK", "N39.0"),
        ("OMA", "H66.0"),
    ],
)
def test_search_finds_indonesian_names_first(q, first):
    assert _codes(q)[0] == first


def test_search_results_show_indonesian_name_and_keep_english():
    results = dict(icd.search("katarak"))
    assert results["H25"] == "Katarak senilis" and "H26" in results
    assert "A16" in _codes("TB paru") and _codes("ispa")[0] != "Q64.0"
    assert "I50" not in _codes("gatal")  # "gagal" is not a typo of "gatal"
    assert "I50.0" in _codes("heart failure")  # English words still search the WHO names
    assert dict(icd.search("I50"))["I50.1"] == "Left ventricular failure"  # no Indonesian name: English


def test_table_codes_are_valid_and_lists_covered():
    table = icd.indonesian()
    for code in table:
        assert code in icd.LEGACY_2010 or (
            icd._icd().is_valid_item(code) and icd._icd().is_category_or_subcategory(code)
        ), code
    assert sum("144" in e.lists for e in table.values()) >= 144
    for code in ("J06.9", "I10", "A09", "K30", "M79.1", "E11", "A15", "A16", "A91", "A01.0", "K29", "J18"):
        assert "lb1" in table[code].lists, code
    assert all(len(e.name) <= 80 for e in table.values())


def test_display_name_and_lookup():
    assert icd.display_name("I10") == "Hipertensi esensial (primer)"
    assert icd.display_name("a010") == "Demam tifoid"
    assert icd.display_name("J02.9", "Acute pharyngitis, unspecified") == "Acute pharyngitis, unspecified"
    assert icd.display_name("J02.9") == "Acute pharyngitis, unspecified"
    assert icd.lookup("i10") == ("I10", "Hipertensi esensial (primer)")
    assert icd.lookup("A91") == ("A91", "Demam berdarah dengue")  # ICD-10 2010 code BPJS still uses
    assert icd.chapter_of("A91")[0] == "I"


def test_icd_page_without_js_and_small_fragment(faskes):
    page = faskes.get("/rujukan/icd", query_string={"q": "ispa"})
    assert page.status_code == 200 and "<html" in page.text
    assert page.text.index("J06.9") < page.text.find("Q64.0") or "Q64.0" not in page.text
    assert "ISPA (infeksi saluran pernapasan akut atas)" in page.text
    assert "Acute upper respiratory infection, unspecified" in page.text  # English as the secondary line
    for q in ("demam", "hipertensi", "a0", "infeksi"):
        frag = faskes.get("/rujukan/icd", query_string={"slot": "1", "diag_q1": q}, headers=HX)
        assert "<html" not in frag.text and 'name="diag1_pick"' in frag.text
        assert len(gzip.compress(frag.data, compresslevel=6)) <= 4000, q


def test_new_referral_stores_indonesian_name(app, faskes):
    url = _new_url(app)
    resp = faskes.post(url, data=form_data(app, diag1="", _icd="1", diag_q1="gagal jantung"))
    assert 'name="diag1_pick" value="I50.0"' in resp.text and "Gagal jantung kongestif" in resp.text
    saved = faskes.post(url, data=form_data(app, diag1="", diag1_pick="I50.0"))
    assert saved.status_code == 302
    with app.app_context():
        ref = db.session.scalars(select(Referral).order_by(Referral.id.desc())).first()
        assert (ref.diag1_code, ref.diag1_name) == ("I50.0", "Gagal jantung kongestif")


def test_letter_and_detail_show_indonesian_name_with_code(app, faskes):
    ref_id = _ros_ref(app)
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        ref.diag2_code, ref.diag2_name = "I10", "Essential (primary) hypertension"  # stored before the table
        db.session.commit()
    detail = faskes.get(f"/rujukan/{ref_id}")
    assert "<b>I10</b> Hipertensi esensial (primer)" in detail.text
    text = pdf_text(faskes.get(f"/rujukan/{ref_id}/cetak?kertas=A4").data)
    assert "I10" in text and "Hipertensi esensial (primer)" in text
    assert "Essential (primary) hypertension" not in text
    with app.app_context():
        stored = db.session.scalars(select(Referral).where(Referral.id == ref_id)).one().diag2_name
        assert stored.startswith("Essential")  # the stored value is untouched; only the display changes
