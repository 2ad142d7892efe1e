"""No input gives a 500. The walk starts from the URL map: every POST route is fed missing fields, junk and
out-of-range ids, 10,000-character strings, non-UTF-8 bytes, huge and negative numbers, impossible dates,
duplicated fields and JSON, as each demo role that can reach it; every page a role can reach is asked again with
junk query parameters. Forms are found by crawling each role's pages, so a new route is covered without naming
it here, and a POST route that no role reaches makes the test fail until it is reachable or listed below.
"""

import json
import re
from urllib.parse import urlsplit

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from blueprints.demo import DEMO_PASSWORD
from tests.crawl import crawl, post_forms

ROLES = [
    "operator.solok",
    "verifikator.solok",
    "pimpinan.solok",
    "faskes.solok",
    "faskes.rsud.sijunjung",
    "dinkes.sijunjung",
    "kerjasama.solok",
    "kerjasama.sijunjung",
    "admin.solok",
    "superadmin",
]
PAGES_PER_ROLE = 150
LONG = "Zq" + "x" * 9_998
SCRIPT = "<script>alert(1)</script>"
ALLOWED = {200, 302, 303, 400, 403, 404, 405, 409, 413, 422, 429}
# English that must never reach a clerk (WTForms and Werkzeug defaults)
ENGLISH = re.compile(
    r"This field is required|Not a valid|Invalid (Choice|value|input)|Bad Request|"
    r"Internal Server Error|The browser \(or proxy\)|Method Not Allowed"
)
NOT_FUZZED = {
    "auth.logout": "ends the session the walk runs in; tests/test_auth.py covers it",
    "auth.login": "throttled per address; tests/test_bad_input.py feeds it bad values",
    "sidilan.import_undo": "the demo holds no import batch; tests/sidilan/test_import.py feeds it bad values",
    "sidilan.import_resume": "the demo holds no import batch; tests/sidilan/test_import.py feeds it bad values",
    "sidilan.import_decide": "the demo holds no pending import; tests/sidilan/test_import_real.py feeds it bad values",
    "sidilan.flag_clear": "the demo holds no data-quality flag; tests/sidilan/test_import_real.py feeds it bad values",
    "admin.jorong_import_apply": "its form comes only with a dry run; tests/test_jorong_import.py feeds it bad rows",
    "rujukan.letter_estimate": "htmx-only (no <form> posts to it); tests/rujukan/test_letter.py feeds it bad values",
    "pks.decide_proposal": "the demo holds no open stage proposal; tests/pks/test_bad_input.py feeds it bad values",
    "pks.withdraw_proposal": "the demo holds no open stage proposal; tests/pks/test_bad_input.py feeds it bad "
    "values",
    "pks.finish_registration": "the demo registers nothing after the fact; tests/pks/test_bad_input.py feeds it "
    "bad values",
    "pks.review": "the demo has no agreement in review hukum; tests/pks/test_bad_input.py feeds it bad values",
}
# The button of a background job's offer page (core.jobs.Offer) is shown over a size the demo stays under; the
# POST carries nothing but the CSRF token (the URL's own query is what the GET read), and the tests named here
# press it.
OFFERED = "the demo is under the job threshold; pressing the offer is in {}"
NOT_FUZZED |= {
    "sidilan.export": OFFERED.format("tests/test_jobs.py, tests/sidilan/test_export.py"),
    "sidilan.verval_sheet": OFFERED.format("tests/sidilan/test_separation.py"),
    "sidilan.import_preview": OFFERED.format("tests/sidilan/test_import.py, test_import_scale.py"),
    "pks.report_xlsx": OFFERED.format("tests/pks/test_outputs.py"),
    "pks.report_pdf": OFFERED.format("tests/pks/test_outputs.py"),
    "pks.report_docx": OFFERED.format("tests/pks/test_outputs.py"),
    "rujukan.register": OFFERED.format("tests/rujukan/test_pdf_jobs.py"),
    "rujukan.recap": OFFERED.format("tests/rujukan/test_pdf_jobs.py"),
}
JUNK_QUERY = {
    "hal": ["-1", "abc", "99999999999999999999"],
    "q": [LONG],
    "_method": ["x"],
    "endpoint": ["x"],
    "fmt": ["x"],
    "format": ["zz"],
    "_external": ["1"],
    "_anchor": ["x"],
    "_scheme": ["javascript"],
    "bulan": ["9999-99"],
    "status": ["zz"],
    "tanggal": ["2024-02-30"],
    "ragam": ["a", "zz"],
    "kertas": ["Z9"],
    "dari": ["1800-01-01"],
    "sampai": ["x"],
    # digits int() refuses ('²' passes str.isdigit) and ids no database integer holds
    "jorong": ["²"],
    "program": ["²"],
    "user": ["²"],
    "cari": ["²", "99999999999999999999"],
}
DATE_KINDS = {"date", "datetime-local", "month", "time"}


