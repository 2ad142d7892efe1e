"""docs/rujukan.md §6 validation levels on the referral and patient forms: errors at the field, input kept,
warnings shown and never blocking; bad input never 500s."""

from datetime import timedelta

from sqlalchemy import func, select

from blueprints.core.extensions import db
from blueprints.core.nik import NO_NIK_REASON_MESSAGE
from blueprints.rujukan.models import HealthWorker, Patient, Referral
from tests.clock import TODAY

from ..conftest import HX
from .conftest import form_data, key, org, patient_data, patient_named, version


def _new_url(app, name="Baharuddin"):
    with app.app_context():
        return f"/rujukan/pasien/{patient_named(name).id}/rujukan/baru"


def _count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Referral.id)))


def test_valid_draft_is_saved_with_border_link(app, faskes):
    before = _count(app)
    resp = faskes.post(_new_url(app), data=form_data(app))
    assert resp.status_code == 302
    assert _count(app) == before + 1
    page = faskes.get(resp.headers["Location"])
    assert "Draf" in page.text and "I50.0" in page.text
    # PKS 2 covers Jorong Tigo Jangko but is not signed yet in the demo: warning, not a block.
    assert "belum/tidak berlaku" in page.text
    with app.app_context():
        ref = db.session.scalars(select(Referral).order_by(Referral.id.desc())).first()
        assert ref.status == "draf" and ref.number is None and ref.valid_until is None
        assert ref.border and ref.pks_agreement_id is not None and "Perbatasan" in ref.pks_snapshot
        assert ref.diag1_name == "Gagal jantung kongestif"  # stored in Indonesian (icd.display_name)


def test_issue_from_form_numbers_and_sets_validity(app, faskes):
    resp = faskes.post(_new_url(app), data=form_data(app, terbitkan="1"))
    assert resp.status_code == 302
    with app.app_context():
        ref = db.session.scalars(select(Referral).order_by(Referral.id.desc())).first()
        assert ref.status == "diterbitkan" and "/RJK/DEMO-0302-01/" in ref.number
        assert ref.valid_until == ref.issued_on + timedelta(days=90)


def _error_case(app, faskes, expect_text, **over):
    before = _count(app)
    data = form_data(app, anamnesis="Keluhan khusus uji 123", **over)
    resp = faskes.post(_new_url(app), data=data)
    assert resp.status_code == 422
    assert expect_text in resp.text
    assert "Keluhan khusus uji 123" in resp.text  # input kept
    assert 'aria-invalid="true"' in resp.text
    assert _count(app) == before
    return resp


def test_destination_required(app, faskes):
    _error_case(app, faskes, "Pilih faskes tujuan dari direktori.", destination_id="0", poli_id="0")


def test_poli_must_belong_to_destination(app, faskes):
    with app.app_context():
        other = org("pkm2").id
    _error_case(app, faskes, "Poli ini bukan milik faskes tujuan", destination_id=str(other), dasar="")


def test_one_to_three_diagnoses_and_valid_codes(app, faskes):
    _error_case(app, faskes, "Isi 1 sampai 3 diagnosis ICD-10.", diag1="")
    _error_case(app, faskes, "Kode ICD-10 tidak dikenal", diag2="ZZ99.9")
    _error_case(app, faskes, "Diagnosis ini sudah diisi.", diag2="I50.0")


def test_nonspecialist_diagnosis_needs_tacc(app, faskes):
    resp = _error_case(app, faskes, "termasuk daftar non-spesialistik", diag1="I10")
    assert "Tulis alasan TACC" in resp.text
    _error_case(app, faskes, "Pilih lama keluhan", diag1="I10", tacc="time", tacc_reason="> 7 hari")
    ok = faskes.post(
        _new_url(app), data=form_data(app, diag1="I10", tacc="comorbidity", tacc_reason="Gagal ginjal kronik")
    )
    assert ok.status_code == 302


