"""The period report (``reporting.period_report``) as a file: .xlsx (openpyxl), .docx (python-docx) and the
context of its PDF (templates/pks/pdf_report.html). Every format prints the same sections, the letter's
addressee and the signature block of the Kepala Bagian Kerjasama (name and NIP left as lines to fill in by
hand when not known)."""

import io
import re
from dataclasses import dataclass
from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from flask import get_template_attribute
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from blueprints.core.export import safe_row
from blueprints.core.fmt import tanggal

from .reporting import PeriodReport

SIGNER_TITLE = "Kepala Bagian Kerjasama"
BLANK_NAME = "(" + "." * 40 + ")"
BLANK_NIP = "NIP. " + "." * 30


@dataclass(frozen=True)
class Letter:
    """Who the report goes to and who signs it."""

    addressee: str
    place_date: str
    signer_title: str
    signer_org: str


def letter_of(user, today: date) -> Letter:
    regency = getattr(user, "regency", None)
    name = regency.name if regency else ""
    return Letter(
        addressee=f"Sekretaris Daerah {name}".strip(),
        place_date=f"{regency.short_name}, {tanggal(today)}" if regency else tanggal(today),
        signer_title=SIGNER_TITLE,
        signer_org=f"Sekretariat Daerah {name}".strip(),
    )


def cell_text(value) -> str:
    """A cell as printed: dates as "29 Agustus 2024", nothing as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return tanggal(value)
    return str(value)


def intro(report: PeriodReport) -> str:
    p = report.period
    if not report.started:
        return report.not_started
    return (
        f"Bersama ini kami sampaikan laporan pelaksanaan kerja sama daerah {p.label} "
        f"({tanggal(p.start)} s.d. {tanggal(p.end)}), keadaan per {tanggal(report.as_of)}."
    )


def workbook(report: PeriodReport) -> bytes:
    """One sheet per section: the title above, a header row frozen and filtered, rows numbered 1..n, column
    widths set; cells made safe for spreadsheets."""
    wb = Workbook()
    wb.remove(wb.active)
    for section in report.sections:
        ws = wb.create_sheet(section.sheet)
        ws.append([f"{section.title} – {report.period.label}"])
        ws["A1"].font = Font(bold=True)
        ws.append([label for label, _w in section.columns])
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in section.rows:
            ws.append(safe_row(row))
        for i, (_label, width) in enumerate(section.columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
            for (cell,) in ws.iter_rows(min_row=3, min_col=i, max_col=i):
                if isinstance(cell.value, date):
                    cell.number_format = "DD/MM/YYYY"
        last = get_column_letter(len(section.columns))
        ws.freeze_panes = "A3"
        ws.auto_filter.ref = f"A2:{last}{max(ws.max_row, 2)}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def kop_lines(org) -> list[str]:
    """The letterhead's lines as the print base draws them (print/_kop.html), for the .docx."""
    html = str(get_template_attribute("print/_kop.html", "kop")(org))
    text = re.sub(r"<br>|</span>|</b>", "\n", html)
    return [line.strip() for line in re.sub(r"<[^>]+>", "", text).splitlines() if line.strip()]


def document(report: PeriodReport, letter: Letter, org) -> bytes:
    """The report as .docx: letterhead, addressee, introduction, one table per section, signature block."""
    doc = Document()
    for s in doc.sections:
        s.left_margin = s.right_margin = Cm(2)
        s.top_margin = s.bottom_margin = Cm(1.8)
    style = doc.styles["Normal"]
    style.font.size = Pt(10)
    for i, line in enumerate(kop_lines(org)):
        par = doc.add_paragraph()
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = par.add_run(line)
        run.bold = i == 1 or line.isupper() and i > 0
    doc.add_paragraph(letter.place_date).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph(f"Kepada Yth.\n{letter.addressee}\ndi tempat")
    doc.add_heading(f"Laporan Kerja Sama Daerah {report.period.label}", level=1)
    doc.add_paragraph(intro(report))
    for section in report.sections:
        doc.add_heading(section.title, level=2)
        if not section.rows:
            doc.add_paragraph(section.empty)
            continue
        table = doc.add_table(rows=1, cols=len(section.columns))
        table.style = "Table Grid"
        for cell, (label, _w) in zip(table.rows[0].cells, section.columns, strict=True):
            cell.text = label
            cell.paragraphs[0].runs[0].bold = True
        for row in section.rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = cell_text(value)
    doc.add_paragraph()
    for text in (letter.signer_title, letter.signer_org, "", "", BLANK_NAME, BLANK_NIP):
        doc.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
