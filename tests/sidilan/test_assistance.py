"""Programs (reference data), assistance records and status flow, the two coverage views."""

import re

from sqlalchemy import select

from blueprints.auth.models import Regency, User
from blueprints.core.extensions import db
from blueprints.core.timeutil import today_local
from blueprints.sidilan.assistance import double_program_stmt
from blueprints.sidilan.models import Assistance, Household, Program

from .conftest import keyed, person_id_of, version_of


def _program(app, kode, regency_code="13.02"):
    from blueprints.auth.models import Regency

    with app.app_context():
        return db.session.scalar(
            select(Program.id)
            .join(Regency, Regency.id == Program.regency_id)
            .where(Program.kode == kode, Regency.code == regency_code)
        )


def test_seeded_programs_and_verifikator_manages_them(app, client, auth):
    auth.login("verifikator.solok")
    html = client.get("/sidilan/program").get_data(as_text=True)
    for kode in ("PKH", "BPNT", "PBI-JK", "ATENSI", "ASPD", "ALAT-BANTU", "APBD"):
        assert kode in html
    r = client.post("/sidilan/program/baru", data=keyed(kode="pkh", nama="Dobel", sasaran="individu"))
    assert r.status_code == 422 and "Kode program ini sudah ada." in r.get_data(as_text=True)
    r = client.post(
        "/sidilan/program/baru",
        data=keyed(
            kode="BANSOS-LANSIA",
            nama="Bantuan lansia Nagari",
            sasaran="individu",
            sumber_dana="APBD Kab",
            aktif="y",
        ),
    )
    assert r.status_code == 302 and "BANSOS-LANSIA" in client.get("/sidilan/program").get_data(as_text=True)
    r = client.post("/sidilan/program/baru", data=keyed(kode="<script>", nama="x" * 10_000))
    assert r.status_code == 422 and "<script>" not in r.get_data(as_text=True)
    auth.logout()
    auth.login("operator.solok")
    assert client.get("/sidilan/program/baru").status_code == 404


def test_record_assistance_and_status_flow(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, "Febri")
    atensi = _program(app, "ATENSI")
    r = client.post(
        f"/sidilan/orang/{pid}/bantuan",
        data=keyed(program_id=str(atensi), komponen_atensi="7", tahun="2024", nilai_rp="abc"),
    )
    assert r.status_code == 422 and "Harus berupa bilangan bulat." in r.get_data(as_text=True)
    r = client.post(
        f"/sidilan/orang/{pid}/bantuan",
        data=keyed(program_id=str(atensi), komponen_atensi="7", tahun="2024", tahap="Tahap 1"),
    )
    assert r.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(Assistance).where(Assistance.person_id == pid))
        aid = row.id
        assert row.status == "diusulkan" and row.komponen_atensi == "7"
    # diusulkan -> disalurkan is not a step
    client.post(
        f"/sidilan/bantuan/{aid}/status",
        data={"status": "disalurkan", "next_person": pid, "version": version_of(app, Assistance, aid)},
    )
    with app.app_context():
        assert db.session.get(Assistance, aid).status == "diusulkan"
    for step in ("disetujui", "disalurkan", "dihentikan"):
        client.post(
            f"/sidilan/bantuan/{aid}/status",
            data={"status": step, "next_person": pid, "version": version_of(app, Assistance, aid)},
        )
        with app.app_context():
            assert db.session.get(Assistance, aid).status == step
    # the KPM option needs a household
    pkh = _program(app, "PKH")
    r = client.post(
        f"/sidilan/orang/{pid}/bantuan",
        data=keyed(program_id=str(pkh), untuk_keluarga="y", tahun="2024", komponen_atensi="1"),
    )
    assert r.status_code == 422 and "Komponen hanya untuk program ATENSI." in r.get_data(as_text=True)


def _unassisted_ids(client) -> set[str]:
    html = client.get("/sidilan/tanpa-bantuan").get_data(as_text=True)
    assert "hal=2" not in html  # the demo gap list fits on one page, so absence below is meaningful
    return set(re.findall(r'href="/sidilan/orang/(\d+)"', html))


