"""The period report the Sekda signs: a snapshot of the period's last day, as a page, PDF, .docx and .xlsx."""

import gzip
import io
import re
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
    progress = _section(page, "Kesepakatan dalam proses: target dan keterlambatan")
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
    # the two action items of the 29 August 2024 meeting, each once, naming both PKS the meeting discussed
    issues = list(wb["Permasalahan"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[3].split(" dengan ")[-1]) for r in issues] == [
        (1, "Sekda Kab. Solok (demo, dikarang)"),
        (2, "Sekda Kab. Sijunjung (demo, dikarang)"),
    ]
    assert all(r[3].startswith("Tindak lanjut belum selesai") for r in issues)
    assert all("(SIDILAN)" in r[1] and "Wilayah Perbatasan" in r[1] for r in issues)


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


# ---- the snapshot reads each fact from its own date ----------------------------------------------------


def _sheet(client, query: str, sheet: str) -> list[tuple]:
    """The rows of one section as the .xlsx prints them (below its title and header)."""
    wb = load_workbook(io.BytesIO(client.get(f"/pks/laporan.xlsx?{query}").data))
    return list(wb[sheet].iter_rows(min_row=3, values_only=True))


def _row_of(rows, title: str) -> tuple:
    return next(r for r in rows if any(title in str(v) for v in r))


def test_a_slip_is_dated_by_its_own_decision_day(app, solok, ids):
    """A postponement decided on 10 December 2024 and recorded today belongs to the second half of 2024: the
    target then was January 2025, so it had not lapsed on 31 December."""
    from blueprints.pks import slips
    from blueprints.pks.target import parse_target

    with app.app_context():
        a = db.session.get(Agreement, ids["pks2"])
        out = slips.set_target(
            a, parse_target("Januari 2025"), "Bupati dinas luar", "Sekda", None, on=date(2024, 12, 10)
        )
        assert out.ok
        db.session.commit()
    postponed = _sheet(solok, SEM2_2024, "Penundaan")
    assert len(postponed) == 3 and _row_of(postponed, "Januari 2025")[5] == "Bupati dinas luar"
    progress = _row_of(_sheet(solok, SEM2_2024, "Dalam proses"), "Wilayah Perbatasan")
    assert progress[3:5] == ("Januari 2025", 0)
    lapsed = _sheet(solok, SEM2_2024, "Target terlewat")
    assert [r[1] for r in lapsed] == [
        "PKS: Replikasi Aplikasi Sistem Informasi Disabilitas dan Lanjut Usia (SIDILAN)"
    ]


def _event(app, aid, kind, old, new, on=None):
    """An event as the use cases log it (``on``: the day it happened, when recorded later; else today)."""
    from blueprints.pks.events import log

    with app.app_context():
        log(db.session.get(Agreement, aid), kind, None, old, new, f"uji {kind}", on_date=on)
        db.session.commit()


def test_a_back_dated_move_is_not_undone_by_the_creation_entry(app, solok, ids):
    """PKS 2 was ready to sign from 29 August 2024 (a move recorded later); its creation entry ("" → first
    stage) was logged today, and today it went back to legal review: on 31 December 2024 it was still ready."""
    aid = ids["pks2"]
    _event(app, aid, "dibuat", "", "diusulkan")
    with app.app_context():
        from blueprints.pks.stages import transition

        a = db.session.get(Agreement, aid)
        assert transition(a, "review_hukum", "Perlu telaah ulang pasal pembiayaan", None, TODAY).ok
        db.session.commit()
    progress = _row_of(_sheet(solok, SEM2_2024, "Dalam proses"), "Wilayah Perbatasan")
    assert progress[2] == "Siap tanda tangan"
    current = _row_of(_sheet(solok, f"tahun={TODAY.year}", "Dalam proses"), "Wilayah Perbatasan")
    assert current[2] == "Review hukum"


