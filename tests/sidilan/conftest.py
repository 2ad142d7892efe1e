"""SIDILAN test helpers: a valid new-person form, demo lookups, gzip size, a form as a browser sends it, the
submission key of a create form and the version of an edited record."""

import gzip
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from blueprints.core.extensions import db
from blueprints.core.forms import new_submission_key
from blueprints.sidilan.models import Person
from blueprints.wilayah.models import Jorong

TIGO_JANGKO_NAGARI = "13.02.18.2004"
NIK_WOMAN_1984 = "1302185203840099"  # 13.02.18, day 12+40, March 1984, serial 0099


def barthel_items(total: int) -> dict[str, int]:
    """Barthel item scores (default maxima) that add up to ``total``, for rows written straight to the table."""
    from blueprints.sidilan.values import BARTHEL_ITEMS

    items, left = {}, total
    for f, _, top in BARTHEL_ITEMS:
        items[f] = min(top, left)
        left -= items[f]
    assert left == 0, total
    return items


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


@pytest.fixture
def jorong_id(app):
    with app.app_context():
        return db.session.scalar(select(Jorong.id).where(Jorong.nagari_code == TIGO_JANGKO_NAGARI))


def keyed(data: dict | None = None, **over) -> dict:
    """A create form's body with a fresh one-time submission key, as a newly opened form carries."""
    return {**(data or {}), **over, "submission_key": new_submission_key()}


def version_of(app, model, ident) -> str:
    """The stored version of a record, as its edit form posts it back."""
    with app.app_context():
        return str(db.session.get(model, ident).version)


@pytest.fixture
def person_data(jorong_id):
    """A complete, valid new person (a woman in Jorong Tigo Jangko) with a fresh submission key; tests override
    fields (an edit adds the record's ``version``)."""

    def build(**over):
        data = {
            "submission_key": new_submission_key(),
            "nik": NIK_WOMAN_1984,
            "no_kk": "1302180101249999",
            "hubungan_keluarga": "Anak",
            "nama_lengkap": "Marlinda",
            "jenis_kelamin": "P",
            "tempat_lahir": "Solok",
            "tanggal_lahir": "1984-03-12",
            "kecamatan": "13.02.18",
            "nagari": TIGO_JANGKO_NAGARI,
            "jorong": str(jorong_id),
            "status_hidup": "hidup",
            "status_domisili": "menetap",
            "sumber_data": "lapangan",
            "persetujuan": "y",
            "tgl_persetujuan": "2024-08-29",
            "pemberi_persetujuan": "Marlinda",
            "nama_ibu_kandung": "Rahmah",
        }
        data.update(over)
        return {k: v for k, v in data.items() if v is not None}

    return build


def person_by_name(app, name: str) -> Person | None:
    with app.app_context():
        p = db.session.scalar(select(Person).where(Person.nama_lengkap == name).order_by(Person.id.desc()))
        if p is not None:
            db.session.expunge(p)
        return p


def person_id_of(app, name: str, regency_code: str = "13.02") -> int:
    from blueprints.auth.models import Regency

    with app.app_context():
        stmt = select(Person.id).where(Person.nama_lengkap == name)
        if regency_code:
            stmt = stmt.join(Regency, Regency.id == Person.regency_id).where(Regency.code == regency_code)
        return db.session.scalar(stmt.order_by(Person.id))


class _FormReader(HTMLParser):
    """What a browser sends for the form posting to ``action``, as nobody touched it: text and hidden inputs
    with their value, checked boxes and radios only, each select's selected option (else its first one)."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action = action
        self.data: list[tuple[str, str]] = []
        self.done = self.in_form = False
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.done:
            return
        if tag == "form":
            self.in_form = a.get("action") == self.action
        elif not self.in_form:
            return
        elif tag == "input" and a.get("name") and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.data.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.data.append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea is not None:
            name, text = self.data.pop()
            self.data.append((name, text + data))

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            chosen = [v for v, sel in self._options if sel] or [v for v, _ in self._options[:1]]
            if self._select and chosen:
                self.data.append((self._select, chosen[0]))
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self.in_form:
            self.in_form, self.done = False, True


def browser_form(html: str, action: str) -> MultiDict:
    reader = _FormReader(action)
    reader.feed(html)
    return MultiDict(reader.data)
