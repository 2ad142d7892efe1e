"""One print base (issue 10 item 4): every PDF Sinergi produces extends templates/print/_base.html and carries
its letterhead (kop) of the organisation, and a running footer saying who printed it, when (WIB) and
"Halaman i dari n" on every page. Real WeasyPrint, text read back with pypdf."""

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from blueprints.auth.models import Organisation, User
from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal
from blueprints.pks.demo import KSB_TITLE, PKS1_TITLE
from blueprints.pks.models import Agreement, Meeting
from blueprints.rujukan.models import Referral
from blueprints.sidilan.models import Person
from tests.clock import TODAY

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
BASE = '{% extends "print/_base.html" %}'
MONTH = f"{TODAY.year}-{TODAY.month:02d}"


def pdf_templates() -> set[str]:
    """Every template the app hands to render_pdf (read from the source, so a new PDF cannot be missed)."""
    found = set()
    for path in (ROOT / "blueprints").rglob("*.py"):
        source = path.read_text()
        calls = re.findall(r"(?<!def )render_pdf\(\s*(\S)", source)
        assert all(first == '"' for first in calls), f"{path}: render_pdf takes its template as a literal"
        found.update(re.findall(r"render_pdf\(\s*\"([^\"]+)\"", source))
    return found


def _one(stmt):
    return db.session.scalars(stmt).first()


def _cases(app) -> dict[str, tuple[str, str, str]]:
    """template -> (username, url, organisation whose letterhead it carries)."""
    with app.app_context():
        pkm = _one(select(Organisation).where(Organisation.name == "Puskesmas Tigo Lurah (demo)"))
        letter = _one(
            select(Referral)
            .where(Referral.origin_id == pkm.id, Referral.status == "dijawab")
            .order_by(Referral.id)
        )
        issued = _one(
            select(Referral)
            .where(Referral.origin_id == pkm.id, Referral.issued_on.is_not(None))
            .order_by(Referral.id)
        )
        register_month = f"{issued.issued_on.year}-{issued.issued_on.month:02d}"
        sirukam = _one(select(Organisation).where(Organisation.name == "Puskesmas Sirukam (demo)"))
        answered = _one(  # a reply printed by the sender, on the answering facility's letterhead
            select(Referral)
            .where(
                Referral.origin_id == pkm.id,
                Referral.destination_id == sirukam.id,
                Referral.replied_at.is_not(None),
            )
            .order_by(Referral.id)
        )
        ksb = _one(select(Agreement.id).where(Agreement.judul == KSB_TITLE))
        pks1 = _one(select(Agreement.id).where(Agreement.judul == PKS1_TITLE))
        meeting = _one(select(Meeting.id).order_by(Meeting.id))
        person = _one(
            select(Person.id)
            .join(Organisation, Organisation.regency_id == Person.regency_id)
            .where(Organisation.name == "Dinas Sosial Kabupaten Solok")
            .order_by(Person.id)
        )
        return {
            "rujukan/pdf/letter.html": ("faskes.solok", f"/rujukan/{letter.id}/cetak", pkm.name),
            "rujukan/pdf/consent.html": ("faskes.solok", f"/rujukan/{letter.id}/persetujuan", pkm.name),
            "rujukan/pdf/reply.html": (
                "faskes.solok",
                f"/rujukan/{answered.id}/jawaban/cetak",
                sirukam.name,
            ),
            "rujukan/pdf/register.html": (
                "faskes.solok",
                f"/rujukan/register?bulan={register_month}&format=pdf",
                pkm.name,
            ),
            "rujukan/pdf/recap.html": (
                "dinkes.solok",
                (f"/rujukan/rekap?bulan={MONTH}&asal=13.02&layanan=13.03&format=pdf"),
                "Dinas Kesehatan Kabupaten Solok",
            ),
            "pks/pdf_sheet.html": (
                "kerjasama.solok",
                f"/pks/{pks1}/lembar.pdf",
                "Bagian Kerjasama Setda Kabupaten Solok",
            ),
            "pks/pdf_timeline.html": (
                "kerjasama.solok",
                f"/pks/{ksb}/linimasa.pdf",
                "Bagian Kerjasama Setda Kabupaten Solok",
            ),
            "pks/pdf_report.html": (
                "kerjasama.solok",
                "/pks/laporan.pdf?tahun=2024",
                "Bagian Kerjasama Setda Kabupaten Solok",
            ),
            "pks/pdf_meeting.html": (
                "kerjasama.solok",
                f"/pks/rapat/{meeting}/paket.pdf",
                "Bagian Kerjasama Setda Kabupaten Solok",
            ),
            "sidilan/pdf_form.html": (
                "operator.solok",
                ("/sidilan/cetak/formulir?kecamatan=13.02.18&nagari=13.02.18.2004&cetak=1"),
                "Dinas Sosial Kabupaten Solok",
            ),
            "sidilan/pdf_verval.html": (
                "verifikator.solok",
                "/sidilan/verval/lembar.pdf?nagari=13.02.18.2004",
                "Dinas Sosial Kabupaten Solok",
            ),
            "sidilan/pdf_profile.html": (
                "operator.solok",
                f"/sidilan/orang/{person}/profil.pdf",
                "Dinas Sosial Kabupaten Solok",
            ),
        }


