"""Every rujukan POST under bad input: a 422 with an Indonesian message next to the field and the typed values
kept (or 404 / 409), never a 500, and nothing written to the referral until the whole form is valid."""

import json
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from blueprints.auth.models import Organisation
from blueprints.core.extensions import db
from blueprints.rujukan.models import FacilityProfile, HealthWorker, Patient, Poli, Referral, ReferralEvent

from .conftest import form_data, key, org, patient_named, referral_where, rsud_doctor, version

LONG, SCRIPT = "x" * 10_000, "<script>alert(1)</script>"
HUGE = str(10**30)
MARKER = "Keluhan khusus uji 123"


def field_block(html: str, name: str) -> str:
    """The <label> that holds the control named ``name``: where the field's message must stand."""
    at = html.index(f'name="{name}"')
    return html[html.rindex("<label", 0, at) : html.index("</label>", at)]


def _urls(app):
    with app.app_context():
        live = referral_where(Referral.origin_id == org("pkm").id, Referral.status == "tiba").id
        issued = referral_where(Referral.origin_id == org("pkm").id, Referral.status == "dikirim").id
        return {
            "patient": "/rujukan/pasien/baru",
            "patient_edit": f"/rujukan/pasien/{patient_named('Baharuddin').id}/ubah",
            "reply": f"/rujukan/{live}/jawab",
            "redirect": f"/rujukan/{issued}/aksi/redirect",
            "cancel": f"/rujukan/{issued}/aksi/cancel",
            "facility": f"/rujukan/faskes/{org('pkm').id}/ubah",
            "poli": f"/rujukan/faskes/{org('pkm').id}/poli",
            "nakes": f"/rujukan/faskes/{org('pkm').id}/nakes",
        }


def _hidden(app, name: str) -> dict:
    """What the form behind ``_urls(app)[name]`` posts besides its fields: a fresh submission key (create forms,
    prefixed like their fields) or the record's version (edit forms)."""
    if name == "patient_edit":
        with app.app_context():
            return version(app, Patient, patient_named("Baharuddin").id)
    if name == "facility":
        with app.app_context():
            return version(app, Organisation, org("pkm").id)
    prefix = f"{name}-" if name in ("poli", "nakes") else ""
    return {prefix + "submission_key": key()["submission_key"]}


FIELDS = [
    "name",
    "nik",
    "no_jkn",
    "birth_date",
    "sex",
    "home_regency",
    "kecamatan",
    "phone",
    "channel",
    "note",
    "redirect_to_id",
    "reply_diag",
    "reply_therapy",
    "reply_doctor",
    "reply_control_date",
    "whatsapp",
    "travel_note",
    "capacity_note",
    "paper",
    "poli-name",
    "poli-schedule",
    "nakes-name",
    "nakes-sip",
    "nakes-profession",
    "address",
    "no_rm",
]


def test_script_is_never_echoed_unescaped(app, client, auth):
    urls = _urls(app)
    auth.login("faskes.solok")
    for name, url in urls.items():
        resp = client.post(
            url, data={**{f: SCRIPT for f in FIELDS}, **_hidden(app, name)}, follow_redirects=True
        )
        assert resp.status_code in (200, 422), (name, resp.status_code)
        assert SCRIPT not in resp.text, name


@pytest.mark.parametrize("value", [LONG, "a\x00b"], ids=["long", "nul"])
def test_bad_posts_answer_422(app, client, auth, value):
    """Every field of every form gets the same junk: each form refuses it with 422 (never 200 or a redirect)."""
    urls = _urls(app)
    auth.login("faskes.solok")
    for name, url in urls.items():
        resp = client.post(url, data={**{f: value for f in FIELDS}, **_hidden(app, name)})
        assert resp.status_code == 422, (name, resp.status_code)
        assert "<html" in resp.text and SCRIPT not in resp.text, name
    auth.logout()
    auth.login("faskes.rsud.sijunjung")
    resp = client.post(urls["reply"], data={**{f: value for f in FIELDS}, **_hidden(app, "reply")})
    assert resp.status_code == 422 and SCRIPT not in resp.text


