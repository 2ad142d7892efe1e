"""Pager links on real list pages of every module: query arguments named like url_for's own parameters never
break a list, and the links keep the list's own filters (a repeated one with every value) and nothing else."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from blueprints.auth.models import Organisation, Regency, User
from blueprints.core.extensions import db
from blueprints.core.pagination import AFTER, BEFORE
from blueprints.pks.models import Agreement, Party
from blueprints.rujukan.models import Patient
from tests.conftest import HX, AuthActions

JUNK = ["_method=x", "endpoint=x", "fmt=x", "_anchor=x", "_external=1", "_scheme=x", "foo=bar"]
ROWS = 25  # more than one page of 20


def _regency(code):
    return db.session.scalar(select(Regency).where(Regency.code == code))


def _more_agreements():
    solok, sijunjung = _regency("13.02"), _regency("13.03")
    for i in range(ROWS):
        a = Agreement(jenis="PKS", judul=f"PKS halaman {i}", tahap="penyusunan")
        db.session.add(a)
        db.session.flush()
        for k, r in enumerate((solok, sijunjung), 1):  # one party per position
            db.session.add(Party(agreement_id=a.id, regency_id=r.id, urutan=k, opd="OPD"))


def _more_facilities():
    solok = _regency("13.02")
    for i in range(ROWS):
        db.session.add(
            Organisation(
                regency_id=solok.id,
                kind="puskesmas",
                name=f"Puskesmas Halaman {i:02d}",
                facility_level="FKTP",
            )
        )


def _more_patients():
    user = db.session.scalar(select(User).where(User.username == "faskes.sijunjung"))
    for i in range(ROWS):
        db.session.add(
            Patient(
                organisation_id=user.organisation_id,
                name=f"Pasien Halaman {i:02d}",
                sex="P",
                home_regency_id=user.regency_id,
            )
        )


# (module, login, list url, one of its filters that still leaves a second page, rows to add for that page)
LISTS = [
    # the demo has more than 20 people; ragam repeated, so request.args.items() would keep only "a"
    ("sidilan", "operator.solok", "/sidilan/", "ragam=a&ragam=b", None),
    ("rujukan", "faskes.sijunjung", "/rujukan/pasien", "q=Pasien+Halaman", _more_patients),
    ("rujukan", "faskes.sijunjung", "/rujukan/faskes", "q=Halaman&level=FKTP", _more_facilities),
    ("pks", "kerjasama.solok", "/pks/daftar", "q=halaman&tahap=penyusunan", _more_agreements),
    (
        "pks",
        "kerjasama.solok",
        "/pks/daftar?status=belum_berlaku",
        "jenis=PKS",
        _more_agreements,
    ),  # in memory
]


def _pager_links(html: str) -> list[str]:
    """Page links and 'Muat lagi' links (plain and htmx) of the list's pager."""
    parts = re.findall(
        r'<nav class="pager" aria-label="Halaman">.*?</nav>|<tr class="more">.*?</tr>', html, re.S
    )
    return [unescape(href) for part in parts for href in re.findall(r'(?:href|data-hx-get)="([^"]*)"', part)]


def _cases():
    for _module, user, url, filter_, more in LISTS:
        for junk in JUNK:
            for hx in (False, True):
                yield pytest.param(
                    user, url, filter_, more, junk, hx, id=f"{url}-{junk}-{'htmx' if hx else 'page'}"
                )


@pytest.mark.parametrize(("user", "url", "filter_", "more", "junk", "hx"), list(_cases()))
def test_list_pager_survives_junk_arguments_and_keeps_filters(app, user, url, filter_, more, junk, hx):
    if more:
        with app.app_context():
            more()
            db.session.commit()
    client = app.test_client()
    AuthActions(client).login(user)
    full = f"{url}{'&' if '?' in url else '?'}{filter_}&{junk}"
    response = client.get(full, headers=HX if hx else {})
    assert response.status_code == 200, full
    links = _pager_links(response.get_data(as_text=True))
    assert links, f"no pager on {full}"
    base = urlsplit(url)
    for href in links:
        parts = urlsplit(href)
        query = parse_qs(parts.query, keep_blank_values=True)
        assert parts.path == base.path and not parts.netloc and not parts.fragment, href
        assert query["hal"][0].isdigit(), href
        # the list's own, no more (a keyset list adds its cursor, the pager's own argument)
        assert set(query) - {AFTER, BEFORE} == {"hal", *parse_qs(base.query), *parse_qs(filter_)}, href
        for k, v in {**parse_qs(base.query), **parse_qs(filter_)}.items():
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
        page = Page(
            items=[], page=1, per_page=20, total=45, filters=("ragam", "item_id", "_anchor", "endpoint")
        )
        assert page.url(2) == "/daftar/7?ragam=a&ragam=b&hal=2"
    with lists.test_request_context("/daftar?item_id=abc&q=x&foo=y"):
        assert Page(items=[], page=1, per_page=20, total=45, filters=("q",)).url(3) == "/daftar?q=x&hal=3"
        assert (
            Page(items=[], page=1, per_page=20, total=45).url(3) == "/daftar?hal=3"
        )  # declared none, keeps none


@pytest.mark.parametrize("hx", [False, True], ids=["page", "htmx"])
def test_pager_links_hold_only_the_lists_declared_filters(app, hx):
    """The crafted link of issue 9: url_for's own parameter names and an argument the list does not filter by
    are all dropped; the list's filters stay."""
    with app.app_context():
        _more_agreements()
        db.session.commit()
    client = app.test_client()
    AuthActions(client).login("kerjasama.solok")
    response = client.get(
        "/pks/daftar?_external=1&_scheme=javascript&_anchor=x&foo=bar&q=halaman&endpoint=y&_method=DELETE",
        headers=HX if hx else {},
    )
    assert response.status_code == 200
    links = _pager_links(response.get_data(as_text=True))
    assert links
    for href in links:
        assert not href.startswith(("javascript", "http", "//")) and "#" not in href, href
        for word in ("_external", "_scheme", "_anchor", "javascript", "foo", "bar", "endpoint", "_method"):
            assert word not in href, href
        assert parse_qs(urlsplit(href).query) == {
            "q": ["halaman"],
            "hal": [parse_qs(urlsplit(href).query)["hal"][0]],
        }


def test_audit_pager_keeps_its_filter_form_fields(app):
    """A list whose filters are a form declares the form's field names: the audit log's pager keeps them."""
    from blueprints.core import audit

    with app.test_request_context():
        for n in range(60):
            audit.record("view", "uji", n, "baris uji", regency_id=None)
        db.session.commit()
    client = app.test_client()
    AuthActions(client).login("superadmin")
    response = client.get("/admin/audit?action=view&date_from=2000-01-01&foo=bar&_scheme=javascript")
    links = _pager_links(response.get_data(as_text=True)) or re.findall(
        r'href="([^"]*hal=2[^"]*)"', unescape(response.get_data(as_text=True))
    )
    assert links
    for href in links:
        query = parse_qs(urlsplit(href).query)
        assert query["action"] == ["view"] and query["date_from"] == ["2000-01-01"], href
        assert set(query) == {"action", "date_from", "hal"}, href
