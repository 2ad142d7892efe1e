"""Jorong import: an admin brings in the jorong of many nagari from one spreadsheet (name, nagari code, optional
jorong code), sees a dry run that says what each row will do, then applies it.

Nothing is kept between the dry run and the apply step but the rows the dry run found new (sent back with the
apply form); the apply step checks them all again against the database and the admin's scope, so a row that was
added in between, or one edited in the form, is never created twice or outside the regency. Re-importing the
same file creates nothing: every row is then "sudah ada"."""

import json
import re
from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import select

from blueprints.core import audit, sheets, submission
from blueprints.core.export import csv_bytes
from blueprints.core.extensions import db
from blueprints.core.forms import CONTROL_CHARS
from blueprints.core.outcome import Outcome
from blueprints.wilayah.models import LEVEL_NAGARI, Jorong, Wilayah
from blueprints.wilayah.service import clean_jorong_name, jorong_key

MAX_ROWS = 3000  # every jorong of a regency fits many times over
MAX_NAME = 100
MAX_CODE = 20

BARU = "baru"
SUDAH_ADA = "sudah_ada"
TIDAK_DIKENAL = "nagari_tidak_dikenal"
LUAR_WILAYAH = "luar_wilayah"
NAMA_KOSONG = "nama_kosong"
NAMA_TIDAK_SAH = "nama_tidak_sah"
GANDA = "ganda"
LABELS = {
    BARU: "Baru",
    SUDAH_ADA: "Sudah ada",
    TIDAK_DIKENAL: "Nagari tidak dikenal",
    LUAR_WILAYAH: "Nagari di luar kabupaten Anda",
    NAMA_KOSONG: "Nama jorong kosong",
    NAMA_TIDAK_SAH: "Nama atau kode jorong tidak sah (terlalu panjang, atau berisi karakter kendali)",
    GANDA: "Ganda dalam berkas",
}
ORDER = (BARU, SUDAH_ADA, GANDA, NAMA_KOSONG, NAMA_TIDAK_SAH, TIDAK_DIKENAL, LUAR_WILAYAH)

# Column names (compared after sheets.normalise_header()): the template's, and what clerks write.
NAME_HEADERS = ("nama jorong", "jorong", "nama", "nama dusun", "dusun")
NAGARI_HEADERS = (
    "kode nagari",
    "kode desa",
    "kode nagari desa",
    "kode wilayah",
    "kode kemendagri",
    "kode wilayah nagari",
    "kode",
)
CODE_HEADERS = ("kode jorong", "no jorong", "nomor jorong", "kode dusun")
TEMPLATE_HEADER = ["nama_jorong", "kode_nagari", "kode_jorong", "nama_nagari"]
NO_HEADER = (
    "Kolom nama jorong dan kode nagari tidak ditemukan di 20 baris pertama. Gunakan templat: kolom "
    "nama_jorong dan kode_nagari (kode_jorong boleh kosong)."
)
NO_ROWS = "Berkas tidak berisi baris jorong di bawah judul kolom."
_NAGARI_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")


def nagari_code(text: str) -> str:
    """The dotted Kemendagri code from "13.02.18.2004", "1302182004" or " 13 02 18 2004 "; else the text."""
    raw = (text or "").strip()
    digits = re.sub(r"[\s.]", "", raw)
    if len(digits) == 10 and digits.isdigit():
        return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"
    return raw


@dataclass
class Entry:
    """One row of the file as the admin wrote it (``line``: the row number in the file)."""

    line: int
    name: str
    nagari: str
    code: str = ""


@dataclass
class Row:
    entry: Entry
    status: str
    name: str = ""  # cleaned
    nagari_code: str = ""
    nagari_name: str = ""
    regency_id: int | None = None

    @property
    def label(self) -> str:
        return LABELS[self.status]


@dataclass
class Plan:
    rows: list[Row] = field(default_factory=list)
    filename: str = ""

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        """(status, label, count) for the statuses present, in a fixed order."""
        n = {s: 0 for s in ORDER}
        for r in self.rows:
            n[r.status] += 1
        return [(s, LABELS[s], n[s]) for s in ORDER if n[s]]

    @property
    def new(self) -> list[Row]:
        return [r for r in self.rows if r.status == BARU]

    def carried(self) -> str:
        """The new rows for the apply form (checked again there)."""
        return json.dumps([[r.entry.line, r.entry.name, r.entry.nagari, r.entry.code] for r in self.new])


# ---- reading -------------------------------------------------------------------------------------------------


def _header(rows: list[list[str]]) -> tuple[int, int, int, int | None]:
    """(header row index, name column, nagari code column, jorong code column or None)."""
    for i, row in enumerate(rows[: sheets.HEADER_ROWS]):
        norm = [sheets.normalise_header(c) for c in row]
        cols = {}
        for key, names in (("code", CODE_HEADERS), ("nagari", NAGARI_HEADERS), ("name", NAME_HEADERS)):
            for wanted in names:  # the first synonym found wins, so "kode jorong" is never the nagari code
                hit = next((c for c, h in enumerate(norm) if h == wanted and c not in cols.values()), None)
                if hit is not None:
                    cols[key] = hit
                    break
        if "name" in cols and "nagari" in cols:
            return i, cols["name"], cols["nagari"], cols.get("code")
    raise sheets.SheetError(NO_HEADER)


