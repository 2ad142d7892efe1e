"""DTSEN/DTKS reconciliation (issue 13 part 8a): an uploaded extract matched by NIK both ways, the stored run,
the usulan per nagari and its export, scope and audit."""

import io
import re

from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.core.forms import new_submission_key
from blueprints.sidilan.models import Person
from blueprints.sidilan.usulan_models import ReconcileRow, ReconcileRun
from blueprints.wilayah.models import Wilayah

UNKNOWN_NIK = "1302999999990001"


def _body(payload: bytes, name: str, sumber="dtsen") -> tuple[bytes, str]:
    stream, _, boundary = stream_encode_multipart(
        {
            "berkas": FileStorage(io.BytesIO(payload), filename=name),
            "sumber": sumber,
            "submission_key": new_submission_key(),
        },
        use_tempfile=False,
    )
    return stream.getvalue(), f"multipart/form-data; boundary={boundary}"


def _upload(client, payload: bytes, name="dtsen.csv", sumber="dtsen"):
    body, ctype = _body(payload, name, sumber)
    return client.post("/sidilan/rekonsiliasi", data=body, content_type=ctype)


def _registry(app, regency_code="13.02"):
    """(nik, name, nagari code) of the regency's live persons with a NIK, by id."""
    with app.app_context():
        from blueprints.auth.models import Regency

        rid = db.session.scalar(select(Regency.id).where(Regency.code == regency_code))
        return [
            tuple(r)
            for r in db.session.execute(
                select(Person.nik, Person.nama_lengkap, Person.nagari_code)
                .where(
                    Person.regency_id == rid,
                    Person.nik.is_not(None),
                    Person.active.is_(True),
                    Person.merged_into_id.is_(None),
                )
                .order_by(Person.id)
            )
        ]


def _csv(rows) -> bytes:
    lines = ["DATA DTSEN TRIWULAN IV", "", "No;NIK;Nama;Desa/Nagari"]
    lines += [";".join(str(c) for c in r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def _run(app, run_id) -> ReconcileRun:
    with app.app_context():
        run = db.session.get(ReconcileRun, run_id)
        db.session.expunge(run)
        return run


def test_matching_both_ways_is_stored_and_shown(app, client, auth):
    registry = _registry(app)
    assert len(registry) >= 4
    included, left_out = registry[: len(registry) // 2], registry[len(registry) // 2 :]
    rows = [[i, "'" + nik, name.upper(), "X"] for i, (nik, name, _) in enumerate(included, 1)]
    rows += [[90, UNKNOWN_NIK, "Orang Luar", "Nagari Lain"], [91, "1,30218E+15", "Rusak", ""]]
    auth.login("operator.solok")
    payload = _csv(rows)
    response = _upload(client, payload)
    assert response.status_code == 303, response.get_data(as_text=True)
    run_id = int(re.search(r"/rekonsiliasi/(\d+)$", response.headers["Location"]).group(1))
    run = _run(app, run_id)
    import hashlib

    assert run.file_sha256 == hashlib.sha256(payload).hexdigest()
    assert (run.rows_total, run.matched_count, run.extra_count, run.invalid_count) == (len(included) + 2,) + (
        len(included),
        1,
        1,
    )
    assert run.missing_count == len(left_out)

    page = client.get(f"/sidilan/rekonsiliasi/{run_id}").get_data(as_text=True)
    assert "Usulan per nagari" in page
    # the usulan of a nagari lists the registered people missing from the extract, and no one it holds
    nik, name, nagari = left_out[0]
    listing = client.get(f"/sidilan/rekonsiliasi/{run_id}/nagari/{nagari}").get_data(as_text=True)
    assert name in listing
    for _, inc_name, inc_nagari in included:
        if inc_nagari == nagari:
            assert inc_name not in listing
    # the reverse: the extract row that is not registered
    extra = client.get(f"/sidilan/rekonsiliasi/{run_id}/luar").get_data(as_text=True)
    assert UNKNOWN_NIK in extra and "Orang Luar" in extra
    invalid = client.get(f"/sidilan/rekonsiliasi/{run_id}/luar?tampil=tidak_sah").get_data(as_text=True)
    assert "Rusak" in invalid and "Orang Luar" not in invalid
    # the run is listed and can be opened again
    assert f"/sidilan/rekonsiliasi/{run_id}" in client.get("/sidilan/rekonsiliasi").get_data(as_text=True)
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_type == "sidilan_reconcile", AuditEvent.object_id == str(run_id)
            )
        ).all()
        assert {e.action for e in events} >= {"create", "view"}
        assert not any(nik in e.summary or name in e.summary for e in events)


def test_export_per_nagari_holds_that_nagari_only(app, client, auth):
    registry = _registry(app)
    auth.login("operator.solok")
    response = _upload(client, _csv([[1, registry[0][0], "A", ""]]))
    run_id = int(response.headers["Location"].rsplit("/", 1)[1])
    nagari = registry[-1][2]
    expected = {name for _, name, code in registry[1:] if code == nagari}
    others = {name for _, name, code in registry if code != nagari}
    x = client.get(f"/sidilan/rekonsiliasi/{run_id}/unduh/{nagari}")
    assert x.status_code == 200
    assert x.headers["Content-Disposition"].endswith('.xlsx"') or ".xlsx" in x.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(x.data), read_only=True).active
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    with app.app_context():
        place = db.session.get(Wilayah, nagari).name
    assert place in cells[0][0] and "operator.solok" in cells[0][0]  # title and watermark
    assert cells[1][:3] == ["No", "NIK", "Nama lengkap"]
    names = {r[2] for r in cells[2:]}
    assert names == expected and not names & others
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.action == "export", AuditEvent.object_type == "sidilan_reconcile"
            )
        )