def test_nonspecialist_list_version_is_configuration(make_app):
    app = make_app(RUJUKAN_NONSPESIALIS_VERSION="2022")  # no codes loaded for this version
    client = app.test_client()
    client.post("/masuk", data={"username": "faskes.solok", "password": "sinergi-demo-2024"})
    resp = client.post(_new_url(app), data=form_data(app, diag1="I10"))
    assert resp.status_code == 302


def test_cross_border_needs_basis(app, faskes):
    # Asril lives elsewhere in Kab. Solok (no PKS coverage); RSUD Sijunjung is in the other regency.
    resp = faskes.post(
        _new_url(app, "Asril"), data=form_data(app, dasar="", anamnesis="Keluhan khusus uji 123")
    )
    assert resp.status_code == 422
    assert "wajib mencatat dasar rujukan" in resp.text and "Keluhan khusus uji 123" in resp.text


def test_consent_and_igd_call_required_at_issue_only(app, faskes):
    draft = faskes.post(_new_url(app), data=form_data(app, consent="", consent_signer="", consent_date=""))
    assert draft.status_code == 302  # a draft may wait for the signature
    _error_case(app, faskes, "Catat persetujuan atau penolakan", consent="", terbitkan="1")
    resp = _error_case(app, faskes, "catat nama petugas IGD", jenis="igd", terbitkan="1")
    assert "Catat jam telepon ke IGD." in resp.text and "dapat menerima" in resp.text
    ok = faskes.post(
        _new_url(app),
        data=form_data(
            app,
            jenis="igd",
            igd_call_name="Ns. Wati",
            igd_call_time="14:05",
            igd_call_accepted="ya",
            terbitkan="1",
        ),
    )
    assert ok.status_code == 302


def test_issue_from_detail_page_shows_errors_at_fields(app, faskes):
    resp = faskes.post(_new_url(app), data=form_data(app, consent=""))
    ref_url = resp.headers["Location"]
    ref_id = int(ref_url.rstrip("/").split("/")[-1])
    resp = faskes.post(f"/rujukan/{ref_id}/terbitkan", data=key())
    assert resp.status_code == 422 and "Catat persetujuan atau penolakan" in resp.text
    with app.app_context():
        assert db.session.get(Referral, ref_id).status == "draf"


def test_warnings_do_not_block(app, faskes):
    with app.app_context():
        bidan = db.session.scalar(
            select(HealthWorker).where(
                HealthWorker.profession == "bidan", HealthWorker.organisation_id == org("pkm").id
            )
        ).id
    late = (TODAY + timedelta(days=200)).isoformat()
    resp = faskes.post(
        _new_url(app), data=form_data(app, nakes_id=str(bidan), planned_visit=late, terbitkan="1")
    )
    assert resp.status_code == 302
    page = faskes.get(resp.headers["Location"])
    assert "Bidan/perawat hanya merujuk" in page.text
    assert "melewati masa berlaku" in page.text


def test_free_text_destination_is_a_logged_warning(app, faskes):
    resp = faskes.post(
        _new_url(app),
        data=form_data(
            app, destination_id="0", poli_id="0", destination_text="Klinik Swasta Muaro", dasar="geografis"
        ),
    )
    assert resp.status_code == 302
    page = faskes.get(resp.headers["Location"])
    assert "ditulis bebas" in page.text and "Klinik Swasta Muaro" in page.text
    from blueprints.core.audit import AuditEvent

    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditEvent.summary.like("%teks bebas%"))) == 1


