"""Emergency mode (docs/rujukan.md §4.5): the short form saved and issued in one step, same-day validity, the
GAWAT DARURAT banner on the letter and the detail page, the timeline from the call to the arrival, scope."""

import gzip
import re
import subprocess
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.core.timeutil import WIB
from blueprints.rujukan import lifecycle
from blueprints.rujukan.lists import STABILISASI
from blueprints.rujukan.models import HealthWorker, Referral
from tests.clock import TODAY

from .conftest import form_data, key, org, patient_named


def _patient_id(app) -> int:
    with app.app_context():
        return patient_named("Rosmaniar").id


def _url(patient_id: int) -> str:
    return f"/rujukan/pasien/{patient_id}/rujukan/gawat-darurat"


def emergency_data(app, day: date = TODAY, **over) -> dict:
    """A complete emergency referral from Puskesmas Tigo Lurah to RSUD Sijunjung, called 09:40 WIB on ``day``."""
    with app.app_context():
        nakes = db.session.scalar(
            select(HealthWorker).where(
                HealthWorker.organisation_id == org("pkm").id, HealthWorker.profession == "dokter"
            )
        )
        data = {
            "destination_id": str(org("rsud").id),
            "dasar": "gawat_darurat",
            "anamnesis": "Perdarahan hebat pasca persalinan",
            "diag1": "O72.1",
            "reason": "",
            "therapy_drug": "Oksitosin 10 IU IM, infus RL",
            "depart_bp": "90/60",
            "depart_pulse": "118",
            "depart_rr": "24",
            "depart_temperature": "36.4",
            "depart_spo2": "94",
            "depart_gcs": "14",
            "depart_consciousness": "apatis",
            "stabilisation": ["airway", "infus", "oksigen"],
            "igd_call_name": "Ns. Yusnita (IGD RSUD)",
            "igd_called_at": f"{day.isoformat()}T09:40",
            "igd_call_accepted": "ya",
            "departed_at": f"{day.isoformat()}T09:55",
            "ambulance": "y",
            "escort": "Bd. Rahmi",
            "escort_role": "bidan",
            "consent": "setuju",
            "consent_signer": "Suami pasien",
            "consent_relation": "suami",
            "nakes_id": str(nakes.id),
            **key(),
        }
    data.update(over)
    return data


def _new_ref_id(resp) -> int:
    assert resp.status_code in (302, 303), re.findall(
        r"class=\"err\">[^<]*|flash error[^<]*<[^<]*", resp.text
    )
    return int(re.search(r"/rujukan/(\d+)$", resp.headers["Location"]).group(1))


def test_entry_points_and_the_plain_form(app, faskes):
    patient_id = _patient_id(app)
    assert "Rujukan gawat darurat" in faskes.get("/rujukan/").text
    assert _url(patient_id) in faskes.get(f"/rujukan/pasien/{patient_id}").text
    page = faskes.get(_url(patient_id))
    assert page.status_code == 200
    assert "GAWAT DARURAT" in page.text and 'name="submission_key"' in page.text
    assert len(gzip.compress(page.data, 6)) <= 14_000  # a full page's budget
    for name in ("depart_spo2", "igd_call_name", "igd_called_at", "departed_at", "escort_role"):
        assert f'name="{name}"' in page.text
    assert 'value="airway"' in page.text and "Perdarahan terkontrol" in page.text  # the checklist
    assert re.search(
        r"<option selected value=\"gawat_darurat\"|value=\"gawat_darurat\" selected", page.text
    ), re.findall(r"<option[^>]*gawat[^>]*>", page.text)


def test_saved_and_issued_in_one_step_with_every_emergency_field(app, faskes):
    patient_id = _patient_id(app)
    data = emergency_data(app)
    ref_id = _new_ref_id(faskes.post(_url(patient_id), data=data))
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        assert ref.status == "diterbitkan" and ref.number and ref.jenis == "igd" and ref.kategori == "igd"
        assert ref.valid_until == ref.issued_on == TODAY  # the same day only
        assert ref.stabilisation_codes == ["airway", "oksigen", "infus"]  # in the checklist's order
        assert (ref.depart_bp, ref.depart_pulse, ref.depart_spo2, ref.depart_gcs) == ("90/60", 118, 94, 14)
        assert ref.igd_call_time == "09:40" and ref.igd_call_accepted is True
        assert ref.igd_called_at == datetime.combine(TODAY, datetime.min.time(), WIB).replace(
            hour=9, minute=40
        ).astimezone(UTC)
        assert ref.escort == "Bd. Rahmi" and ref.escort_role == "bidan" and ref.ambulance is True
        assert ref.reason  # the default reason when none was typed
    # a replay of the same submit lands on the first result and takes no second number
    again = faskes.post(_url(patient_id), data=data)
    assert again.status_code in (302, 303) and again.headers["Location"].endswith(f"/rujukan/{ref_id}")
    with app.app_context():
        assert (
            db.session.scalar(select(db.func.count()).where(Referral.jenis == "igd", Referral.id > ref_id))
            == 0
        )


