"""The printed letter (docs/rujukan.md §9.1/9.2): real WeasyPrint, one page, size, marks, print log."""

import contextlib
import io
import re

from flask import render_template
from pypdf import PdfReader
from pypdf.generic import StreamObject
from sqlalchemy import func, select

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.rujukan.models import Patient, Referral, ReferralPrint
from blueprints.rujukan.views.printouts import letter_context

from .conftest import org, referral_where

PDF_BUDGET = 30 * 1024


def pdf_info(data: bytes) -> tuple[int, list[str]]:
    """(page count, MediaBoxes as "x0 y0 x1 y1"), read with a real PDF parser."""
    pages = PdfReader(io.BytesIO(data)).pages
    return len(pages), [" ".join(str(v) for v in page.mediabox) for page in pages]


def _inflate(data: bytes) -> dict[int, bytes]:
    """Decompressed streams by object number (object streams included, under their own number), read with a
    real PDF parser: compressed bytes may hold anything, so no regular expression can find where a stream ends."""
    reader = PdfReader(io.BytesIO(data))
    out = {}
    for num in range(1, int(reader.trailer["/Size"])):
        with contextlib.suppress(Exception):  # free or unreadable entries of the cross-reference table
            obj = reader.get_object(num)
            if isinstance(obj, StreamObject):
                out[num] = obj.get_data()
    return out


def _cmap(stream: bytes) -> dict[int, str]:
    """A ToUnicode CMap: 2-byte glyph code -> text."""

    def text(hexa: bytes) -> str:
        return bytes.fromhex(hexa.decode()).decode("utf-16-be")

    out = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            out[int(src, 16)] = text(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]+>|\[[^\]]*\])", block
        ):
            lo, hi = int(lo, 16), int(hi, 16)
            if dst.startswith(b"["):
                for k, d in enumerate(re.findall(rb"<([0-9a-fA-F]+)>", dst)):
                    out[lo + k] = text(d)
            else:
                first = ord(text(dst[1:-1]))
                out.update({lo + k: chr(first + k) for k in range(hi - lo + 1)})
    return out


def pdf_runs(data: bytes) -> list[tuple[float, str]]:
    """(font size, text) of every text-showing operator WeasyPrint drew, decoded through the font's ToUnicode
    map (WeasyPrint names a font resource after its subset tag, e.g. /XKQQSR for XKQQSR+DejaVu-Sans)."""
    streams = _inflate(data)
    everything = b"\n".join(streams.values()) + data
    fonts = {
        tag.decode(): _cmap(streams[int(ref)])
        for tag, ref in re.findall(rb"/BaseFont /([A-Z]{6})\+[^/]*/ToUnicode (\d+) 0 R", everything)
    }
    runs = []
    for stream in streams.values():
        if b"BT" not in stream or b" Tf" not in stream:
            continue
        cmap, size = {}, 0.0
        for font, font_size, array, single in re.findall(
            rb"/(\w+) ([\d.]+) Tf|\[((?:<[0-9a-fA-F]*>|[-\d. ])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj", stream
        ):
            if font:
                cmap, size = fonts[font.decode()], float(font_size)
                continue
            codes = b"".join(re.findall(rb"<([0-9a-fA-F]*)>", array)) if array else single
            runs.append(
                (
                    size,
                    "".join(cmap.get(int(codes[i : i + 4], 16), "\ufffd") for i in range(0, len(codes), 4)),
                )
            )
    return runs


def pdf_text(data: bytes) -> str:
    """The PDF's text, one line per text-showing operator."""
    return "\n".join(text for _, text in pdf_runs(data))


def _ros_ref(app):
    with app.app_context():
        ros = db.session.scalar(select(Patient).where(Patient.nik == "1302185203840001"))
        return referral_where(Referral.patient_id == ros.id, Referral.status == "dijawab").id


