"""The period report the Sekda signs: a snapshot of the period's last day, as a page, PDF, .docx and .xlsx."""

import gzip
import io
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.pks.models import Activity, Agreement, Event, Obligation, Report, Slip, SlipVoid
from tests.clock import TODAY

SEM2_2024 = "tahun=2024&semester=2"
pytestmark = pytest.mark.dates  # the current period and "keadaan per" follow today


def _sign_pks1_in_2025(app, ids):
    """PKS 1 was signed on 10 March 2025: the stage move is dated the day it happened."""
    with app.app_context():
        a = db.session.get(Agreement, ids["pks1"])
        a.tahap, a.tgl_ttd = "ditandatangani", date(2025, 3, 10)
        a.tgl_mulai, a.tgl_berakhir = date(2025, 3, 10), date(2027, 3, 9)
        db.session.add(
            Event(
                agreement_id=a.id,
                kind="ttd",
                from_state="siap_ttd",
                to_state="ditandatangani",
                on_date=date(2025, 3, 10),
                reason="Ditandatangani",
            )
        )
        db.session.commit()


def _add_perpanjangan_signed_in_2026(app, ids):
    with app.app_context():
        db.session.add(
            Agreement(
                jenis="PERPANJANGAN",
                parent_id=ids["ksb"],
                judul="Perpanjangan KSB uji laporan",
                tahap="ditandatangani",
                tgl_ttd=date(2026, 3, 2),
                tgl_mulai=date(2028, 1, 25),
                tgl_berakhir=date(2033, 1, 24),
            )
        )
        db.session.commit()


def _texts(page: str) -> str:
    return " ".join(page.split())


def _section(page: str, title: str) -> str:
    """One section of the report page: from its heading to the next."""
    return page.split(f"<h2>{title} <small>")[1].split("<h2>")[0]


def test_the_snapshot_shows_the_period_as_it_stood_on_its_last_day(app, solok, ids):
    _sign_pks1_in_2025(app, ids)
    _add_perpanjangan_signed_in_2026(app, ids)

    page = _texts(solok.get(f"/pks/laporan?{SEM2_2024}").get_data(as_text=True))
    assert "Laporan kerja sama: Semester II 2024" in page and "Keadaan per 31 Desember 2024" in page
    assert "Perpanjangan KSB uji laporan" not in page  # signed (and recorded) in 2026
    signed = _section(page, "Kesepakatan yang ditandatangani dalam periode")
    assert "Tidak ada." in signed  # nothing was signed in the second half of 2024
    progress = _section(page, "Kesepakatan dalam proses: target dan realisasi")
    # PKS 1 was still waiting for its signature on 31 December 2024
    assert "(SIDILAN)" in progress and "Siap tanda tangan" in progress
    lapsed = _section(page, "Target tanda tangan yang terlewat")
    assert "target minggu ke-2 September 2024 terlewat 108 hari" in lapsed  # 14 Sept to 31 Dec 2024
    slips = _section(page, "Penundaan penandatanganan dalam periode")
    assert slips.count("<tr><td>") == 2  # the two postponements decided on 29 August 2024
    uncovered = _section(page, "Ruang lingkup KSB yang belum memiliki PKS")
    assert "Pariwisata" in uncovered and "Pengembangan sumber daya manusia" in uncovered

    year_2025 = _texts(solok.get("/pks/laporan?tahun=2025").get_data(as_text=True))
    signed = _section(year_2025, "Kesepakatan yang ditandatangani dalam periode")
    assert "(SIDILAN)" in signed and "10 Maret 2025" in signed
    assert "Perpanjangan KSB uji laporan" not in year_2025

    first_half_2024 = _texts(solok.get("/pks/laporan?tahun=2024&semester=1").get_data(as_text=True))
    assert "(SIDILAN)" not in first_half_2024  # nothing of the PKS is known before its 29 August 2024 meeting
    assert "Kesepakatan Bersama" in first_half_2024  # the KSB, signed 25 January 2023


def test_the_current_period_counts_the_lapsed_target_up_to_today(solok):
    semester = 1 if TODAY.month <= 6 else 2
    page = _texts(solok.get(f"/pks/laporan?tahun={TODAY.year}&semester={semester}").get_data(as_text=True))
    days = (TODAY - date(2024, 9, 14)).days
    assert f"target minggu ke-2 September 2024 terlewat {days} hari" in page


def test_a_voided_slip_is_left_out_of_the_report(app, solok, ids):
    with app.app_context():
        slip_id = db.session.scalar(select(Slip.id).where(Slip.agreement_id == ids["pks1"]))
        db.session.add(SlipVoid(slip_id=slip_id, alasan="uji format"))
        db.session.commit()
    page = _texts(solok.get(f"/pks/laporan?{SEM2_2024}").get_data(as_text=True))
    slips = _section(page, "Penundaan penandatanganan dalam periode")
    assert slips.count("<tr><td>") == 1 and "Wilayah Perbatasan" in slips and "(SIDILAN)" not in slips


def test_the_page_is_small(solok):
    body = solok.get(f"/pks/laporan?{SEM2_2024}").data
    assert len(gzip.compress(body)) <= 14_000


