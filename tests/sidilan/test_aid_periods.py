"""Assistance that adds up (issue 13 part 5): periods per program, "bantuan ganda" per period, the warning at
entry for a second entry of the same program and period, "tanpa bantuan" counting only aid paid out, and the
aid history of a person."""

import re

from sqlalchemy import func, select

from blueprints.auth.models import Regency, User
from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.core.timeutil import today_local
from blueprints.sidilan import report_dashboard
from blueprints.sidilan.models import Assistance, Household, Person, Program

from .conftest import keyed, person_id_of, version_of

YEAR = 2031  # no demo aid is for this year
MEMBERS = ("Rosmaniar", "Syamsul Bahri")


def _program(app, kode) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Program.id)
            .join(Regency, Regency.id == Program.regency_id)
            .where(Program.kode == kode, Regency.code == "13.02")
        )


def _family(app, no_kk: str) -> tuple[int, int, int]:
    """A new Kab. Solok household holding the demo persons Syamsul Bahri and Rosmaniar (moved there)."""
    syamsul, rosmaniar = person_id_of(app, "Syamsul Bahri"), person_id_of(app, "Rosmaniar")
    with app.app_context():
        regency = db.session.scalar(select(Regency).where(Regency.code == "13.02"))
        hh = Household(regency_id=regency.id, no_kk=no_kk)
        db.session.add(hh)
        db.session.flush()
        for pid in (syamsul, rosmaniar):
            db.session.get(Person, pid).household_id = hh.id
        db.session.commit()
        return hh.id, syamsul, rosmaniar


def _post(client, pid, **data):
    return client.post(f"/sidilan/orang/{pid}/bantuan", data=keyed(data))


def _aid_count(app, program_id) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(Assistance.id)).where(
                Assistance.program_id == program_id, Assistance.tahun == YEAR
            )
        )


def _double_rows(client) -> set[tuple[tuple[str, ...], str, str, int]]:
    """What 'Bantuan ganda' shows for YEAR: (members, program, month or tahap, count) per row."""
    html = client.get("/sidilan/bantuan-ganda").text
    rows = set()
    for tr in re.findall(r"<tr><td>.*?</tr>", html):
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
        if cells[3] == str(YEAR):
            rows.add((tuple(sorted(cells[1].split(", "))), cells[2], cells[4], int(cells[5])))
    return rows


def test_bpnt_january_and_february_are_not_double(app, client, auth):
    hh, syamsul, rosmaniar = _family(app, "1302189900000101")
    bpnt = _program(app, "BPNT")
    auth.login("operator.solok")
    for bulan in ("1", "2"):
        r = _post(client, rosmaniar, program_id=bpnt, untuk_keluarga="y", tahun=YEAR, bulan=bulan)
        assert r.status_code == 302, r.text
    assert _double_rows(client) == set()
    # January again (entered from the other member): warned, then saved on purpose, then double
    r = _post(client, syamsul, program_id=bpnt, untuk_keluarga="y", tahun=YEAR, bulan="1")
    assert r.status_code == 422 and "BPNT Januari 2031 sudah tercatat untuk keluarga ini" in r.text
    assert _aid_count(app, bpnt) == 2
    r = _post(client, syamsul, program_id=bpnt, untuk_keluarga="y", tahun=YEAR, bulan="1", tetap_simpan="y")
    assert r.status_code == 302
    assert _double_rows(client) == {(MEMBERS, "BPNT", "Januari", 2)}


