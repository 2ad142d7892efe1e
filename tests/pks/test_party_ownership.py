"""Each party owns its part: a regency's Bagian Kerjasama records and corrects only its own party's number,
signatories and surat kuasa (the other side's forms are not offered and answer 404); outside partners (a city,
a university, a company) are parties with their own names and numbers, recorded by the initiating regency;
a regency's OPD comes from the organisation list."""

import re

from sqlalchemy import select

from blueprints.auth.models import Organisation
from blueprints.core.extensions import db
from blueprints.pks.models import Agreement, DocNumber, Party

from .conftest import key, make_signable, regency_id, version_of


def _parties(app, agreement_id) -> dict:
    """party id by (regency code or outside partner's name), first of each."""
    with app.app_context():
        a = db.session.get(Agreement, agreement_id)
        found = {}
        for p in a.parties:
            found.setdefault(p.regency.code if p.regency else p.mitra_nama, p.id)
        return found


def test_the_other_sides_number_and_signatory_forms_answer_404(app, solok, sijunjung, ids):
    aid = ids["pks2"]
    with app.app_context():
        make_signable(db.session.get(Agreement, aid))
        db.session.commit()
    parties = _parties(app, aid)
    sol, sij = parties["13.02"], parties["13.03"]
    with app.app_context():
        sol_number = db.session.scalar(select(DocNumber).where(DocNumber.party_id == sol))
        sol_sig = db.session.get(Party, sol).signatories[0]
        number_id, sig_id, number_text, version = (
            sol_number.id,
            sol_sig.id,
            sol_number.nomor,
            sol_number.version,
        )
    # Sijunjung sees Solok's number and signatory, with no link to change them
    page = sijunjung.get(f"/pks/{aid}/pihak").get_data(as_text=True)
    assert number_text in page
    assert f"/pks/{aid}/nomor/{number_id}" not in page and f"/pks/{aid}/penandatangan/{sig_id}" not in page
    assert f"/pks/{aid}/pihak/{sol}" not in page and f"/pks/{aid}/pihak/{sij}" in page
    # and its own number form offers only its own party
    form = page.split('name="bagian" value="nomor"')[1].split("</form>")[0]
    assert f'value="{sij}"' in form and f'value="{sol}"' not in form
    for url in (
        f"/pks/{aid}/nomor/{number_id}",
        f"/pks/{aid}/penandatangan/{sig_id}",
        f"/pks/{aid}/pihak/{sol}",
    ):
        assert sijunjung.get(url).status_code == 404, url
        assert sijunjung.post(url, data={"version": version, "nomor": "X", "nama": "X"}).status_code == 404
        assert sijunjung.post(url + "/hapus", data={"d-alasan": "Salah"}).status_code == 404
    # overwriting Solok's register number through the create form is refused too
    r = sijunjung.post(
        f"/pks/{aid}/pihak", data={**key("n"), "bagian": "nomor", "n-party_id": sol, "n-nomor": "999/SIJ"}
    )
    assert r.status_code == 422
    with app.app_context():
        assert db.session.get(DocNumber, number_id).nomor == number_text
    # Solok itself reaches all three
    assert all(
        solok.get(u).status_code == 200 for u in (f"/pks/{aid}/nomor/{number_id}", f"/pks/{aid}/pihak/{sol}")
    )


def test_a_record_outside_ones_scope_is_404(app, solok, sijunjung, ids):
    r = solok.post("/pks/baru", data={**key(), "jenis": "KSB", "judul": "KSB Solok dan Kota Solok"})
    aid = int(re.search(r"/pks/(\d+)", r.headers["Location"]).group(1))
    party = _parties(app, aid)["13.02"]
    assert sijunjung.get(f"/pks/{aid}/pihak").status_code == 404
    assert sijunjung.get(f"/pks/{aid}/pihak/{party}").status_code == 404
    # a party id of another agreement under this agreement's address is 404 as well
    other = _parties(app, ids["pks1"])["13.02"]
    assert solok.get(f"/pks/{aid}/pihak/{other}").status_code == 404


