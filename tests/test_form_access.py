"""No role meets a form it cannot send (issue 9): a page that renders a POST form answers that form's POST with
something other than 403/404 for the same role. A role that may not send a form gets no page showing it (a page
that is only that form answers 404), and no link to such a page (no link the crawl follows answers 403/404).

Per demo role, the pages are those crawled from the home page plus every GET URL of a route that also takes POST
(the form pages), built with the demo's record ids, so a form page reached only by typing its URL is visited
too. Each distinct form action found is then posted once, empty: a role that may send it gets its answer (422,
409, a redirect), a role that may not gets 404, which is the failure this test looks for. Logout and the
session list's form (every account may send them) are not posted: they would end the walk's own session.
"""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from blueprints.auth.models import Organisation, User
from blueprints.core.extensions import db
from blueprints.pks.models import Agreement, Meeting
from blueprints.rujukan.models import Patient, Referral
from blueprints.sidilan.models import DuplicateCandidate, Household, Person, Program
from tests.conftest import HX, AuthActions
from tests.crawl import DEMO_ACCOUNTS, crawl, post_forms

ROLES = DEMO_ACCOUNTS
NOT_POSTED = {"/keluar", "/akun/sesi/akhiri"}  # every account may send these; posting them ends the walk


def _ids(app) -> dict[str, list[int]]:
    """Record ids of the demo for each route variable: one record per distinct scope and state (the forms a page
    shows depend on whose record it is and where it stands, not on which of many alike records it is)."""

    def ids(column, *groups):
        if not groups:
            return list(db.session.scalars(select(column).order_by(column)))
        return sorted(db.session.scalars(select(func.min(column)).group_by(*groups)))

    with app.app_context():
        return {
            "agreement_id": ids(Agreement.id, Agreement.jenis, Agreement.tahap),
            "meeting_id": ids(Meeting.id, Meeting.host_regency_id),
            "household_id": ids(Household.id, Household.regency_id),
            "person_id": ids(Person.id, Person.regency_id, Person.status_verifikasi),
            "cand_id": ids(DuplicateCandidate.id),
            "program_id": ids(Program.id, Program.regency_id),
            "ref_id": ids(Referral.id, Referral.origin_id, Referral.destination_id, Referral.status),
            "patient_id": ids(Patient.id, Patient.organisation_id),
            "org_id": ids(Organisation.id, Organisation.regency_id, Organisation.kind),
            "user_id": ids(User.id, User.regency_id, User.role),
        }


def form_page_urls(app) -> list[list[str]]:
    """GET URLs of every route that also takes POST (one list per route), one per known id of its variable."""
    ids = _ids(app)
    urls = []
    for rule in app.url_map.iter_rules():
        if not {"GET", "POST"} <= rule.methods:
            continue
        names = sorted(rule.arguments)
        if not names:
            urls.append([rule.rule])
        elif len(names) == 1 and names[0] in ids:
            urls.append([rule.build({names[0]: i})[1] for i in ids[names[0]]])
        # a route keyed by an upload token has no page before its upload: the crawl reaches it if anything does
    return urls


def _visit(client, url, headers=None):
    response = client.get(url, headers=headers or {})
    html = (
        response.get_data(as_text=True)
        if response.status_code == 200 and response.mimetype == "text/html"
        else ""
    )
    return response, html


@pytest.mark.parametrize("username", ROLES)
def test_no_page_shows_a_form_its_role_cannot_send(app, username):
    client = app.test_client()
    AuthActions(client).login(username)
    adapter = app.url_map.bind("localhost")
    pages: dict[str, str] = {}  # url -> html of a page answering 200
    dead_links = []
    for url, response in crawl(client, "/", limit=150, adapter=adapter, per_endpoint=4):
        if response.status_code == 200 and response.mimetype == "text/html":
            pages[url] = response.get_data(as_text=True)
        elif response.status_code in (403, 404):
            dead_links.append(url)
    assert not dead_links, f"{username} is shown links to pages it may not open: {dead_links}"
    for route_urls in form_page_urls(app):
        visits = [(url, {}) for url in route_urls] + [(url, HX) for url in route_urls[:3]]  # htmx: a sample
        for url, headers in visits:
            response, html = _visit(client, url, headers)
            assert response.status_code in (200, 302, 303, 404), (url, response.status_code)
            if html:
                pages.setdefault(url if not headers else url + " (htmx)", html)
    found: dict[str, str] = {}  # form action -> the page it was on
    for url, html in pages.items():
        for form in post_forms(html, url.removesuffix(" (htmx)")):
            if urlsplit(form.action).path not in NOT_POSTED:
                found.setdefault(form.action, url)
    refused = []
    for action, page in found.items():
        response = client.post(action, data={})
        assert "/masuk" not in response.headers.get("Location", ""), (action, "the walk was logged out")
        if response.status_code in (403, 404):
            refused.append(f"{page} shows a form to {action}, answered {response.status_code}")
    assert not refused, f"{username}:\n" + "\n".join(refused)
    assert pages and (found or username in ("pimpinan.solok", "pimpinan.sijunjung")), username
