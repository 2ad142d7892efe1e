"""No duplicates from a flaky link, no silent overwrites: every SIDILAN create flow replayed (one after the other
and 20 at once), every edit form saved on a stale version, every state change sent twice."""

import re
import threading
from pathlib import Path

from sqlalchemy import func, select

from blueprints.core.extensions import db
from blueprints.sidilan.models import (
    Assistance,
    ChangeLog,
    Disability,
    DuplicateCandidate,
    ElderlyAssessment,
    Household,
    Person,
    Program,
    VerificationEvent,
)
from blueprints.sidilan.report_models import ImportBatch
from tests.replay import form_key, logged_in, replay_parallel, replay_sequential

from .conftest import browser_form, keyed, person_by_name, person_id_of
from .test_import import CSV, GOOD_NIKS, GOOD_WITHOUT_NIK, map_and_preview, token_of, upload, upload_body

NOTE = "Data ini sudah tersimpan"
OPERATOR, VERIFIER = "operator.solok", "verifikator.solok"


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _redirects(responses) -> list[str]:
    assert all(r.status_code in (302, 303) for r in responses), [r.status_code for r in responses]
    return [r.headers["Location"] for r in responses]


def _rosmaniar_twin(app, person_data) -> dict:
    """A new person with the NIK of a demo record: one submit opens exactly one duplicate-review case. She
    heads a new family card, so a replay that ran the rules after the first submit would find a head taken."""
    with app.app_context():
        nik = db.session.get(Person, person_id_of(app, "Rosmaniar")).nik
    return person_data(
        nik=nik,
        nama_lengkap="Rosmaniar Kembar",
        no_kk="1302180101247777",
        hubungan_keluarga="Kepala Keluarga",
    )


# ---- person: 20 at once, one after the other ----------------------------------------------------


def test_twenty_parallel_replays_make_one_person_and_one_review_case(app, person_data):
    data = _rosmaniar_twin(app, person_data)
    cases, households = _count(app, DuplicateCandidate), _count(app, Household)
    locations = _redirects(replay_parallel(app, OPERATOR, "/sidilan/orang/baru", data))
    assert _count(app, Person, Person.nama_lengkap == "Rosmaniar Kembar") == 1
    assert _count(app, DuplicateCandidate) == cases + 1  # the 20 replays opened no case of their own
    assert _count(app, Household) == households + 1
    pid = person_by_name(app, "Rosmaniar Kembar").id
    with app.app_context():
        case = db.session.scalar(select(DuplicateCandidate.id).where(DuplicateCandidate.person_b_id == pid))
        assert (
            db.session.scalar(
                select(func.count()).select_from(VerificationEvent).where(VerificationEvent.person_id == pid)
            )
            == 1
        )
    # the first submit opens the review; every replay lands on the record it made
    assert sorted(set(locations)) == [f"/sidilan/duplikat/{case}", f"/sidilan/orang/{pid}"]
    assert locations.count(f"/sidilan/duplikat/{case}") == 1


def test_sequential_replay_lands_on_the_first_person_with_a_note(app, person_data):
    client = logged_in(app, OPERATOR)
    data = person_data()
    data["submission_key"] = form_key(client, "/sidilan/orang/baru")
    first, *again = replay_sequential(client, "/sidilan/orang/baru", data, n=3)
    assert first.status_code == 302
    pid = person_by_name(app, "Marlinda").id
    assert first.headers["Location"] == f"/sidilan/orang/{pid}"
    assert [r.status_code for r in again] == [303, 303]
    assert all(r.headers["Location"] == f"/sidilan/orang/{pid}" for r in again)
    page = client.get(again[-1].headers["Location"]).get_data(as_text=True)
    assert NOTE in page and "Marlinda" in page
    assert _count(app, Person, Person.nama_lengkap == "Marlinda") == 1


def test_a_refused_submit_can_be_corrected_and_sent_with_the_same_key(app, person_data):
    client = logged_in(app, OPERATOR)
    key = form_key(client, "/sidilan/orang/baru")
    refused = client.post("/sidilan/orang/baru", data=person_data(submission_key=key, nama_lengkap=""))
    assert refused.status_code == 422 and f'value="{key}"' in refused.get_data(as_text=True)
    fixed = client.post("/sidilan/orang/baru", data=person_data(submission_key=key))
    assert fixed.status_code == 302 and NOTE not in client.get(fixed.headers["Location"]).get_data(
        as_text=True
    )
    assert _count(app, Person, Person.nama_lengkap == "Marlinda") == 1