@pytest.mark.parametrize("body", ["json", "json-junk", "json-broken"])
def test_json_bodies_are_an_empty_form(app, client, auth, body):
    """A JSON body is not a submission of these HTML forms: the clerk-facing 422 with 'Wajib diisi.' (an edit
    form's JSON carries no version either: the conflict page, 409)."""
    payload = {
        "json": json.dumps({f: "x" for f in FIELDS}),
        "json-junk": json.dumps({f: [HUGE, {"a": 1}, 10**30] for f in FIELDS}),
        "json-broken": "[{",
    }[body]
    urls = _urls(app)
    auth.login("faskes.solok")
    for name in ("patient", "reply", "cancel", "poli", "nakes"):
        resp = client.post(urls[name], data=payload, content_type="application/json")
        assert resp.status_code == 422, (name, resp.status_code)
    resp = client.post(urls["patient_edit"], data=payload, content_type="application/json")
    assert resp.status_code == 409 and "Data sudah diubah pengguna lain" in resp.text
    assert "Wajib diisi." in client.post(urls["poli"], data=payload, content_type="application/json").text


# ---- the referral form: new draft and draft edit -----------------------------------------------------------


def _draft(app, faskes) -> tuple[str, str]:
    """(new-referral URL, edit URL of a freshly saved draft)."""
    with app.app_context():
        new = f"/rujukan/pasien/{patient_named('Baharuddin').id}/rujukan/baru"
    resp = faskes.post(new, data=form_data(app, anamnesis="Versi tersimpan"))
    assert resp.status_code == 302
    return new, resp.headers["Location"] + "/ubah"


def _columns(app, ref_id: int | None = None):
    """Every column of the draft (or the number of referrals), to prove a refusal wrote nothing."""
    with app.app_context():
        if ref_id is None:
            return db.session.scalar(select(func.count(Referral.id)))
        ref = db.session.get(Referral, ref_id)
        return {c.key: getattr(ref, c.key) for c in Referral.__mapper__.column_attrs}


def _other_facility_ids(app):
    with app.app_context():
        kumanis = org("kumanis").id
        nakes = db.session.scalar(select(HealthWorker.id).where(HealthWorker.organisation_id == kumanis))
        return {"own": org("pkm").id, "nakes_elsewhere": nakes}


