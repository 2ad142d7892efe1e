"""Imports of real spreadsheets (issue 13 part 1, docs/sidilan.md §7.4, §5.8): numeric-cell NIKs imported
flagged, scientific notation refused with its own message, no-NIK reasons from remarks and a per-file default,
proposed matches the clerk decides in the dry run, warnings kept as "perlu dicek" flags (shown, filterable,
cleared with an audit trail), remarks kept as notes, rejects keeping the original cells. Each behaviour has its
own tiny file built here."""

import csv
import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.sidilan.importer import plan
from blueprints.sidilan.models import Person, QualityFlag
from blueprints.sidilan.report_models import ImportBatch
from blueprints.wilayah.models import Wilayah

from .conftest import NIK_WOMAN_1984, TIGO_JANGKO_NAGARI
from .test_import import last_batch_url, map_and_preview, result_rows, run, selected_mapping, token_of, upload
from .test_plans import _captured

NIK_MAN_1970 = "1302180101700021"  # 13.02.18, 1 January 1970, a man, serial 0021


@pytest.fixture
def operator(client, auth):
    auth.login("operator.solok")
    return client


@pytest.fixture
def nagari(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Wilayah.name).where(Wilayah.code == TIGO_JANGKO_NAGARI))


def csv_file(*rows) -> bytes:
    return "\n".join(";".join(r) for r in rows).encode() + b"\n"


def xlsx_file(*rows) -> bytes:
    book = Workbook()
    for r in rows:
        book.active.append(list(r))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def preview(client, data: bytes, name: str = "data.csv", **form_over) -> tuple[str, str]:
    """Upload, take the guessed mapping (with ``form_over``), and the dry run's page: (token, html)."""
    token = token_of(upload(client, name=name, data=data))
    if form_over:
        page = client.get(f"/sidilan/impor/{token}/kolom")
        form = dict(selected_mapping(page.text), header_row="1", **form_over)
        r = client.post(f"/sidilan/impor/{token}/kolom", data=form)
        assert r.status_code == 302, r.text[:800]
    else:
        map_and_preview(client, token)
    return token, client.get(f"/sidilan/impor/{token}/uji").text


def created(app) -> list[Person]:
    """The people the newest batch created, with their open flags."""
    with app.app_context():
        batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
        people = db.session.scalars(
            select(Person).where(Person.id.in_(batch.created_ids)).order_by(Person.id)
        ).all()
        for p in people:
            p.flags = [f.message for f in p.open_flags]
        db.session.expunge_all()
        return people


def person_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Person))


def test_a_nik_from_a_number_cell_is_imported_flagged(app, operator, nagari):
    data = xlsx_file(
        ("NIK", "NAMA", "JK", "TGL LAHIR", "NAGARI"),
        (int(NIK_WOMAN_1984), "Ani", "P", "12-03-1984", nagari),
        (1302180101700000, "Budi", "L", "01-01-1970", nagari),  # the 16th digit lost: …0000 is no NIK
    )
    token, page = preview(operator, data, "angka.xlsx")
    assert result_rows(page) == {2: "Akan dibuat", 3: "Akan dibuat"}
    assert "NIK perlu dicek (dari sel angka)" in page and "digit terakhirnya hilang" in page
    run(operator, token)
    ani, budi = created(app)
    assert ani.nik == NIK_WOMAN_1984 and ani.flags == ["NIK perlu dicek (dari sel angka)"]
    assert budi.nik is None and budi.flags == [plan.DIGIT_LOST]
    shown = operator.get(f"/sidilan/orang/{ani.id}").text
    assert "Perlu dicek" in shown and "NIK perlu dicek (dari sel angka)" in shown


def test_a_csv_nik_in_scientific_notation_gets_its_own_message(operator, nagari):
    _, page = preview(
        operator,
        csv_file(
            ("NIK", "NAMA", "JK", "TGL LAHIR", "NAGARI"), ("1.30218E+15", "Ani", "P", "12-03-1984", nagari)
        ),
    )
    assert result_rows(page) == {2: "Ditolak"}
    assert "NIK tertulis dalam notasi ilmiah (&#39;1.30218E+15&#39;)" in page
    assert "digit-digitnya sudah hilang" in page and "Ketik ulang NIK sebagai teks" in page


