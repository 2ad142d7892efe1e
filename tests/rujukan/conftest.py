"""Rujukan fixtures: demo objects by name and a helper that posts a complete referral form."""

import pytest
from sqlalchemy import select

from blueprints.auth.models import Organisation
from blueprints.core.extensions import db
from blueprints.core.forms import new_submission_key
from blueprints.rujukan.models import HealthWorker, Patient, Poli, Referral
from tests.clock import TODAY


def org(key: str) -> Organisation:
    names = {
        "pkm": "Puskesmas Tigo Lurah (demo)",
        "pkm2": "Puskesmas Sirukam (demo)",
        "kumanis": "Puskesmas Kumanis (demo)",
        "rsud": "RSUD Sijunjung (demo)",
    }
    return db.session.scalar(select(Organisation).where(Organisation.name == names[key]))


def patient_named(name: str) -> Patient:
    return db.session.scalar(select(Patient).where(Patient.name == name).order_by(Patient.id))


def referral_where(*conds) -> Referral:
    return db.session.scalars(select(Referral).where(*conds).order_by(Referral.id)).first()


def rsud_doctor(app, name: str) -> str:
    """The id of one of RSUD Sijunjung's listed health workers, as the reply form's doctor choice posts it."""
    with app.app_context():
        return str(
            db.session.scalar(
                select(HealthWorker.id).where(
                    HealthWorker.organisation_id == org("rsud").id, HealthWorker.name == name
                )
            )
        )


def key() -> dict:
    """A fresh submission key, as a create form renders it: each post with it is one new submission."""
    return {"submission_key": new_submission_key()}


def version(app, model, record_id: int) -> dict:
    """The stored version of a record, as its edit form posts it back."""
    with app.app_context():
        return {"version": str(db.session.get(model, record_id).version)}


def patient_data(**over) -> dict:
    """A valid new-patient form (a Solok woman in Jorong Tigo Jangko's nagari), without a submission key."""
    data = {
        "name": "Uji Pasien",
        "nik": "1302184506900007",
        "no_nik_reason": "",
        "no_jkn": "0002035020999",
        "status_peserta": "utama",
        "jenis_kepesertaan": "pbi_apbd",
        "birth_date": "1990-06-05",
        "sex": "P",
        "home_regency": "13.02",
        "kecamatan": "13.02.18",
        "nagari": "13.02.18.2004",
        "jorong": "",
        "address": "Jl. Uji",
        "phone": "08123456789",
        "no_rm": "RM-9",
    }
    data.update(over)
    return data


def form_data(app, **over) -> dict:
    """A complete, valid referral from Puskesmas Tigo Lurah to RSUD Sijunjung (Penyakit Dalam), with a fresh
    submission key (an edit of a draft also needs its ``version``)."""
    with app.app_context():
        rsud = org("rsud")
        poli = db.session.scalar(
            select(Poli).where(Poli.organisation_id == rsud.id, Poli.name == "Penyakit Dalam")
        )
        nakes = db.session.scalar(
            select(HealthWorker).where(
                HealthWorker.organisation_id == org("pkm").id, HealthWorker.profession == "dokter"
            )
        )
        data = {
            "jenis": "rj",
            "kategori": "rj",
            "tipe": "penuh",
            "arah": "vertikal",
            "payer": "bpjs",
            "referred_at": "2026-11-20T09:30",
            "destination_id": str(rsud.id),
            "destination_text": "",
            "poli_id": str(poli.id),
            "dasar": "geografis",
            "anamnesis": "Sesak napas sejak 3 hari",
            "physical_exam": "Ronki basah",
            "bp": "150/95",
            "pulse": "96",
            "rr": "24",
            "temperature": "37.2",
            "weight": "60",
            "height": "160",
            "consciousness": "cm",
            "gcs": "15",
            "supporting": "",
            "diag1": "I50.0",
            "diag2": "",
            "diag3": "",
            "therapy_drug": "Furosemid 40 mg",
            "therapy_other": "",
            "bmhp": "",
            "procedures": "",
            "reason": "Perlu penanganan spesialis penyakit dalam",
            "tacc": "",
            "tacc_time": "",
            "tacc_reason": "",
            "condition": "Stabil",
            "escort": "Suami",
            "allergy": "",
            "note": "",
            "planned_visit": TODAY.isoformat(),
            "consent": "setuju",
            "consent_signer": "Suami pasien",
            "consent_relation": "suami",
            "consent_date": TODAY.isoformat(),
            "igd_call_name": "",
            "igd_call_time": "",
            "igd_call_accepted": "",
            "nakes_id": str(nakes.id),
            **key(),
        }
    data.update(over)
    return data


@pytest.fixture
def faskes(client, auth):
    auth.login("faskes.solok")
    return client