# (case, changes to the valid form, field where the message must stand, message)
REFERRAL_CASES = [
    (
        "missing selects",
        {"jenis": None, "kategori": None, "tipe": None, "arah": None, "payer": None},
        "jenis",
        "Pilihan tidak sah.",
    ),
    ("missing destination", {"destination_id": None}, "destination_id", "Pilihan tidak sah."),
    ("unknown destination", {"destination_id": "999999"}, "destination_id", "Pilihan tidak sah."),
    ("negative destination", {"destination_id": "-1"}, "destination_id", "Pilihan tidak sah."),
    ("huge destination", {"destination_id": HUGE}, "destination_id", "Pilihan tidak sah."),
    ("junk destination", {"destination_id": "abc"}, "destination_id", "Pilihan tidak sah."),
    ("own facility as destination", {"destination_id": "{own}"}, "destination_id", "Pilihan tidak sah."),
    ("unknown poli", {"poli_id": "999999"}, "poli_id", "Poli ini bukan milik faskes tujuan"),
    ("huge poli", {"poli_id": HUGE}, "poli_id", "Pilihan tidak sah."),
    ("unknown nakes", {"nakes_id": "999999"}, "nakes_id", "Pilihan tidak sah."),
    ("huge nakes", {"nakes_id": HUGE}, "nakes_id", "Pilihan tidak sah."),
    ("nakes of another facility", {"nakes_id": "{nakes_elsewhere}"}, "nakes_id", "Pilihan tidak sah."),
    ("huge pulse", {"pulse": HUGE}, "pulse", "Angka harus antara 20 dan 250."),
    ("negative pulse", {"pulse": "-5"}, "pulse", "Angka harus antara 20 dan 250."),
    ("huge respiration", {"rr": HUGE}, "rr", "Angka harus antara 4 dan 80."),
    ("huge GCS", {"gcs": HUGE}, "gcs", "Angka harus antara 3 dan 15."),
    ("huge temperature", {"temperature": "1e308"}, "temperature", "Angka harus antara 30 dan 45."),
    ("infinite temperature", {"temperature": "1e400"}, "temperature", "Angka tidak sah."),
    ("NaN temperature", {"temperature": "nan"}, "temperature", "Angka tidak sah."),
    ("negative weight", {"weight": "-60"}, "weight", "Angka harus antara 0.3 dan 300."),
    ("long anamnesis", {"anamnesis": LONG}, "anamnesis", "Maksimal 3000 karakter."),
    ("long escort", {"escort": LONG}, "escort", "Maksimal 150 karakter."),
    ("long consent signer", {"consent_signer": LONG}, "consent_signer", "Maksimal 120 karakter."),
    ("long free-text destination", {"destination_text": LONG}, "destination_text", "Maksimal 150 karakter."),
    ("long picked diagnosis", {"diag1_pick": LONG}, "diag1", "Maksimal 10 karakter."),
    ("NUL in a text", {"escort": "Suami\x00"}, "escort", "Isian berisi karakter yang tidak sah"),
    (
        "year 1 referral time",
        {"referred_at": "0001-01-01T00:00"},
        "referred_at",
        "Tanggal di luar rentang yang wajar",
    ),
    (
        "year 9999 planned visit",
        {"planned_visit": "9999-12-31"},
        "planned_visit",
        "Tanggal di luar rentang yang wajar",
    ),
    ("impossible date", {"consent_date": "2024-02-31"}, "consent_date", "Tanggal tidak sah"),
    ("bad IGD answer", {"igd_call_accepted": "mungkin"}, "igd_call_accepted", "Pilihan tidak sah."),
]


@pytest.mark.parametrize("target", ["new", "edit"])
@pytest.mark.parametrize(
    ("case", "changes", "field", "message"), REFERRAL_CASES, ids=[c[0] for c in REFERRAL_CASES]
)
def test_referral_form_refuses_bad_input_before_touching_the_draft(
    app, faskes, target, case, changes, field, message
):
    new, edit = _draft(app, faskes)
    ref_id = int(edit.split("/")[-2])
    ids = _other_facility_ids(app)
    data = form_data(app, anamnesis=MARKER, **version(app, Referral, ref_id))
    for name, value in changes.items():
        if value is None:
            data.pop(name)
        else:
            data[name] = value.format(**ids)
    before = _columns(app, ref_id), _columns(app)
    resp = faskes.post(new if target == "new" else edit, data=data)
    assert resp.status_code == 422
    block = field_block(resp.text, field)
    assert message in block and 'aria-invalid="true"' in block
    if field != "anamnesis":
        assert MARKER in resp.text  # what was typed stays in the form
    assert (_columns(app, ref_id), _columns(app)) == before  # nothing written


@pytest.mark.parametrize("target", ["new", "edit"])
def test_referral_form_duplicated_fields_and_json(app, faskes, target):
    new, edit = _draft(app, faskes)
    url = new if target == "new" else edit
    ref_id = int(edit.split("/")[-2])
    before = _columns(app, ref_id), _columns(app)
    items = list(form_data(app, anamnesis=MARKER, **version(app, Referral, ref_id)).items())
    resp = faskes.post(url, data=MultiDict([("pulse", HUGE), ("destination_id", "999999")] + items))
    assert resp.status_code == 422  # the first of two values is the one judged
    assert "Angka harus antara 20 dan 250." in field_block(resp.text, "pulse")
    assert "Pilihan tidak sah." in field_block(resp.text, "destination_id")
    resp = faskes.post(url, data=json.dumps(form_data(app)), content_type="application/json")
    if target == "new":
        assert resp.status_code == 422 and "Wajib diisi." in field_block(resp.text, "anamnesis")
    else:  # no version in a JSON body either
        assert resp.status_code == 409 and "Data sudah diubah pengguna lain" in resp.text
    assert (_columns(app, ref_id), _columns(app)) == before


