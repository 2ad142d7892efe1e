"""Records a clerk can trust: a replayed submit (double tap, a retry over a flaky link, 20 at once) creates
nothing new and lands on the first result; a stale edit gets the conflict page instead of overwriting."""

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from blueprints.auth.models import Organisation
from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.core.timeutil import today_local
from blueprints.rujukan.models import (
    FacilityProfile,
    HealthWorker,
    NumberCounter,
    Patient,
    Poli,
    Referral,
    ReferralEvent,
)
from tests.crawl import post_forms
from tests.replay import form_key, logged_in, replay_parallel, replay_sequential

from .conftest import form_data, key, org, patient_data, patient_named, referral_where, rsud_doctor, version

SAVED = "Data ini sudah tersimpan"
CONFLICT = "Data sudah diubah pengguna lain"


def _path(response) -> str:
    return urlsplit(response.headers["Location"]).path


def _count(app, model, *conds) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conds))


def _counter(app, org_key="pkm") -> int:
    with app.app_context():
        row = db.session.get(NumberCounter, (org(org_key).id, today_local().year))
        return row.last if row else 0


def _org_id(app, name="pkm") -> int:
    with app.app_context():
        return org(name).id


def _new_referral_url(app, name="Baharuddin") -> str:
    with app.app_context():
        return f"/rujukan/pasien/{patient_named(name).id}/rujukan/baru"


def _page_key(html: str, action: str) -> str:
    """The submission key of the form on the page that posts to ``action``."""
    start = html.index(f'action="{action}"')
    return re.search(r'name="(?:\w+-)?submission_key"[^>]*value="([^"]+)"', html[start:]).group(1)


def _apply_on_top(client, page):
    """Press 'Terapkan isian saya di atas data terbaru' on a conflict page: post its form as it stands."""
    form = next(f for f in post_forms(page.get_data(as_text=True), "/") if "version" in f.fields)
    return client.post(form.action, data={name: values[0] for name, values in form.fields.items()})


# ---- new referral: draft, and draft + issue in one submit --------------------------------------------------


def test_twenty_parallel_replays_of_new_referral_with_issue_make_one_letter_and_one_number(app):
    url = _new_referral_url(app)
    data = form_data(app, terbitkan="1", submission_key=form_key(logged_in(app, "faskes.solok"), url))
    referrals, counter = _count(app, Referral), _counter(app)
    responses = replay_parallel(app, "faskes.solok", url, data)
    assert sorted(r.status_code for r in responses) == [302] + [303] * 19, [r.status_code for r in responses]
    assert _count(app, Referral) == referrals + 1
    assert _counter(app) == counter + 1  # one number consumed
    assert {_path(r) for r in responses} == {_path(responses[0])}  # every replay lands on the one letter
    ref_id = int(_path(responses[0]).rstrip("/").split("/")[-1])
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        assert ref.status == "diterbitkan" and ref.seq == counter + 1
        steps = list(
            db.session.scalars(select(ReferralEvent.to_status).where(ReferralEvent.referral_id == ref_id))
        )
        assert sorted(steps) == ["diterbitkan", "draf"]


def test_sequential_replay_of_a_new_draft_lands_on_the_first_with_a_note(app):
    client = logged_in(app, "faskes.solok")
    url = _new_referral_url(app)
    data = form_data(app, anamnesis="Keluhan replay", submission_key=form_key(client, url))
    referrals = _count(app, Referral)
    first, *again = replay_sequential(client, url, data, n=3)
    assert first.status_code == 302 and all(r.status_code == 303 for r in again)
    assert {_path(r) for r in again} == {_path(first)}
    page = client.get(again[-1].headers["Location"]).get_data(as_text=True)
    assert SAVED in page and "Keluhan replay" in page
    assert _count(app, Referral) == referrals + 1


def test_a_refused_submit_keeps_its_key_free_for_the_corrected_one(app):
    client = logged_in(app, "faskes.solok")
    url = _new_referral_url(app)
    submission = key()
    bad = client.post(url, data=form_data(app, diag1="QQQ", **submission))
    assert bad.status_code == 422 and submission["submission_key"] in bad.get_data(as_text=True)
    referrals = _count(app, Referral)
    good = client.post(url, data=form_data(app, **submission))
    assert good.status_code == 302 and _count(app, Referral) == referrals + 1