def test_bad_input_never_500(app, faskes):
    url = _new_url(app)
    empty = faskes.post(url, data={})
    assert empty.status_code == 422 and "Wajib diisi." in empty.text
    long = faskes.post(url, data=form_data(app, anamnesis="x" * 10_000, bp="9" * 10_000, pulse="abc"))
    assert long.status_code == 422 and "Maksimal 3000 karakter." in long.text
    assert "Tulis tekanan darah seperti 120/80." in long.text and "Harus berupa bilangan bulat." in long.text
    script = faskes.post(url, data=form_data(app, anamnesis="<script>alert(1)</script>", diag1="<script>"))
    assert script.status_code == 422
    assert (
        "<script>alert(1)</script>" not in script.text
        and "&lt;script&gt;alert(1)&lt;/script&gt;" in script.text
    )
    for q in ("", "x" * 10_000, "<script>alert(1)</script>"):
        for path in ("/rujukan/icd", "/rujukan/pasien", "/rujukan/", "/rujukan/faskes", "/rujukan/rekap"):
            resp = faskes.get(path, query_string={"q": q, "bulan": q, "status": q})
            assert resp.status_code in (200, 404), path
            assert "<script>alert(1)</script>" not in resp.text


def test_icd_search_without_js_and_with_htmx(app, faskes):
    url = _new_url(app)
    before = _count(app)
    resp = faskes.post(url, data=form_data(app, diag1="", _icd="1", diag_q1="heart failure"))
    assert resp.status_code == 200 and _count(app) == before  # nothing saved
    assert 'name="diag1_pick" value="I50.0"' in resp.text
    saved = faskes.post(url, data=form_data(app, diag1="", diag1_pick="I50.1"))
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Referral).order_by(Referral.id.desc())).first().diag1_code == "I50.1"
    page = faskes.get("/rujukan/icd", query_string={"q": "I50"})
    assert "<html" in page.text and "Congestive heart failure" in page.text
    frag = faskes.get("/rujukan/icd", query_string={"slot": "2", "diag_q2": "pharyngitis"}, headers=HX)
    assert "<html" not in frag.text and 'name="diag2_pick"' in frag.text
    pick = faskes.get("/rujukan/icd/pilih", query_string={"slot": "2", "code": "J02.9"}, headers=HX)
    assert 'value="J02.9"' in pick.text and "Acute pharyngitis, unspecified" in pick.text


# ---- patient form ------------------------------------------------------------------------------


def _patient(app, **over):
    return patient_data(**{**key(), **over})


def test_patient_nik_rules(app, faskes):
    bad = faskes.post("/rujukan/pasien/baru", data=_patient(app, nik="130218450690007", name="Tetap Diketik"))
    assert (
        bad.status_code == 422
        and "NIK harus tepat 16 digit angka." in bad.text
        and "Tetap Diketik" in bad.text
    )
    bad = faskes.post("/rujukan/pasien/baru", data=_patient(app, no_jkn="000203502099"))
    assert bad.status_code == 422 and "13 digit" in bad.text
    baby = faskes.post(
        "/rujukan/pasien/baru",
        data=_patient(app, name="Bayi Ny. Uji", nik="", no_nik_reason="Bayi baru lahir"),
    )
    assert baby.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(select(Patient).where(Patient.name == "Bayi Ny. Uji")).no_nik_reason
            == "Bayi baru lahir"
        )
    bad = faskes.post("/rujukan/pasien/baru", data=_patient(app, nik="", no_nik_reason=""))
    assert bad.status_code == 422 and NO_NIK_REASON_MESSAGE in bad.text
    bad = faskes.post("/rujukan/pasien/baru", data=_patient(app, nik="9902184506900007"))
    assert bad.status_code == 422 and "Kode provinsi 99" in bad.text
    # birth date differs from the NIK: a warning after the save, never a block
    ok = faskes.post(
        "/rujukan/pasien/baru", data=_patient(app, birth_date="1990-06-06"), follow_redirects=True
    )
    assert ok.status_code == 200 and "Tanggal lahir berbeda dengan NIK" in ok.text
    with app.app_context():
        assert (
            db.session.scalar(select(Patient).where(Patient.name == "Uji Pasien")).nik == "1302184506900007"
        )


