"""Issue 14 part 6: Dinas Kesehatan grows the facility directory (facilities of its regency and destinations
outside both regencies), deactivates entries without losing history."""

import re

from sqlalchemy import func, select

from blueprints.auth.models import Organisation
from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.core.timeutil import to_local
from blueprints.rujukan.models import FacilityProfile, Poli, Referral
from tests.clock import TODAY
from tests.replay import form_key, logged_in
from tests.rujukan.conftest import form_data, key, org, patient_named

NEW = "/rujukan/faskes/baru"


def _entry(**over) -> dict:
    data = {
        "name": "Klinik Pratama Sehat Arosuka",
        "facility_type": "klinik",
        "level": "FKTP",
        "facility_code": "0302K001",
        "wilayah": "dalam",
        "outside_area": "",
        "phone": "0755 123456",
        "whatsapp": "0812 6610 9999",
        "email": "klinik@example.org",
        "address": "Jl. Raya Arosuka",
        "ambulance": "",
        "capacity_note": "",
        "bpjs_office": "",
        **key(),
    }
    data.update(over)
    return data


DJAMIL = dict(
    name="RSUP M. Djamil Padang",
    facility_type="rsup",
    level="tersier",
    facility_code="0301R001",
    wilayah="luar",
    outside_area="Kota Padang",
    capacity_note="ICU penuh, HCU 2 tempat tidur",
)


def _org_named(app, name: str) -> Organisation:
    with app.app_context():
        found = db.session.scalar(select(Organisation).where(Organisation.name == name))
        db.session.expunge_all()
        return found


def _destination_options(app, client) -> str:
    with app.app_context():
        url = f"/rujukan/pasien/{patient_named('Baharuddin').id}/rujukan/baru"
    html = client.get(url).get_data(as_text=True)
    return html[
        html.index('name="destination_id"') : html.index("</select>", html.index('name="destination_id"'))
    ]


def test_dinkes_solok_adds_a_facility_and_an_outside_destination_both_offered(app, client, auth):
    auth.login("dinkes.solok")
    assert "Tambah faskes" in client.get("/rujukan/faskes").get_data(as_text=True)
    page = client.get(NEW)
    assert (
        page.status_code == 200
        and 'name="submission_key"' in page.text
        and ">Kabupaten Solok</option>" in page.text
    )
    assert client.post(NEW, data=_entry()).status_code == 302
    resp = client.post(NEW, data=_entry(**DJAMIL))
    assert resp.status_code == 302
    djamil = _org_named(app, "RSUP M. Djamil Padang")
    assert resp.headers["Location"].endswith(f"/rujukan/faskes/{djamil.id}")
    with app.app_context():
        profile = db.session.scalar(
            select(FacilityProfile).where(FacilityProfile.organisation_id == djamil.id)
        )
        assert (djamil.facility_level, profile.tertiary, profile.outside_area) == (
            "FKTL",
            True,
            "Kota Padang",
        )
        assert profile.facility_type == "rsup" and profile.capacity_at is not None
        assert db.session.get(Organisation, djamil.id).regency.code == "13.02"  # kept by Dinkes Solok
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.object_type == "rujukan_faskes",
                    AuditEvent.object_id == str(djamil.id),
                    AuditEvent.action == "create",
                )
            )
            == 1
        )
    shown = client.get(f"/rujukan/faskes/{djamil.id}").get_data(as_text=True)
    assert "Kota Padang (luar wilayah)" in shown and "RSUP" in shown and "FKTL tersier" in shown
    assert "ICU penuh, HCU 2 tempat tidur" in shown and str(TODAY.year) in shown  # the note with its date
    listed = client.get("/rujukan/faskes").get_data(as_text=True)
    assert "Klinik Pratama Sehat Arosuka" in listed and "Kota Padang (luar wilayah)" in listed

    auth.logout()
    auth.login("faskes.solok")
    options = _destination_options(app, client)
    assert "RSUP M. Djamil Padang · FKTL tersier · Kota Padang (luar wilayah)" in options
    assert "Klinik Pratama Sehat Arosuka · FKTP · Solok" in options
    # an issued letter to the outside destination, with the direct FKTP-to-tertiary warning
    with app.app_context():
        db.session.add(Poli(organisation_id=djamil.id, name="Jantung", schedule="Senin 08.00"))
        db.session.commit()
        poli_id = db.session.scalar(select(Poli.id).where(Poli.organisation_id == djamil.id))
    resp = client.post(
        f"/rujukan/pasien/{_patient_id(app)}/rujukan/baru",
        data=form_data(app, destination_id=str(djamil.id), poli_id=str(poli_id), terbitkan="1"),
        follow_redirects=True,
    )
    assert (
        resp.status_code == 200 and "diterbitkan dengan nomor" in resp.text and "faskes tersier" in resp.text
    )
    assert "RSUP M. Djamil Padang" in resp.text


def _patient_id(app) -> int:
    with app.app_context():
        return patient_named("Baharuddin").id