def test_person_form_without_a_key_keeps_what_was_typed(app, person_data):
    client = logged_in(app, OPERATOR)
    data = person_data(nama_lengkap="Tanpa Kunci")
    del data["submission_key"]
    page = client.post("/sidilan/orang/baru", data=data)
    text = page.get_data(as_text=True)
    assert page.status_code == 422 and "kunci pengiriman hilang" in text and 'value="Tanpa Kunci"' in text
    assert person_by_name(app, "Tanpa Kunci") is None


# ---- person and household edits: a stale save gets the conflict page ---------------------------


def _registered(app, person_data) -> int:
    client = logged_in(app, OPERATOR)
    assert client.post("/sidilan/orang/baru", data=person_data()).status_code == 302
    return person_by_name(app, "Marlinda").id


def test_stale_person_edit_shows_both_names_and_applies_on_top(app, person_data):
    pid = _registered(app, person_data)
    url = f"/sidilan/orang/{pid}/ubah"
    first, second = logged_in(app, OPERATOR), logged_in(app, OPERATOR)
    form_one = browser_form(first.get(url).get_data(as_text=True), url)
    form_two = browser_form(second.get(url).get_data(as_text=True), url)
    form_one["nama_lengkap"] = "Marlinda Pertama"
    assert first.post(url, data=form_one).status_code == 302
    form_two["nama_lengkap"] = "Marlinda Kedua"
    form_two["no_hp"] = "081234567890"
    stale = second.post(url, data=form_two)
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    assert "Marlinda Pertama" in text and "Marlinda Kedua" in text and "081234567890" in text
    with app.app_context():
        p = db.session.get(Person, pid)
        assert (p.nama_lengkap, p.no_hp) == ("Marlinda Pertama", None)  # nothing overwritten yet
        current = p.version
    assert f'name="version" value="{current}"' in text
    applied = second.post(url, data=browser_form(text, url))  # "Terapkan isian saya di atas data terbaru"
    assert applied.status_code == 302
    with app.app_context():
        p = db.session.get(Person, pid)
        assert (p.nama_lengkap, p.no_hp, p.jorong_id is not None) == ("Marlinda Kedua", "081234567890", True)


def test_parallel_edits_of_one_version_save_one_and_show_the_others_the_conflict(app, person_data):
    pid = _registered(app, person_data)
    url = f"/sidilan/orang/{pid}/ubah"
    opened = browser_form(logged_in(app, OPERATOR).get(url).get_data(as_text=True), url)
    names = iter(f"Marlinda Versi {i}" for i in range(10))
    lock = threading.Lock()

    def body():
        with lock:
            return dict(opened, nama_lengkap=next(names))

    responses = replay_parallel(app, OPERATOR, url, body, n=10)
    assert sorted(r.status_code for r in responses) == [302] + [409] * 9
    with app.app_context():
        stored = db.session.get(Person, pid).nama_lengkap
    for r in responses:
        if r.status_code == 409:  # each loser sees the winner's name beside its own
            assert stored in r.get_data(as_text=True)


def test_person_edit_without_a_version_is_a_conflict_not_an_overwrite(app, person_data):
    pid = _registered(app, person_data)
    client = logged_in(app, OPERATOR)
    r = client.post(f"/sidilan/orang/{pid}/ubah", data=person_data(nama_lengkap="Tanpa Versi"))
    assert r.status_code == 409 and "Tanpa Versi" in r.get_data(as_text=True)
    assert person_by_name(app, "Tanpa Versi") is None


def test_stale_household_edit_shows_both_values_and_applies_on_top(app):
    with app.app_context():
        hh = db.session.get(Person, person_id_of(app, "Rosmaniar")).household_id
    url = f"/sidilan/keluarga/{hh}"
    first, second = logged_in(app, OPERATOR), logged_in(app, OPERATOR)
    form_one = browser_form(first.get(url).get_data(as_text=True), url)
    form_two = browser_form(second.get(url).get_data(as_text=True), url)
    form_one["kondisi_rumah"] = "Semi permanen, atap bocor"
    assert first.post(url, data=form_one).status_code == 302
    form_two["kondisi_rumah"] = "Permanen, baru direhab"
    stale = second.post(url, data=form_two)
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Semi permanen, atap bocor" in text and "Permanen, baru direhab" in text
    with app.app_context():
        assert db.session.get(Household, hh).kondisi_rumah == "Semi permanen, atap bocor"
    assert second.post(url, data=browser_form(text, url)).status_code == 302
    with app.app_context():
        assert db.session.get(Household, hh).kondisi_rumah == "Permanen, baru direhab"