def test_a_proposal_is_not_read_as_a_stage_move(app, solok, ids):
    """A postponement of PKS 2 proposed for 1 March 2025 and confirmed today (the move dated 1 March), then
    resumed today: in the first half of 2025 it stood postponed, though the confirmation entry (logged today,
    "siap_ttd" → "ditunda") names the stage it was proposed from."""
    aid = ids["pks2"]
    _event(app, aid, "usul", "siap_ttd", "ditunda", on=date(2025, 3, 1))
    _event(app, aid, "tahap", "siap_ttd", "ditunda", on=date(2025, 3, 1))
    _event(app, aid, "usul_setuju", "siap_ttd", "ditunda")
    _event(app, aid, "tahap", "ditunda", "siap_ttd")
    with app.app_context():
        db.session.get(Agreement, aid).tahap = "siap_ttd"
        db.session.commit()
    progress = _row_of(_sheet(solok, "tahun=2025&semester=1", "Dalam proses"), "Wilayah Perbatasan")
    assert progress[2] == "Ditunda"
    earlier = _row_of(_sheet(solok, SEM2_2024, "Dalam proses"), "Wilayah Perbatasan")
    assert earlier[2] == "Siap tanda tangan"


def test_voiding_the_latest_slip_puts_its_old_target_back(app, solok, ids):
    aid = ids["pks2"]
    with app.app_context():
        slip_id = db.session.scalar(select(Slip.id).where(Slip.agreement_id == aid))
    r = solok.post(f"/pks/{aid}/penundaan/{slip_id}/batal", data={"alasan": "uji format, bukan penundaan"})
    assert r.status_code == 303
    stage = _texts(solok.get(f"/pks/{aid}/tahap").get_data(as_text=True))
    assert "sekarang: Juli 2024" in stage and "0 kali ditunda" in stage
    with app.app_context():
        a = db.session.get(Agreement, aid)
        assert (a.target_mulai, a.target_selesai, a.target_presisi) == (
            date(2024, 7, 1),
            date(2024, 7, 31),
            "bulan",
        )
        entry = db.session.scalar(
            select(Event.reason).where(Event.agreement_id == aid).order_by(Event.id.desc())
        )
    assert entry == (
        "Catatan penundaan Juli 2024 → minggu ke-2 September 2024 dibatalkan; target kembali ke Juli 2024: "
        "uji format, bukan penundaan"
    )
    # the report: the target July 2024 lapsed 153 days by 31 December; the voided slip is not counted
    lapsed = _row_of(_sheet(solok, SEM2_2024, "Target terlewat"), "Wilayah Perbatasan")
    assert lapsed[2] == "target Juli 2024 terlewat 153 hari"
    overview = _row_of(_sheet(solok, SEM2_2024, "Kesepakatan"), "Wilayah Perbatasan")
    assert overview[8:10] == (0, 0)


def test_voiding_the_latest_slip_keeps_a_target_set_again_since(app, solok, ids):
    """PKS 2 slipped from July to the 2nd week of September 2024, then the target was narrowed to 10 September
    (no slip): voiding the slip keeps 10 September (the later decision), said in the history entry."""
    from .conftest import key

    aid = ids["pks2"]
    r = solok.post(f"/pks/{aid}/target", data={**key("g"), "g-target": "10 September 2024"})
    assert r.status_code == 302
    with app.app_context():
        slip_id = db.session.scalar(select(Slip.id).where(Slip.agreement_id == aid))
    r = solok.post(f"/pks/{aid}/penundaan/{slip_id}/batal", data={"alasan": "tercatat dua kali"})
    assert r.status_code == 303
    stage = _texts(solok.get(f"/pks/{aid}/tahap").get_data(as_text=True))
    assert "sekarang: 10 September 2024" in stage and "0 kali ditunda" in stage
    with app.app_context():
        a = db.session.get(Agreement, aid)
        assert (a.target_mulai, a.target_selesai) == (date(2024, 9, 10), date(2024, 9, 10))
        entry = db.session.scalar(
            select(Event.reason).where(Event.agreement_id == aid).order_by(Event.id.desc())
        )
    assert entry == (
        "Catatan penundaan Juli 2024 → minggu ke-2 September 2024 dibatalkan; target tetap 10 September 2024: "
        "tercatat dua kali"
    )


def test_a_void_from_before_the_fix_still_shows_the_target_of_the_ledger(app, solok, ids):
    """A slip voided before a void put the target back: the agreement still holds the voided target, the
    snapshot rebuilds the one in force from the ledger (where it started)."""
    aid = ids["pks2"]
    with app.app_context():
        slip_id = db.session.scalar(select(Slip.id).where(Slip.agreement_id == aid))
        db.session.add(SlipVoid(slip_id=slip_id, alasan="uji format"))
        db.session.commit()
    progress = _row_of(_sheet(solok, SEM2_2024, "Dalam proses"), "Wilayah Perbatasan")
    assert progress[3] == "Juli 2024"


