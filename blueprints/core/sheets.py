"""Reading an uploaded spreadsheet (.xlsx / .csv) into plain rows of text, for any module that imports one
(SIDILAN's register import, the admin's jorong import). Every upload passes ``uploads.spreadsheet_problem``
first, so a zip bomb or a sheet of a million rows is refused before openpyxl opens it.

``read_table(filename, data, max_rows=...)`` returns ``(rows, numeric)``: each row as a list of cell texts and,
per row, the column indexes that were number cells (a NIK that a spreadsheet turned into 1.30218E+15 is caught
instead of trusted). What a module does with the rows (finding its header, mapping its columns) stays in the
module. Errors are ``SheetError`` with a message shown to the clerk as is."""

import csv
import io
import re
import zipfile
from datetime import date, datetime

from openpyxl import load_workbook

from .uploads import spreadsheet_problem


def normalise_header(text: str) -> str:
    """A column name as compared: lower case, anything but letters and digits a single space."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", (text or "").lower()).split())


MAX_COLS = 60
HEADER_ROWS = 20  # rows a file may have above and in its header
MAX_CELL = 1000  # longer cell text is cut here; the module's field checks then reject it with a clear reason
MAX_CHARS = 16_000_000  # all cells together


class SheetError(Exception):
    """A file we cannot read; the message is shown to the clerk as is."""


def too_many_rows_message(max_rows: int) -> str:
    return (
        f"Berkas berisi lebih dari {max_rows:,} baris data. Pecah menjadi beberapa berkas lalu impor "
        "satu per satu."
    ).replace(",", ".")


TOO_MUCH_TEXT = (
    "Isi berkas terlalu besar untuk diimpor sekaligus (terlalu banyak teks). Hapus kolom yang tidak "
    "perlu atau pecah menjadi beberapa berkas."
)


def cell_text(value) -> tuple[str, bool]:
    """(text, was a number cell)."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("Ya" if value else "Tidak"), False
    if isinstance(value, datetime):
        return (value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()), False
    if isinstance(value, date):
        return value.isoformat(), False
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else repr(value)), True
    return str(value)[:MAX_CELL].replace("\x00", ""), False


def read_xlsx_rows(data: bytes, max_rows: int, too_many_rows: str) -> tuple[list[list[str]], list[list[int]]]:
    """The first sheet's rows; at most ``max_rows`` + HEADER_ROWS of them."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError) as exc:
        raise SheetError(
            "Berkas tidak dapat dibaca sebagai spreadsheet .xlsx. "
            "Simpan ulang dari Excel/LibreOffice sebagai .xlsx atau .csv."
        ) from exc
    except Exception as exc:  # openpyxl raises assorted errors on corrupt packages
        raise SheetError("Berkas .xlsx rusak atau tidak didukung.") from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise SheetError("Berkas .xlsx tidak berisi lembar kerja.")
        rows, numeric, size = [], [], 0
        for values in sheet.iter_rows(values_only=True):
            if len(rows) >= max_rows + HEADER_ROWS:
                raise SheetError(too_many_rows)
            cells, nums = [], []
            for col, value in enumerate(values[:MAX_COLS]):
                text, is_num = cell_text(value)
                cells.append(text)
                size += len(text)
                if is_num:
                    nums.append(col)
            if size > MAX_CHARS:
                raise SheetError(TOO_MUCH_TEXT)
            rows.append(cells)
            numeric.append(nums)
    except SheetError:
        raise
    except Exception as exc:
        raise SheetError("Isi berkas .xlsx tidak dapat dibaca.") from exc
    finally:
        book.close()
    return rows, numeric


def decode_text(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise SheetError("Berkas bukan teks CSV (berisi data biner). Unggah .xlsx atau .csv.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_csv_rows(data: bytes, max_rows: int, too_many_rows: str) -> tuple[list[list[str]], list[list[int]]]:
    """Rows of a CSV file (separator , ; tab or | sniffed); no cell is numeric."""
    text = decode_text(data)
    if not text.strip():
        raise SheetError("Berkas tidak berisi data (kosong).")
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    csv.field_size_limit(MAX_CELL * 20)
    rows, numeric, size = [], [], 0
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(rows) >= max_rows + HEADER_ROWS:
                raise SheetError(too_many_rows)
            cells = [c[:MAX_CELL].replace("\x00", "") for c in record[:MAX_COLS]]
            size += sum(len(c) for c in cells)
            if size > MAX_CHARS:
                raise SheetError(TOO_MUCH_TEXT)
            rows.append(cells)
            numeric.append([])
    except csv.Error as exc:
        raise SheetError("Berkas CSV tidak dapat dibaca (format baris rusak).") from exc
    return rows, numeric


def read_table(
    filename: str, data: bytes, max_rows: int, too_many_rows: str | None = None
) -> tuple[list[list[str]], list[list[int]]]:
    """An uploaded .xlsx or .csv as ``(rows, numeric)``, after the shared upload checks."""
    too_many_rows = too_many_rows or too_many_rows_message(max_rows)
    name = (filename or "").strip()
    lower = name.lower()
    if not data:
        raise SheetError("Berkas kosong (0 byte).")
    if lower.endswith(".xls"):
        raise SheetError("Format .xls lama tidak didukung. Simpan ulang sebagai .xlsx atau .csv.")
    is_xlsx = lower.endswith((".xlsx", ".xlsm")) or data[:2] == b"PK"
    if is_xlsx or lower.endswith((".csv", ".txt")):
        problem = spreadsheet_problem(data, name, max_rows=max_rows + HEADER_ROWS, rows_message=too_many_rows)
        if problem:
            raise SheetError(problem)
        if is_xlsx:
            return read_xlsx_rows(data, max_rows, too_many_rows)
        return read_csv_rows(data, max_rows, too_many_rows)
    raise SheetError("Jenis berkas tidak dikenali. Unggah spreadsheet .xlsx atau .csv.")