def test_xlsx_extract_with_numeric_nik_cells(app, client, auth):
    registry = _registry(app)
    book = Workbook()
    sheet = book.active
    sheet.append(["NIK", "Nama"])
    sheet.append([int(registry[0][0]), registry[0][1]])  # a NIK typed as a number
    sheet.append([UNKNOWN_NIK, "Orang Luar"])
    buf = io.BytesIO()
    book.save(buf)
    auth.login("verifikator.solok")
    response = _upload(client, buf.getvalue(), "dtks.xlsx", "dtks")
    assert response.status_code == 303
    run = _run(app, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert (run.sumber, run.matched_count, run.extra_count) == ("dtks", 1, 1)
    with app.app_context():
        rows = db.session.scalars(select(ReconcileRow).where(ReconcileRow.run_id == run.id)).all()
        assert {r.nik for r in rows} == {registry[0][0], UNKNOWN_NIK}


def test_file_without_nik_column_is_refused_and_nothing_stored(app, client, auth):
    auth.login("operator.solok")
    response = _upload(client, b"Nama;Nagari\nA;B\n")
    assert response.status_code == 422
    assert "Kolom NIK tidak ditemukan" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ReconcileRun.id)) is None


def test_runs_are_scoped_and_pimpinan_has_no_access(app, client, auth):
    registry = _registry(app)
    auth.login("operator.solok")
    run_id = int(_upload(client, _csv([[1, registry[0][0], "A", ""]])).headers["Location"].rsplit("/", 1)[1])
    nagari = registry[0][2]
    auth.logout()
    auth.login("operator.sijunjung")
    for url in (
        f"/sidilan/rekonsiliasi/{run_id}",
        f"/sidilan/rekonsiliasi/{run_id}/nagari/{nagari}",
        f"/sidilan/rekonsiliasi/{run_id}/unduh/{nagari}",
        f"/sidilan/rekonsiliasi/{run_id}/luar",
    ):
        assert client.get(url).status_code == 404, url
    assert f"/rekonsiliasi/{run_id}" not in client.get("/sidilan/rekonsiliasi").get_data(as_text=True)
    auth.logout()
    auth.login("pimpinan.solok")
    assert client.get("/sidilan/rekonsiliasi").status_code == 404
    assert client.get(f"/sidilan/rekonsiliasi/{run_id}").status_code == 404


