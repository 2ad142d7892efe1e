"""Issue 14 part 8 for the patient form: SIDILAN's phone, address and JKN status prefill it, no JKN type is
forced on the clerk, and a patient form posted after the timeout comes back with its place selects."""

from datetime import timedelta

from sqlalchemy import func, select

from blueprints.core.extensions import db
from blueprints.core.timeutil import utcnow
from blueprints.demo import DEMO_PASSWORD
from blueprints.rujukan.models import Patient
from blueprints.rujukan.patients import jkn_problems
from blueprints.sidilan.models import Person
from tests.replay import logged_in

from .conftest import key, patient_data

ROSMANIAR = "1302185203840001"


def test_the_sidilan_prefill_brings_phone_address_and_jkn_status(app, client, auth):
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.nik == ROSMANIAR))
        person.no_hp, person.alamat, person.rt, person.rw = (
            "081277001122",
            "Jl. Lintas Sumatera",
            "002",
            "001",
        )
        person.kepesertaan_jkn = "PBI-JK"
        db.session.commit()
    auth.login("faskes.sijunjung")
    form = client.get("/rujukan/pasien/baru", query_string={"nik": ROSMANIAR}).text
    assert 'value="Rosmaniar"' in form
    assert 'value="081277001122"' in form
    assert 'value="Jl. Lintas Sumatera RT 002/RW 001"' in form
    assert '<option selected value="pbi_apbn">PBI APBN' in form


def test_the_jkn_type_starts_empty_and_a_patient_saves_without_one(app, client, auth):
    auth.login("faskes.solok")
    form = client.get("/rujukan/pasien/baru").text
    options = form.split('name="jenis_kepesertaan"', 1)[1].split("</select>", 1)[0]
    first = options.split("<option", 2)[1]
    assert 'value="">— belum diketahui —' in first and "selected" not in options.split(first, 1)[1]
    data = {**patient_data(no_jkn="", status_peserta="", jenis_kepesertaan=""), **key()}
    response = client.post("/rujukan/pasien/baru", data=data)
    assert response.status_code == 302
    with app.app_context():
        p = db.session.scalar(select(Patient).where(Patient.name == "Uji Pasien"))
        assert p.jenis_kepesertaan is None and p.no_jkn is None
    page = client.get(response.headers["Location"]).text
    assert "Uji Pasien" in page


def test_a_chosen_jkn_type_still_asks_for_the_number():
    assert jkn_problems("", "") == [] and jkn_problems(None, None) == []
    assert jkn_problems("", "pbi_apbn") != []


def test_a_patient_form_posted_after_the_timeout_comes_back_with_its_place(app, time_machine):
    clerk = logged_in(app, "faskes.solok")
    data = {**patient_data(name="Pasien Terpulihkan"), **key()}
    time_machine.move_to(utcnow() + timedelta(minutes=31))
    assert clerk.post("/rujukan/pasien/baru", data=data).headers["Location"].startswith("/masuk")
    login = clerk.post("/masuk", data={"username": "faskes.solok", "password": DEMO_PASSWORD})
    assert login.headers["Location"] == "/rujukan/pasien/baru"
    page = clerk.get("/rujukan/pasien/baru").text
    assert "Isian Anda dipulihkan" in page and 'value="Pasien Terpulihkan"' in page
    assert f'<option value="{data["nagari"]}" selected>' in page  # the place cascade too
    with app.app_context():
        assert not db.session.scalar(select(func.count()).where(Patient.name == "Pasien Terpulihkan"))
