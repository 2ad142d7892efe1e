"""Pager links on real list pages of every module: query arguments named like url_for's own parameters never
break a list, and the links keep the filters, a repeated one with every value."""
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from blueprints.auth.models import Organisation, Regency, User
from blueprints.core.extensions import db
from blueprints.pks.models import Agreement, Party
from blueprints.rujukan.models import Patient
from tests.conftest import HX, AuthActions

JUNK = ["_method=x", "endpoint=x", "fmt=x", "_anchor=x", "_external=1", "_scheme=x"]
FILTER = "ragam=a&ragam=b"  # repeated, so request.args.items() would keep only "a"
ROWS = 25  # more than one page of 20


def _regency(code):
    return db.session.scalar(select(Regency).where(Regency.code == code))


def _more_agreements():
    solok, sijunjung = _regency("13.02"), _regency("13.03")
    for i in range(ROWS):
        a = Agreement(jenis="PKS", judul=f"PKS halaman {i}", tahap="penyusunan")
        db.session.add(a)
        db.session.flush()
        for r in (solok, sijunjung):
            db.session.add(Party(agreement_id=a.id, regency_id=r.id, opd="OPD"))


def _more_facilities():
    solok = _regency("13.02")
    for i in range(ROWS):
        db.session.add(Organisation(regency_id=solok.id, kind="puskesmas", name=f"Puskesmas Halaman {i:02d}",
                                    facility_level="FKTP"))


def _more_patients():
    user = db.session.scalar(select(User).where(User.username == "faskes.sijunjung"))
    for i in range(ROWS):
        db.session.add(Patient(organisation_id=user.organisation_id, name=f"Pasien Halaman {i:02d}", sex="P",
                               home_regency_id=user.regency_id))


# (module, login, list url, rows to add so that the list has a second page)
LISTS = [
    ("sidilan", "operator.solok", "/sidilan/", None),  # the demo has more than 20 people
    ("rujukan", "faskes.sijunjung", "/rujukan/pasien", _more_patients),
    ("rujukan", "faskes.sijunjung", "/rujukan/faskes", _more_facilities),
    ("pks", "kerjasama.solok", "/pks/daftar", _more_agreements),
    ("pks", "kerjasama.solok", "/pks/daftar?status=belum_berlaku", _more_agreements),  # paged in memory
]

def _pager_links(html: str) -> list[str]:
    """Page links and 'Muat lagi' links (plain and htmx) of the list's pager."""
    parts = re.findall(r'<nav class="pager" aria-label="Halaman">.*?</nav>|<tr class="more">.*?</tr>', html, re.S)
    return [unescape(href) for part in parts for href in re.findall(r'(?:href|hx-get)="([^"]*)"', part)]


def _cases():
    for module, user, url, more in LISTS:
        for junk in JUNK:
            for hx in (False, True):
                yield pytest.param(user, url, more, junk, hx,
                                   id=f"{url}-{junk}-{'htmx' if hx else 'page'}")


@pytest.mark.parametrize(("user", "url", "more", "junk", "hx"), list(_cases()))
def test_list_pager_survives_junk_arguments_and_keeps_filters(app, user, url, more, junk, hx):
    if more:
        with app.app_context():
            more()
            db.session.commit()
    client = app.test_client()
    AuthActions(client).login(user)
    full = f"{url}{'&' if '?' in url else '?'}{FILTER}&{junk}"
    response = client.get(full, headers=HX if hx else {})
    assert response.status_code == 200, full
    links = _pager_links(response.get_data(as_text=True))
    assert links, f"no pager on {full}"
    base = urlsplit(url)
    for href in links:
        parts = urlsplit(href)
        query = parse_qs(parts.query, keep_blank_values=True)
        assert parts.path == base.path and not parts.netloc and not parts.fragment, href
        assert query["ragam"] == ["a", "b"], href
        assert query["hal"][0].isdigit(), href
        assert not [k for k in query if k.startswith("_") or k == "endpoint"], href
        for k, v in parse_qs(base.query).items():
            assert query[k] == v, href


def test_pager_drops_route_variables_and_keeps_the_record():
    """A query argument named like a variable of the list's route cannot send the pager to another record, or
    to another rule of the same endpoint."""
    from flask import Flask

    from blueprints.core.pagination import Page
    lists = Flask(__name__)
    def items(item_id=None):
        return ""
    lists.add_url_rule("/daftar/<int:item_id>", "items", items)
    lists.add_url_rule("/daftar", "items", items)
    with lists.test_request_context("/daftar/7?item_id=abc&ragam=a&ragam=b&hal=1&_anchor=x&endpoint=y"):
        assert Page(items=[], page=1, per_page=20, total=45).url(2) == "/daftar/7?ragam=a&ragam=b&hal=2"
    with lists.test_request_context("/daftar?item_id=abc&q=x"):
        assert Page(items=[], page=1, per_page=20, total=45).url(3) == "/daftar?q=x&hal=3"