def test_poli_schedule_and_contacts_shown_on_the_new_entry(app, client, auth):
    auth.login("dinkes.solok")
    client.post(NEW, data=_entry(**DJAMIL))
    djamil = _org_named(app, "RSUP M. Djamil Padang")
    resp = client.post(
        f"/rujukan/faskes/{djamil.id}/poli",
        data={
            "poli-name": "Jantung",
            "poli-schedule": "Senin–Kamis 08.00–12.00",
            "poli-submission_key": key()["submission_key"],
        },
    )
    assert resp.status_code == 302
    page = client.get(f"/rujukan/faskes/{djamil.id}").get_data(as_text=True)
    assert "Jantung" in page and "Senin–Kamis 08.00–12.00" in page
    assert "0812 6610 9999" in page and "klinik@example.org" in page and "0755 123456" in page


def test_replay_of_the_create_lands_on_the_first_result(app):
    client = logged_in(app, "dinkes.solok")
    data = _entry(submission_key=form_key(client, NEW))
    first = client.post(NEW, data=data)
    again = client.post(NEW, data=data)
    assert first.status_code == 302 and again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(Organisation).where(Organisation.name == data["name"])
            )
            == 1
        )
    assert "sudah tersimpan" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_bad_entry_gets_indonesian_messages_at_the_field_and_keeps_what_was_typed(app, client, auth):
    auth.login("dinkes.solok")
    resp = client.post(
        NEW,
        data=_entry(
            name="RSUD Baru Uji",
            facility_type="puskesmas",
            level="FKTL",
            facility_code="12-34",
            wilayah="luar",
            email="bukan-email",
        ),
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Puskesmas adalah FKTP." in html
    assert "Kode PPK BPJS: 8 huruf besar/angka" in html
    assert "Tulis kota/kabupaten faskes di luar wilayah" in html
    assert "Alamat e-mail tidak sah" in html
    assert 'value="RSUD Baru Uji"' in html and 'id="level-err"' in html
    # a name already in the directory
    resp = client.post(NEW, data=_entry(name="rsud sijunjung (demo)"))
    assert resp.status_code == 422 and "sudah ada di direktori" in resp.get_data(as_text=True)


def test_scope_other_dinkes_and_puskesmas_get_404(app, client, auth):
    auth.login("dinkes.solok")
    client.post(NEW, data=_entry())
    klinik = _org_named(app, "Klinik Pratama Sehat Arosuka")
    auth.logout()
    auth.login("dinkes.sijunjung")
    assert client.get(f"/rujukan/faskes/{klinik.id}/ubah").status_code == 404
    assert (
        client.post(f"/rujukan/faskes/{klinik.id}/ubah", data={"version": "1", "phone": "1"}).status_code
        == 404
    )
    assert (
        client.post(f"/rujukan/faskes/{klinik.id}/nonaktifkan", data={"reason": "uji uji"}).status_code == 404
    )
    auth.logout()
    auth.login("faskes.solok")
    assert client.get(NEW).status_code == 404
    assert client.post(NEW, data=_entry(name="Klinik Liar")).status_code == 404
    assert _org_named(app, "Klinik Liar") is None
    assert "Tambah faskes" not in client.get("/rujukan/faskes").get_data(as_text=True)


def test_dinkes_edits_identity_with_the_version(app, client, auth):
    auth.login("dinkes.solok")
    client.post(NEW, data=_entry())
    klinik = _org_named(app, "Klinik Pratama Sehat Arosuka")
    form = client.get(f"/rujukan/faskes/{klinik.id}/ubah").get_data(as_text=True)
    assert 'value="0302K001"' in form
    data = _entry(name="Klinik Utama Sehat Arosuka", level="FKTL", version=str(klinik.version))
    del data["submission_key"]
    assert client.post(f"/rujukan/faskes/{klinik.id}/ubah", data=data).status_code == 302
    assert _org_named(app, "Klinik Utama Sehat Arosuka").facility_level == "FKTL"
    assert client.post(f"/rujukan/faskes/{klinik.id}/ubah", data=data).status_code == 409  # stale version


def test_deactivate_hides_from_destinations_but_old_letters_keep_the_name(app, client, auth):
    rsud = _org_named(app, "RSUD Sijunjung (demo)")
    with app.app_context():
        old = db.session.scalar(
            select(Referral)
            .where(Referral.destination_id == rsud.id, Referral.status != "draf")
            .order_by(Referral.id)
        )
        origin_user = "faskes.solok" if old.origin_id == org("pkm").id else None
        old_id = old.id
    auth.login("dinkes.sijunjung")
    page = client.get(f"/rujukan/faskes/{rsud.id}").get_data(as_text=True)
    assert "Alasan penonaktifan" in page
    refused = client.post(
        f"/rujukan/faskes/{rsud.id}/nonaktifkan", data={"reason": "", "version": str(rsud.version)}
    )
    assert refused.status_code == 422 and "Alasan penonaktifan" in refused.get_data(as_text=True)
    resp = client.post(
        f"/rujukan/faskes/{rsud.id}/nonaktifkan",
        data={"reason": "Renovasi total gedung", "version": str(rsud.version)},
    )
    assert resp.status_code == 302
    page = client.get(f"/rujukan/faskes/{rsud.id}").get_data(as_text=True)
    assert "Nonaktif sejak" in page and "Renovasi total gedung" in page
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.object_type == "rujukan_faskes",
                    AuditEvent.object_id == str(rsud.id),
                    AuditEvent.summary.like("menonaktifkan faskes%"),
                )
            )
            == 1
        )
    auth.logout()
    auth.login("faskes.solok")
    assert "RSUD Sijunjung (demo)" not in _destination_options(app, client)
    with app.app_context():
        poli = db.session.scalar(select(Poli).where(Poli.organisation_id == rsud.id))
    resp = client.post(
        f"/rujukan/pasien/{_patient_id(app)}/rujukan/baru", data=form_data(app, poli_id=str(poli.id))
    )
    assert resp.status_code == 422
    assert origin_user, "the demo's first letter to RSUD Sijunjung comes from Puskesmas Tigo Lurah"
    letter = client.get(f"/rujukan/{old_id}")
    assert letter.status_code == 200 and "RSUD Sijunjung (demo)" in letter.get_data(as_text=True)
    assert re.search(
        r"RSUD Sijunjung \(demo\)</a>\s*<small class=\"muted\">\(nonaktif\)",
        client.get("/rujukan/faskes?q=sijunjung").get_data(as_text=True),
    )