def test_stale_disability_and_program_edits_get_the_conflict_page(app, person_data):
    pid = _registered(app, person_data)
    url = f"/sidilan/orang/{pid}/disabilitas"
    first, second = logged_in(app, OPERATOR), logged_in(app, OPERATOR)
    blank = browser_form(second.get(url).get_data(as_text=True), url)  # opened before the first save
    assert first.post(url, data={"ragam": ["fisik"], "derajat": "berat", "version": ""}).status_code == 302
    blank.setlist("ragam", ["sensorik"])
    stale = second.post(url, data=blank)
    assert stale.status_code == 409 and "Fisik" in stale.get_data(as_text=True)
    with app.app_context():
        d = db.session.scalar(select(Disability).where(Disability.person_id == pid))
        assert d.ragam_fisik and not d.ragam_sensorik
    assert _count(app, Disability, Disability.person_id == pid) == 1

    verifier = logged_in(app, VERIFIER)
    with app.app_context():
        program = db.session.scalar(select(Program).where(Program.kode == "APBD", Program.regency_id == 1))
        prog_url = f"/sidilan/program/{program.id}"
    opened = browser_form(verifier.get(prog_url).get_data(as_text=True), prog_url)
    fresh = dict(opened, nama="Bantuan APBD Kabupaten Solok")
    assert verifier.post(prog_url, data=fresh).status_code == 302
    stale = verifier.post(prog_url, data=dict(opened, nama="Nama Lain"))
    assert stale.status_code == 409
    assert "Bantuan APBD Kabupaten Solok" in stale.get_data(as_text=True) and "Nama Lain" in stale.get_data(
        as_text=True
    )


# ---- the other create flows: 20 replays, one record ------------------------------------------


def test_twenty_replays_of_assessment_assistance_and_program_make_one_each(app):
    syamsul = person_id_of(app, "Syamsul Bahri")
    febri = person_id_of(app, "Febri")
    with app.app_context():
        aspd = db.session.scalar(select(Program.id).where(Program.kode == "ASPD", Program.regency_id == 1))
    items = {
        "barthel_bab": "2",
        "barthel_bak": "2",
        "barthel_kebersihan_diri": "1",
        "barthel_toilet": "2",
        "barthel_makan": "2",
        "barthel_berpindah": "1",
        "barthel_mobilitas": "1",
        "barthel_berpakaian": "1",
        "barthel_tangga": "0",
        "barthel_mandi": "0",
    }
    before = _count(app, ElderlyAssessment, ElderlyAssessment.person_id == syamsul)
    _redirects(
        replay_parallel(
            app, OPERATOR, f"/sidilan/orang/{syamsul}/asesmen", keyed(items, tgl_asesmen="2024-08-29")
        )
    )
    assert _count(app, ElderlyAssessment, ElderlyAssessment.person_id == syamsul) == before + 1

    before = _count(app, Assistance, Assistance.person_id == febri)
    _redirects(
        replay_parallel(
            app,
            OPERATOR,
            f"/sidilan/orang/{febri}/bantuan",
            keyed(program_id=str(aspd), tahun="2024", tahap="Tahap 2"),
        )
    )
    assert _count(app, Assistance, Assistance.person_id == febri) == before + 1

    locations = _redirects(
        replay_parallel(
            app,
            VERIFIER,
            "/sidilan/program/baru",
            keyed(kode="LANSIA-NAGARI", nama="Santunan lansia nagari", sasaran="individu", aktif="y"),
        )
    )
    assert set(locations) == {"/sidilan/program"}  # no "code already taken" page for the replays either
    assert _count(app, Program, Program.kode == "LANSIA-NAGARI") == 1


# ---- duplicate decisions and workflow steps: sent twice, done once --------------------------


def test_twenty_replays_of_a_merge_merge_once(app, person_data):
    data = _rosmaniar_twin(app, person_data)
    assert logged_in(app, OPERATOR).post("/sidilan/orang/baru", data=data).status_code == 302
    twin = person_by_name(app, "Rosmaniar Kembar").id
    keep = person_id_of(app, "Rosmaniar")
    with app.app_context():
        case = db.session.scalar(select(DuplicateCandidate.id).where(DuplicateCandidate.person_b_id == twin))
    locations = _redirects(
        replay_parallel(
            app, VERIFIER, f"/sidilan/duplikat/{case}", keyed(keputusan="duplikat", keep=str(keep))
        )
    )
    assert set(locations) == {f"/sidilan/orang/{keep}"}
    assert _count(app, ChangeLog, ChangeLog.field == "digabung_dari", ChangeLog.person_id == keep) == 1
    with app.app_context():
        assert db.session.get(Person, twin).merged_into_id == keep
        assert db.session.get(DuplicateCandidate, case).keputusan == "duplikat"