def test_the_same_pkh_tahap_twice_is_double_and_warned_at_entry(app, client, auth):
    hh, syamsul, rosmaniar = _family(app, "1302189900000102")
    pkh = _program(app, "PKH")
    auth.login("operator.solok")
    assert _post(client, syamsul, program_id=pkh, tahun=YEAR, tahap_ke="1").status_code == 302
    assert _post(client, syamsul, program_id=pkh, tahun=YEAR, tahap_ke="2").status_code == 302
    assert _double_rows(client) == set()
    # the other member, the same tahap: a warning beside the period fields, with the box to save anyway
    r = _post(client, rosmaniar, program_id=pkh, tahun=YEAR, tahap_ke="1", nilai_rp="600000")
    assert r.status_code == 422
    warning = re.search(r'<div class="wide panel warn" id="periode-ganda".*?</div>', r.text, re.S)
    assert warning, r.text
    assert "PKH Tahap 1 2031 sudah tercatat untuk anggota keluarga Syamsul Bahri" in warning.group()
    assert "status Diusulkan" in warning.group() and 'name="tetap_simpan"' in warning.group()
    assert 'value="600000"' in r.text  # what the clerk typed stays in the form
    assert _aid_count(app, pkh) == 2
    r = _post(client, rosmaniar, program_id=pkh, tahun=YEAR, tahap_ke="1", tetap_simpan="y")
    assert r.status_code == 302
    assert _double_rows(client) == {(MEMBERS, "PKH", "Tahap 1", 2)}
    with app.app_context():
        summary = db.session.scalar(
            select(AuditEvent.summary)
            .where(AuditEvent.object_type == "sidilan_assistance", AuditEvent.action == "create")
            .order_by(AuditEvent.id.desc())
        )
    assert (
        summary
        == f"bantuan PKH Tahap 1 2031 untuk orang #{rosmaniar} (tetap disimpan walau periode sama sudah tercatat)"
    )


def test_a_one_off_program_is_double_in_any_year_and_the_warning_is_an_audited_read(app, client, auth):
    """ALAT-BANTU is given once ("sekali"): a second wheelchair for the same person two years later is still a
    second entry of the same aid. Showing the warning reads the earlier entry: it is audited."""
    hh, syamsul, rosmaniar = _family(app, "1302189900000104")
    alat = _program(app, "ALAT-BANTU")
    auth.login("operator.solok")
    assert _post(client, syamsul, program_id=alat, tahun=YEAR).status_code == 302
    r = _post(client, syamsul, program_id=alat, tahun=YEAR + 2, nilai_rp="1500000")
    assert r.status_code == 422
    assert f"ALAT-BANTU {YEAR} sudah tercatat untuk orang ini" in r.text
    assert 'value="1500000"' in r.text
    with app.app_context():
        earlier = db.session.scalar(select(Assistance.id).where(Assistance.person_id == syamsul))
        read = db.session.scalar(
            select(AuditEvent.summary)
            .where(AuditEvent.object_type == "sidilan_assistance", AuditEvent.action == "view")
            .order_by(AuditEvent.id.desc())
        )
    assert read == f"peringatan periode sama ALAT-BANTU untuk orang #{syamsul}: bantuan #{earlier}"
    assert _post(client, syamsul, program_id=alat, tahun=YEAR + 2, tetap_simpan="y").status_code == 302
    # a yearly program is counted per year: ASPD this year and next are no warning
    aspd = _program(app, "ASPD")
    assert _post(client, rosmaniar, program_id=aspd, tahun=YEAR).status_code == 302
    assert _post(client, rosmaniar, program_id=aspd, tahun=YEAR + 1).status_code == 302


def test_a_rejected_aid_of_the_period_is_no_warning(app, client, auth):
    hh, syamsul, rosmaniar = _family(app, "1302189900000103")
    pkh = _program(app, "PKH")
    auth.login("operator.solok")
    assert _post(client, syamsul, program_id=pkh, tahun=YEAR, tahap_ke="3").status_code == 302
    with app.app_context():
        aid = db.session.scalar(
            select(Assistance.id).where(Assistance.person_id == syamsul, Assistance.tahun == YEAR)
        )
    client.post(
        f"/sidilan/bantuan/{aid}/status",
        data={"status": "ditolak", "next_person": syamsul, "version": version_of(app, Assistance, aid)},
    )
    assert _post(client, syamsul, program_id=pkh, tahun=YEAR, tahap_ke="3").status_code == 302