def test_recap_of_the_two_regencies_leaves_outside_destinations_out(app, client, auth):
    """An outside destination is kept by one Dinkes (its regency_id) but serves neither regency's recap."""
    auth.login("dinkes.sijunjung")
    client.post(NEW, data=_entry(**DJAMIL))
    djamil = _org_named(app, "RSUP M. Djamil Padang")
    with app.app_context():
        arrived = db.session.scalars(
            select(Referral)
            .where(Referral.destination_id == org("rsud").id, Referral.arrived_at.is_not(None))
            .order_by(Referral.arrived_at.desc(), Referral.id.desc())
        ).first()
        number, local = arrived.number, to_local(arrived.arrived_at)
        month = f"{local.year}-{local.month:02d}"
    query = {"bulan": month, "asal": "13.02", "layanan": "13.03"}
    assert number in client.get("/rujukan/rekap", query_string=query).text
    with app.app_context():  # the same letter, had it gone to Padang
        db.session.get(Referral, arrived.id).destination_id = djamil.id
        db.session.commit()
    assert number not in client.get("/rujukan/rekap", query_string=query).text


def test_reactivation_offers_the_facility_again(app, client, auth):
    rsud = _org_named(app, "RSUD Sijunjung (demo)")
    auth.login("dinkes.sijunjung")
    off = {"reason": "Salah pilih faskes", "version": str(rsud.version)}
    assert client.post(f"/rujukan/faskes/{rsud.id}/nonaktifkan", data=off).status_code == 302
    page = client.get(f"/rujukan/faskes/{rsud.id}").text
    assert "Aktifkan kembali" in page and "Alasan penonaktifan" not in page
    version = _org_named(app, "RSUD Sijunjung (demo)").version
    assert (
        client.post(f"/rujukan/faskes/{rsud.id}/aktifkan", data={"version": str(rsud.version)}).status_code
        == 409
    )
    assert (
        client.post(f"/rujukan/faskes/{rsud.id}/aktifkan", data={"version": str(version)}).status_code == 302
    )
    assert "Nonaktif sejak" not in client.get(f"/rujukan/faskes/{rsud.id}").text
    auth.logout()
    auth.login("faskes.solok")
    assert "RSUD Sijunjung (demo)" in _destination_options(app, client)


def test_dinkes_saves_a_demo_entry_keeping_its_placeholder_code(app, client, auth):
    rsud = _org_named(app, "RSUD Sijunjung (demo)")
    auth.login("dinkes.sijunjung")
    form = client.get(f"/rujukan/faskes/{rsud.id}/ubah").text
    assert 'value="DEMO-0303-RS"' in form
    data = {
        "name": rsud.name,
        "facility_type": "rsud",
        "level": "FKTL",
        "facility_code": "DEMO-0303-RS",
        "wilayah": "dalam",
        "outside_area": "",
        "paper": "A4",
        "version": str(rsud.version),
    }
    assert client.post(f"/rujukan/faskes/{rsud.id}/ubah", data=data).status_code == 302
    data.update(facility_code="DEMO-9", version=str(_org_named(app, rsud.name).version))
    resp = client.post(f"/rujukan/faskes/{rsud.id}/ubah", data=data)
    assert resp.status_code == 422 and "Kode PPK BPJS: 8 huruf besar/angka" in resp.text