def _add_work(app, ids):
    with app.app_context():
        ksb = ids["ksb"]
        db.session.add_all(
            [
                Obligation(agreement_id=ksb, text="Menyediakan data penerima manfaat", due=date(2024, 10, 1)),
                Obligation(agreement_id=ksb, text="Kewajiban tahun depan", due=date(2025, 10, 1)),
                Report(agreement_id=ksb, periode="Semester II 2024", jatuh_tempo=date(2024, 12, 15)),
                Report(
                    agreement_id=ksb,
                    periode="Semester I 2024",
                    jatuh_tempo=date(2024, 7, 15),
                    disampaikan_pada=date(2024, 7, 10),
                ),
                Activity(
                    agreement_id=ksb, tanggal=date(2024, 11, 5), jenis="Sosialisasi SIDILAN", peserta=40
                ),
                Activity(agreement_id=ksb, tanggal=date(2025, 2, 5), jenis="Kegiatan tahun depan"),
            ]
        )
        db.session.commit()


def test_xlsx_has_numbered_rows_widths_filters_and_a_frozen_header(app, solok, ids):
    _add_work(app, ids)
    r = solok.get(f"/pks/laporan.xlsx?{SEM2_2024}")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(r.data))
    ws = wb["Kesepakatan"]
    assert ws["A1"].value == "Daftar kesepakatan – Semester II 2024"
    assert [c.value for c in ws[2]][:3] == ["No", "Jenis", "Judul"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in rows] == [1, 2, 3]  # numbered, not record ids
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:J5"
    assert ws.column_dimensions["C"].width == 48
    obligations = list(wb["Kewajiban"].iter_rows(min_row=3, values_only=True))
    assert [(o[0], o[2], o[4]) for o in obligations] == [
        (1, "Menyediakan data penerima manfaat", "Lewat tenggat")
    ]
    reports = list(wb["Laporan"].iter_rows(min_row=3, values_only=True))
    assert sorted(r[2] for r in reports) == ["Semester I 2024", "Semester II 2024"]
    assert any("terlambat 16 hari" in r[4] for r in reports)  # due 15 December, not sent by 31 December
    activities = list(wb["Kegiatan"].iter_rows(min_row=3, values_only=True))
    assert [(a[0], a[3], a[4]) for a in activities] == [(1, "Sosialisasi SIDILAN", 40)]
    issues = [r[3] for r in wb["Permasalahan"].iter_rows(min_row=3, values_only=True)]
    assert len(issues) == 4 and all(i.startswith("Tindak lanjut belum selesai") for i in issues)


def test_docx_holds_the_letter_the_sections_and_the_signature_block(app, solok, ids):
    _add_work(app, ids)
    r = solok.get(f"/pks/laporan.docx?{SEM2_2024}")
    assert r.status_code == 200 and r.mimetype.endswith("wordprocessingml.document")
    doc = Document(io.BytesIO(r.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "PEMERINTAH KABUPATEN SOLOK" in text  # the letterhead of the printing officer's organisation
    assert "Kepada Yth.\nSekretaris Daerah Kabupaten Solok" in text
    assert "Laporan Kerja Sama Daerah Semester II 2024" in text
    assert "Kepala Bagian Kerjasama" in text and "NIP. ....." in text
    cells = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    assert ["No", "Kesepakatan", "Keterangan"] in cells
    assert any("terlewat 108 hari" in c for row in cells for c in row)
    assert any(row[:1] == ["1"] and "Sosialisasi SIDILAN" in row for row in cells)


def test_pdf_is_the_signed_letter_on_the_letterhead_and_the_export_is_audited(app, solok):
    r = solok.get(f"/pks/laporan.pdf?{SEM2_2024}")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(r.data)).pages)
    assert "PEMERINTAH KABUPATEN SOLOK" in text
    assert "Sekretaris Daerah Kabupaten Solok" in text
    assert "Laporan Kerja Sama Daerah Semester II 2024" in text
    assert "terlewat 108 hari" in text and "Kepala Bagian Kerjasama" in text and "NIP." in text
    with app.app_context():
        summaries = db.session.scalars(
            select(AuditEvent.summary).where(
                AuditEvent.object_type == "pks_report", AuditEvent.action == "export"
            )
        ).all()
    assert summaries[-1] == "laporan kerja sama Semester II 2024 (pdf)"


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "pdf"])
def test_the_other_regency_sees_only_its_scope(sijunjung, fmt):
    r = sijunjung.get(f"/pks/laporan.{fmt}?{SEM2_2024}")
    assert r.status_code == 200


def test_a_big_docx_report_is_made_by_a_background_job(app, solok):
    from .test_outputs import _job_file

    app.config["PKS_REPORT_JOB_ROWS"] = 0
    got, _job_id = _job_file(solok, f"/pks/laporan.docx?{SEM2_2024}")
    assert got.status_code == 200 and got.mimetype.endswith("wordprocessingml.document")
    text = "\n".join(p.text for p in Document(io.BytesIO(got.data)).paragraphs)
    assert "Laporan Kerja Sama Daerah Semester II 2024" in text and "Kepala Bagian Kerjasama" in text