@pytest.mark.parametrize(
    "remark, reason",
    [
        ("Belum rekam KTP", "belum_rekam"),
        ("blm rekam", "belum_rekam"),
        ("belum punya KTP", "belum_rekam"),
        ("anak", "belum_rekam"),
        ("ODGJ terlantar", "tidak_terdaftar"),
        ("tidak diketahui", "tidak_terdaftar"),
        ("KTP hilang", "hilang"),
    ],
)
def test_the_no_nik_reason_is_read_from_a_remarks_column(remark, reason):
    assert plan.read_remarks(remark) == (reason, [])


def test_remarks_give_the_reason_and_the_rest_becomes_notes(app, operator, nagari):
    data = csv_file(
        ("NIK", "NAMA", "JK", "TGL LAHIR", "NAGARI", "KETERANGAN"),
        ("", "Ani", "P", "12-03-1984", nagari, "Belum rekam KTP, tinggal sendiri"),
        ("", "Buyung", "L", "01-01-1950", nagari, "ODGJ terlantar"),
        (NIK_MAN_1970, "Budi", "L", "01-01-1970", nagari, "tinggal dengan anak"),
        ("", "Upik", "P", "01-01-1990", nagari, "tinggal sendiri"),  # no reason anywhere: refused
    )
    token, page = preview(operator, data)
    assert result_rows(page) == {2: "Akan dibuat", 3: "Akan dibuat", 4: "Akan dibuat", 5: "Ditolak"}
    run(operator, token)
    ani, buyung, budi = created(app)
    assert (ani.alasan_tanpa_nik, ani.catatan) == ("belum_rekam", "tinggal sendiri")
    assert (buyung.alasan_tanpa_nik, buyung.catatan) == ("tidak_terdaftar", None)
    assert (budi.nik, budi.catatan) == (NIK_MAN_1970, "tinggal dengan anak")
    page = operator.get(f"/sidilan/orang/{ani.id}").text
    assert "Belum rekam" in page and "<dt>Catatan</dt><dd>tinggal sendiri</dd>" in page


def test_a_default_reason_for_the_whole_file_is_chosen_on_the_mapping_step(app, operator, nagari):
    data = csv_file(("NIK", "NAMA", "JK", "TGL LAHIR", "NAGARI"), ("", "Ani", "P", "12-03-1984", nagari))
    _, page = preview(operator, data)
    assert result_rows(page) == {2: "Ditolak"}  # no NIK, no reason
    mapping = operator.get(f"/sidilan/impor/{token_of(upload(operator, name='d.csv', data=data))}/kolom")
    assert 'name="alasan_default"' in mapping.text and "Alasan tanpa NIK untuk seluruh berkas" in mapping.text
    token, page = preview(operator, data, alasan_default="belum_rekam")
    assert result_rows(page) == {2: "Akan dibuat"}
    assert "Alasan tanpa NIK diisi dari pilihan untuk seluruh berkas (Belum rekam)." in page
    bad = operator.post(
        f"/sidilan/impor/{token}/kolom",
        data=dict(selected_mapping(operator.get(f"/sidilan/impor/{token}/kolom").text), header_row="1")
        | {"alasan_default": "lupa"},
    )
    assert bad.status_code == 422 and "Pilih alasan dari daftar." in bad.text
    run(operator, token)
    (ani,) = created(app)
    assert ani.alasan_tanpa_nik == "belum_rekam"


def _registered(app) -> Person:
    with app.app_context():
        p = db.session.scalar(
            select(Person)
            .where(
                Person.regency_id == 1,
                Person.no_kk.is_not(None),
                Person.nik.is_not(None),
                Person.tanggal_lahir.is_not(None),
                Person.nagari_code.is_not(None),
                Person.merged_into_id.is_(None),
                func.length(Person.nama_lengkap) > 7,
            )
            .order_by(Person.id)
        )
        p.nagari_name = p.nagari.name
        db.session.expunge(p)
        return p


def _other_nik(nik: str) -> str:
    return nik[:12] + ("0001" if nik[12:] != "0001" else "0002")