def test_patient_prefill_from_sidilan_with_accessibility(app, client, auth):
    """Puskesmas Kumanis (Sijunjung) has not registered Rosmaniar yet; Tigo Lurah has (same NIK, other facility)."""
    nik = "1302185203840001"
    auth.login("faskes.sijunjung")
    search = client.get("/rujukan/pasien", query_string={"q": nik})
    assert "Rosmaniar" in search.text and "Daftarkan dengan data SIDILAN" in search.text
    form = client.get("/rujukan/pasien/baru", query_string={"nik": nik})
    assert 'value="Rosmaniar"' in form.text and "kursi roda" in form.text
    resp = client.post(
        "/rujukan/pasien/baru", data=_patient(app, name="Rosmaniar", nik=nik, birth_date="1984-03-12")
    )
    assert resp.status_code == 302
    with app.app_context():
        p = db.session.scalars(select(Patient).where(Patient.nik == nik).order_by(Patient.id.desc())).first()
        assert p.organisation_id == org("kumanis").id
        assert p.sidilan_person_id is not None and "kursi roda" in p.accessibility


def test_edit_draft_keeps_db_on_error(app, faskes):
    resp = faskes.post(_new_url(app), data=form_data(app, anamnesis="Versi pertama"))
    ref_id = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    page = faskes.get(f"/rujukan/{ref_id}/ubah")
    assert page.status_code == 200 and "Versi pertama" in page.text and 'value="I50.0"' in page.text
    bad = faskes.post(
        f"/rujukan/{ref_id}/ubah",
        data=form_data(app, anamnesis="Versi kedua", diag1="QQQ", **version(app, Referral, ref_id)),
    )
    assert bad.status_code == 422 and "Versi kedua" in bad.text
    with app.app_context():
        assert db.session.get(Referral, ref_id).anamnesis == "Versi pertama"
    ok = faskes.post(
        f"/rujukan/{ref_id}/ubah",
        data=form_data(app, anamnesis="Versi kedua", **version(app, Referral, ref_id)),
    )
    assert ok.status_code == 302
    with app.app_context():
        assert db.session.get(Referral, ref_id).anamnesis == "Versi kedua"
    faskes.post(f"/rujukan/{ref_id}/terbitkan", data=key())
    assert faskes.get(f"/rujukan/{ref_id}/ubah").status_code == 302  # issued letters are not edited


def test_destination_block_shows_poli_and_capacity(app, faskes):
    with app.app_context():
        rsud = org("rsud").id
    url = _new_url(app)
    before = _count(app)
    plain = faskes.post(url, data=form_data(app, _tujuan="1", poli_id="0"))
    assert plain.status_code == 200 and _count(app) == before
    assert "ICU penuh" in plain.text and "Penyakit Dalam (Senin–Jumat 08.00–13.00)" in plain.text
    assert "Puskesmas Kumanis (demo) — Umum" not in plain.text  # only the chosen facility's poli
    frag = faskes.get("/rujukan/tujuan", query_string={"destination_id": rsud}, headers=HX)
    assert frag.status_code == 200 and "<html" not in frag.text and "ICU penuh" in frag.text
    assert len(__import__("gzip").compress(frag.data)) <= 4000
    assert (
        faskes.get("/rujukan/tujuan", query_string={"destination_id": "x<script>"}, headers=HX).status_code
        == 200
    )
    assert faskes.get("/rujukan/tujuan", query_string={"destination_id": rsud}).status_code == 302


def test_border_puskesmas_prefills_a_tigo_jangko_resident(app, client, auth):
    """A Sijunjung puskesmas finds a Solok resident of the border jorong in SIDILAN (and only that summary)."""
    auth.login("faskes.sijunjung")
    form = client.get("/rujukan/pasien/baru", query_string={"nik": "1302185203840001"})
    assert 'value="Rosmaniar"' in form.text and "Pengguna kursi roda" in form.text
    assert '<option selected value="13.02">' in form.text and "Tigo Lurah" in form.text
    from blueprints.core.audit import AuditEvent

    with app.app_context():
        summaries = list(
            db.session.scalars(select(AuditEvent.summary).where(AuditEvent.object_type == "sidilan_person"))
        )
        assert summaries and all("Rosmaniar" not in s and "1302185203840001" not in s for s in summaries)