def _login(client, username):
    return client.post("/masuk", data={"username": username, "password": DEMO_PASSWORD})


def _endpoint(adapter, path: str):
    try:
        endpoint, _ = adapter.match(urlsplit(path).path, method="POST")
        return endpoint
    except (NotFound, MethodNotAllowed, RequestRedirect):
        return None


def _variants(form):
    """(label, body) pairs: each is a dict of lists, or raw bytes with a content type."""
    base = {name: values[:1] or [""] for name, values in form.fields.items()}
    visible = [n for n, k in form.kinds.items() if k not in ("hidden", "button")]
    selects = [n for n, k in form.kinds.items() if k in ("select", "radio", "checkbox")]
    dates = [n for n, k in form.kinds.items() if k in DATE_KINDS]

    def with_(names, value):
        body = {k: list(v) for k, v in base.items()}
        for n in names:
            body[n] = [value]
        return body

    yield "missing", {}
    yield "defaults", base
    yield "hidden-missing", {n: v for n, v in base.items() if form.kinds.get(n) != "hidden"}
    yield "long", with_(visible, LONG)
    yield "script", with_(visible, SCRIPT)
    yield "negative", with_(visible, "-7")
    yield "huge", with_(visible, "1" + "0" * 30)
    yield "float", with_(visible, "1e308")
    yield "superscript digit", with_(visible + selects, "²")
    yield "spaces", with_(visible, "   ")
    for bad in ("2024-02-30", "1800-01-01", "2100-01-01", "0000-00-00T25:61"):
        yield f"date {bad}", with_(dates or visible, bad)
    for name in selects:
        yield f"junk {name}", with_([name], "999999999")
        yield f"neg {name}", with_([name], "-1")
    yield "duplicated", {k: list(v) + ["1", "-1"] for k, v in base.items()}
    yield "json", (json.dumps({k: v[0] for k, v in base.items()}).encode(), "application/json")
    raw = "&".join(f"{k}=%FF%FE%80" for k in base).encode() + b"&x=\xff\xfe"
    yield "non-utf8", (raw, "application/x-www-form-urlencoded")
    yield (
        "hidden-junk",
        with_([n for n, k in form.kinds.items() if k == "hidden" and n != "csrf_token"], "999999999"),
    )


def _post(client, action, body):
    if isinstance(body, tuple):
        data, ctype = body
        return client.post(action, data=data, content_type=ctype)
    return client.post(action, data=body)


def _check(response, where, problems):
    status = response.status_code
    if status >= 500 or status not in ALLOWED:
        problems.append(f"{status} {where}")
        return
    if status >= 400 and response.mimetype == "text/html":
        text = response.get_data(as_text=True)
        if ENGLISH.search(text):
            problems.append(f"{status} English text {where}: {ENGLISH.search(text).group(0)}")
        if SCRIPT in text:
            problems.append(f"{status} unescaped script {where}")
        if status == 422 and 'class="err"' not in text and 'role="alert"' not in text:
            problems.append(f"422 without a message {where}")