def test_refused_without_js_keeps_what_was_typed(app, faskes):
    patient_id = _patient_id(app)
    data = emergency_data(
        app, igd_call_name="", igd_called_at="", depart_spo2="140", anamnesis="Kejang berulang", consent=""
    )
    resp = faskes.post(_url(patient_id), data=data)
    assert resp.status_code == 422
    text = resp.text
    assert "catat nama petugas IGD yang ditelepon" in text
    assert "Catat waktu telepon ke IGD." in text
    assert "Catat persetujuan atau penolakan" in text
    assert "Nilai harus" in text or "antara" in text  # SpO2 out of range, in Indonesian
    assert "Kejang berulang" in text and 'value="140"' in text and 'value="90/60"' in text
    assert re.search(r'value="infus"[^>]*checked|checked[^>]*value="infus"', text)
    with app.app_context():
        assert db.session.scalar(select(Referral).where(Referral.anamnesis == "Kejang berulang")) is None


def test_htmx_post_gets_the_same_refusal(app, faskes):
    resp = faskes.post(
        _url(_patient_id(app)), data=emergency_data(app, diag1="ZZZ.9"), headers={"HX-Request": "true"}
    )
    assert resp.status_code == 422 and "Kode ICD-10 tidak dikenal" in resp.text


def test_departure_before_the_call_is_refused(app, faskes):
    resp = faskes.post(
        _url(_patient_id(app)), data=emergency_data(app, departed_at=f"{TODAY.isoformat()}T09:00")
    )
    assert resp.status_code == 422 and "tidak boleh sebelum telepon" in resp.text


@pytest.mark.dates
def test_igd_letter_is_valid_on_its_issue_day_only(app, faskes):
    """Run by `.ci/run` on the first and last day of a month, on 31 December and on 29 February."""
    ref_id = _new_ref_id(faskes.post(_url(_patient_id(app)), data=emergency_data(app)))
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        assert ref.issued_on == TODAY and ref.valid_until == TODAY


def test_igd_letter_issued_on_31_december_is_valid_until_31_december(app, faskes, auth):
    patient_id = _patient_id(app)
    day = date(TODAY.year, 12, 31)
    with time_machine.travel(datetime(day.year, 12, 31, 10, 0, tzinfo=WIB), tick=False):
        auth.login("faskes.solok")  # a month later: a fresh session
        ref_id = _new_ref_id(faskes.post(_url(patient_id), data=emergency_data(app, day=day)))
        with app.app_context():
            ref = db.session.get(Referral, ref_id)
            assert ref.issued_on == day and ref.valid_until == day
        assert "berlaku hari ini saja" in faskes.get(f"/rujukan/{ref_id}").text


def test_igd_validity_is_configurable_and_normal_letters_keep_theirs(make_app):
    app = make_app(RUJUKAN_IGD_VALIDITY_DAYS=1)
    with app.app_context():
        assert lifecycle.valid_until_for(date(2026, 12, 31), "igd") == date(2027, 1, 1)
        assert lifecycle.valid_until_for(date(2026, 12, 31), "rj") == date(2027, 3, 31)
        app.config["RUJUKAN_IGD_VALIDITY_DAYS"] = 0
        assert lifecycle.valid_until_for(date(2026, 12, 31), "igd") == date(2026, 12, 31)