def test_referral_form_junk_also_when_issuing(app, faskes):
    new, edit = _draft(app, faskes)
    ref_id = int(edit.split("/")[-2])
    before = _columns(app, ref_id)
    resp = faskes.post(
        edit,
        data=form_data(
            app,
            anamnesis=MARKER,
            nakes_id="999999",
            gcs=HUGE,
            terbitkan="1",
            **version(app, Referral, ref_id),
        ),
    )
    assert resp.status_code == 422 and MARKER in resp.text
    assert "Pilihan tidak sah." in field_block(resp.text, "nakes_id")
    assert _columns(app, ref_id) == before and before["status"] == "draf"


def test_inactive_poli_is_refused_with_its_reason(app, faskes):
    new, edit = _draft(app, faskes)
    ref_id = int(edit.split("/")[-2])
    with app.app_context():
        poli = db.session.scalar(
            select(Poli).where(Poli.organisation_id == org("rsud").id, Poli.name == "Penyakit Dalam")
        )
        poli.active = False
        poli_id = poli.id
        db.session.commit()
        rsud_mata = db.session.scalar(
            select(Poli.id).where(Poli.organisation_id == org("rsud").id, Poli.name == "Mata")
        )
    data = form_data(app, anamnesis=MARKER, **version(app, Referral, ref_id))
    data["poli_id"] = str(poli_id)
    resp = faskes.post(edit, data=data)
    assert resp.status_code == 422 and "sudah tidak aktif" in field_block(resp.text, "poli_id")
    assert faskes.post(edit, data={**data, "poli_id": str(rsud_mata)}).status_code == 302


def test_destination_block_ignores_junk_ids(app, faskes):
    new, _ = _draft(app, faskes)
    for junk in (HUGE, "-3", "999999"):
        resp = faskes.post(new, data=form_data(app, destination_id=junk, _tujuan="1"))
        assert resp.status_code == 200 and "Tampilkan poli" in resp.text  # refresh only, nothing saved
        resp = faskes.get(
            "/rujukan/tujuan", query_string={"destination_id": junk}, headers={"HX-Request": "true"}
        )
        assert resp.status_code == 200


# ---- lifecycle actions, reply, directory ---------------------------------------------------------------


def _status(app, ref_id):
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        events = db.session.scalar(
            select(func.count(ReferralEvent.id)).where(ReferralEvent.referral_id == ref_id)
        )
        return ref.status, ref.redirect_to_id, ref.cancel_reason, events


def _action_form(html: str, action: str) -> str:
    start = html.index(f'/aksi/{action}"')
    return html[start : html.index("</form>", start)]


def test_action_errors_stand_at_the_field(app, client, auth):
    url = _urls(app)["cancel"]
    ref_id = int(url.split("/")[2])
    before = _status(app, ref_id)
    auth.login("faskes.solok")
    resp = client.post(url, data={"channel": "web", "note": LONG, **key()})
    assert resp.status_code == 422
    form = _action_form(resp.text, "cancel")
    assert "Maksimal 300 karakter." in field_block(form, "note") and 'aria-invalid="true"' in form
    resp = client.post(url, data={"channel": "web", "note": "  ", **key()})
    assert resp.status_code == 422
    assert "Alasan pembatalan wajib diisi." in field_block(_action_form(resp.text, "cancel"), "note")
    resp = client.post(url, data={"channel": SCRIPT, "note": "Pasien pindah", **key()})
    assert resp.status_code == 422 and SCRIPT not in resp.text
    form = _action_form(resp.text, "cancel")
    assert "Pilihan tidak sah." in form and 'value="Pasien pindah"' in form  # typed reason kept
    resp = client.post(url, data={"channel": "web", "note": "a\x00b", **key()})
    assert resp.status_code == 422 and "karakter yang tidak sah" in _action_form(resp.text, "cancel")
    resp = client.post(
        url.replace("cancel", "accept"), data={"channel": "web", **key()}
    )  # sender, not via web
    assert resp.status_code == 422 and "pilih salurannya" in field_block(
        _action_form(resp.text, "accept"), "channel"
    )
    resp = client.post(
        url.replace("cancel", "complete"), data={"channel": "web", **key()}
    )  # not answered yet
    assert resp.status_code == 409 and "tidak dapat diubah" in resp.text
    resp = client.post(url, data=json.dumps({"channel": "web", "note": "x"}), content_type="application/json")
    assert resp.status_code == 422
    assert _status(app, ref_id) == before


