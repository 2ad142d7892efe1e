"""The search box of the letter lists and of the patient search: any word or piece of the name with the common
spelling variants, a NIK in full or by its last digits, the No. JKN, a piece of the letter number; only the
user's own facility's letters; a renamed patient is found by the new name. On both databases."""

from datetime import UTC, datetime, timedelta

import pytest

from blueprints.core.extensions import db
from blueprints.rujukan.models import Patient, Referral
from tests.clock import TODAY
from tests.replay import logged_in

from .conftest import org, patient_named

PATIENTS = [
    # name, NIK, letter number
    ("Syamsul Bahri", "1302180101900011", "0771/RJK/UJI/XI/2026"),
    ("Nurhayati Cari", "1302184101900022", "0772/RJK/UJI/XI/2026"),
    ("Bujang Kayo", "1302180202900033", "0773/RJK/UJI/XI/2026"),
    ("Yusuf Datuak", "1302180303900044", "0774/RJK/UJI/XI/2026"),
]


@pytest.fixture
def searchable(app):
    """The four patients of Puskesmas Tigo Lurah above, each with a letter to RSUD; and a Samsul of another
    facility with a letter of its own."""
    with app.app_context():
        pkm, pkm2, rsud = org("pkm"), org("pkm2"), org("rsud")
        ros = patient_named("Rosmaniar")
        at = datetime(TODAY.year, TODAY.month, TODAY.day, 1, tzinfo=UTC)
        rows = [(pkm, *p) for p in PATIENTS] + [(pkm2, "Samsul Lain", "1302180404900055", "0775/RJK/LAIN")]
        for facility, name, nik, number in rows:
            patient = Patient(
                organisation_id=facility.id,
                name=name,
                nik=nik,
                sex="L",
                home_regency_id=ros.home_regency_id,
                kecamatan_code=ros.kecamatan_code,
                nagari_code=ros.nagari_code,
            )
            db.session.add(patient)
            db.session.flush()
            db.session.add(
                Referral(
                    origin_id=facility.id,
                    patient_id=patient.id,
                    destination_id=rsud.id,
                    status="diterbitkan",
                    number=number,
                    created_at=at,
                    issued_at=at,
                    issued_on=TODAY,
                    valid_until=TODAY + timedelta(days=90),
                )
            )
        db.session.commit()
    return logged_in(app, "faskes.solok")


def _found(client, url: str, q: str) -> set[str]:
    """Which of the test's patients the page shows for ``q``."""
    text = client.get(url, query_string={"q": q}).get_data(as_text=True)
    return {name for name in [p[0] for p in PATIENTS] + ["Samsul Lain"] if name in text}


@pytest.mark.parametrize("url", ["/rujukan/", "/rujukan/pasien"])
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Samsul", {"Syamsul Bahri"}),  # a spelling variant; the other facility's Samsul is not ours
        ("bahri", {"Syamsul Bahri"}),  # any word, any case
        ("Nur Hayati", {"Nurhayati Cari"}),  # written apart
        ("kayo", {"Bujang Kayo"}),  # the last word
        ("Yusup", {"Yusuf Datuak"}),
        ("1302180202900033", {"Bujang Kayo"}),  # the full NIK
        ("900044", {"Yusuf Datuak"}),  # the NIK's last digits
        ("Zainuddin", set()),
    ],
)
def test_search_finds_patients_by_name_and_nik(searchable, url, q, expected):
    assert _found(searchable, url, q) == expected


def test_a_letter_is_found_by_a_piece_of_its_number(searchable):
    assert _found(searchable, "/rujukan/", "0773/rjk") == {"Bujang Kayo"}
    assert _found(searchable, "/rujukan/", "0775/RJK") == set()  # another facility's letter


def test_the_incoming_list_finds_the_letters_addressed_to_it(app, searchable):
    rsud = logged_in(app, "faskes.rsud.sijunjung")
    assert _found(rsud, "/rujukan/masuk", "samsul") == {"Syamsul Bahri", "Samsul Lain"}


def test_a_renamed_patient_is_found_by_the_new_name(app, searchable):
    with app.app_context():
        patient = patient_named("Bujang Kayo")
        patient.name = "Bujang Ameh"
        db.session.commit()
        assert db.session.get(Patient, patient.id).name_key == "bujangame"  # stored folded (silent h)
    assert "Bujang Ameh" in searchable.get("/rujukan/", query_string={"q": "ameh"}).get_data(as_text=True)
    assert _found(searchable, "/rujukan/", "kayo") == set()