def test_numbers_show_only_when_signed_and_given_by_the_day(app, solok, ids):
    from blueprints.pks.models import DocNumber, Party

    _sign_pks1_in_2025(app, ids)
    with app.app_context():
        parties = {
            name: db.session.scalar(select(Party.id).where(Party.agreement_id == aid).order_by(Party.id))
            for name, aid in ids.items()
        }
        db.session.add_all(
            [
                DocNumber(
                    agreement_id=ids["pks1"],
                    party_id=parties["pks1"],
                    nomor="PKS1-2025",
                    tanggal=date(2025, 3, 10),
                ),
                DocNumber(agreement_id=ids["pks2"], party_id=parties["pks2"], nomor="PKS2-DRAF"),
            ]
        )
        db.session.commit()
    numbers = {r[2]: r[5] for r in _sheet(solok, SEM2_2024, "Kesepakatan")}
    assert numbers["Replikasi Aplikasi Sistem Informasi Disabilitas dan Lanjut Usia (SIDILAN)"] is None
    assert numbers["Pelayanan Kesehatan Masyarakat di Wilayah Perbatasan"] is None  # not signed
    assert (
        "KSB-SLK"
        in numbers["Kesepakatan Bersama Pemerintah Kabupaten Solok dan Pemerintah Kabupaten Sijunjung"]
    )
    year_2025 = {r[2]: r[5] for r in _sheet(solok, "tahun=2025", "Kesepakatan")}
    assert (
        year_2025["Replikasi Aplikasi Sistem Informasi Disabilitas dan Lanjut Usia (SIDILAN)"] == "PKS1-2025"
    )


def test_in_progress_has_no_empty_realisasi_column(solok):
    page = _texts(solok.get(f"/pks/laporan?{SEM2_2024}").get_data(as_text=True))
    progress = _section(page, "Kesepakatan dalam proses: target dan keterlambatan")
    assert "<th>Realisasi</th>" not in progress and "<th>Terlambat (hari)</th>" in progress


def test_a_future_period_has_not_started(solok):
    year = TODAY.year + 1
    page = _texts(solok.get(f"/pks/laporan?tahun={year}").get_data(as_text=True))
    assert f"Periode Tahun {year} belum dimulai (mulai 1 Januari {year})" in page
    assert "Keadaan per" not in page and "Daftar kesepakatan" not in page
    assert f"<option selected>{year}</option>" in page
    text = " ".join(
        " ".join(p.extract_text().split())
        for p in PdfReader(io.BytesIO(solok.get(f"/pks/laporan.pdf?tahun={year}").data)).pages
    )
    assert "belum dimulai" in text and "Kesepakatan Bersama Pemerintah" not in text


def test_the_year_select_reaches_back_to_the_first_agreement(app, solok):
    """A KSB of 2019 registered after the fact: its year can be chosen (the select used to stop at 2023)."""
    from blueprints.pks.models import Party

    from .conftest import regency_id

    with app.app_context():
        old = Agreement(
            jenis="KSB",
            judul="KSB lama uji",
            tahap="ditandatangani",
            tgl_ttd=date(2019, 5, 2),
            tgl_mulai=date(2019, 5, 2),
            tgl_berakhir=date(2024, 5, 1),
        )
        db.session.add(old)
        db.session.flush()
        db.session.add(Party(agreement_id=old.id, regency_id=regency_id(app, "13.02"), urutan=1))
        db.session.commit()
    page = solok.get(f"/pks/laporan?{SEM2_2024}").get_data(as_text=True)
    years = [int(y) for y in re.findall(r"<option(?: selected)?>(\d{4})</option>", page)]
    assert years == list(range(TODAY.year, 2018, -1))
    year_2019 = _texts(solok.get("/pks/laporan?tahun=2019").get_data(as_text=True))
    assert "KSB lama uji" in _section(year_2019, "Kesepakatan yang ditandatangani dalam periode")