@pytest.mark.parametrize("target", ["999999", HUGE, "-1", "abc", "{origin}", "{destination}", ""])
def test_redirect_target_must_come_from_the_directory(app, client, auth, target):
    url = _urls(app)["redirect"]
    ref_id = int(url.split("/")[2])
    before = _status(app, ref_id)
    with app.app_context():
        target = target.format(origin=org("pkm").id, destination=org("rsud").id)
    auth.login("faskes.rsud.sijunjung")
    resp = client.post(url, data={"channel": "web", "redirect_to_id": target, "note": "ICU penuh", **key()})
    assert resp.status_code == 422
    form = _action_form(resp.text, "redirect")
    assert re.search(
        "Pilih faskes tujuan pengalihan dari direktori.|Pilihan tidak sah.",
        field_block(form, "redirect_to_id"),
    )
    assert 'value="ICU penuh"' in form
    assert _status(app, ref_id) == before


def test_reply_refusals(app, client, auth):
    url = _urls(app)["reply"]
    ref_id = int(url.split("/")[2])
    before = _status(app, ref_id)
    auth.login("faskes.rsud.sijunjung")
    good = {
        "channel": "web",
        "reply_diag": "I11.0",
        "reply_doctor_id": rsud_doctor(app, "dr. Irwan Syah, Sp.PD"),
        "reply_therapy": MARKER,
        **key(),
    }
    for changes, field, message in [
        ({"reply_control_date": "0001-01-01"}, "reply_control_date", "Tanggal di luar rentang yang wajar"),
        ({"reply_control_date": "2024-13-40"}, "reply_control_date", "Tanggal tidak sah"),
        ({"reply_diag": "ZZ99"}, "reply_diag", "Kode ICD-10 tidak dikenal."),
        ({"reply_doctor_id": "0"}, "reply_doctor_id", "Pilih dokter yang menjawab"),
        ({"reply_doctor_id": "12x"}, "reply_doctor_id", "Pilihan tidak sah."),
        ({"channel": HUGE}, "channel", "Pilihan tidak sah."),
    ]:
        resp = client.post(url, data={**good, **changes})
        assert resp.status_code == 422, changes
        assert message in field_block(resp.text, field) and MARKER in resp.text
    assert _status(app, ref_id) == before