def _seed(app) -> dict[str, list[str]]:
    """Records and start pages that links alone do not reach within the crawl: an obligation (its status form),
    an activity, a report without its date (its "tandai disampaikan" form) and an evaluation (their correction
    pages), a draft of an unsigned agreement (its withdraw and final forms), a referral in each state at the sender, and an uploaded import (its mapping and run forms)."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from blueprints.auth.models import User
    from blueprints.core.extensions import db
    from blueprints.core.timeutil import today_local
    from blueprints.pks.demo import PKS1_TITLE
    from blueprints.pks.models import Activity, Agreement, Document, Evaluation, Obligation, Report
    from blueprints.rujukan.models import Referral

    with app.app_context():
        signed = db.session.scalars(
            select(Agreement).where(Agreement.tahap == "ditandatangani").order_by(Agreement.id)
        ).first()
        rows = {
            "kewajiban": Obligation(
                agreement_id=signed.id, text="Kewajiban uji", due=today_local() + timedelta(30)
            ),
            "kegiatan": Activity(agreement_id=signed.id, tanggal=today_local(), jenis="Kegiatan uji"),
            "laporan": Report(agreement_id=signed.id, periode="Periode uji"),
            "evaluasi": Evaluation(
                agreement_id=signed.id, tanggal=today_local(), temuan="Uji", rekomendasi="diubah"
            ),
        }
        db.session.add_all(rows.values())
        drafting = db.session.scalar(select(Agreement).where(Agreement.judul == PKS1_TITLE))  # not signed yet
        db.session.add(
            Document(
                agreement_id=drafting.id,
                kind="draf",
                versi=1,
                filename="draf-uji.pdf",
                stored_name="fuzz-draf-uji.pdf",
                mime="application/pdf",
                size=1,
                sha256="0" * 64,
            )
        )
        # a signatory and a number of Solok's own party on an agreement not yet signed (their edit and delete
        # forms, linked from its parties page)
        from blueprints.auth.models import Regency
        from blueprints.pks.models import DocNumber, Party, Signatory

        solok = db.session.scalar(select(Regency.id).where(Regency.code == "13.02"))
        own = db.session.scalars(
            select(Party)
            .join(Agreement, Agreement.id == Party.agreement_id)
            .where(Party.regency_id == solok, Agreement.tahap == "siap_ttd")
            .order_by(Party.id)
        ).first()
        db.session.add(Signatory(party_id=own.id, nama="Penandatangan uji", jabatan="Kepala Dinas"))
        if not db.session.scalar(select(DocNumber.id).where(DocNumber.party_id == own.id)):
            db.session.add(DocNumber(agreement_id=own.agreement_id, party_id=own.id, nomor="1/UJI"))
        db.session.commit()
        pks_pages = [f"/pks/{signed.id}/pelaksanaan", f"/pks/{drafting.id}/dokumen"] + [
            f"/pks/{signed.id}/pelaksanaan/{section}/{row.id}" for section, row in rows.items()
        ]
        faskes = db.session.scalar(select(User).where(User.username == "faskes.solok"))
        refs = {}
        for ref in db.session.scalars(
            select(Referral).where(Referral.origin_id == faskes.organisation_id).order_by(Referral.id)
        ):
            refs.setdefault(ref.status, f"/rujukan/{ref.id}")
        pages = list(refs.values()) + ([refs["draf"] + "/ubah"] if "draf" in refs else [])
        # a document (its withdrawal form, the file, its thumbnail and download: an <img> and links the crawl does
        # not follow) on a person the crawl may not open, written into this app's upload folder (the demo's
        # files were written where the session's demo was loaded)
        from blueprints.sidilan.document_models import SidilanDocument
        from blueprints.sidilan.documents import demo_document
        from blueprints.sidilan.models import Person

        person = db.session.get(
            Person,
            db.session.scalar(
                select(SidilanDocument.person_id).where(SidilanDocument.person_id.is_not(None)).limit(1)
            )
            or 0,
        )
        documents = []
        if person is not None:
            operator = db.session.scalar(select(User).where(User.username == "operator.solok"))
            demo_document(person, "foto", operator)
            db.session.commit()
            doc = db.session.scalar(select(func.max(SidilanDocument.id)))
            documents = [f"/sidilan/orang/{person.id}/dokumen"] + [
                f"/sidilan/dokumen/{doc}{tail}" for tail in ("", "/kecil", "/unduh")
            ]
        # a deactivated facility (its "Aktifkan kembali" form) of the Sijunjung Dinkes's directory
        from blueprints.auth.models import Organisation
        from blueprints.rujukan.models import FacilityProfile

        off = db.session.scalar(
            select(Organisation).where(Organisation.name == "Puskesmas Tanjung Gadang (demo)")
        )
        profile = db.session.scalar(select(FacilityProfile).where(FacilityProfile.organisation_id == off.id))
        if profile is None:
            profile = FacilityProfile(organisation_id=off.id, paper="A4")
            db.session.add(profile)
        profile.active, profile.deactivated_reason = False, "Uji jelajah"
        db.session.commit()
        return {
            "dinkes.sijunjung": [f"/rujukan/faskes/{off.id}"],
            "kerjasama.solok": pks_pages + [f"/pks/{own.agreement_id}/pihak"],
            "faskes.solok": pages,
            "operator.solok": documents,
        }


def _upload_import(client) -> list[str]:
    with open("tests/data/sidilan_import_sample.csv", "rb") as fh:
        page = client.get("/sidilan/impor").get_data(as_text=True)
        key = re.search(r'name="submission_key"[^>]*value="([^"]+)"', page)
        data = {"berkas": (fh, "sample.csv")}
        if key:
            data["submission_key"] = key.group(1)
        response = client.post("/sidilan/impor", data=data, content_type="multipart/form-data")
    location = urlsplit(response.headers.get("Location", "")).path
    if not location:
        return []
    html = client.get(location).get_data(as_text=True)
    forms = post_forms(html, location)
    if forms:  # send the column mapping as the page offers it, so the dry run with its 'run' form exists
        chosen = {
            k: v[:1] for k, v in forms[0].fields.items() if forms[0].kinds.get(k) not in ("select", "button")
        }
        for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
            # what a browser sends: the selected option, else the first one
            picked = re.search(r'<option value="([^"]*)" selected', options) or re.search(
                r'<option value="([^"]*)"', options
            )
            chosen[name] = [picked.group(1) if picked else ""]
        preview = client.post(forms[0].action, data=chosen)
        after = urlsplit(preview.headers.get("Location", "")).path
        return [location] + ([after] if after else [])
    return [location]


def _crawl_all(app, client_for):
    """Crawl as every role: {endpoint: [(role, form)]}, and the pages each role reached."""
    found, pages = {}, {}
    adapter = app.url_map.bind("localhost")
    seeds = _seed(app)
    for role in ROLES:
        client = client_for(role)
        starts = ["/"] + seeds.get(role, []) + (_upload_import(client) if role == "operator.solok" else [])
        pages[role] = []
        for start in starts:
            for url, response in crawl(
                client, start, PAGES_PER_ROLE if start == "/" else 5, adapter, per_endpoint=5
            ):
                if response.mimetype != "text/html" or response.status_code != 200:
                    continue
                pages[role].append(url)
                for form in post_forms(response.get_data(as_text=True), url):
                    endpoint = _endpoint(adapter, form.action)
                    if endpoint and endpoint not in NOT_FUZZED:
                        known = found.setdefault(endpoint, [])
                        if len(known) < 3 and all(f.action != form.action or r != role for r, f in known):
                            known.append((role, form))
    return found, pages


def test_walk_every_route_with_bad_input(app):
    clients = {}

    def client_for(role):
        if role not in clients:
            clients[role] = app.test_client()
            assert _login(clients[role], role).status_code == 302, role
        return clients[role]

    found, pages = _crawl_all(app, client_for)
    post_endpoints = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
    missing = sorted(post_endpoints - set(found) - set(NOT_FUZZED))
    problems = [
        f"POST route no demo role reaches (add a link, a seed or a NOT_FUZZED reason): {e}" for e in missing
    ]
    for endpoint, targets in sorted(found.items()):
        for role, form in targets:
            client = client_for(role)
            for label, body in _variants(form):
                response = _post(client, form.action, body)
                _check(response, f"POST {form.action} [{endpoint}] as {role}: {label}", problems)
                if response.status_code == 302 and "/masuk" in response.headers.get("Location", ""):
                    _login(client, role)  # the walk changed this user's session (e.g. a password); go on
    for role, urls in pages.items():
        client = client_for(role)
        for url in dict.fromkeys(urls):
            path = urlsplit(url).path
            broken = []
            _check(client.get(path, query_string=JUNK_QUERY), f"GET {path}", broken)
            if broken:  # name the parameters that break it
                for name, values in JUNK_QUERY.items():
                    _check(
                        client.get(path, query_string={name: values}),
                        f"GET {path}?{name}=… as {role}",
                        problems,
                    )
    problems = list(dict.fromkeys(problems))
    assert not problems, f"{len(problems)} bad answers:\n" + "\n".join(problems[:120])