def test_letter_pdf_one_page_a4_and_f4(app, faskes, caplog):
    ref_id = _ros_ref(app)
    resp = faskes.get(f"/rujukan/{ref_id}/cetak?kertas=A4")
    assert not [r for r in caplog.records if r.name.startswith("weasyprint") and r.levelname == "WARNING"]
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.data[:4] == b"%PDF" and len(resp.data) <= PDF_BUDGET
    pages, boxes = pdf_info(resp.data)
    assert pages == 1 and boxes[0].split()[2:] == ["595.275591", "841.889764"]
    resp = faskes.get(f"/rujukan/{ref_id}/cetak")  # the facility's own setting: Tigo Lurah prints on F4
    pages, boxes = pdf_info(resp.data)
    assert (
        pages == 1 and boxes[0].split()[2:] == ["609.448819", "935.433071"] and len(resp.data) <= PDF_BUDGET
    )


def test_letter_html_content(app):
    ref_id = _ros_ref(app)
    with app.test_request_context("/rujukan/"):
        ref = db.session.get(Referral, ref_id)
        html = render_template(
            "rujukan/pdf/letter.html",
            page_size="210mm 297mm",
            paper="A4",
            L=__import__("blueprints.rujukan.lists", fromlist=["x"]),
            **letter_context(ref, None),
        )
        assert ref.number in html and "Rosmaniar" in html
        assert "I50.0" in html and "Gagal jantung kongestif" in html  # Indonesian name with the code
        assert "berlaku 1 (satu) kali kunjungan, berlaku sampai dengan" in html
        assert (
            "Pertimbangan geografis" in html
            and "Pelayanan Kesehatan Masyarakat di Wilayah Perbatasan" in html
        )
        assert "Pengguna kursi roda" in html
        assert "SURAT RUJUKAN BALIK" in html and "<svg" in html and f"R{ref.id}-" in html
        assert "SIP" in html and "Salam sejawat" in html


def test_draft_copy_marks_and_print_log(app, faskes):
    ref_id = _ros_ref(app)
    with app.app_context():
        draft_id = referral_where(Referral.origin_id == org("pkm").id, Referral.status == "draf").id
        db.session.get(Referral, ref_id).print_count = 0
        db.session.commit()
    assert faskes.get(f"/rujukan/{draft_id}/cetak").status_code == 200
    faskes.get(f"/rujukan/{ref_id}/cetak?kertas=A4")
    faskes.get(f"/rujukan/{ref_id}/cetak?kertas=A4")
    with app.app_context():
        marks = [p.mark for p in db.session.scalars(select(ReferralPrint).order_by(ReferralPrint.id))]
        assert marks == ["DRAFT", "ASLI", "SALINAN"]
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "print")) == 3
        ref = db.session.get(Referral, ref_id)
    with app.test_request_context("/rujukan/"):
        ref = db.session.get(Referral, ref_id)
        from blueprints.rujukan import lists

        html = render_template(
            "rujukan/pdf/letter.html", page_size="x", paper="A4", L=lists, **letter_context(ref, "SALINAN")
        )
        assert '<div class="mark">SALINAN</div>' in html


def test_hostile_fields_are_escaped_never_fetched(app, faskes):
    ref_id = _ros_ref(app)
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        ref.anamnesis = '<img src="file:///etc/passwd"> <img src="http://example.com/x.png">'
        ref.note = '<link rel="stylesheet" href="http://example.com/a.css">'
        db.session.commit()
    with app.test_request_context("/rujukan/"):
        from blueprints.rujukan import lists

        html = render_template(
            "rujukan/pdf/letter.html",
            page_size="x",
            paper="A4",
            L=lists,
            **letter_context(db.session.get(Referral, ref_id), None),
        )
        assert '<img src="file:///etc/passwd">' not in html and "&lt;img src=" in html
        assert '<link rel="stylesheet" href="http://' not in html
    resp = faskes.get(f"/rujukan/{ref_id}/cetak?kertas=A4")
    assert resp.status_code == 200 and b"root:x:0:0" not in resp.data
    assert pdf_info(resp.data)[0] == 1