def test_a_kk_and_similar_name_match_is_proposed_and_confirmed_not_duplicated(app, operator):
    p = _registered(app)
    spelled = p.nama_lengkap.upper()[:-1]  # a letter short, another NIK (the spreadsheet's digit, a typo)
    data = csv_file(
        ("NO KK", "NIK", "NAMA", "JK", "TGL LAHIR", "NAGARI"),
        (
            "'" + p.no_kk,
            "'" + _other_nik(p.nik),
            spelled,
            p.jenis_kelamin,
            p.tanggal_lahir.strftime("%d-%m-%Y"),
            p.nagari_name,
        ),
    )
    token, page = preview(operator, data)
    assert result_rows(page) == {2: "Mungkin sama (perlu keputusan)"}
    assert f"orang #{p.id}</a> (menurut No. KK + nama mirip (NIK berbeda))" in page
    assert "Orang yang sama" in page and "Orang lain, buat baru" in page
    # undecided: the run would not create it
    assert "disabled>Impor 0 data baru" in page
    r = operator.post(f"/sidilan/impor/{token}/cocok", data={"baris": "2", "keputusan": "sama"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/sidilan/impor/{token}/uji")
    page = operator.get(f"/sidilan/impor/{token}/uji").text
    assert result_rows(page) == {2: "Cocok dengan data yang ada"} and "dikonfirmasi" in page
    before = person_count(app)
    run(operator, token)
    assert person_count(app) == before  # confirmed: that person, not a duplicate
    with app.app_context():
        batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
        assert (batch.created_count, batch.matched_count) == (0, 1)
        assert db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.summary == "keputusan usulan cocok baris 2: sama")
        )


def test_a_proposed_match_the_clerk_rejects_is_created_and_flagged(app, operator):
    p = _registered(app)
    data = csv_file(
        ("NIK", "NAMA", "JK", "TGL LAHIR", "NAGARI"),
        (
            "'" + _other_nik(p.nik),
            p.nama_lengkap,
            p.jenis_kelamin,
            p.tanggal_lahir.isoformat(),
            p.nagari_name,
        ),
    )
    token, page = preview(operator, data)
    assert result_rows(page) == {2: "Mungkin sama (perlu keputusan)"}
    assert "(menurut nama + tgl lahir + nagari (NIK berbeda))" in page
    operator.post(f"/sidilan/impor/{token}/cocok", data={"baris": "2", "keputusan": "beda"})
    assert result_rows(operator.get(f"/sidilan/impor/{token}/uji").text) == {2: "Akan dibuat"}
    assert (
        operator.post(f"/sidilan/impor/{token}/cocok", data={"baris": "x", "keputusan": "beda"}).status_code
        == 400
    )
    run(operator, token)
    (twin,) = created(app)
    assert twin.nik == _other_nik(p.nik)
    assert any(f"Bukan orang #{p.id} menurut petugas" in f for f in twin.flags)