def test_the_period_is_checked_against_the_program(app, client, auth):
    pid = person_id_of(app, "Rosmaniar")
    bpnt, pkh, aspd = _program(app, "BPNT"), _program(app, "PKH"), _program(app, "ASPD")
    auth.login("operator.solok")
    cases = [
        (dict(program_id=bpnt, untuk_keluarga="y", tahun=YEAR), "BPNT disalurkan bulanan: pilih bulannya."),
        (
            dict(program_id=bpnt, untuk_keluarga="y", tahun=YEAR, bulan="3", tahap_ke="1"),
            "BPNT disalurkan bulanan, bukan per tahap: kosongkan tahap.",
        ),
        (dict(program_id=pkh, tahun=YEAR), "PKH disalurkan per tahap: isi tahap ke berapa."),
        (dict(program_id=pkh, tahun=YEAR, tahap_ke="13"), "Tahap 1–12."),
        (dict(program_id=aspd, tahun=YEAR, bulan="5"), "ASPD bersifat tahunan: kosongkan bulan."),
        (dict(program_id=aspd, tahun=YEAR, bulan="13"), "Pilihan tidak sah."),
    ]
    for data, message in cases:
        r = _post(client, pid, **data)
        assert r.status_code == 422 and message in r.text, (data, r.text)
    # a payout dated before its period is a slip of the pen (a late payout, after the period, is normal)
    last = today_local().year - 1
    early = [
        (
            dict(program_id=bpnt, untuk_keluarga="y", tahun=last, bulan="3", tgl_salur=f"{last}-02-27"),
            f"Tanggal salur 27 Februari {last} sebelum periode bantuannya (Maret {last}).",
        ),
        (
            dict(program_id=aspd, tahun=last, tgl_salur=f"{last - 1}-12-30"),
            f"Tanggal salur 30 Desember {last - 1} sebelum periode bantuannya ({last}).",
        ),
    ]
    for data, message in early:
        r = _post(client, pid, **data)
        assert r.status_code == 422 and message in r.text, (data, r.text)
    late = _post(
        client, pid, program_id=bpnt, untuk_keluarga="y", tahun=last, bulan="3", tgl_salur=f"{last}-04-02"
    )
    assert late.status_code == 302
    # a monthly program without the month takes it from the payout date
    salur = today_local().replace(day=1)
    r = _post(client, pid, program_id=bpnt, untuk_keluarga="y", tahun=salur.year, tgl_salur=salur.isoformat())
    assert r.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(Assistance).order_by(Assistance.id.desc()))
        assert (row.program_id, row.tahun, row.bulan, row.tahap_ke) == (bpnt, salur.year, salur.month, None)


def _unassisted_ids(client) -> set[str]:
    html = client.get("/sidilan/tanpa-bantuan").get_data(as_text=True)
    assert "hal=2" not in html
    return set(re.findall(r'href="/sidilan/orang/(\d+)"', html))


def _dashboard_unassisted(app) -> int:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "operator.solok"))
        return report_dashboard.build(user, today_local()).unassisted


def test_a_proposal_stays_in_tanpa_bantuan_and_aid_paid_out_removes_it(app, client, auth):
    """Rosmaniar (berat, no aid in the demo): proposed and approved aid keep her listed (the list and the
    dashboard count agree); paid out (disalurkan) takes her off; stopped puts her back."""
    pid = person_id_of(app, "Rosmaniar")
    auth.login("operator.solok")
    assert str(pid) in _unassisted_ids(client)
    before = _dashboard_unassisted(app)
    assert _post(client, pid, program_id=_program(app, "ASPD"), tahun=YEAR).status_code == 302
    with app.app_context():
        aid = db.session.scalar(
            select(Assistance.id).where(Assistance.person_id == pid, Assistance.tahun == YEAR)
        )
    assert str(pid) in _unassisted_ids(client) and _dashboard_unassisted(app) == before
    for step, listed in (("disetujui", True), ("disalurkan", False), ("dihentikan", True)):
        r = client.post(
            f"/sidilan/bantuan/{aid}/status",
            data={"status": step, "next_person": pid, "version": version_of(app, Assistance, aid)},
        )
        assert r.status_code == 302
        assert (str(pid) in _unassisted_ids(client)) is listed, step
        assert _dashboard_unassisted(app) == (before if listed else before - 1), step