def test_banner_in_the_pdf_and_timeline_on_the_detail_page(app, faskes, client, auth):
    ref_id = _new_ref_id(faskes.post(_url(_patient_id(app)), data=emergency_data(app)))
    printed = faskes.get(f"/rujukan/{ref_id}/cetak")
    assert printed.mimetype == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=printed.data, capture_output=True, check=True
    ).stdout.decode()
    assert "GAWAT DARURAT" in text and "Halaman 1 dari 1" in text  # still one page
    assert "SpO2 94%" in text and "Akses intravena" in text
    assert "berlaku sampai dengan" in text and f"{TODAY.day} " in text
    page = faskes.get(f"/rujukan/{ref_id}").text
    assert "GAWAT DARURAT" in page and "Akses intravena / infus terpasang" in page
    # the receiver accepts, then the patient arrives: the timeline follows the stored instants in order
    at = datetime.combine(TODAY, datetime.min.time(), WIB)
    with time_machine.travel(at.replace(hour=10, minute=20), tick=False):
        auth.login("faskes.rsud.sijunjung")
        accepted = client.post(f"/rujukan/{ref_id}/aksi/accept", data={"channel": "telepon", **key()})
        assert accepted.status_code == 302 and accepted.headers["Location"].endswith(f"/rujukan/{ref_id}")
        with time_machine.travel(at.replace(hour=11, minute=5), tick=False):
            auth.login("faskes.rsud.sijunjung")  # past the idle timeout
            assert (
                client.post(f"/rujukan/{ref_id}/aksi/arrive", data={"channel": "web", **key()}).status_code
                == 302
            )
            page = client.get(f"/rujukan/{ref_id}").text
    found = re.search(r'<ol class="timeline">(.*?)</ol>', page, re.S)
    assert found, page[:4000]
    timeline = found.group(1)
    steps = re.findall(r"<li>([^:<]+): ([^<]+)</li>", timeline)
    assert [label for label, _ in steps] == [
        "Telepon ke IGD",
        "Surat terbit",
        "Berangkat",
        "Diterima IGD tujuan",
        "Pasien tiba",
    ]
    times = [at for _, at in steps]
    assert times[0].endswith("09.40") and times[2].endswith("09.55")
    assert times[3].endswith("10.20") and times[4].endswith("11.05")


def test_another_facility_gets_404(app, client, auth):
    patient_id = _patient_id(app)
    auth.login("faskes2.solok")
    assert client.get(_url(patient_id)).status_code == 404
    assert client.post(_url(patient_id), data=emergency_data(app)).status_code == 404
    auth.login("dinkes.solok")
    assert client.get(_url(patient_id)).status_code == 404


def test_fullest_emergency_letter_holds_everything(app, faskes):
    """Every checklist item, every departure sign, long texts: all printed (nothing cut), the banner on the
    first page, as many pages as the letter's estimate says (the letter's own rule)."""
    data = emergency_data(
        app,
        stabilisation=list(STABILISASI),
        anamnesis="Keluhan panjang " * 180,
        therapy_drug="Obat panjang " * 150,
        reason="Alasan panjang " * 130,
        escort="b" * 150,
        igd_call_name="n" * 120,
        consent_signer="s" * 120,
    )
    ref_id = _new_ref_id(faskes.post(_url(_patient_id(app)), data=data))
    printed = faskes.get(f"/rujukan/{ref_id}/cetak?kertas=A4")
    text = subprocess.run(["pdftotext", "-", "-"], input=printed.data, capture_output=True, check=True).stdout
    text = text.decode()
    pages = text.count("\f") or 1
    assert "GAWAT DARURAT" in text.split("\f")[0] and "Gula darah diperiksa" in text
    assert " ".join(text.split()).count("Keluhan panjang") == 180
    assert " ".join(text.split()).count(f"dari {pages}") == pages and pages <= 2


def test_igd_letter_from_the_full_form_is_same_day_with_its_call_on_the_timeline(app, faskes):
    data = form_data(
        app,
        jenis="igd",
        kategori="igd",
        referred_at=f"{TODAY.isoformat()}T09:30",
        igd_call_name="dr. Jaga IGD",
        igd_call_time="09.15",
        igd_call_accepted="ya",
        terbitkan="1",
    )
    ref_id = _new_ref_id(faskes.post(f"/rujukan/pasien/{_patient_id(app)}/rujukan/baru", data=data))
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        assert ref.status == "diterbitkan" and ref.valid_until == TODAY
        assert ref.igd_called_at.astimezone(WIB) == datetime.combine(TODAY, datetime.min.time(), WIB).replace(
            hour=9, minute=15
        )
    page = faskes.get(f"/rujukan/{ref_id}").text
    assert "GAWAT DARURAT" in page and re.search(r"<li>Telepon ke IGD: [^<]*09\.15</li>", page)