def test_new_referral_without_key_is_refused_with_what_was_typed(app):
    client = logged_in(app, "faskes.solok")
    data = form_data(app, anamnesis="Tetap diketik")
    del data["submission_key"]
    referrals = _count(app, Referral)
    resp = client.post(_new_referral_url(app), data=data)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "kunci pengiriman hilang" in text and "Tetap diketik" in text
    assert re.search(
        r'name="submission_key"[^>]*value="[\w-]{16,}"', text
    )  # a fresh key to press Simpan again
    assert _count(app, Referral) == referrals


# ---- new patient ---------------------------------------------------------------------------------------

NEW_NIK = "1302184506900007"


def _patient_data(**over) -> dict:
    return patient_data(**{"name": "Uji Replay", "nik": NEW_NIK, **over})


def test_twenty_parallel_replays_of_a_new_patient_make_one_patient(app):
    data = _patient_data(submission_key=form_key(logged_in(app, "faskes.solok"), "/rujukan/pasien/baru"))
    responses = replay_parallel(app, "faskes.solok", "/rujukan/pasien/baru", data)
    assert sorted(r.status_code for r in responses) == [302] + [303] * 19, [r.status_code for r in responses]
    assert _count(app, Patient, Patient.nik == NEW_NIK) == 1
    assert {_path(r) for r in responses} == {_path(responses[0])}


def test_sequential_replay_of_a_new_patient_says_saved_not_known(app):
    """The replay is told apart from registering a NIK the facility already has: it says 'sudah tersimpan'."""
    client = logged_in(app, "faskes.solok")
    data = _patient_data(submission_key=form_key(client, "/rujukan/pasien/baru"))
    first, again = replay_sequential(client, "/rujukan/pasien/baru", data, n=2)
    assert first.status_code == 302 and again.status_code == 303 and _path(again) == _path(first)
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert SAVED in page and "Uji Replay" in page and "sudah terdaftar" not in page
    other = client.post("/rujukan/pasien/baru", data=_patient_data(name="Lain", **key()))  # a new submit
    assert other.status_code == 302 and _path(other) == _path(first)
    assert "sudah terdaftar" in client.get(other.headers["Location"]).get_data(as_text=True)
    assert _count(app, Patient, Patient.nik == NEW_NIK) == 1


# ---- issue, copy, lifecycle steps, reply, directory items ----------------------------------------------


def _fresh_draft(app, client) -> int:
    resp = client.post(_new_referral_url(app), data=form_data(app))
    assert resp.status_code == 302
    return int(_path(resp).rstrip("/").split("/")[-1])


def test_twenty_parallel_replays_of_issue_from_the_detail_page_consume_one_number(app):
    client = logged_in(app, "faskes.solok")
    ref_id = _fresh_draft(app, client)
    action = f"/rujukan/{ref_id}/terbitkan"
    submission = {
        "submission_key": _page_key(client.get(f"/rujukan/{ref_id}").get_data(as_text=True), action)
    }
    counter = _counter(app)
    responses = replay_parallel(app, "faskes.solok", action, submission)
    assert sorted(r.status_code for r in responses) == [302] + [303] * 19  # one issue, 19 replays of it
    assert {_path(r) for r in responses} == {f"/rujukan/{ref_id}"}
    assert _counter(app) == counter + 1
    assert (
        _count(
            app, ReferralEvent, ReferralEvent.referral_id == ref_id, ReferralEvent.to_status == "diterbitkan"
        )
        == 1
    )


def test_two_clerks_issuing_one_draft_at_once_consume_one_number(app):
    """Different submits (two pages), not replays: the state and the version let one through."""
    ref_id = _fresh_draft(app, logged_in(app, "faskes.solok"))
    counter = _counter(app)
    responses = replay_parallel(app, "faskes.solok", f"/rujukan/{ref_id}/terbitkan", key, n=6)
    assert all(r.status_code in (302, 303, 409) for r in responses), [r.status_code for r in responses]
    assert _counter(app) == counter + 1
    with app.app_context():
        assert db.session.get(Referral, ref_id).seq == counter + 1


