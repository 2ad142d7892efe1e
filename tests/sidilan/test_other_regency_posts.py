"""The other regency's clerk or verifier cannot change a record through the newer SIDILAN forms: the
household's recipients, an import's match decisions and the verval outcomes (404 or skipped, nothing stored)."""

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.sidilan.models import Household, Person
from blueprints.sidilan.verval_models import VervalOutcome
from blueprints.wilayah.models import Wilayah

from .conftest import TIGO_JANGKO_NAGARI, person_id_of, version_of
from .test_import_real import NIK_MAN_1970, csv_file, preview
from .test_separation import _approved_pair


def test_the_household_recipients_of_another_regency_are_404(app, client, auth):
    pid = person_id_of(app, "Rosmaniar")
    with app.app_context():
        hid = db.session.get(Person, pid).household_id
        members = [m.id for m in db.session.get(Household, hid).members]
    auth.login("operator.sijunjung")
    r = client.post(
        f"/sidilan/keluarga/{hid}/penerima",
        data={
            "penerima-penerima_utama_id": str(members[0]),
            "penerima-penerima_pengganti_id": "",
            "penerima-version": version_of(app, Household, hid),
        },
    )
    assert r.status_code == 404
    with app.app_context():
        assert db.session.get(Household, hid).penerima_utama_id is None


def test_the_match_decision_of_another_regencys_import_is_404(app, client, auth):
    with app.app_context():
        nagari = db.session.scalar(select(Wilayah.name).where(Wilayah.code == TIGO_JANGKO_NAGARI))
    auth.login("operator.solok")
    data = csv_file(
        ("NIK", "NAMA", "JK", "TGL LAHIR", "NAGARI"),
        ("'" + NIK_MAN_1970, "Bujang", "L", "01-01-1970", nagari),
    )
    token, _ = preview(client, data)
    auth.logout()
    auth.login("operator.sijunjung")
    r = client.post(f"/sidilan/impor/{token}/cocok", data={"baris": "2", "keputusan": "sama"})
    assert r.status_code == 404
    assert client.get(f"/sidilan/impor/{token}/uji").status_code == 404
    auth.logout()
    auth.login("operator.solok")
    assert "dikonfirmasi" not in client.get(f"/sidilan/impor/{token}/uji").text


def test_verval_outcomes_for_another_regencys_records_are_skipped(app, client, auth):
    _, febri = _approved_pair(app)  # Kab. Solok, due for verval
    with app.app_context():
        version = db.session.get(Person, febri).version
    auth.login("verifikator.sijunjung")
    page = client.post(
        "/sidilan/verval/catat",
        data={"pilih": f"{febri}:{version}", "hasil": "meninggal"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "<b>0</b> data diproses" in page and "<b>1</b> data dilewati" in page
    with app.app_context():
        person = db.session.get(Person, febri)
        assert person.status_hidup != "meninggal" and person.version == version
        assert db.session.scalar(select(VervalOutcome.id).where(VervalOutcome.person_id == febri)) is None