def page_texts(data: bytes) -> list[str]:
    """Each page's text, whitespace collapsed (a name wrapped over two lines reads as one)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def test_every_pdf_template_extends_the_print_base():
    templates = pdf_templates()
    assert len(templates) >= 10, templates
    for name in sorted(templates):
        source = (TEMPLATES / name).read_text()
        first = re.sub(r"^\s*(\{#.*?#\}\s*)*", "", source, flags=re.DOTALL).splitlines()[0]
        assert first == BASE, (name, first)


def test_page_rules_and_letterheads_live_once():
    """Only the base sets @page; no app template but the kop macro writes a letterhead; no template under
    templates/ is print-only without the app printing it (a bench's template lives under bench/)."""
    printed = pdf_templates()
    for path in TEMPLATES.rglob("*.html"):
        rel, source = path.relative_to(TEMPLATES).as_posix(), path.read_text()
        if rel.startswith("print/"):
            continue
        assert "@page" not in source, rel
        assert 'class="kop"' not in source and "PEMERINTAH" not in source, rel
        if "/pdf/" in rel or rel.split("/")[-1].startswith("pdf"):
            assert rel in printed or rel.split("/")[-1].startswith("_"), f"{rel}: not printed by the app"


def test_every_pdf_carries_letterhead_footer_and_printer(app, client, auth):
    cases = _cases(app)
    assert set(cases) == pdf_templates()  # a new PDF gets a case here
    day = tanggal(TODAY)
    for template, (username, url, org_name) in cases.items():
        with app.app_context():
            printer = db.session.scalar(select(User.name).where(User.username == username))
        auth.login(username)
        response = client.get(url)
        auth.logout()
        assert response.status_code == 200 and response.mimetype == "application/pdf", (
            template,
            response.status,
        )
        pages = page_texts(response.data)
        n = len(pages)
        assert org_name.upper() in pages[0], (template, pages[0][:300])
        assert "PEMERINTAH KABUPATEN SOLOK" in pages[0], template
        for i, text in enumerate(pages, 1):
            assert f"Halaman {i} dari {n}" in text, (template, i, text[-300:])
            assert re.search(
                rf"Dicetak oleh {re.escape(printer)} · {day} \d\d\.\d\d WIB · Halaman {i} dari {n}", text
            ), (template, text[-300:])


@pytest.mark.parametrize("paper, width", [("A4", 595.28), ("F4", 609.45)])
def test_letter_paper_comes_from_render_pdf_and_stays_one_page(app, client, auth, paper, width):
    url = _cases(app)["rujukan/pdf/letter.html"][1]
    auth.login("faskes.solok")
    response = client.get(f"{url}?kertas={paper}")
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1 and round(float(reader.pages[0].mediabox.width), 2) == width
    assert "Halaman 1 dari 1" in page_texts(response.data)[0]


def test_printer_name_is_text_in_the_footer_never_markup(app, client, auth):
    """The footer is HTML in a running element: a name with markup prints as its characters."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "kerjasama.solok"))
        user.name = 'Rina <b>"Ade"</b> \\ Putri'
        db.session.commit()
        pks1 = db.session.scalar(select(Agreement.id).where(Agreement.judul == PKS1_TITLE))
    auth.login("kerjasama.solok")
    text = page_texts(client.get(f"/pks/{pks1}/lembar.pdf").data)[0]
    assert 'Dicetak oleh Rina <b>"Ade"</b> \\ Putri · ' in text


def test_longest_letterhead_wraps_and_the_letter_stays_one_page(app, client, auth):
    """Organisation fields at their column lengths (an address without a space included) break inside the kop
    instead of running off the sheet; the printer's longest name fits the footer; at most a continuation page."""
    url = _cases(app)["rujukan/pdf/letter.html"][1]
    with app.app_context():
        pkm = db.session.scalar(
            select(Organisation).where(Organisation.name == "Puskesmas Tigo Lurah (demo)")
        )
        pkm.name, pkm.address, pkm.phone = ("Puskesmas " + "Panjang " * 18)[:150], "A" * 250, "9" * 30
        db.session.scalar(select(User).where(User.username == "faskes.solok")).name = "Nama " * 24
        db.session.commit()
    auth.login("faskes.solok")
    data = client.get(f"{url}?kertas=A4").data
    reader = PdfReader(io.BytesIO(data))
    # the letter may now continue on a second page (it cuts no text, docs/rujukan.md §9.1), never a third
    assert len(reader.pages) <= 2
    lines = reader.pages[0].extract_text().splitlines()
    assert sum(1 for line in lines if "AAAAAAAAAA" in line) >= 2  # the address wrapped
    assert f"Dicetak oleh {' '.join(['Nama'] * 24)} · " in page_texts(data)[0]


def test_lists_keep_their_numbers_with_the_lean_user_agent_sheet(app):
    """core.pdf gives WeasyPrint a stylesheet without the footnote and every-element marker rules (their
    pseudo-elements cost most of a form's cascade); a list item still gets its number or bullet."""
    from blueprints.core.pdf import html_to_pdf

    html = "<!doctype html><html><body><ol><li>Satu</li><li>Dua</li></ol><ul><li>Tiga</li></ul></body></html>"
    with app.app_context():
        data = html_to_pdf(html, Path(app.root_path) / "static")
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    # pypdf reads the markers after the items' text (they are drawn apart); both are there
    assert all(word in text for word in ("Satu", "Dua", "Tiga")), text
    assert re.search(r"1\.\s+2\.\s+•", text), text