def test_replayed_issue_lands_on_the_letter(app):
    client = logged_in(app, "faskes.solok")
    ref_id = _fresh_draft(app, client)
    submission = key()
    first, again = replay_sequential(client, f"/rujukan/{ref_id}/terbitkan", submission, n=2)
    assert first.status_code == 302 and again.status_code == 303 and _path(again) == f"/rujukan/{ref_id}"
    assert SAVED in client.get(again.headers["Location"]).get_data(as_text=True)
    other = client.post(f"/rujukan/{ref_id}/terbitkan", data=key())  # a stale page: nothing happens
    assert other.status_code == 302
    assert "sudah terbit" in client.get(other.headers["Location"]).get_data(as_text=True)
    assert (
        _count(
            app, ReferralEvent, ReferralEvent.referral_id == ref_id, ReferralEvent.to_status == "diterbitkan"
        )
        == 1
    )


def test_replayed_copy_makes_one_copy(app):
    with app.app_context():
        ref_id = referral_where(Referral.origin_id == org("pkm").id, Referral.status == "dialihkan").id
    client = logged_in(app, "faskes.solok")
    action = f"/rujukan/{ref_id}/salin"
    data = {"submission_key": _page_key(client.get(f"/rujukan/{ref_id}").get_data(as_text=True), action)}
    referrals = _count(app, Referral)
    responses = replay_parallel(app, "faskes.solok", action, data, n=10)
    assert sorted(r.status_code for r in responses) == [302] + [303] * 9
    assert {_path(r) for r in responses} == {_path(responses[0])} and _path(responses[0]).endswith("/ubah")
    assert _count(app, Referral) == referrals + 1


def test_replayed_lifecycle_step_is_one_event(app):
    with app.app_context():
        ref_id = referral_where(
            Referral.origin_id == org("pkm").id,
            Referral.status == "diterbitkan",
            Referral.destination_id == org("rsud").id,
            Referral.valid_until >= today_local(),
        ).id
    events = _count(app, ReferralEvent, ReferralEvent.referral_id == ref_id)
    client = logged_in(app, "faskes.rsud.sijunjung")
    action = f"/rujukan/{ref_id}/aksi/accept"
    data = {
        "channel": "web",
        "note": "",
        "submission_key": _page_key(client.get(f"/rujukan/{ref_id}").get_data(as_text=True), action),
    }
    responses = replay_parallel(app, "faskes.rsud.sijunjung", action, data)
    assert all(r.status_code in (302, 303) for r in responses), [r.status_code for r in responses]
    assert _count(app, ReferralEvent, ReferralEvent.referral_id == ref_id) == events + 1
    again = client.post(action, data={**data, **key()})  # another submit of a step already taken
    assert again.status_code == 409 and "tidak dapat diubah" in again.get_data(as_text=True)
    assert _count(app, ReferralEvent, ReferralEvent.referral_id == ref_id) == events + 1


def test_two_receivers_pressing_one_step_at_once_make_one_event(app):
    with app.app_context():
        ref_id = referral_where(
            Referral.origin_id == org("pkm").id,
            Referral.status == "diterbitkan",
            Referral.destination_id == org("rsud").id,
            Referral.valid_until >= today_local(),
        ).id
    events = _count(app, ReferralEvent, ReferralEvent.referral_id == ref_id)
    responses = replay_parallel(
        app,
        "faskes.rsud.sijunjung",
        f"/rujukan/{ref_id}/aksi/arrive",
        lambda: {"channel": "web", **key()},
        n=6,
    )
    assert all(r.status_code in (302, 303, 409) for r in responses), [r.status_code for r in responses]
    assert _count(app, ReferralEvent, ReferralEvent.referral_id == ref_id) == events + 1


def test_replayed_reply_is_recorded_once(app):
    with app.app_context():
        ref_id = referral_where(Referral.origin_id == org("pkm").id, Referral.status == "tiba").id
    client = logged_in(app, "faskes.rsud.sijunjung")
    url = f"/rujukan/{ref_id}/jawab"
    data = {
        "channel": "web",
        "reply_diag": "I11.0",
        "reply_doctor_id": rsud_doctor(app, "dr. Irwan Syah, Sp.PD"),
        "reply_advice": "Kontrol",
        "submission_key": form_key(client, url),
    }
    events = _count(app, ReferralEvent, ReferralEvent.referral_id == ref_id)
    first, *again = replay_sequential(client, url, data, n=3)
    assert first.status_code == 302 and all(r.status_code == 303 for r in again)
    assert {_path(r) for r in again} == {f"/rujukan/{ref_id}"}
    assert SAVED in client.get(again[-1].headers["Location"]).get_data(as_text=True)
    assert _count(app, ReferralEvent, ReferralEvent.referral_id == ref_id) == events + 1
    late = client.post(url, data={**data, **key()})  # a second answer from an old page
    assert late.status_code == 409 and "tidak dapat diubah" in late.get_data(as_text=True)