def test_result_pages_run_at_most_six_statements(app, client, auth):
    from tests.queries import statements

    registry = _registry(app)
    auth.login("operator.solok")
    rows = [[1, registry[0][0], "A", ""], [2, UNKNOWN_NIK, "B", ""]]
    run_id = int(_upload(client, _csv(rows)).headers["Location"].rsplit("/", 1)[1])
    nagari = registry[-1][2]
    for url in (
        f"/sidilan/rekonsiliasi/{run_id}",
        f"/sidilan/rekonsiliasi/{run_id}/nagari/{nagari}",
        f"/sidilan/rekonsiliasi/{run_id}/luar",
        "/sidilan/rekonsiliasi",
        "/sidilan/usulan",
        "/sidilan/cek-nik-lintas",
    ):
        client.get(url)  # warm
        with statements(app) as seen:
            assert client.get(url).status_code == 200, url
        assert len(seen) <= 6, (url, seen)


def test_a_deceased_person_missing_from_the_extract_is_not_proposed(app, client, auth):
    registry = _registry(app)
    included, (gone_nik, gone_name, gone_nagari) = registry[1:], registry[0]
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.nik == gone_nik))
        person.status_hidup = "meninggal"
        db.session.commit()
    rows = [[i, "'" + nik, name, ""] for i, (nik, name, _) in enumerate(included, 1)]
    auth.login("operator.solok")
    response = _upload(client, _csv(rows))
    run_id = int(re.search(r"/rekonsiliasi/(\d+)$", response.headers["Location"]).group(1))
    assert _run(app, run_id).missing_count == 0  # the only one missing has died: no usulan
    listing = client.get(f"/sidilan/rekonsiliasi/{run_id}/nagari/{gone_nagari}").get_data(as_text=True)
    assert gone_name not in listing


def test_a_number_cell_nik_ending_in_zero_matches_nobody(app, client, auth):
    """A spreadsheet keeps 15 digits of a number: '…0' may be a lost 16th digit, so it is listed as without a
    valid NIK instead of matching (or missing) whoever holds that number."""
    book = Workbook()
    sheet = book.active
    sheet.append(["NIK", "Nama"])
    sheet.append([1302185203840000, "Angka Terpotong"])
    buf = io.BytesIO()
    book.save(buf)
    auth.login("operator.solok")
    response = _upload(client, buf.getvalue(), "dtsen.xlsx")
    run = _run(app, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert (run.matched_count, run.extra_count, run.invalid_count) == (0, 0, 1)


def test_a_large_extract_is_matched_by_a_background_job(app, client, auth):
    """Over SIDILAN_RECONCILE_JOB_BYTES the upload answers with the job's progress page; the job (run at once
    in tests, as the worker would) stores the run, the job page links to the runs and the kept file is gone."""
    registry = _registry(app)
    rows = [[i, "'" + nik, name, "X"] for i, (nik, name, _) in enumerate(registry[:3], 1)]
    auth.login("operator.solok")
    app.config["SIDILAN_RECONCILE_JOB_BYTES"] = 10
    try:
        response = _upload(client, _csv(rows))
    finally:
        del app.config["SIDILAN_RECONCILE_JOB_BYTES"]
    assert response.status_code == 303 and "/pekerjaan/" in response.headers["Location"]
    job_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Selesai" in job_page and "Rekonsiliasi selesai: 3 baris, 3 cocok" in job_page
    assert "/sidilan/rekonsiliasi" in job_page
    with app.app_context():
        run = db.session.scalar(select(ReconcileRun).order_by(ReconcileRun.id.desc()))
        assert (run.rows_total, run.matched_count) == (3, 3)
        assert run.user.username == "operator.solok"
    from blueprints.core.uploads import upload_area

    with app.app_context():
        assert list(upload_area("sidilan_reconcile").iterdir()) == []
    # a file the job cannot read: the job page says why, nothing stored
    app.config["SIDILAN_RECONCILE_JOB_BYTES"] = 10
    try:
        failed = _upload(client, b"Nama;Alamat\nBujang;Koto\n")
    finally:
        del app.config["SIDILAN_RECONCILE_JOB_BYTES"]
    page = client.get(failed.headers["Location"]).get_data(as_text=True)
    assert "Gagal" in page and "Kolom NIK tidak ditemukan" in page