@pytest.mark.parametrize(
    ("kind", "data", "field", "message"),
    [
        ("facility", {"travel_note": LONG}, "travel_note", "Maksimal 300 karakter."),
        ("facility", {"whatsapp": "08\x00"}, "whatsapp", "karakter yang tidak sah"),
        ("facility", {"paper": "A3"}, "paper", "Pilihan tidak sah."),
        ("poli", {"poli-name": LONG}, "poli-name", "Maksimal 100 karakter."),
        ("poli", {"poli-name": ""}, "poli-name", "Wajib diisi."),
        (
            "nakes",
            {"nakes-name": "dr. X", "nakes-profession": "dukun"},
            "nakes-profession",
            "Pilihan tidak sah.",
        ),
        (
            "nakes",
            {"nakes-name": "dr.\x00X", "nakes-profession": "dokter"},
            "nakes-name",
            "karakter yang tidak sah",
        ),
    ],
)
def test_directory_forms(app, client, auth, kind, data, field, message):
    url = _urls(app)[kind]
    with app.app_context():
        counts = [db.session.scalar(select(func.count(m.id))) for m in (Poli, HealthWorker, FacilityProfile)]
    auth.login("faskes.solok")
    resp = client.post(url, data={**data, **_hidden(app, kind)})
    assert resp.status_code == 422 and message in field_block(resp.text, field)
    with app.app_context():
        assert [
            db.session.scalar(select(func.count(m.id))) for m in (Poli, HealthWorker, FacilityProfile)
        ] == counts


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"birth_date": "1850-01-01"}, "birth_date", "Tanggal di luar rentang yang wajar"),
        ({"birth_date": "2999-01-01"}, "birth_date", "Tanggal lahir tidak boleh melewati hari ini."),
        ({"name": "Uji\x00"}, "name", "karakter yang tidak sah"),
        ({"no_rm": LONG}, "no_rm", "Maksimal 30 karakter."),
        ({"home_regency": HUGE}, "home_regency", "Pilihan tidak sah."),
        (
            {"home_regency": "13.0\x00"},
            "home_regency",
            "Pilihan tidak sah.",
        ),  # PostgreSQL refuses NUL in a query
    ],
)
def test_patient_form_refusals(app, faskes, changes, field, message):
    data = {
        "name": "Uji Tolak",
        "nik": "1302184506900007",
        "no_jkn": "0002035020999",
        "status_peserta": "utama",
        "jenis_kepesertaan": "pbi_apbd",
        "birth_date": "1990-06-05",
        "sex": "P",
        "home_regency": "13.02",
        "kecamatan": "13.02.18",
        "nagari": "13.02.18.2004",
        "address": MARKER,
        **key(),
        **changes,
    }
    with app.app_context():
        before = db.session.scalar(select(func.count(Patient.id)))
    resp = faskes.post("/rujukan/pasien/baru", data=data)
    assert resp.status_code == 422 and message in field_block(resp.text, field)
    assert MARKER in resp.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Patient.id))) == before


def test_ids_beyond_the_database_range_are_not_found(app, client, auth):
    with app.app_context():
        pkm = org("pkm").id
    auth.login("faskes.solok")
    big = "9" * 20
    for url in (
        f"/rujukan/{big}",
        f"/rujukan/{big}/cetak",
        f"/rujukan/{big}/persetujuan",
        f"/rujukan/pasien/{big}",
        f"/rujukan/faskes/{big}",
        f"/rujukan/{big}/ubah",
        f"/rujukan/{big}/jawab",
        f"/rujukan/pasien/{big}/ubah",
        f"/rujukan/pasien/{big}/rujukan/baru",
        f"/rujukan/faskes/{big}/ubah",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/rujukan/{big}/ubah",
        f"/rujukan/{big}/terbitkan",
        f"/rujukan/{big}/salin",
        f"/rujukan/{big}/aksi/cancel",
        f"/rujukan/{big}/jawab",
        f"/rujukan/faskes/{pkm}/nonaktif/poli/{big}",
        f"/rujukan/pasien/{big}/rujukan/baru",
        f"/rujukan/faskes/{big}/poli",
    ):
        assert client.post(url, data={"channel": "web", "note": "x"}).status_code == 404, url


def test_control_characters_in_searches_and_filters(app, client, auth):
    """PostgreSQL refuses NUL in a query parameter: searches and filters drop control characters first."""
    auth.login("faskes.solok")
    for path in ("/rujukan/", "/rujukan/masuk", "/rujukan/pasien", "/rujukan/faskes"):
        resp = client.get(path, query_string={"q": "Ros\x00maniar"})
        assert resp.status_code == 200, path
    assert "Rosmaniar" in client.get("/rujukan/pasien", query_string={"q": "Ros\x00maniar"}).text
    assert client.get("/rujukan/pasien/baru", query_string={"nik": "\x00"}).status_code == 200
    assert client.get("/rujukan/pasien/wilayah", query_string={"home_regency": "\x00"}).status_code == 200
    cascade = client.post(
        "/rujukan/pasien/baru",
        data={"home_regency": "13.0\x00", "kecamatan": "\x00", "_cascade": "1", "name": MARKER},
    )
    assert cascade.status_code == 200 and MARKER in cascade.text
    auth.logout()
    auth.login("dinkes.sijunjung")
    assert client.get("/rujukan/rekap", query_string={"asal": "13.02\x00"}).status_code == 200