def test_household_aid_paid_out_removes_every_member(app, client, auth):
    hh, syamsul, rosmaniar = _family(app, "1302189900000104")
    auth.login("operator.solok")
    assert str(rosmaniar) in _unassisted_ids(client)
    with app.app_context():
        regency_id = db.session.get(Person, rosmaniar).regency_id
        db.session.add(
            Assistance(
                regency_id=regency_id,
                program_id=_program(app, "PKH"),
                household_id=hh,
                tahun=YEAR,
                tahap_ke=1,
                status="disalurkan",
            )
        )
        db.session.commit()
    assert str(rosmaniar) not in _unassisted_ids(client)


def test_the_aid_history_lists_every_entry_with_who_entered_it(app, client, auth):
    hh, syamsul, rosmaniar = _family(app, "1302189900000105")
    auth.login("operator.solok")
    assert (
        _post(
            client,
            rosmaniar,
            program_id=_program(app, "BPNT"),
            untuk_keluarga="y",
            tahun=YEAR,
            bulan="2",
            nilai_rp="200000",
        ).status_code
        == 302
    )
    assert (
        _post(client, rosmaniar, program_id=_program(app, "PKH"), tahun=YEAR, tahap_ke="1").status_code == 302
    )
    assert (
        _post(
            client,
            rosmaniar,
            program_id=_program(app, "ALAT-BANTU"),
            tahun=YEAR,
            uraian_barang="Kursi roda",
            jumlah="1",
        ).status_code
        == 302
    )
    with app.app_context():
        clerk = db.session.scalar(select(User.name).where(User.username == "operator.solok"))
    url = f"/sidilan/orang/{rosmaniar}/riwayat-bantuan"
    assert url in client.get(f"/sidilan/orang/{rosmaniar}").text  # linked from the record
    html = client.get(url).text
    rows = [re.sub(r"<[^>]+>", "", tr) for tr in re.findall(r"<tr><td>.*?</tr>", html)]
    mine = [r for r in rows if str(YEAR) in r]
    assert len(mine) == 3, rows
    # newest period first: February before Tahap 1 before the year-only entry
    assert mine[0].startswith("BPNTFebruari 2031Keluarga") and "Rp 200.000" in mine[0]
    assert mine[1].startswith("PKHTahap 1 2031Perorangan")
    assert mine[2].startswith("ALAT-BANTU2031Perorangan") and "Kursi roda × 1" in mine[2]
    assert all("Diusulkan" in r and clerk in r for r in mine)
    # the other member sees the household's aid, not Rosmaniar's own
    other = client.get(f"/sidilan/orang/{syamsul}/riwayat-bantuan").text
    assert "Februari 2031" in other and "Tahap 1 2031" not in other
    with app.app_context():
        seen = db.session.scalar(
            select(AuditEvent.summary).where(AuditEvent.action == "view").order_by(AuditEvent.id.desc())
        )
    assert seen and "riwayat bantuan" in seen
    auth.logout()
    auth.login("pimpinan.solok")
    assert client.get(url).status_code == 200
    auth.logout()
    auth.login("operator.sijunjung")
    assert client.get(url).status_code == 404