def test_direct_fktp_to_tertiary_is_a_warning(make_app):
    app = make_app(RUJUKAN_TERTIARY_FACILITY_CODES=["DEMO-0303-RS"])
    client = app.test_client()
    client.post("/masuk", data={"username": "faskes.solok", "password": "sinergi-demo-2024"})
    resp = client.post(_new_url(app), data=form_data(app, terbitkan="1"), follow_redirects=True)
    assert (
        resp.status_code == 200 and "faskes tersier" in resp.text and "diterbitkan dengan nomor" in resp.text
    )


NOTE_KNOWN = "Pasien dengan NIK ini sudah terdaftar; data yang ada dibuka."


def _patients(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Patient.id)))


def test_registering_a_known_nik_opens_the_existing_patient(app, client, auth):
    nik = "1302185203840001"  # Rosmaniar, already a patient of Puskesmas Tigo Lurah
    with app.app_context():
        ros = db.session.scalar(
            select(Patient).where(Patient.nik == nik, Patient.organisation_id == org("pkm").id)
        )
        ros_id, ros_name = ros.id, ros.name
    before = _patients(app)
    auth.login("faskes.solok")
    for typed in ("1302185203840001", "1302 1852 0384 0001"):
        resp = client.post(
            "/rujukan/pasien/baru",
            data=_patient(app, name="Nama Lain Diketik", nik=typed, birth_date="1984-03-12"),
        )
        assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/rujukan/pasien/{ros_id}")
        page = client.get(resp.headers["Location"])
        assert NOTE_KNOWN in page.text and ros_name in page.text and "Nama Lain Diketik" not in page.text
    resp = client.post(
        "/rujukan/pasien/baru", data=_patient(app, name="", nik=nik, phone="x")
    )  # rest not valid
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/rujukan/pasien/{ros_id}")
    resp = client.get("/rujukan/pasien/baru", query_string={"nik": nik})  # the 'register' link with a NIK
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/rujukan/pasien/{ros_id}")
    assert _patients(app) == before
    with app.app_context():
        assert db.session.get(Patient, ros_id).name == ros_name  # the existing record is not overwritten
    auth.logout()
    auth.login("faskes.sijunjung")  # another facility keeps its own record of the same person
    resp = client.post(
        "/rujukan/pasien/baru", data=_patient(app, name="Rosmaniar", nik=nik, birth_date="1984-03-12")
    )
    assert resp.status_code == 302 and not resp.headers["Location"].endswith(f"/rujukan/pasien/{ros_id}")
    assert NOTE_KNOWN not in client.get(resp.headers["Location"]).text
    assert _patients(app) == before + 1


def test_editing_a_patient_to_a_known_nik_is_refused(app, faskes):
    with app.app_context():
        bah = patient_named("Baharuddin")
        url, bah_nik, bah_id = f"/rujukan/pasien/{bah.id}/ubah", bah.nik, bah.id
    resp = faskes.post(
        url,
        data=_patient(
            app,
            name="Baharuddin",
            nik="1302185203840001",
            sex="L",
            birth_date="1962-05-04",
            address="Alamat diketik",
            **version(app, Patient, bah_id),
        ),
    )
    assert resp.status_code == 422 and "NIK ini sudah terdaftar untuk pasien lain di faskes ini." in resp.text
    assert "Alamat diketik" in resp.text
    with app.app_context():
        assert patient_named("Baharuddin").nik == bah_nik
    ok = faskes.post(
        url,
        data=_patient(
            app,
            name="Baharuddin",
            nik=bah_nik,
            sex="L",
            birth_date="1962-05-04",
            **version(app, Patient, bah_id),
        ),
    )
    assert ok.status_code == 302  # its own NIK is not a duplicate of itself