def test_a_workflow_step_sent_twice_records_one_event(app, person_data):
    pid = _registered(app, person_data)
    url = f"/sidilan/orang/{pid}/status"
    _redirects(replay_parallel(app, OPERATOR, url, {"action": "ajukan"}))
    assert (
        _count(
            app,
            VerificationEvent,
            VerificationEvent.person_id == pid,
            VerificationEvent.to_status == "diajukan",
        )
        == 1
    )
    client = logged_in(app, OPERATOR)
    again = client.post(url, data={"action": "ajukan"}, follow_redirects=True).get_data(as_text=True)
    assert "Langkah ini sudah tercatat: status data sudah &#39;Diajukan&#39;" in again
    verifier = logged_in(app, "verifikator-nagari.solok")  # the nagari step (docs/sidilan.md §9.1)
    for _ in range(2):
        verifier.post(url, data={"action": "verifikasi"})
    assert (
        _count(
            app,
            VerificationEvent,
            VerificationEvent.person_id == pid,
            VerificationEvent.to_status == "diverifikasi",
        )
        == 1
    )
    with app.app_context():
        assert db.session.get(Person, pid).status_verifikasi == "diverifikasi"


def test_assistance_status_sent_twice_does_not_move_on_or_back(app):
    febri = person_id_of(app, "Febri")
    with app.app_context():
        row = db.session.scalar(
            select(Assistance)
            .where(Assistance.status == "diusulkan", Assistance.regency_id == 1)
            .order_by(Assistance.id)
        )
        aid, version = row.id, str(row.version)
    url = f"/sidilan/bantuan/{aid}/status"
    body = {"status": "disetujui", "version": version, "next_person": str(febri)}
    _redirects(replay_parallel(app, VERIFIER, url, body))
    client = logged_in(app, VERIFIER)
    page = client.post(url, data=body, follow_redirects=True).get_data(as_text=True)
    assert "Status bantuan sudah Disetujui; tidak ada yang diubah." in page
    with app.app_context():
        assert db.session.get(Assistance, aid).status == "disetujui"
        assert db.session.get(Assistance, aid).version == int(version) + 1
    # a different step on the page opened before that change is a conflict, shown with both values
    stale = client.post(url, data={"status": "ditolak", "version": version, "next_person": str(febri)})
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    assert "Disetujui" in text and "Ditolak" in text
    with app.app_context():
        assert db.session.get(Assistance, aid).status == "disetujui"


# ---- import: upload and run ---------------------------------------------------------------------


def test_replayed_upload_stores_one_file_and_lands_on_its_mapping(app):
    area = Path(app.config["UPLOAD_DIR"]) / "sidilan_import"
    body, content_type = upload_body(CSV)
    locations = _redirects(
        replay_parallel(app, OPERATOR, "/sidilan/impor", lambda: body, n=10, content_type=content_type)
    )
    assert len(set(locations)) == 1 and re.search(r"/sidilan/impor/[\w-]+/kolom$", locations[0])
    assert len(list(area.glob("*.json"))) == 1


def test_replayed_import_run_creates_nothing_new(app):
    operator = logged_in(app, OPERATOR)
    token = token_of(upload(operator, CSV))
    map_and_preview(operator, token)
    key = form_key(operator, f"/sidilan/impor/{token}/uji")
    assert key == token
    people = _count(app, Person)
    locations = _redirects(
        replay_parallel(app, OPERATOR, f"/sidilan/impor/{token}/jalankan", {"submission_key": key})
    )
    assert _count(app, ImportBatch) == 1
    assert _count(app, Person) == people + len(GOOD_NIKS) + len(GOOD_WITHOUT_NIK)
    with app.app_context():
        batch = db.session.scalars(select(ImportBatch)).one()
    # the run that went through lands on its job's page, every replay on the batch report (which links to it)
    assert set(locations) == {f"/pekerjaan/{batch.job_id}", f"/sidilan/impor/riwayat/{batch.id}"}
    assert locations.count(f"/pekerjaan/{batch.job_id}") == 1
    # sent once more later (the upload is gone by then): the batch report again, with the note
    again = operator.post(
        f"/sidilan/impor/{token}/jalankan", data={"submission_key": key}, follow_redirects=True
    )
    assert again.status_code == 200 and NOTE in again.get_data(as_text=True)
    assert _count(app, ImportBatch) == 1 and _count(app, Person) == people + len(GOOD_NIKS) + len(
        GOOD_WITHOUT_NIK
    )


def test_run_form_without_its_key_shows_the_dry_run_again(app):
    operator = logged_in(app, OPERATOR)
    token = token_of(upload(operator, CSV))
    map_and_preview(operator, token)
    r = operator.post(
        f"/sidilan/impor/{token}/jalankan", data={"submission_key": "bukan-kunci-impor-ini-1234"}
    )
    text = r.get_data(as_text=True)
    assert r.status_code == 422 and "kunci pengiriman hilang" in text and "Uji coba impor" in text
    assert _count(app, ImportBatch) == 0