def test_the_stage_page_and_the_report_agree_on_days_late(app, solok, ids):
    """Signed on 10 March 2025, PKS 1 is late against its first target (July 2024): 222 days, on the stage
    page and in the report alike."""
    with app.app_context():  # its one slip voided (before a void put the target back): Juli 2024 stays first
        slip_id = db.session.scalar(select(Slip.id).where(Slip.agreement_id == ids["pks1"]))
        db.session.add(SlipVoid(slip_id=slip_id, alasan="uji format"))
        db.session.commit()
    _sign_pks1_in_2025(app, ids)
    stage = _texts(solok.get(f"/pks/{ids['pks1']}/tahap").get_data(as_text=True))
    assert "Target awal: Juli 2024" in stage
    assert "ditandatangani 10 Maret 2025 (222 hari dari target awal)" in stage
    signed = _row_of(_sheet(solok, "tahun=2025", "Ditandatangani"), "(SIDILAN)")
    assert (signed[3], signed[4].date(), signed[5]) == ("Juli 2024", date(2025, 3, 10), 222)


def test_the_pdf_tables_fit_a4_with_long_unbroken_text(app, solok, ids):
    """A long register number, a long obligation with a URL: every column header and the last cell of those
    rows stay on the A4 page (pdftotext drops what falls outside it)."""
    from blueprints.pks.models import DocNumber

    from .test_prints_fit import _a4_portrait, _flat, _pdftotext

    nomor = "100.3/01/KSB-BAG.KERJASAMA.SETDA.KAB.SOLOK/I/2023/LAMPIRAN-PERUBAHAN-PERTAMA"
    url = "https://jdih.solokkab.go.id/dokumen/peraturan/2024/perbup-nomor-17-tahun-2024-tentang-kerja-sama"
    with app.app_context():
        number = db.session.scalar(
            select(DocNumber).where(DocNumber.agreement_id == ids["ksb"]).order_by(DocNumber.id)
        )
        number.nomor = nomor  # Solok's register number of the KSB, as long as they are written
        db.session.add(
            Obligation(
                agreement_id=ids["ksb"],
                text="Menyediakan data penerima manfaat sesuai " + url + " " + "X" * 70 + "ujungkewajiban",
                due=date(2024, 10, 1),
            )
        )
        db.session.commit()
    r = solok.get(f"/pks/laporan.pdf?{SEM2_2024}")
    assert r.status_code == 200 and _a4_portrait(r.data) >= 1
    text = _flat(_pdftotext(r.data))
    joined = text.replace(" ", "").replace("-", "")  # pdftotext drops a hyphen where a line breaks
    for label in [
        "Jenis",
        "Judul",
        "Tahap",
        "Status berlaku",
        "Nomor",
        "Tanggal TTD",
        "Berakhir",
        "Penundaan",
        "Hari tertunda",
        "Kesepakatan",
        "Kewajiban",
        "Tenggat",
        "Status",
        "Terlambat (hari)",
        "Target TTD",
    ]:
        assert label in text, label
    assert nomor.replace("-", "") in joined and url.replace("-", "") in joined
    obligation = joined[joined.index("ujungkewajiban") :]
    assert obligation.startswith("ujungkewajiban1Oktober2024Lewattenggat")  # the row's last cell is there


def test_voiding_an_older_slip_keeps_the_current_target(app, solok, ids):
    """Only the latest live postponement gives its target back: voiding an earlier one leaves the target the
    later one set, and the history entry says nothing of a target back."""
    from blueprints.pks import slips
    from blueprints.pks.target import parse_target

    aid = ids["pks2"]
    with app.app_context():
        a = db.session.get(Agreement, aid)
        assert slips.set_target(a, parse_target("Oktober 2024"), "Bupati dinas luar", "Sekda", None).ok
        db.session.commit()
        first = db.session.scalar(select(Slip.id).where(Slip.agreement_id == aid).order_by(Slip.id))
    r = solok.post(f"/pks/{aid}/penundaan/{first}/batal", data={"alasan": "tercatat keliru"})
    assert r.status_code == 303
    stage = _texts(solok.get(f"/pks/{aid}/tahap").get_data(as_text=True))
    assert "sekarang: Oktober 2024" in stage and "1 kali ditunda" in stage
    with app.app_context():
        entry = db.session.scalar(
            select(Event.reason).where(Event.agreement_id == aid).order_by(Event.id.desc())
        )
    assert entry.endswith("dibatalkan: tercatat keliru") and "kembali" not in entry