def test_renderer_refuses_urls_outside_static(app):
    from pathlib import Path

    import pytest

    from blueprints.core.pdf import StaticOnlyFetcher

    fetcher = StaticOnlyFetcher(Path(app.root_path) / "static")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError):
        fetcher.fetch("http://example.com/x.png")


def test_scoped_print(app, client, auth):
    ref_id = _ros_ref(app)
    auth.login("faskes2.solok")
    assert client.get(f"/rujukan/{ref_id}/cetak").status_code == 404


def test_fullest_letter_holds_everything_on_the_pages_estimated(app, faskes):
    """Long fields everywhere, three long diagnoses, TACC, IGD call, border basis: nothing is cut, the letter
    runs onto the pages the estimate gave it."""
    from blueprints.rujukan.printouts import LETTER_FLOOR_PT, letter_fit, letter_texts, reply_texts

    ref_id = _ros_ref(app)
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        for name in (
            "anamnesis",
            "physical_exam",
            "supporting",
            "therapy_drug",
            "therapy_other",
            "bmhp",
            "procedures",
            "reason",
            "condition",
            "note",
        ):
            setattr(ref, name, "Keluhan panjang " * 60)
        ref.allergy, ref.escort = "a" * 200, "b" * 150
        ref.diag2_code, ref.diag2_name = "E11.9", "Type 2 diabetes mellitus without complications " * 4
        ref.diag3_code, ref.diag3_name = "I10", "Essential (primary) hypertension " * 6
        ref.tacc, ref.tacc_reason = "comorbidity", "r" * 300
        ref.jenis, ref.igd_call_name, ref.igd_call_time, ref.igd_call_accepted = (
            "igd",
            "n" * 120,
            "10:00",
            True,
        )
        ref.accessibility = (
            "Disabilitas fisik; Pengguna kursi roda; Perlu juru bahasa isyarat; Perlu pendamping"
        )
        db.session.commit()
        fit = letter_fit(letter_texts(ref) + reply_texts(ref), "A4")
    resp = faskes.get(f"/rujukan/{ref_id}/cetak?kertas=A4")
    assert fit.size >= LETTER_FLOOR_PT and pdf_info(resp.data)[0] == fit.pages >= 2
    assert len(resp.data) <= PDF_BUDGET
    text = re.sub(r"\s+", " ", pdf_text(resp.data).replace("\u200b", ""))
    assert (
        text.count("Keluhan") >= 10 * 60
        and text.count("panjang") >= 10 * 60
        and "r" * 300 in re.sub(r"\s", "", text)
    )


def test_consent_form_pdf(app, client, auth):
    ref_id = _ros_ref(app)
    auth.login("faskes.solok")
    resp = client.get(f"/rujukan/{ref_id}/persetujuan")
    assert resp.mimetype == "application/pdf" and pdf_info(resp.data)[0] == 1
    with app.test_request_context("/rujukan/"):
        from blueprints.rujukan import lists

        ref = db.session.get(Referral, ref_id)
        html = render_template(
            "rujukan/pdf/consent.html", page_size="x", paper="A4", L=lists, **letter_context(ref, None)
        )
        assert "PERSETUJUAN RUJUKAN" in html and "Rosmaniar" in html and "Saksi" in html
        ref.consent = "menolak"
        html = render_template(
            "rujukan/pdf/consent.html", page_size="x", paper="A4", L=lists, **letter_context(ref, None)
        )
        assert "PENOLAKAN RUJUKAN" in html and "MENOLAK" in html
        db.session.rollback()
    auth.logout()
    auth.login("faskes.rsud.sijunjung")  # the receiver does not print the sender's consent form
    assert client.get(f"/rujukan/{ref_id}/persetujuan").status_code == 404