def test_an_outside_partner_is_a_party_with_its_own_number_recorded_by_the_initiator(app, solok, sijunjung):
    r = solok.post("/pks/baru", data={**key(), "jenis": "KSB", "judul": "KSB Rujukan dengan Kota Solok"})
    assert r.status_code == 302
    aid = int(re.search(r"/pks/(\d+)", r.headers["Location"]).group(1))

    def add(**fields):
        return solok.post(
            f"/pks/{aid}/pihak",
            data={
                **key("p"),
                "bagian": "pihak",
                "p-menandatangani": "y",
                **{f"p-{k}": v for k, v in fields.items()},
            },
        )

    missing = add(regency_id="0", urutan="2")
    assert missing.status_code == 422
    assert "Nama mitra luar wajib diisi." in missing.text and "Pilih jenis mitra luar." in missing.text
    assert add(regency_id=regency_id(app, "13.03"), urutan="3").status_code == 302  # Sijunjung joins
    ok = add(
        regency_id="0",
        urutan="2",
        mitra_jenis="kota",
        mitra_nama="Pemerintah Kota Solok",
        opd="RSUD Kota Solok",
    )
    assert ok.status_code == 302
    page = solok.get(f"/pks/{aid}/pihak").get_data(as_text=True)
    assert "Pemerintah Kota Solok" in page and "Pemerintah kota" in page and "RSUD Kota Solok" in page
    partner = _parties(app, aid)["Pemerintah Kota Solok"]
    # the initiating regency (Solok) records the partner's number; Sijunjung cannot
    assert f'value="{partner}"' in page.split('name="bagian" value="nomor"')[1].split("</form>")[0]
    numbered = solok.post(
        f"/pks/{aid}/pihak",
        data={**key("n"), "bagian": "nomor", "n-party_id": partner, "n-nomor": "445/RSUD-KS/2026"},
        follow_redirects=True,
    )
    assert "445/RSUD-KS/2026" in numbered.text
    other = sijunjung.get(f"/pks/{aid}/pihak").get_data(as_text=True)
    assert "445/RSUD-KS/2026" in other and f"/pks/{aid}/pihak/{partner}" not in other
    assert sijunjung.get(f"/pks/{aid}/pihak/{partner}").status_code == 404
    with app.app_context():
        nid = db.session.scalar(select(DocNumber.id).where(DocNumber.party_id == partner))
    assert sijunjung.get(f"/pks/{aid}/nomor/{nid}").status_code == 404
    # Solok corrects the partner's name
    fixed = solok.post(
        f"/pks/{aid}/pihak/{partner}",
        data={
            "version": version_of(app, Party, partner),
            "regency_id": "0",
            "organisation_id": "0",
            "urutan": "2",
            "mitra_jenis": "kota",
            "mitra_nama": "Pemerintah Kota Solok",
            "opd": "RSUD M. Natsir Kota Solok",
            "menandatangani": "y",
        },
    )
    assert fixed.status_code == 302
    assert "unit: RSUD Kota Solok → RSUD M. Natsir Kota Solok" in solok.get(f"/pks/{aid}").text
    # the record page names the partner where a regency would be named; the list, the board, the sheet and the
    # timeline take an outside partner too
    assert "(Pemerintah Kota Solok)" in solok.get(f"/pks/{aid}").text
    for url in (
        "/pks/daftar",
        "/pks/papan",
        "/pks/menunggu",
        f"/pks/{aid}/lembar.pdf",
        f"/pks/{aid}/linimasa.pdf",
    ):
        assert solok.get(url).status_code == 200, url
    assert "KSB Rujukan dengan Kota Solok" in solok.get("/pks/daftar").text


def test_a_regencys_opd_comes_from_the_organisation_list(app, solok, ids):
    aid = ids["pks1"]
    sol, sij = regency_id(app, "13.02"), regency_id(app, "13.03")
    with app.app_context():
        sij_org = db.session.scalar(select(Organisation.id).where(Organisation.regency_id == sij))
    page = solok.get(f"/pks/{aid}/pihak").get_data(as_text=True)
    assert 'name="p-organisation_id"' in page and "Sijunjung · " in page and "Solok · " in page
    typed = solok.post(
        f"/pks/{aid}/pihak",
        data={**key("p"), "bagian": "pihak", "p-regency_id": sol, "p-urutan": "5", "p-opd": "Bappeda"},
    )
    assert typed.status_code == 422 and "dipilih dari daftar organisasi" in typed.text
    wrong = solok.post(
        f"/pks/{aid}/pihak",
        data={
            **key("p"),
            "bagian": "pihak",
            "p-regency_id": sol,
            "p-urutan": "5",
            "p-organisation_id": sij_org,
        },
    )
    assert wrong.status_code == 422 and "OPD ini bukan organisasi daerah yang dipilih." in wrong.text


def test_an_initiator_that_is_not_a_party_leaves_the_partner_to_the_party_regency(app, solok):
    """Solok registers a KSB initiated by Sijunjung, which is not a party yet: Solok records the partner's part."""
    r = solok.post(
        "/pks/baru",
        data={
            **key(),
            "jenis": "KSB",
            "judul": "KSB prakarsa Sijunjung uji",
            "pemrakarsa_regency_id": str(regency_id(app, "13.03")),
        },
    )
    assert r.status_code == 302, r.text[:500]
    aid = int(re.search(r"/pks/(\d+)", r.headers["Location"]).group(1))
    added = solok.post(
        f"/pks/{aid}/pihak",
        data={
            **key("p"),
            "bagian": "pihak",
            "p-regency_id": "0",
            "p-urutan": "2",
            "p-mitra_jenis": "universitas",
            "p-mitra_nama": "Universitas Andalas",
            "p-menandatangani": "y",
        },
    )
    assert added.status_code == 302
    partner = _parties(app, aid)["Universitas Andalas"]
    page = solok.get(f"/pks/{aid}/pihak").get_data(as_text=True)
    assert f'value="{partner}"' in page.split('name="bagian" value="nomor"')[1].split("</form>")[0]
    assert solok.get(f"/pks/{aid}/pihak/{partner}").status_code == 200