@pytest.mark.parametrize(
    ("kind", "model", "fields"),
    [
        ("poli", Poli, {"poli-name": "Poli Replay", "poli-schedule": "Senin"}),
        ("nakes", HealthWorker, {"nakes-name": "dr. Replay", "nakes-profession": "dokter", "nakes-sip": ""}),
    ],
)
def test_replayed_directory_item_is_added_once(app, kind, model, fields):
    pkm = _org_id(app)
    client = logged_in(app, "faskes.solok")
    action = f"/rujukan/faskes/{pkm}/{kind}"
    data = {
        **fields,
        f"{kind}-submission_key": _page_key(
            client.get(f"/rujukan/faskes/{pkm}").get_data(as_text=True), action
        ),
    }
    responses = replay_parallel(app, "faskes.solok", action, data, n=10)
    assert all(r.status_code in (302, 303) for r in responses)
    assert _count(app, model, model.name == fields[f"{kind}-name"]) == 1


def test_deactivating_twice_stays_inactive_and_is_audited_once(app):
    with app.app_context():
        poli = db.session.scalar(
            select(Poli).where(Poli.organisation_id == org("pkm").id, Poli.active.is_(True))
        )
        url = f"/rujukan/faskes/{poli.organisation_id}/nonaktif/poli/{poli.id}"
        poli_id = poli.id
    client = logged_in(app, "faskes.solok")
    for _ in range(2):
        assert client.post(url).status_code == 302
    assert "sudah nonaktif" in client.get(f"/rujukan/faskes/{_org_id(app)}").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Poli, poli_id).active is False
    assert _count(app, AuditEvent, AuditEvent.summary == f"menonaktifkan poli #{poli_id}") == 1


# ---- stale edits ---------------------------------------------------------------------------------------


def test_stale_draft_edit_shows_both_values_and_applies_on_top(app):
    first, second = logged_in(app, "faskes.solok"), logged_in(app, "faskes.solok")
    ref_id = _fresh_draft(app, first)
    edit = f"/rujukan/{ref_id}/ubah"
    shown = version(app, Referral, ref_id)
    assert first.post(edit, data=form_data(app, anamnesis="Dari petugas pertama", **shown)).status_code == 302
    stale = second.post(edit, data=form_data(app, anamnesis="Dari petugas kedua", pulse="101", **shown))
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409 and CONFLICT in text
    row = text[text.index("Anamnesa (keluhan)") :]
    row = row[: row.index("</tr>")]
    assert "Dari petugas pertama" in row and "Dari petugas kedua" in row  # stored now, and typed
    assert "Nadi (x/menit)" in text and "Faskes tujuan" not in text  # only what differs
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        assert ref.anamnesis == "Dari petugas pertama" and ref.pulse == 96
        current = ref.version
    assert f'name="version" value="{current}"' in text
    applied = _apply_on_top(second, stale)
    assert applied.status_code == 302
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        assert ref.anamnesis == "Dari petugas kedua" and ref.pulse == 101 and ref.status == "draf"


def test_stale_draft_edit_with_issue_does_not_issue(app):
    first, second = logged_in(app, "faskes.solok"), logged_in(app, "faskes.solok")
    ref_id = _fresh_draft(app, first)
    shown = version(app, Referral, ref_id)
    counter = _counter(app)
    assert (
        first.post(f"/rujukan/{ref_id}/ubah", data=form_data(app, note="Catatan 1", **shown)).status_code
        == 302
    )
    stale = second.post(f"/rujukan/{ref_id}/ubah", data=form_data(app, terbitkan="1", **shown))
    assert stale.status_code == 409 and _counter(app) == counter
    applied = _apply_on_top(second, stale)  # the clerk's choice stands: issue on top of the current draft
    assert applied.status_code == 302 and _counter(app) == counter + 1