def test_kept_warnings_are_shown_filterable_and_cleared_with_a_trail(app, operator, nagari):
    data = csv_file(
        ("NIK", "NAMA", "JK", "TGL LAHIR", "NAGARI", "JORONG"),
        ("'" + NIK_WOMAN_1984, "Zaitun Flagged", "P", "12-03-1985", nagari, "Antah Berantah"),
        ("'" + NIK_MAN_1970, "Zainal Clean", "L", "01-01-1970", nagari, ""),
    )
    token, page = preview(operator, data)
    assert "Jorong &#39;Antah Berantah&#39; belum terdaftar" in page
    run(operator, token)
    flagged, clean = created(app)
    assert len(flagged.flags) == 2 and clean.flags == []
    assert any("Jorong 'Antah Berantah' belum terdaftar" in f for f in flagged.flags)
    assert any("1985" in f or "tanggal lahir" in f.lower() for f in flagged.flags)  # the NIK's date differs
    record = operator.get(f"/sidilan/orang/{flagged.id}").text
    assert "Perlu dicek" in record and "belum terdaftar di nagari ini" in record and "Sudah dicek" in record
    assert "Perlu dicek" not in operator.get(f"/sidilan/orang/{clean.id}").text
    with app.app_context():
        first = db.session.scalar(select(func.min(QualityFlag.id)).where(QualityFlag.person_id == flagged.id))
    # another record's flag through this record's URL clears nothing
    assert (
        "sudah ditandai selesai"
        in operator.post(f"/sidilan/orang/{clean.id}/dicek/{first}", follow_redirects=True).text
    )
    assert (
        "sudah ditandai selesai"
        in operator.post(f"/sidilan/orang/{clean.id}/dicek/999999", follow_redirects=True).text
    )
    listed = operator.get("/sidilan/?dicek=ya&q=zai").text
    assert "Zaitun Flagged" in listed and "Zainal Clean" not in listed
    assert 'option value="ya" selected>Perlu dicek' in listed
    # a clerk clears the flags one by one; each clearing is audited
    with app.app_context():
        flag_ids = db.session.scalars(
            select(QualityFlag.id).where(QualityFlag.person_id == flagged.id).order_by(QualityFlag.id)
        ).all()
    for fid in flag_ids:
        r = operator.post(f"/sidilan/orang/{flagged.id}/dicek/{fid}", follow_redirects=True)
        assert "ditandai selesai" in r.text
    again = operator.post(f"/sidilan/orang/{flagged.id}/dicek/{flag_ids[0]}", follow_redirects=True)
    assert "sudah ditandai selesai" in again.text
    assert "Zaitun Flagged" not in operator.get("/sidilan/?dicek=ya&q=zai").text
    with app.app_context():
        cleared = db.session.scalars(select(QualityFlag).where(QualityFlag.id.in_(flag_ids))).all()
        assert all(f.cleared_at and f.cleared_by_id for f in cleared)
        trail = db.session.scalars(
            select(AuditEvent.summary).where(
                AuditEvent.object_type == "sidilan_person",
                AuditEvent.object_id == str(flagged.id),
                AuditEvent.action == "update",
            )
        ).all()
        assert len([s for s in trail if s.startswith("menandai selesai dicek")]) == 2


def test_only_a_clerk_of_the_regency_clears_a_flag(app, client, auth, operator, nagari):
    data = csv_file(
        ("NIK", "NAMA", "JK", "TGL LAHIR", "NAGARI", "JORONG"),
        ("'" + NIK_WOMAN_1984, "Ani", "P", "12-03-1984", nagari, "Antah Berantah"),
    )
    token, _ = preview(operator, data)
    run(operator, token)
    (ani,) = created(app)
    with app.app_context():
        fid = db.session.scalar(select(QualityFlag.id).where(QualityFlag.person_id == ani.id))
    auth.logout()
    auth.login("operator.sijunjung")
    assert client.post(f"/sidilan/orang/{ani.id}/dicek/{fid}").status_code == 404


def test_rejects_keep_the_original_cells(app, operator, nagari):
    odd = ("'1302", "  SITI   AMINAH ", "perempuan?", "31-02-1970", nagari, "Belum rekam, tinggal sendiri")
    data = csv_file(("NIK", "NAMA", "JK", "TGL LAHIR", "NAGARI", "KETERANGAN"), odd)
    token, page = preview(operator, data)
    assert result_rows(page) == {2: "Ditolak"}
    run(operator, token)
    batch_id = int(re.search(r"/riwayat/(\d+)", last_batch_url(app)).group(1))
    r = operator.get(f"/sidilan/impor/riwayat/{batch_id}/ditolak.csv")
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[1][2:] == ["NIK", "NAMA", "JK", "TGL LAHIR", "NAGARI", "KETERANGAN"]
    assert rows[2][0] == "2" and rows[2][2:] == list(odd)


def test_the_perlu_dicek_filter_reads_an_index(app, client, auth):
    """The filter probes the (person, cleared_at) index per person the list walks, never scans the flags."""
    auth.login("operator.solok")
    captured = _captured(app, client, "/sidilan/?dicek=ya")
    assert any("sidilan_quality_flag" in s for s, _ in captured)
    with app.app_context():
        conn = db.session.connection()
        for statement, parameters in captured:
            if conn.dialect.name == "sqlite":
                plan_rows = [
                    r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
                ]
                assert not [
                    d for d in plan_rows if re.fullmatch(r"SCAN sidilan_(person|quality_flag)\b.*", d)
                ], plan_rows
            else:
                conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
                plan_rows = [r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters)]
                assert not [
                    d for d in plan_rows if re.search(r"Seq Scan on sidilan_(person|quality_flag)\b", d)
                ]