def test_programs_show_and_keep_their_period(app, client, auth):
    auth.login("verifikator.solok")
    html = client.get("/sidilan/program").text
    row = re.search(r"<tr><td><a[^>]*>PKH</a>.*?</tr>", html).group()
    assert "Per tahap" in row
    aspd = _program(app, "ASPD")
    form = client.get(f"/sidilan/program/{aspd}").text
    assert '<option selected value="tahunan">' in form or 'value="tahunan" selected' in form
    with app.app_context():
        p = db.session.get(Program, aspd)
        data = dict(
            kode=p.kode, nama=p.nama, sasaran=p.sasaran, periode="bulanan", aktif="y", version=p.version
        )
    assert client.post(f"/sidilan/program/{aspd}", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Program, aspd).periode == "bulanan"


def test_the_entry_warning_reads_the_aid_indexes(app):
    """The check for an earlier entry of the program and period probes indexes (person's aid, the household's
    aid by its recipient household), never a full scan of the aid table."""
    from blueprints.sidilan.assistance import same_period_stmt

    hh, syamsul, rosmaniar = _family(app, "1302189900000106")
    with app.app_context():
        person = db.session.get(Person, rosmaniar)
        stmt = same_period_stmt(person, _program(app, "PKH"), YEAR, None, 1)
        conn = db.session.connection()
        compiled = stmt.compile(conn, compile_kwargs={"render_postcompile": True})
        if conn.dialect.name == "sqlite":
            params = tuple(compiled.params[k] for k in compiled.positiontup)
            plan = [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), params)]
            assert not [d for d in plan if d.startswith("SCAN sidilan_assistance")], plan
            assert any("ix_sidilan_assistance_regency_recipient" in d for d in plan), plan
            assert any("ix_sidilan_assistance_person_" in d for d in plan), plan
        else:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = [r[0] for r in conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params)]
            assert not [d for d in plan if "Seq Scan on sidilan_assistance" in d], plan


def test_the_migration_takes_existing_periods_from_the_date_and_the_old_tahap(tmp_path):
    """0026 on rows stored before it: a monthly program's month from the payout date, a tahap program's number
    from the old text ("Tahap 2") or else from the payout quarter; the seeded programs get their periods."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from tests.conftest import make_config

    app = create_app(make_config("sqlite:///" + str(tmp_path / "aid.sqlite")))
    with app.app_context():
        upgrade(revision="0021_rujukan_awaiting_reply")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO regency (id, code, name) VALUES (1, '13.02', 'Kabupaten Solok')"))
            for pid, kode in ((1, "BPNT"), (2, "PKH"), (3, "APBD")):
                conn.execute(
                    text(
                        "INSERT INTO sidilan_program (id, kode, nama, sasaran, punya_komponen, aktif, regency_id,"
                        " version) VALUES (:id, :kode, :kode, 'keluarga', 0, 1, 1, 1)"
                    ),
                    {"id": pid, "kode": kode},
                )
            for aid, prog, tgl, tahap in (
                (1, 1, "2026-02-10", None),
                (2, 1, None, None),
                (3, 2, "2026-08-01", "Tahap 2"),
                (4, 2, "2026-08-01", None),
                (5, 3, "2026-08-01", "Tahap 1"),
            ):
                conn.execute(
                    text(
                        "INSERT INTO sidilan_assistance (id, program_id, tahun, tgl_salur, tahap, status, regency_id,"
                        " version, created_at, updated_at) VALUES (:id, :prog, 2026, :tgl, :tahap, 'disalurkan', 1,"
                        " 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                    ),
                    {"id": aid, "prog": prog, "tgl": tgl, "tahap": tahap},
                )
        upgrade(revision="0026_sidilan_aid_periods")
        with db.engine.connect() as conn:
            periods = dict(conn.execute(text("SELECT kode, periode FROM sidilan_program")).all())
            rows = conn.execute(text("SELECT id, bulan, tahap_ke FROM sidilan_assistance ORDER BY id")).all()
        db.engine.dispose()
    assert periods == {"BPNT": "bulanan", "PKH": "tahap", "APBD": "tahunan"}
    assert [tuple(r) for r in rows] == [
        (1, 2, None),
        (2, None, None),
        (3, None, 2),
        (4, None, 3),
        (5, None, None),
    ]