def test_breakable_filter_keeps_text_whole_and_breaks_long_words(app):
    from blueprints.rujukan.views.printouts import breakable, clip

    assert breakable("a" * 60).count("\u200b") == 2 and breakable("a" * 60).replace("\u200b", "") == "a" * 60
    assert breakable("kata " * 100) == "kata " * 100 and breakable(None) == ""
    assert clip("kata " * 100, 40).endswith("...") and len(clip("kata " * 100, 40)) <= 40  # consent form only
    with app.test_request_context("/"):
        from flask import render_template_string

        assert render_template_string("{{ x|breakable }}", x="<script>alert(1)</script>").startswith(
            "&lt;script&gt;"
        )


def _void_refs(app):
    """(cancelled letter, expired letter, valid original) of Puskesmas Tigo Lurah."""
    from blueprints.core.timeutil import today_local
    from blueprints.rujukan.models import EXPIRABLE

    with app.app_context():
        pkm, today = org("pkm").id, today_local()
        cancelled = referral_where(
            Referral.origin_id == pkm, Referral.status == "dibatalkan", Referral.number.is_not(None)
        ).id
        expired = referral_where(
            Referral.origin_id == pkm, Referral.status.in_(EXPIRABLE), Referral.valid_until < today
        ).id
        valid = referral_where(
            Referral.origin_id == pkm, Referral.status == "diterbitkan", Referral.valid_until >= today
        ).id
        db.session.get(Referral, valid).print_count = 0
        db.session.commit()
        return cancelled, expired, valid


def _marks(text_runs):
    return [
        (size, text) for size, text in text_runs if text in ("DIBATALKAN", "KEDALUWARSA", "SALINAN", "DRAFT")
    ]


def test_cancelled_and_expired_letters_print_with_a_large_mark(app, client, auth):
    cancelled, expired, valid = _void_refs(app)
    auth.login("faskes.solok")
    for ref_id, mark, line in (
        (cancelled, "DIBATALKAN", "SURAT RUJUKAN INI TELAH DIBATALKAN DAN TIDAK BERLAKU."),
        (expired, "KEDALUWARSA", "SURAT RUJUKAN INI SUDAH KEDALUWARSA"),
    ):
        resp = client.get(f"/rujukan/{ref_id}/cetak?kertas=A4")
        assert resp.status_code == 200 and pdf_info(resp.data)[0] == 1
        runs = pdf_runs(resp.data)
        ((size, _),) = _marks(runs)
        assert _marks(runs) == [(size, mark)] and size >= 60  # px: at least 45 pt, across the page
        text = pdf_text(resp.data)
        assert line in text and "berlaku sampai dengan" not in text
    resp = client.get(f"/rujukan/{valid}/cetak?kertas=A4")  # the sender's first print: a clean original
    assert _marks(pdf_runs(resp.data)) == [] and "berlaku sampai dengan" in pdf_text(resp.data)
    auth.logout()
    auth.login("faskes.rsud.sijunjung")  # the receiver's copy of a cancelled letter is marked cancelled too
    assert [t for _, t in _marks(pdf_runs(client.get(f"/rujukan/{cancelled}/cetak").data))] == ["DIBATALKAN"]
    with app.app_context():
        logged = [
            (p.referral_id, p.mark)
            for p in db.session.scalars(select(ReferralPrint).order_by(ReferralPrint.id))
        ]
    assert logged == [(cancelled, "BATAL"), (expired, "LEWAT"), (valid, "ASLI"), (cancelled, "BATAL")]


def test_void_mark_in_the_letter_html(app):
    cancelled, expired, _ = _void_refs(app)
    from blueprints.core.timeutil import today_local
    from blueprints.rujukan import lists
    from blueprints.rujukan.printouts import mark_for

    with app.test_request_context("/rujukan/"):
        for ref_id, mark in ((cancelled, "DIBATALKAN"), (expired, "KEDALUWARSA")):
            ref = db.session.get(Referral, ref_id)
            assert mark_for(ref, sender=True, today=today_local()) == mark
            assert mark_for(ref, sender=False, today=today_local()) == mark
            html = render_template(
                "rujukan/pdf/letter.html", page_size="x", paper="A4", L=lists, **letter_context(ref, mark)
            )
            assert f'<div class="mark void">{mark}</div>' in html
