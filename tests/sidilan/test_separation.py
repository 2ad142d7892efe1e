"""Separated verification (docs/sidilan.md §9.1, §9.5): the nagari verifier's scope, the Dinsos step by another
role and never by the user of the nagari step, bulk steps with a version check, the verval cycle."""

import io
import re
from datetime import timedelta

import pypdf
from sqlalchemy import select

from blueprints.auth.models import User, UserNagari
from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.sidilan.models import ChangeLog, Person
from blueprints.sidilan.verval import cutoff
from blueprints.sidilan.verval_models import VervalOutcome
from blueprints.wilayah.models import LEVEL_NAGARI, Wilayah
from tests.clock import TODAY

from .conftest import TIGO_JANGKO_NAGARI, person_id_of

NAGARI = "verifikator-nagari.solok"
DINSOS = "verifikator.solok"


def _act(client, pid, action, note=None):
    data = {"action": action, **({"note": note} if note else {})}
    return client.post(f"/sidilan/orang/{pid}/status", data=data, follow_redirects=True)


def _person(app, pid) -> Person:
    with app.app_context():
        p = db.session.get(Person, pid)
        db.session.expunge(p)
        return p


def _outside_person(app, status="diajukan") -> int:
    """A new Kab. Solok record at ``status`` in a nagari the demo nagari verifier does not verify."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == NAGARI))
        mine = select(UserNagari.nagari_code).where(UserNagari.user_id == user.id)
        nagari = db.session.scalar(
            select(Wilayah)
            .where(
                Wilayah.regency_id == user.regency_id,
                Wilayah.level == LEVEL_NAGARI,
                Wilayah.code.not_in(mine),
            )
            .order_by(Wilayah.code)
        )
        p = Person(
            regency_id=user.regency_id,
            nama_lengkap="Warga Luar Nagari",
            name_search="warga luar nagari",
            name_key="wargaluarnagari",
            jenis_kelamin="P",
            kecamatan_code=nagari.parent_code,
            nagari_code=nagari.code,
            status_verifikasi=status,
            persetujuan=True,
        )
        db.session.add(p)
        db.session.commit()
        return p.id


def _set(app, pid, **values):
    with app.app_context():
        p = db.session.get(Person, pid)
        for k, v in values.items():
            setattr(p, k, v)
        db.session.commit()


# ---- scope ------------------------------------------------------------------------------------------------


def test_nagari_verifier_sees_only_its_nagari(app, client, auth):
    syamsul = person_id_of(app, "Syamsul Bahri")  # Tigo Jangko, submitted
    other = _outside_person(app)
    assert other is not None
    auth.login(NAGARI)
    assert client.get(f"/sidilan/orang/{syamsul}").status_code == 200
    assert client.get(f"/sidilan/orang/{other}").status_code == 404
    assert client.post(f"/sidilan/orang/{other}/status", data={"action": "verifikasi"}).status_code == 404
    assert _person(app, other).status_verifikasi == "diajukan"
    work = client.get("/sidilan/verifikasi").get_data(as_text=True)
    assert "Syamsul Bahri" in work and f'value="{other}:' not in work
    listed = client.get("/sidilan/?status=diajukan").get_data(as_text=True)
    assert f'/sidilan/orang/{other}"' not in listed
    for url in (
        "/sidilan/dasbor",
        "/sidilan/duplikat",
        "/sidilan/tanpa-bantuan",
        "/sidilan/impor",
        "/sidilan/program",
    ):
        assert client.get(url).status_code == 404, url
    export = client.get("/sidilan/ekspor.csv").get_data(as_text=True)  # its export: its nagari only
    assert "Syamsul Bahri" in export and "Warga Luar Nagari" not in export


def test_admin_assigns_nagari_in_the_user_form(app, client, auth):
    other = _outside_person(app)
    nagari = _person(app, other).nagari_code
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == NAGARI))
        uid, version = user.id, user.version
        codes = list(db.session.scalars(select(UserNagari.nagari_code).where(UserNagari.user_id == uid)))
    auth.login("admin.solok")
    form = client.get(f"/admin/pengguna/{uid}").get_data(as_text=True)
    assert "Nagari yang diverifikasi" in form and f'selected value="{TIGO_JANGKO_NAGARI}"' in form
    body = {
        "version": str(version),
        "username": NAGARI,
        "name": "Verifikator Nagari Solok (demo)",
        "organisation_id": str(user.organisation_id),
        "role": "verifikator_nagari",
        "active": "y",
        "nagari": [*codes, nagari],
    }
    assert client.post(f"/admin/pengguna/{uid}", data=body).status_code == 302
    with app.app_context():
        version = str(db.session.get(User, uid).version)
        sijunjung = db.session.scalar(
            select(Wilayah.code).where(Wilayah.level == LEVEL_NAGARI, Wilayah.code.like("13.03.%"))
        )
    page = client.post(f"/admin/pengguna/{uid}", data={**body, "version": version, "nagari": [sijunjung]})
    assert (
        page.status_code == 422
        and "Nagari harus berada di kabupaten organisasi pengguna." in page.get_data(as_text=True)
    )
    auth.logout()
    auth.login(NAGARI)
    assert client.get(f"/sidilan/orang/{other}").status_code == 200


# ---- separation of duties --------------------------------------------------------------------------------


def test_role_refusals(app, client, auth):
    syamsul = person_id_of(app, "Syamsul Bahri")  # diajukan
    febri = person_id_of(app, "Febri")  # diverifikasi
    auth.login(DINSOS)
    html = _act(client, syamsul, "verifikasi").get_data(as_text=True)
    assert "Peran Anda tidak dapat melakukan tindakan ini." in html
    html = _act(client, syamsul, "tolak", note="Foto buram").get_data(as_text=True)
    assert "dilakukan oleh Verifikator Nagari, bukan peran Anda" in html
    assert _person(app, syamsul).status_verifikasi == "diajukan"
    auth.logout()
    auth.login(NAGARI)
    html = _act(client, febri, "setujui").get_data(as_text=True)
    assert "Peran Anda tidak dapat melakukan tindakan ini." in html
    html = _act(client, febri, "tolak", note="Alamat salah").get_data(as_text=True)
    assert "dilakukan oleh Verifikator Dinas Sosial, bukan peran Anda" in html
    assert _person(app, febri).status_verifikasi == "diverifikasi"
    page = client.get(f"/sidilan/orang/{febri}").get_data(as_text=True)
    assert 'value="setujui"' not in page


def test_the_dinas_step_is_never_the_nagari_steps_user(app, client, auth):
    syamsul = person_id_of(app, "Syamsul Bahri")
    auth.login(NAGARI)
    _act(client, syamsul, "verifikasi")
    assert _person(app, syamsul).status_verifikasi == "diverifikasi"
    auth.logout()
    with app.app_context():  # the same person later moves to the Dinsos desk
        db.session.scalar(select(User).where(User.username == NAGARI)).role = "verifikator_dinsos"
        db.session.commit()
    auth.login(NAGARI)
    for action in ("setujui", "tolak"):
        html = _act(client, syamsul, action, note="cek").get_data(as_text=True)
        assert "Anda sendiri yang memverifikasi data ini di tingkat nagari" in html, action
    assert _person(app, syamsul).status_verifikasi == "diverifikasi"
    auth.logout()
    auth.login(DINSOS)
    _act(client, syamsul, "setujui")
    p = _person(app, syamsul)
    assert p.status_verifikasi == "disetujui" and p.tgl_verifikasi == TODAY


# ---- bulk steps ------------------------------------------------------------------------------------------


def _tigo_jangko_submitted(app, n=2) -> list[int]:
    """Submitted records in Tigo Jangko (the demo's Syamsul Bahri and copies of him)."""
    syamsul = person_id_of(app, "Syamsul Bahri")
    ids = [syamsul]
    with app.app_context():
        base = db.session.get(Person, syamsul)
        for i in range(n - 1):
            p = Person(
                regency_id=base.regency_id,
                nama_lengkap=f"Warga Uji {i}",
                name_search=f"warga uji {i}",
                name_key=f"wargauji{i}",
                jenis_kelamin="L",
                kecamatan_code=base.kecamatan_code,
                nagari_code=base.nagari_code,
                jorong_id=base.jorong_id,
                status_verifikasi="diajukan",
                persetujuan=True,
            )
            db.session.add(p)
            db.session.flush()
            ids.append(p.id)
        db.session.commit()
    return ids


def test_bulk_verification_skips_a_stale_version(app, client, auth):
    first, second = _tigo_jangko_submitted(app)
    auth.login(NAGARI)
    work = client.get("/sidilan/verifikasi").get_data(as_text=True)
    assert f'value="{first}:' in work and f'value="{second}:' in work and 'value="verifikasi"' in work
    v1, v2 = (re.search(rf'value="{pid}:(\d+)"', work).group(1) for pid in (first, second))
    _set(app, second, no_hp="081200000000")  # someone saves the second record after the list was opened
    r = client.post(
        "/sidilan/verifikasi/massal",
        data={"pilih": [f"{first}:{v1}", f"{second}:{v2}"], "action": "verifikasi", "note": "Cek lapangan"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/sidilan/verifikasi/hasil")
    page = client.get("/sidilan/verifikasi/hasil").get_data(as_text=True)
    assert "<b>1</b> data diproses" in page and "<b>1</b> data dilewati" in page
    assert "Warga Uji 0" in page and "Data telah diubah orang lain sejak daftar dibuka" in page
    assert _person(app, first).status_verifikasi == "diverifikasi"
    assert _person(app, first).catatan_verifikasi == "Cek lapangan"
    assert _person(app, second).status_verifikasi == "diajukan"
    # the Dinsos verifier approves in bulk; a record outside the scope or a bad action is skipped / refused
    auth.logout()
    auth.login(DINSOS)
    v1 = str(_person(app, first).version)
    other = _outside_person(app, "diverifikasi")
    r = client.post(
        "/sidilan/verifikasi/massal",
        data={"pilih": [f"{first}:{v1}", f"{other}:1", "x:y"], "action": "setujui"},
        follow_redirects=True,
    )
    page = r.get_data(as_text=True)
    assert "<b>1</b> data diproses" in page or "<b>2</b> data diproses" in page
    assert _person(app, first).status_verifikasi == "disetujui"


def test_bulk_rejection_needs_the_note(app, client, auth):
    first, second = _tigo_jangko_submitted(app)
    auth.login(NAGARI)
    items = [f"{pid}:{_person(app, pid).version}" for pid in (first, second)]
    page = client.post(
        "/sidilan/verifikasi/massal", data={"pilih": items, "action": "tolak"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "<b>0</b> data diproses" in page and page.count("Catatan penolakan wajib diisi.") == 2


# ---- verval ----------------------------------------------------------------------------------------------


def _approved_pair(app) -> tuple[int, int]:
    """Rosmaniar verified exactly two years ago (not due yet) and Febri one day earlier (due)."""
    rosmaniar, febri = person_id_of(app, "Rosmaniar"), person_id_of(app, "Febri")
    _set(app, rosmaniar, tgl_verifikasi=cutoff(TODAY))
    _set(app, febri, status_verifikasi="disetujui", tgl_verifikasi=cutoff(TODAY) - timedelta(days=1))
    return rosmaniar, febri


def test_verval_list_at_the_two_year_boundary(app, client, auth):
    rosmaniar, febri = _approved_pair(app)
    auth.login(NAGARI)
    page = client.get(f"/sidilan/verval?nagari={TIGO_JANGKO_NAGARI}").get_data(as_text=True)
    assert f'value="{febri}:' in page and f'value="{rosmaniar}:' not in page
    assert "Tigo Jangko" in page and "lembar.pdf" in page
    other = _outside_person(app, "disetujui")
    _set(app, other, tgl_verifikasi=cutoff(TODAY) - timedelta(days=400))
    assert f'value="{other}:' not in client.get("/sidilan/verval").get_data(as_text=True)  # not its nagari
    auth.logout()
    auth.login(DINSOS)
    everyone = client.get("/sidilan/verval").get_data(as_text=True)
    assert "Verval" in everyone and "Menunggu" in everyone
    auth.logout()
    auth.login("pimpinan.solok")
    assert client.get("/sidilan/verval").status_code == 404


def test_verval_worksheet_pdf_per_jorong(app, client, auth, jorong_id):
    _approved_pair(app)
    auth.login(DINSOS)
    r = client.get(f"/sidilan/verval/lembar.pdf?nagari={TIGO_JANGKO_NAGARI}&jorong={jorong_id}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(r.data)).pages)
    assert "Daftar Verifikasi dan Validasi Ulang" in text and "Febri" in text and "Rosmaniar" not in text
    assert "Masih layak" in text and "Tidak ditemukan" in text and "DINAS SOSIAL" in text
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent.summary).where(AuditEvent.action == "print").order_by(AuditEvent.id.desc())
        ).startswith(f"cetak daftar verval {TIGO_JANGKO_NAGARI}")
    assert client.get("/sidilan/verval/lembar.pdf?nagari=13.03.01.2001").status_code == 404
    app.config["SIDILAN_VERVAL_JOB_ROWS"] = 0  # a large worksheet: offered as a background job
    url = f"/sidilan/verval/lembar.pdf?nagari={TIGO_JANGKO_NAGARI}&jorong={jorong_id}"
    try:
        offer = client.get(url)
        started = client.post(url)
    finally:
        del app.config["SIDILAN_VERVAL_JOB_ROWS"]
    assert offer.status_code == 200 and "latar belakang" in offer.get_data(as_text=True)
    assert started.status_code == 302 and "/pekerjaan/" in started.headers["Location"]


def test_bulk_verval_outcomes_are_stored_and_audited(app, client, auth):
    rosmaniar, febri = _approved_pair(app)
    _set(app, rosmaniar, tgl_verifikasi=cutoff(TODAY) - timedelta(days=3))
    auth.login(NAGARI)
    items = [f"{pid}:{_person(app, pid).version}" for pid in (febri, rosmaniar)]
    r = client.post(
        f"/sidilan/verval/catat?nagari={TIGO_JANGKO_NAGARI}",
        data={"pilih": items[:1], "hasil": "meninggal", "note": "Kabar dari Wali Jorong"},
    )
    assert r.status_code == 302
    page = client.get("/sidilan/verifikasi/hasil").get_data(as_text=True)
    assert "Verval: Meninggal" in page and "<b>1</b> data diproses" in page
    client.post("/sidilan/verval/catat", data={"pilih": items[1:], "hasil": "pindah"})
    again = client.post(
        "/sidilan/verval/catat", data={"pilih": items[1:], "hasil": "pindah"}, follow_redirects=True
    )
    assert "<b>1</b> data dilewati" in again.get_data(as_text=True)  # recorded already: version moved on
    f, ro = _person(app, febri), _person(app, rosmaniar)
    assert f.status_hidup == "meninggal" and f.tgl_verifikasi == TODAY
    assert ro.status_domisili == "pindah" and ro.tgl_verifikasi == TODAY
    with app.app_context():
        rows = list(
            db.session.scalars(select(VervalOutcome).where(VervalOutcome.person_id.in_([febri, rosmaniar])))
        )
        assert sorted(r.hasil for r in rows) == ["meninggal", "pindah"]
        assert {r.catatan for r in rows if r.hasil == "meninggal"} == {"Kabar dari Wali Jorong"}
        summaries = set(
            db.session.scalars(select(AuditEvent.summary).where(AuditEvent.object_type == "sidilan_person"))
        )
        assert (
            f"verval orang #{febri}: meninggal" in summaries
            and f"verval orang #{rosmaniar}: pindah" in summaries
        )
        changed = set(db.session.scalars(select(ChangeLog.field).where(ChangeLog.person_id == febri)))
        assert {"status_hidup", "tgl_verifikasi"} <= changed
    listed = client.get(f"/sidilan/verval?nagari={TIGO_JANGKO_NAGARI}").get_data(as_text=True)
    assert f'value="{febri}:' not in listed and f'value="{rosmaniar}:' not in listed


def test_the_nagari_verifier_opens_the_documents_of_its_nagari_and_only_verifiers_record_verval(
    app, client, auth
):
    from blueprints.sidilan.document_models import SidilanDocument
    from blueprints.sidilan.documents import demo_document

    with app.app_context():
        person = db.session.scalar(
            select(Person).where(Person.nagari_code == TIGO_JANGKO_NAGARI).order_by(Person.id)
        )
        operator = db.session.scalar(select(User).where(User.username == "operator.solok"))
        demo_document(person, "ktp", operator)
        db.session.commit()
        doc = db.session.scalar(select(SidilanDocument.id).order_by(SidilanDocument.id.desc()))
        pid = person.id
    auth.login(NAGARI)
    assert client.get(f"/sidilan/dokumen/{doc}").mimetype == "image/jpeg"
    assert client.get(f"/sidilan/dokumen/{doc}/kecil").mimetype == "image/jpeg"
    auth.logout()
    auth.login("operator.solok")  # an outcome re-certifies a record: not the entry clerk's step
    r = client.post("/sidilan/verval/catat", data={"hasil": "masih_layak", "pilih": f"{pid}:1"})
    assert r.status_code == 404


def test_a_nagari_without_a_verifier_has_its_step_taken_by_dinsos_and_approved_by_another(app, client, auth):
    """No nagari verifier is assigned to the record's nagari: a Dinsos verifier may take the nagari step
    (SIDILAN_NAGARI_STEP_BY_DINSOS_WITHOUT_VERIFIER), and never also the Dinsos step of the same record."""
    other = _outside_person(app)  # a nagari the demo nagari verifier does not hold
    syamsul = person_id_of(app, "Syamsul Bahri")  # Tigo Jangko has its verifier: still not the Dinsos desk's
    auth.login(DINSOS)
    page = client.get(f"/sidilan/orang/{other}").get_data(as_text=True)
    assert 'value="verifikasi"' in page
    assert 'value="verifikasi"' not in client.get(f"/sidilan/orang/{syamsul}").get_data(as_text=True)
    _act(client, other, "verifikasi")
    assert _person(app, other).status_verifikasi == "diverifikasi"
    html = _act(client, other, "setujui").get_data(as_text=True)
    assert "Anda sendiri yang memverifikasi data ini di tingkat nagari" in html
    auth.logout()
    with app.app_context():
        first = db.session.scalar(select(User).where(User.username == DINSOS))
        db.session.add(
            User(
                username="verifikator2.solok",
                name="Verifikator Kedua",
                role="verifikator_dinsos",
                regency_id=first.regency_id,
                organisation_id=first.organisation_id,
                password_hash=first.password_hash,
            )
        )
        db.session.commit()
    auth.login("verifikator2.solok")
    _act(client, other, "setujui")
    assert _person(app, other).status_verifikasi == "disetujui"


def test_with_the_rule_off_the_record_waits_for_a_nagari_verifier(app, client, auth):
    other = _outside_person(app)
    app.config["SIDILAN_NAGARI_STEP_BY_DINSOS_WITHOUT_VERIFIER"] = False
    try:
        auth.login(DINSOS)
        html = _act(client, other, "verifikasi").get_data(as_text=True)
    finally:
        del app.config["SIDILAN_NAGARI_STEP_BY_DINSOS_WITHOUT_VERIFIER"]
    assert "Peran Anda tidak dapat melakukan tindakan ini." in html
    assert _person(app, other).status_verifikasi == "diajukan"


def test_a_nagari_verifier_prints_no_worksheet_outside_its_nagari(app, client, auth):
    other = _outside_person(app, "disetujui")
    with app.app_context():
        outside = db.session.get(Person, other).nagari_code
    auth.login(NAGARI)
    assert client.get(f"/sidilan/verval/lembar.pdf?nagari={outside}").status_code == 404
    assert client.get(f"/sidilan/verval/lembar.pdf?nagari={TIGO_JANGKO_NAGARI}").status_code == 200