def test_edit_without_version_is_not_saved(app):
    client = logged_in(app, "faskes.solok")
    ref_id = _fresh_draft(app, client)
    resp = client.post(f"/rujukan/{ref_id}/ubah", data=form_data(app, anamnesis="Tanpa versi"))
    assert resp.status_code == 409
    with app.app_context():
        assert db.session.get(Referral, ref_id).anamnesis != "Tanpa versi"


def _shown(page, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', page.get_data(as_text=True)).group(1)


def test_stale_facility_edit_shows_both_values_and_applies_on_top(app):
    """Only profile fields change, and still the second save conflicts: the organisation carries the version."""
    pkm = _org_id(app)
    edit = f"/rujukan/faskes/{pkm}/ubah"
    first, second = logged_in(app, "faskes.solok"), logged_in(app, "faskes.solok")
    page = second.get(edit)
    base = {name: _shown(page, name) for name in ("phone", "address", "version")}  # the organisation as it is
    base["paper"] = "A4"
    assert first.post(edit, data={**base, "travel_note": "Musim hujan 4 jam"}).status_code == 302
    stale = second.post(edit, data={**base, "travel_note": "Musim kemarau 2 jam"})
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "Musim hujan 4 jam" in text and "Musim kemarau 2 jam" in text
    with app.app_context():
        profile = db.session.scalar(select(FacilityProfile).where(FacilityProfile.organisation_id == pkm))
        assert profile.travel_note == "Musim hujan 4 jam"
    assert _apply_on_top(second, stale).status_code == 302
    with app.app_context():
        profile = db.session.scalar(select(FacilityProfile).where(FacilityProfile.organisation_id == pkm))
        assert profile.travel_note == "Musim kemarau 2 jam"
        assert db.session.get(Organisation, pkm).phone == (base["phone"] or None)


def test_facility_and_patient_edits_without_version_are_not_saved(app):
    """A post that names no version (a crafted or truncated one) is not taken for the current version."""
    client = logged_in(app, "faskes.solok")
    pkm = _org_id(app)
    resp = client.post(f"/rujukan/faskes/{pkm}/ubah", data={"travel_note": "Tanpa versi", "paper": "A4"})
    assert resp.status_code == 409
    with app.app_context():
        bah = patient_named("Baharuddin")
        url = f"/rujukan/pasien/{bah.id}/ubah"
    page = client.get(url)
    form = post_forms(page.get_data(as_text=True), url)[0]
    data = {
        name: values[0]
        for name, values in form.fields.items()
        if name != "version" and form.kinds[name] != "button"
    }
    resp = client.post(url, data={**data, "address": "Tanpa versi"})
    assert resp.status_code == 409
    with app.app_context():
        assert patient_named("Baharuddin").address != "Tanpa versi"
        assert (
            db.session.scalar(
                select(FacilityProfile.travel_note).where(FacilityProfile.organisation_id == pkm)
            )
            != "Tanpa versi"
        )


def test_stale_patient_edit_shows_both_values(app):
    with app.app_context():
        bah = patient_named("Baharuddin")
        url, shown = f"/rujukan/pasien/{bah.id}/ubah", str(bah.version)
        data = {
            "name": bah.name,
            "nik": bah.nik,
            "no_jkn": bah.no_jkn or "",
            "status_peserta": bah.status_peserta or "",
            "jenis_kepesertaan": bah.jenis_kepesertaan,
            "birth_date": bah.birth_date.isoformat(),
            "sex": bah.sex,
            "home_regency": bah.home_regency.code,
            "kecamatan": bah.kecamatan_code,
            "nagari": bah.nagari_code,
            "jorong": str(bah.jorong_id or ""),
            "version": shown,
        }
    first, second = logged_in(app, "faskes.solok"), logged_in(app, "faskes.solok")
    assert first.post(url, data={**data, "address": "Alamat pertama"}).status_code == 302
    stale = second.post(url, data={**data, "address": "Alamat kedua", "nagari": ""})
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "Alamat pertama" in text and "Alamat kedua" in text
    assert "Kecamatan / nagari / jorong" in text  # the place the second clerk changed
    with app.app_context():
        assert patient_named("Baharuddin").address == "Alamat pertama"