def test_unassisted_view(app, client, auth):
    """Rosmaniar (berat, wheelchair) has no assistance in the demo; once aid is proposed she leaves the list."""
    auth.login("operator.solok")
    pid = person_id_of(app, "Rosmaniar")
    assert str(pid) in _unassisted_ids(client)
    client.post(
        f"/sidilan/orang/{pid}/bantuan", data=keyed(program_id=str(_program(app, "ASPD")), tahun="2024")
    )
    assert str(pid) not in _unassisted_ids(client)


def test_unassisted_includes_low_barthel(app, client, auth):
    """Syamsul Bahri's latest Barthel is 10 (sedang): not listed; a new visit scoring 8 lists him."""
    auth.login("operator.solok")
    pid = person_id_of(app, "Syamsul Bahri", "13.02")
    assert str(pid) not in _unassisted_ids(client)
    items = {
        "barthel_bab": "2",
        "barthel_bak": "2",
        "barthel_kebersihan_diri": "0",
        "barthel_toilet": "1",
        "barthel_makan": "2",
        "barthel_berpindah": "1",
        "barthel_mobilitas": "0",
        "barthel_berpakaian": "0",
        "barthel_tangga": "0",
        "barthel_mandi": "0",
    }
    r = client.post(f"/sidilan/orang/{pid}/asesmen", data=keyed(items, tgl_asesmen=today_local().isoformat()))
    assert r.status_code == 302
    assert str(pid) in _unassisted_ids(client)


def test_same_program_twice_view(app, client, auth):
    auth.login("operator.solok")
    html = client.get("/sidilan/bantuan-ganda").get_data(as_text=True)
    assert "BPNT" in html and "Tidak ada bantuan ganda." not in html
    auth.logout()
    auth.login("pimpinan.solok")
    assert client.get("/sidilan/bantuan-ganda").status_code == 200


def test_seed_command_is_idempotent(app, runner):
    with app.app_context():
        db.session.execute(Program.__table__.delete().where(~Program.id.in_(select(Assistance.program_id))))
        db.session.commit()
    first = runner.invoke(args=["sidilan", "seed"])
    assert first.exit_code == 0 and "Program bantuan ditambahkan:" in first.output
    assert "ditambahkan: 0" not in first.output
    again = runner.invoke(args=["sidilan", "seed"])
    assert "ditambahkan: 0" in again.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Program.id)).where(Program.kode == "ATENSI")) == 2


def test_double_program_pages_group_once(app, client, auth):
    """'Bantuan ganda' over two pages: 25 more households with one program twice in a year; the pager counts
    every group, page 2 holds the rest, and each page groups the aid rows in one statement."""
    from tests.queries import statements

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "operator.solok"))
        before = len(db.session.execute(double_program_stmt(user)).all())
        regency = db.session.scalar(select(Regency).where(Regency.code == "13.02"))
        bpnt = db.session.scalar(
            select(Program).where(Program.kode == "BPNT", Program.regency_id == regency.id)
        )
        for i in range(25):
            hh = Household(regency_id=regency.id, no_kk=f"13021899{i:08d}")
            db.session.add(hh)
            db.session.flush()
            for _ in range(2):
                db.session.add(
                    Assistance(
                        regency_id=regency.id,
                        program_id=bpnt.id,
                        household_id=hh.id,
                        tahun=2025,
                        status="disetujui",
                    )
                )
        db.session.commit()
    total = before + 25
    auth.login("operator.solok")
    with statements(app) as seen:
        page1 = client.get("/sidilan/bantuan-ganda").text
    assert sum("sidilan_assistance" in s for s in seen) == 1
    assert f"{total} data" in page1
    page2 = client.get("/sidilan/bantuan-ganda?hal=2").text
    assert f"{total} data" in page2
    assert page2.count('<td class="num">') == min(total - 20, 20)
