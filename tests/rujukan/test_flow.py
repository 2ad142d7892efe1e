"""'Done means': a Solok nurse registers a Tigo Jangko patient from SIDILAN, refers to RSUD Sijunjung, prints
the letter; the hospital marks arrival and answers; the nurse sees the answer; the recap lists the case."""

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.core.timeutil import today_local
from blueprints.rujukan import verification
from blueprints.rujukan.models import Patient, Referral
from tests.queries import statements

from .conftest import form_data, key, org, rsud_doctor
from .test_pdf import pdf_info


def test_done_means(app, client, auth):
    auth.login("faskes.solok")
    nik = "1302185203840001"
    client.post(
        "/rujukan/pasien/baru",
        data={
            "name": "Rosmaniar",
            "nik": nik,
            "jenis_kepesertaan": "pbi_apbd",
            "no_jkn": "0002035020396",
            "status_peserta": "utama",
            "birth_date": "1984-03-12",
            "sex": "P",
            "home_regency": "13.02",
            "kecamatan": "13.02.18",
            "nagari": "13.02.18.2004",
            "jorong": "1",
            "phone": "081266000001",
            **key(),
        },
    )
    with app.app_context():
        patient = db.session.scalars(
            select(Patient).where(Patient.nik == nik).order_by(Patient.id.desc())
        ).first()
        assert "Pengguna kursi roda" in patient.accessibility
        pid = patient.id
    resp = client.post(f"/rujukan/pasien/{pid}/rujukan/baru", data=form_data(app, terbitkan="1"))
    ref_id = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    pdf = client.get(f"/rujukan/{ref_id}/cetak")
    assert pdf.status_code == 200 and pdf_info(pdf.data)[0] == 1
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        assert ref.border and ref.accessibility and ref.status == "diterbitkan"
        code, number = verification.verify_code(ref.id), ref.number
    auth.logout()

    auth.login("faskes.rsud.sijunjung")
    assert number in client.get("/rujukan/masuk").text
    client.post(f"/rujukan/{ref_id}/aksi/arrive", data={"channel": "web", **key()})
    client.post(
        f"/rujukan/{ref_id}/jawab",
        data={
            "channel": "web",
            "reply_diag": "I50.0",
            "reply_advice": "Kontrol 2 minggu",
            "reply_doctor_id": rsud_doctor(app, "dr. Irwan Syah, Sp.PD"),
            **key(),
        },
    )
    auth.logout()

    auth.login("faskes.solok")
    detail = client.get(f"/rujukan/{ref_id}")
    assert "Kontrol 2 minggu" in detail.text and "Dijawab" in detail.text
    auth.logout()
    assert "Dijawab" in client.get(f"/v/{code}").text

    today = today_local()  # the recap's month is the WIB month of arrival
    for user in ("dinkes.solok", "dinkes.sijunjung"):
        auth.login(user)
        recap = client.get("/rujukan/rekap", query_string={"bulan": f"{today.year}-{today.month:02d}"})
        assert number in recap.text
        auth.logout()


def _queries(app, client, url: str) -> int:
    """Statements the database ran to answer GET url (200 expected)."""
    with statements(app) as seen:
        assert client.get(url).status_code == 200
    return len(seen)


def test_queries_per_page(app, client, auth):
    """Each rujukan page answers in a handful of queries (budget 6, plus the session's user load)."""
    auth.login("faskes.solok")
    with app.app_context():
        ref_id = db.session.scalars(
            select(Referral.id)
            .where(Referral.status == "dijawab", Referral.origin_id == org("pkm").id)
            .order_by(Referral.id)
        ).first()
    counts = {
        url: _queries(app, client, url)
        for url in (
            "/rujukan/",
            "/rujukan/masuk",
            f"/rujukan/{ref_id}",
            "/rujukan/faskes",
            "/rujukan/daftar-kerja",
            "/",
        )
    }
    assert all(n <= 6 for n in counts.values()), counts
    # The letter form: session user, patient (with jorong), directory, poli, staff.
    with app.app_context():
        # one of this puskesmas' patients (an unordered first row may be another facility's: 404)
        patient_id = db.session.scalars(
            select(Referral.patient_id).where(Referral.origin_id == org("pkm").id).order_by(Referral.id)
        ).first()
    assert _queries(app, client, f"/rujukan/pasien/{patient_id}/rujukan/baru") <= 6
    # A directory entry: facility, profile, poli, staff.
    with app.app_context():
        rsud_id = org("rsud").id
    assert _queries(app, client, f"/rujukan/faskes/{rsud_id}") <= 6
