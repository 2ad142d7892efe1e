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
    """Rosmaniar (berat, wheelchair) has no assistance in the demo; a proposal keeps her on the list (only aid
    paid out counts, tests/sidilan/test_aid_periods.py)."""
    auth.login("operator.solok")
    pid = person_id_of(app, "Rosmaniar")
    assert str(pid) in _unassisted_ids(client)
    client.post(
        f"/sidilan/orang/{pid}/bantuan", data=keyed(program_id=str(_program(app, "ASPD")), tahun="2024")
    )
    assert str(pid) in _unassisted_ids(client)


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


YEAR = 2031  # no demo aid is for this year: the rows below are the only ones the report shows for it
MEMBERS = ("Rosmaniar", "Syamsul Bahri")  # two demo persons of Kab. Solok, moved into new families


def _double_rows(client) -> set[tuple[str, str, int]]:
    """What 'Bantuan ganda' shows for YEAR: (members, program, count) per row."""
    html = client.get("/sidilan/bantuan-ganda").text
    rows = set()
    for tr in re.findall(r"<tr><td>.*?</tr>", html):
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
        if cells[3] == str(YEAR):
            rows.add((tuple(sorted(cells[1].split(", "))), cells[2], int(cells[-1])))
    return rows


def _family(app, no_kk: str, *names: str) -> tuple[int, list[int]]:
    """A new household in Kab. Solok holding the demo persons ``names`` (moved there)."""
    from blueprints.sidilan.models import Person

    person_ids = [person_id_of(app, name) for name in names]
    with app.app_context():
        regency = db.session.scalar(select(Regency).where(Regency.code == "13.02"))
        hh = Household(regency_id=regency.id, no_kk=no_kk)
        db.session.add(hh)
        db.session.flush()
        for person_id in person_ids:
            db.session.get(Person, person_id).household_id = hh.id
        db.session.commit()
        return hh.id, person_ids


def _aid(app, kode: str, status: str = "disetujui", person_id=None, household_id=None) -> int:
    with app.app_context():
        regency = db.session.scalar(select(Regency).where(Regency.code == "13.02"))
        row = Assistance(
            regency_id=regency.id,
            program_id=_program(app, kode),
            person_id=person_id,
            household_id=household_id,
            tahun=YEAR,
            status=status,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def _recipient(app, aid_id: int):
    with app.app_context():
        return db.session.scalar(select(Assistance.recipient_household_id).where(Assistance.id == aid_id))


def test_double_aid_counts_household_aid_and_a_members_aid(app, client, auth):
    hh, (syamsul, rosmaniar) = _family(app, "1302189900000001", "Syamsul Bahri", "Rosmaniar")
    family_aid = _aid(app, "BPNT", household_id=hh)
    member_aid = _aid(app, "BPNT", person_id=rosmaniar)
    assert _recipient(app, family_aid) == hh and _recipient(app, member_aid) == hh
    auth.login("operator.solok")
    assert _double_rows(client) == {(MEMBERS, "BPNT", 2)}


def test_double_aid_counts_two_members_not_one_aid_each_program(app, client, auth):
    hh, (syamsul, rosmaniar) = _family(app, "1302189900000002", "Syamsul Bahri", "Rosmaniar")
    _aid(app, "PKH", person_id=syamsul)
    _aid(app, "PKH", person_id=rosmaniar, status="disalurkan")
    _aid(app, "BPNT", person_id=syamsul)  # another program once: not double
    auth.login("operator.solok")
    assert _double_rows(client) == {(MEMBERS, "PKH", 2)}


def test_double_aid_follows_a_person_moved_to_another_household(app, client, auth):
    """The stored household of a member's aid follows the person (the database's trigger), in both families."""
    from blueprints.sidilan.models import Person

    first, (syamsul,) = _family(app, "1302189900000003", "Syamsul Bahri")
    second, (rosmaniar,) = _family(app, "1302189900000004", "Rosmaniar")
    moved = _aid(app, "PKH", person_id=syamsul)
    _aid(app, "PKH", household_id=second)
    auth.login("operator.solok")
    assert _double_rows(client) == set()
    with app.app_context():
        db.session.get(Person, syamsul).household_id = second
        db.session.commit()
    assert _recipient(app, moved) == second
    assert _double_rows(client) == {(MEMBERS, "PKH", 2)}
    with app.app_context():  # a bulk write (no ORM object) is followed too
        db.session.execute(Person.__table__.update().where(Person.id == syamsul).values(household_id=first))
        db.session.commit()
    assert _recipient(app, moved) == first
    assert _double_rows(client) == set()


def test_double_aid_skips_rejected_and_stopped_aid(app, client, auth):
    hh, (syamsul, rosmaniar) = _family(app, "1302189900000005", "Syamsul Bahri", "Rosmaniar")
    _aid(app, "PKH", person_id=syamsul)
    _aid(app, "PKH", person_id=rosmaniar, status="ditolak")
    _aid(app, "PKH", household_id=hh, status="dihentikan")
    _aid(app, "BPNT", household_id=hh, status="diusulkan")
    stopped = _aid(app, "BPNT", person_id=rosmaniar, status="disalurkan")
    auth.login("operator.solok")
    assert _double_rows(client) == {(MEMBERS, "BPNT", 2)}
    with app.app_context():
        aid = db.session.get(Assistance, stopped)
        aid.status = "dihentikan"
        db.session.commit()
    assert _double_rows(client) == set()


def test_recipient_household_is_kept_on_every_write_path(app):
    """A Core insert (the bulk import's way), moving an aid to the family and back: the database sets the
    stored household each time; the model never writes it."""
    hh, (syamsul,) = _family(app, "1302189900000006", "Syamsul Bahri")
    other, _ = _family(app, "1302189900000007")
    with app.app_context():
        regency = db.session.scalar(select(Regency).where(Regency.code == "13.02"))
        aid_id = db.session.execute(
            Assistance.__table__.insert()
            .values(
                regency_id=regency.id,
                program_id=_program(app, "PKH"),
                person_id=syamsul,
                tahun=YEAR,
                status="disetujui",
                version=1,
            )
            .returning(Assistance.__table__.c.id)
        ).scalar_one()
        db.session.commit()
    assert _recipient(app, aid_id) == hh
    with app.app_context():
        aid = db.session.get(Assistance, aid_id)
        aid.person_id, aid.household_id = None, other
        db.session.commit()
        assert aid.recipient_household_id == other  # read back from the row, not kept from before
    assert _recipient(app, aid_id) == other
    with app.app_context():  # a direct write of the stored value is put right
        db.session.execute(
            Assistance.__table__.update().where(Assistance.id == aid_id).values(recipient_household_id=hh)
        )
        db.session.commit()
    assert _recipient(app, aid_id) == other
