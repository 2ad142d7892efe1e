"""Files people download (CSV, XLSX, PDF): one formula guard and one response shape for every module.

Spreadsheet programs run a cell that starts with = + - @ as a formula (and openpyxl writes such a string as one),
so any text a user typed is prefixed with an apostrophe before it reaches a sheet.
"""

import csv
import io
from collections.abc import Iterable
from datetime import date
from urllib.parse import quote

from flask import Response

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Numbers and dates stay as they are; everything else becomes text that cannot run as a formula."""
    if value is None:
        return ""
    if isinstance(value, (int, float, date)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def safe_row(row: Iterable) -> list:
    return [safe_cell(v) for v in row]


def csv_bytes(rows: Iterable[Iterable], delimiter: str = ",") -> bytes:
    """UTF-8 with a BOM, so Excel opens names with diacritics correctly."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(safe_row(row))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def download(payload: bytes, filename: str, inline: bool = False) -> Response:
    """A file response, never cached (it holds personal data); the type follows the file name."""
    response = Response(
        payload, mimetype=MIMETYPES.get(filename.rsplit(".", 1)[-1], "application/octet-stream")
    )
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response.headers["Cache-Control"] = "no-store"
    return response