def read_entries(filename: str, data: bytes) -> list[Entry]:
    """The file's rows under its header (blank rows skipped). Raises ``sheets.SheetError``."""
    rows, _numeric = sheets.read_table(filename, data, MAX_ROWS)
    head, name_col, nagari_col, code_col = _header(rows)

    def cell(row, col):
        return row[col].strip() if col is not None and col < len(row) else ""

    entries = []
    for i in range(head + 1, len(rows)):
        row = rows[i]
        if not any(c.strip() for c in row):
            continue
        entries.append(Entry(i + 1, cell(row, name_col), cell(row, nagari_col), cell(row, code_col)))
    if not entries:
        raise sheets.SheetError(NO_ROWS)
    if len(entries) > MAX_ROWS:
        raise sheets.SheetError(sheets.too_many_rows_message(MAX_ROWS))
    return entries


def entries_from_form(raw: str | None) -> list[Entry]:
    """The rows the apply form carried back; anything malformed is dropped (they are all checked again)."""
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return []
    out = []
    if not isinstance(items, list):
        return out
    for item in items[:MAX_ROWS]:
        if (
            isinstance(item, list)
            and len(item) == 4
            and isinstance(item[0], int)
            and all(isinstance(v, str) and len(v) <= sheets.MAX_CELL for v in item[1:])
        ):
            out.append(Entry(*item))
    return out


# ---- the dry run ---------------------------------------------------------------------------------------------


def plan(entries: list[Entry], actor, filename: str = "") -> Plan:
    """What each row would do, in two queries (the nagari named, and their jorong) whatever the file's size."""
    codes = {nagari_code(e.nagari) for e in entries}
    codes = {c for c in codes if _NAGARI_CODE.fullmatch(c)}
    nagari = {}
    existing: set[tuple[str, str]] = set()
    if codes:
        nagari = {
            w.code: w
            for w in db.session.scalars(
                select(Wilayah).where(Wilayah.code.in_(codes), Wilayah.level == LEVEL_NAGARI)
            )
        }
        mine = [c for c, w in nagari.items() if actor.regency_id is None or w.regency_id == actor.regency_id]
        if mine:
            existing = {
                (code, jorong_key(name))
                for code, name in db.session.execute(
                    select(Jorong.nagari_code, Jorong.name).where(Jorong.nagari_code.in_(mine))
                )
            }
    seen: set[tuple[str, str]] = set()
    out = Plan(filename=filename)
    for e in entries:
        name, code = clean_jorong_name(e.name), nagari_code(e.nagari)
        w = nagari.get(code)
        row = Row(e, BARU, name=name, nagari_code=code, nagari_name=w.name if w else "")
        key = (code, jorong_key(name))
        if not name:
            row.status = NAMA_KOSONG
        elif len(name) > MAX_NAME or len(e.code) > MAX_CODE or CONTROL_CHARS.search(name + e.code):
            row.status = NAMA_TIDAK_SAH
        elif w is None:
            row.status = TIDAK_DIKENAL
        elif actor.regency_id is not None and w.regency_id != actor.regency_id:
            row.status, row.nagari_name = LUAR_WILAYAH, ""  # no name of the other regency's nagari is shown
        elif key in seen:
            row.status = GANDA
        elif key in existing:
            row.status = SUDAH_ADA
        if w is not None and row.status != LUAR_WILAYAH:
            row.regency_id = w.regency_id
        if row.status in (BARU, SUDAH_ADA):
            seen.add(key)
        out.rows.append(row)
    return out


# ---- applying ------------------------------------------------------------------------------------------------


def apply(entries: list[Entry], actor, key: str, filename: str = "") -> Outcome:
    """Create the rows that are (still) new. ``data``: the plan as applied and the list's url."""
    if replay := submission.claim(key):
        return Outcome(replay=replay)
    result = plan(entries, actor, filename)
    created = []
    for row in result.new:
        j = Jorong(
            nagari_code=row.nagari_code,
            name=row.name,
            code=row.entry.code or None,
            regency_id=row.regency_id,
        )
        db.session.add(j)
        created.append((j, row))
    db.session.flush()
    audit.record_many(
        "create",
        "jorong",
        [(j.id, f"impor jorong {row.name} di {row.nagari_name}"[:200]) for j, row in created],
        actor,
    )
    skipped = len(result.rows) - len(created)  # new at the dry run, no longer new now (added in between)
    source = f" dari {filename[:80]}" if filename else ""
    audit.record("create", "jorong_import", None, f"impor jorong{source}: {len(created)} baru")
    target = url_for("admin.jorong_import", selesai=len(created), dilewati=skipped)
    submission.remember(key, target)
    db.session.commit()
    return Outcome(record=created, data={"url": target, "plan": result})


# ---- the template --------------------------------------------------------------------------------------------


def template_csv(actor) -> bytes:
    """The columns, and one row per nagari of the admin's scope with its code filled and the name left empty."""
    stmt = select(Wilayah.code, Wilayah.name).where(Wilayah.level == LEVEL_NAGARI).order_by(Wilayah.code)
    if actor.regency_id is not None:
        stmt = stmt.where(Wilayah.regency_id == actor.regency_id)
    rows = [TEMPLATE_HEADER] + [["", code, "", name] for code, name in db.session.execute(stmt)]
    return csv_bytes(rows)
