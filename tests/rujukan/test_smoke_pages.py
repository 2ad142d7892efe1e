"""Every rujukan page opens for the users who may use it, within the byte budget, and never 500s."""

import gzip

import pytest

from blueprints.rujukan.models import Referral

from ..conftest import HX
from .conftest import org, referral_where

PAGE_BUDGET, FRAGMENT_BUDGET = 14_000, 4_000


def gz(resp) -> int:
    return len(gzip.compress(resp.get_data()))


def test_facility_pages_within_budget(app, client, auth):
    auth.login("faskes.solok")
    with app.app_context():
        ref = referral_where(Referral.origin_id == org("pkm").id, Referral.status == "dijawab")
        patient_id, ref_id, pkm_id = ref.patient_id, ref.id, org("pkm").id
        rsud_id = org("rsud").id
    urls = [
        "/rujukan/",
        "/rujukan/masuk",
        "/rujukan/pasien",
        "/rujukan/pasien?q=Rosmaniar",
        "/rujukan/pasien/baru",
        f"/rujukan/pasien/{patient_id}",
        f"/rujukan/pasien/{patient_id}/rujukan/baru",
        f"/rujukan/{ref_id}",
        "/rujukan/faskes",
        f"/rujukan/faskes/{rsud_id}",
        f"/rujukan/faskes/{pkm_id}/ubah",
        "/rujukan/icd?q=heart",
        "/rujukan/register",
        "/rujukan/daftar-kerja",
        "/rujukan/daftar-kerja?daftar=kedaluwarsa",
        "/",
    ]
    for url in urls:
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert gz(resp) <= PAGE_BUDGET, (url, gz(resp))
    for url in [
        "/rujukan/?q=a",
        "/rujukan/pasien?q=ro",
        "/rujukan/icd?q=diab&slot=1",
        "/rujukan/faskes?q=rs",
        "/rujukan/daftar-kerja?daftar=belum_tiba",
        "/rujukan/icd/pilih?slot=1&code=I10",
    ]:
        resp = client.get(url, headers=HX)
        assert resp.status_code == 200, url
        assert b"<html" not in resp.data, url
        assert gz(resp) <= FRAGMENT_BUDGET, (url, gz(resp))


def test_receiver_and_dinkes_pages(app, client, auth):
    auth.login("faskes.rsud.sijunjung")
    resp = client.get("/rujukan/masuk")
    assert resp.status_code == 200 and "Rosmaniar" in resp.text
    auth.logout()
    auth.login("dinkes.solok")
    resp = client.get("/rujukan/")
    assert resp.status_code == 302 and "/rujukan/rekap" in resp.headers["Location"]
    resp = client.get("/rujukan/rekap")
    assert resp.status_code == 200 and gz(resp) <= PAGE_BUDGET
    assert client.get("/rujukan/masuk").status_code == 404
    assert client.get("/rujukan/pasien").status_code == 404


@pytest.mark.parametrize("user", ["operator.solok", "kerjasama.sijunjung", "admin.solok"])
def test_other_roles_get_404(client, auth, user):
    auth.login(user)
    assert client.get("/rujukan/").status_code == 404
    assert client.get("/rujukan/1").status_code == 404
