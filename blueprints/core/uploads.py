"""Checks every upload passes before a module reads it, and private files on disk.

- ``spreadsheet_problem(data, filename)``: an .xlsx is a zip archive; one whose members would unpack past
  ``UPLOAD_MAX_UNPACKED_MB``, that holds too many members, or whose sheets hold more than
  ``UPLOAD_MAX_ROWS`` rows is refused *before* openpyxl opens it (a 100 KB file can unpack to gigabytes). Rows are
  counted by a streaming XML parse, so the check itself never holds the sheet in memory. A CSV is held to the
  same row limit.
- ``pdf_problem(data)``: a file is a PDF only when a PDF parser (pypdf) reads its structure and finds a page,
  not because it starts with ``%PDF-``.
- ``private_dir(path)`` / ``write_private(path, data)``: folders 0700, files 0600 (the process umask set in
  app.py gives the same to everything else it creates).
"""

import io
import os
import warnings
import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError, iterparse

from flask import current_app, has_app_context

DEFAULT_MAX_UNPACKED_MB = 50
DEFAULT_MAX_ROWS = 20_000
MAX_MEMBERS = 2_000
MAX_RATIO = 200  # a member that unpacks to more than 200x its packed size is a bomb, not a spreadsheet


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name) or default) if has_app_context() else default


def _too_many_rows(limit: int) -> str:
    return (
        f"Berkas berisi lebih dari {limit:,} baris. Pecah menjadi beberapa berkas lalu unggah lagi.".replace(
            ",", "."
        )
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def spreadsheet_problem(
    data: bytes,
    filename: str = "",
    max_rows: int | None = None,
    max_unpacked: int | None = None,
    rows_message: str | None = None,
) -> str | None:
    """Why this spreadsheet upload must be refused (a message for the clerk), or None. A caller with its own
    row limit (counted its own way, e.g. data rows under a header) passes it with the message it shows for it."""
    max_rows = max_rows or _setting("UPLOAD_MAX_ROWS", DEFAULT_MAX_ROWS)
    too_many_rows = rows_message or _too_many_rows(max_rows)
    max_unpacked = max_unpacked or _setting("UPLOAD_MAX_UNPACKED_MB", DEFAULT_MAX_UNPACKED_MB) * 1024 * 1024
    if not data.startswith(b"PK"):
        if filename.lower().endswith((".xlsx", ".xlsm")):
            return "Berkas .xlsx tidak sah (bukan arsip spreadsheet)."
        return too_many_rows if data.count(b"\n") > max_rows + 1 else None  # CSV
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return "Berkas .xlsx rusak atau bukan spreadsheet."
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            return "Berkas .xlsx berisi terlalu banyak bagian; simpan ulang dari Excel atau LibreOffice."
        total = 0
        for info in members:
            total += info.file_size
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                return "Berkas .xlsx ini tidak wajar (isinya berlipat ratusan kali saat dibuka) dan ditolak."
        if total > max_unpacked:
            return (
                f"Isi berkas .xlsx terlalu besar setelah dibuka (lebih dari {max_unpacked // (1024 * 1024)} MB). "
                "Pecah menjadi beberapa berkas."
            )
        for info in members:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                problem = _sheet_rows_problem(archive, info, max_rows, too_many_rows)
                if problem:
                    return problem
    return None


def _sheet_rows_problem(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_rows: int, too_many_rows: str
) -> str | None:
    rows = 0
    try:
        with archive.open(info) as stream:
            for _event, element in iterparse(stream, events=("end",)):
                name = _local(element.tag)
                if name == "row":
                    rows += 1
                    if rows > max_rows:
                        return too_many_rows
                    element.clear()  # a streaming count: nothing of the sheet stays in memory
                elif name == "sheetData":
                    element.clear()
    except (ParseError, zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError):
        return "Lembar kerja dalam berkas .xlsx rusak; simpan ulang dari Excel atau LibreOffice."
    return None


def pdf_problem(data: bytes) -> str | None:
    """Why ``data`` is not a PDF (a message for the clerk), or None when a PDF parser reads it."""
    if not data.startswith(b"%PDF-"):
        return "Berkas bukan PDF."
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about tolerable flaws of real-world scans
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                return None  # a protected PDF is still a PDF; its structure was read
            if len(reader.pages) < 1:
                return "Berkas PDF tidak berisi halaman."
            reader.pages[0].mediabox  # noqa: B018  (reads the first page object)
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        OSError,
        RecursionError,
        AssertionError,
    ):
        return "Berkas berawalan %PDF- tetapi bukan PDF yang sah (tidak dapat dibaca sebagai PDF)."
    return None


def is_pdf(data: bytes) -> bool:
    return pdf_problem(data) is None


def private_dir(path: str | os.PathLike) -> Path:
    """Create ``path`` (and parents) readable by this process's user only."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def upload_root() -> Path:
    """Where uploaded and generated files live: UPLOAD_DIR, else instance/uploads (the one place that decides)."""
    return Path(current_app.config.get("UPLOAD_DIR") or Path(current_app.instance_path) / "uploads")


def upload_area(name: str) -> Path:
    """A module's private folder under the upload root (created 0700), e.g. ``upload_area("pks")``."""
    return private_dir(upload_root() / name)


def write_private(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` as 0600, never readable by others even for a moment."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)
    return path
