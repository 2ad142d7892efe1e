"""Import (issue 3 item 8): upload, column mapping, dry run that writes nothing, one-transaction import,
rejected-rows report. Expected outcomes come from the sample file's documented rows and the database."""

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.core.forms import new_submission_key
from blueprints.demo import DEMO_PASSWORD
from blueprints.sidilan import duplicates, importer
from blueprints.sidilan.models import ChangeLog, Disability, Household, Person
from blueprints.sidilan.report_models import ImportBatch
from tests.archives import zeros, zip_of
from tests.conftest import HX
from tests.offers import job_count, offer_page, press
from tests.replay import form_key

DATA = Path(__file__).parents[1] / "data"
XLSX = DATA / "sidilan_import_sample.xlsx"
CSV = DATA / "sidilan_import_sample.csv"
# Sample rows (see tests/data/sidilan_make_sample.py): these are the ones the import must accept.
GOOD_NIKS = {
    "1302185208700003",
    "1302180503500004",
    "1302046207010005",
    "1302114506550010",
    "1302050707770013",
    "1302125012480015",
}
GOOD_WITHOUT_NIK = {"Bujang Sati"}
REJECTED_LINES = {8, 9, 10, 11, 12, 14, 15, 17}  # file rows (header is row 3; data row n is file row n + 3)
# The .xlsx holds row 15's NIK in a number cell: imported, flagged "NIK perlu dicek (dari sel angka)"
# (docs/sidilan.md §7.4); the .csv holds it as 1.30207E+15, whose digits are lost: refused with its own message.
NUMBER_CELL_NIK = "1302070101600012"
GOOD_NIKS_XLSX = GOOD_NIKS | {NUMBER_CELL_NIK}
REJECTED_XLSX = REJECTED_LINES - {15}


def counts(app):
    with app.app_context():
        return {
            m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Person, Household, Disability, ImportBatch, ChangeLog)
        }


def upload_body(path=XLSX, name=None, data=None, key=None) -> tuple[bytes, str]:
    """A multipart body encoded in memory (the test client would spool a big body to an unclosed temp file)
    with a fresh submission key, as the upload page sends it; and its content type."""
    payload = data if data is not None else path.read_bytes()
    stream, length, boundary = stream_encode_multipart(
        {
            "berkas": FileStorage(io.BytesIO(payload), filename=name or path.name),
            "submission_key": key or new_submission_key(),
        },
        use_tempfile=False,
    )
    return stream.getvalue(), f"multipart/form-data; boundary={boundary}"


def upload(client, path=XLSX, name=None, data=None, key=None):
    body, content_type = upload_body(path, name, data, key)
    return client.post("/sidilan/impor", data=body, content_type=content_type)


def run(client, token, **kwargs):
    """Press the run button of the dry run, with the key its page renders."""
    key = form_key(client, f"/sidilan/impor/{token}/uji")
    return client.post(f"/sidilan/impor/{token}/jalankan", data={"submission_key": key}, **kwargs)


def last_batch_url(app) -> str:
    """The report page of the newest import batch (the run itself lands on its job's page)."""
    with app.app_context():
        return f"/sidilan/impor/riwayat/{db.session.scalar(select(func.max(ImportBatch.id)))}"


def token_of(response) -> str:
    assert response.status_code == 302, response.text[:500]
    m = re.search(r"/sidilan/impor/([A-Za-z0-9_-]+)/kolom", response.headers["Location"])
    assert m, response.headers["Location"]
    return m.group(1)


def selected_mapping(html: str) -> dict[str, str]:
    """The mapping form as the browser would send it (every select with its selected option)."""
    out = {}
    for name, body in re.findall(r'<select name="(map_\w+|sumber_data)"[^>]*>(.*?)</select>', html, re.S):
        m = re.search(r'<option value="([\w-]+)" selected', body)
        out[name] = m.group(1) if m else ""
    return out


def header_row(html: str) -> str:
    return re.search(r'name="header_row" min="1" value="(\d+)"', html).group(1)


def map_and_preview(client, token):
    page = client.get(f"/sidilan/impor/{token}/kolom")
    assert page.status_code == 200
    form = selected_mapping(page.text)
    form["header_row"] = header_row(page.text)
    r = client.post(f"/sidilan/impor/{token}/kolom", data=form)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/impor/{token}/uji"), r.text[:800]
    return form


def result_rows(html: str) -> dict[int, str]:
    """file row -> result label, read from the dry-run table."""
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td><span class="badge[^"]*">([^<]+)</span>', html)
    return {int(line): label for line, label in rows}


@pytest.fixture
def operator(client, auth):
    auth.login("operator.solok")
    return client


def test_header_and_columns_are_guessed(operator):
    token = token_of(upload(operator))
    page = operator.get(f"/sidilan/impor/{token}/kolom")
    assert header_row(page.text) == "3"  # two title rows above the header
    mapping = selected_mapping(page.text)
    assert mapping["map_nik"] == "1" and mapping["map_nama"] == "3" and mapping["map_ttl"] == "5"
    assert mapping["map_nagari"] == "9" and mapping["map_ragam"] == "11"


@pytest.mark.parametrize("path", [XLSX, CSV], ids=["xlsx", "csv"])
def test_dry_run_writes_nothing_and_reports_each_row(app, operator, path):
    before = counts(app)
    token = token_of(upload(operator, path))
    map_and_preview(operator, token)
    r = operator.get(f"/sidilan/impor/{token}/uji")
    assert r.status_code == 200
    assert counts(app) == before
    assert "belum ada data yang disimpan" in r.text
    rows = result_rows(r.text)
    rows.update(result_rows(operator.get(f"/sidilan/impor/{token}/uji?hal=2").text))
    assert set(rows) == set(range(4, 19))
    assert {line for line, label in rows.items() if label == "Ditolak"} == (
        REJECTED_XLSX if path == XLSX else REJECTED_LINES
    )
    # each rejection says why, in Indonesian
    text = operator.get(f"/sidilan/impor/{token}/uji?tampil=ditolak").text
    for reason in (
        "NIK harus tepat 16 digit angka.",
        "Nama kosong.",
        "NIK sama dengan baris 4 dalam berkas ini.",
        "Nagari &#39;Nagari Antah Berantah&#39; tidak dikenal",
        "bukan tanggal yang ada",
        "ada di beberapa kecamatan",
        "Kecamatan &#39;Sijunjung&#39; tidak dikenal",
    ):
        assert reason in text, reason
    if path == CSV:
        assert "tertulis dalam notasi ilmiah (&#39;1.30207E+15&#39;)" in text
    # the address with markup is shown escaped, never as a tag
    assert "<script>alert(1)</script>" not in r.text
    # each accepted row shows how it was read
    assert "P · 12 Agustus 1970 · Tanjung Balik Sumiso / Jorong Tigo Jangko · fisik, berat" in r.text
    assert "sensorik (rungu-wicara), sedang" in r.text


def test_import_creates_matches_and_rejects_as_shown(app, operator):
    token = token_of(upload(operator))
    map_and_preview(operator, token)
    preview = operator.get(f"/sidilan/impor/{token}/uji")
    shown_new = int(re.search(r"(\d+) <small class=\"muted\">akan dibuat", preview.text).group(1))
    before = counts(app)
    r = run(operator, token)
    assert r.status_code == 302
    after = counts(app)
    assert (
        after["sidilan_person"] - before["sidilan_person"]
        == shown_new
        == len(GOOD_NIKS_XLSX) + len(GOOD_WITHOUT_NIK)
    )
    with app.app_context():
        batch = db.session.scalars(select(ImportBatch)).one()
        created = db.session.scalars(select(Person).where(Person.id.in_(batch.created_ids))).all()
        assert {p.nik for p in created if p.nik} == GOOD_NIKS_XLSX
        assert {p.nama_lengkap for p in created if not p.nik} == GOOD_WITHOUT_NIK
        assert all(p.status_verifikasi == "draf" and p.sumber_data == "impor_sidilan" for p in created)
        siti = next(p for p in created if p.nik == "1302185208700003")
        assert siti.nama_lengkap == "Siti Aminah" and siti.jenis_kelamin == "P"
        assert siti.jorong is not None and siti.jorong.name == "Tigo Jangko"
        assert siti.disability.ragam_fisik and siti.disability.derajat == "berat"
        nasrul = next(p for p in created if p.nik == "1302180503500004")
        assert nasrul.household_id == siti.household_id  # one KK, one household
        rahmi = next(p for p in created if p.nik == "1302046207010005")
        assert rahmi.disability.jenis_sensorik == "rungu-wicara" and rahmi.disability.ganda
        # the original legacy wording stays on the record's history, beside the usual creation trail
        history = dict(
            db.session.execute(
                select(ChangeLog.field, ChangeLog.new_value).where(ChangeLog.person_id == siti.id)
            ).all()
        )
        assert history["ragam (teks asli impor)"] == "TUNA DAKSA" and "dibuat" in history
        assert db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.object_type == "sidilan_person", AuditEvent.action == "create")
        ) == len(created)
        assert batch.rejected_count == len(REJECTED_XLSX)
        assert {r["line"] for r in batch.rejected} == REJECTED_XLSX
        assert batch.status == "selesai" and batch.rows_done == len(created)
        assert not any(duplicates.find_duplicates(p) for p in created)  # every candidate pair was opened
        trail = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "sidilan_import", AuditEvent.action != "view")
            .order_by(AuditEvent.id)
        ).all()  # opened, run, planned, done
        assert [e.action for e in trail] == ["create", "update", "update", "update"]
        assert f"{len(created)} baru" in trail[-1].summary
        assert not any("1302" in e.summary or "Siti" in e.summary for e in trail)
    assert re.fullmatch(r"/pekerjaan/\d+", r.headers["Location"])  # the run's job page
    job = operator.get(r.headers["Location"])
    assert "Selesai" in job.text and f"{len(created)} data baru dibuat" in job.text
    page = operator.get(last_batch_url(app))
    assert "Baris yang ditolak" in page.text and "Nama kosong." in page.text

    # the same file again: every good row now matches an existing record by NIK or KK + name
    token2 = token_of(upload(operator))
    map_and_preview(operator, token2)
    again = operator.get(f"/sidilan/impor/{token2}/uji?tampil=cocok")
    assert "menurut NIK" in again.text and "menurut No. KK + nama" in again.text
    assert re.search(r"0 <small class=\"muted\">akan dibuat", again.text)
    assert len(result_rows(again.text)) == len(GOOD_NIKS_XLSX) + len(GOOD_WITHOUT_NIK)


def _failing_on(call: int, real):
    """``duplicates.open_import_cases`` that fails on its ``call``-th chunk (a database error)."""
    from sqlalchemy.exc import IntegrityError

    calls = {"n": 0}

    def failing(pairs, ids, regency_id):
        calls["n"] += 1
        if calls["n"] == call:
            raise IntegrityError(
                "INSERT INTO sidilan_person",
                {"nama_lengkap": "Siti Aminah"},
                Exception("duplicate Siti Aminah"),
            )
        return real(pairs, ids, regency_id)

    return failing


def test_a_run_that_stops_keeps_its_committed_chunks_and_resumes(app, operator, monkeypatch):
    """Chunks of two rows: the second chunk fails; the first stays, the batch says how far it got, and
    'lanjutkan' writes exactly the rest (the plan is kept, so the first chunk's people are not matched)."""

    app.config["SIDILAN_IMPORT_CHUNK"] = 2
    token = token_of(upload(operator))
    map_and_preview(operator, token)
    before = counts(app)
    monkeypatch.setattr(duplicates, "open_import_cases", _failing_on(2, duplicates.open_import_cases))
    r = run(operator, token, follow_redirects=True)
    assert r.status_code == 200 and "Impor terhenti" in r.text  # on the job page
    assert "Lanjutkan impor" in operator.get(last_batch_url(app)).text
    assert counts(app)["sidilan_person"] == before["sidilan_person"] + 2
    with app.app_context():
        batch = db.session.scalars(select(ImportBatch)).one()
        assert (batch.status, batch.rows_done, len(batch.created_ids)) == ("gagal", 2, 2)
        batch_id = batch.id
    monkeypatch.undo()
    resumed = operator.post(f"/sidilan/impor/riwayat/{batch_id}/lanjutkan", follow_redirects=True)
    assert "Selesai" in resumed.text and "data baru dibuat" in resumed.text
    wanted = len(GOOD_NIKS_XLSX) + len(GOOD_WITHOUT_NIK)
    assert counts(app)["sidilan_person"] == before["sidilan_person"] + wanted
    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        assert (batch.status, batch.rows_done, len(set(batch.created_ids))) == ("selesai", wanted, wanted)
    again = operator.post(f"/sidilan/impor/riwayat/{batch_id}/lanjutkan", follow_redirects=True)
    assert "sedang berjalan atau sudah selesai" in again.text
    assert counts(app)["sidilan_person"] == before["sidilan_person"] + wanted


def test_failed_import_logs_no_personal_data(app, operator, monkeypatch, caplog):
    """The database error quotes the row's values; the log line keeps only the error class."""

    token = token_of(upload(operator))
    map_and_preview(operator, token)
    monkeypatch.setattr(duplicates, "open_import_cases", _failing_on(1, duplicates.open_import_cases))
    with caplog.at_level("ERROR"):
        r = run(operator, token, follow_redirects=True)
    assert "Impor terhenti" in r.text
    logged = caplog.text + "".join(rec.exc_text or "" for rec in caplog.records)
    assert "sidilan import" in logged and "IntegrityError" in logged
    assert "nama_lengkap" not in logged and "Siti" not in logged


def _imported(app, operator):
    token = token_of(upload(operator))
    map_and_preview(operator, token)
    location = run(operator, token).headers["Location"]  # the job page
    with app.app_context():
        batch = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
        return batch.id, batch.created_ids, batch.household_ids, location


def test_undo_takes_back_the_batch_as_a_unit(app, operator):
    before = counts(app)
    batch_id, ids, households, page = _imported(app, operator)
    assert households  # the sample's KKs are new
    undo = f"/sidilan/impor/riwayat/{batch_id}/batalkan"
    no_reason = operator.post(undo, data={"alasan": "  "})
    assert no_reason.status_code == 422 and "Isi alasan pembatalan impor." in no_reason.text
    r = operator.post(undo, data={"alasan": "berkas nagari yang salah"}, follow_redirects=True)
    assert "dibatalkan" in r.text and "berkas nagari yang salah" in r.text
    with app.app_context():
        people = db.session.scalars(select(Person).where(Person.id.in_(ids))).all()
        assert len(people) == len(ids) and not any(p.active for p in people)
        assert not db.session.scalar(
            select(func.count()).select_from(Disability).where(Disability.person_id.in_(ids))
        )
        assert not db.session.scalar(
            select(func.count()).select_from(Household).where(Household.id.in_(households))
        )
        reasons = db.session.scalars(
            select(ChangeLog.new_value).where(ChangeLog.field == "impor dibatalkan")
        ).all()
        assert len(reasons) == len(ids) and all("berkas nagari yang salah" in t for t in reasons)
        batch = db.session.get(ImportBatch, batch_id)
        assert batch.status == "dibatalkan" and batch.undo_reason == "berkas nagari yang salah"
        ev = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_type == "sidilan_import", AuditEvent.action == "delete"
            )
        ).one()
        assert "berkas" not in ev.summary  # the reason is typed text: in the history, not in the audit log
    after = counts(app)
    assert after["sidilan_household"] == before["sidilan_household"]
    # the undone records are out of the registry: the same file imports them again as new
    token = token_of(upload(operator))
    map_and_preview(operator, token)
    preview = operator.get(f"/sidilan/impor/{token}/uji")
    assert re.search(rf"{len(ids)} <small class=\"muted\">akan dibuat", preview.text)
    twice = operator.post(undo, data={"alasan": "lagi"}, follow_redirects=True)
    assert "sudah dibatalkan" in twice.text


def test_undo_is_refused_when_a_record_was_worked_on(app, operator):
    batch_id, ids, _, _ = _imported(app, operator)
    with app.app_context():
        person = db.session.get(Person, ids[1])
        person.tempat_lahir = "Koto Baru"  # an edit by a clerk (version 2)
        db.session.commit()
    r = operator.post(
        f"/sidilan/impor/riwayat/{batch_id}/batalkan", data={"alasan": "salah"}, follow_redirects=True
    )
    assert "tidak dapat dibatalkan" in r.text and f"#{ids[1]}" in r.text
    with app.app_context():
        assert db.session.scalar(
            select(func.count()).select_from(Person).where(Person.id.in_(ids), Person.active)
        )
        assert db.session.get(ImportBatch, batch_id).status == "selesai"


def test_undo_is_refused_after_a_wgss_visit_or_a_verval_outcome(app, operator):
    """A WG-SS interview or a verval outcome recorded since the import is work on the record, like an edit."""
    from datetime import date

    from blueprints.sidilan.models import WgssVisit
    from blueprints.sidilan.verval_models import VervalOutcome

    batch_id, ids, _, _ = _imported(app, operator)
    with app.app_context():
        person, other = db.session.get(Person, ids[0]), db.session.get(Person, ids[2])
        db.session.add(
            WgssVisit(
                regency_id=person.regency_id,
                person_id=person.id,
                tgl_wawancara=date(2026, 1, 5),
                wg_melihat=3,
            )
        )
        db.session.add(
            VervalOutcome(
                regency_id=other.regency_id, person_id=other.id, tanggal=date(2026, 1, 5), hasil="masih_layak"
            )
        )
        db.session.commit()
    r = operator.post(
        f"/sidilan/impor/riwayat/{batch_id}/batalkan", data={"alasan": "salah"}, follow_redirects=True
    )
    assert "tidak dapat dibatalkan: 2 data" in r.text and f"#{ids[0]}" in r.text and f"#{ids[2]}" in r.text
    with app.app_context():
        assert db.session.get(ImportBatch, batch_id).status == "selesai"


def test_rejected_rows_report_downloads(app, operator):
    token = token_of(upload(operator))
    map_and_preview(operator, token)
    run(operator, token)
    batch_id = int(re.search(r"/riwayat/(\d+)", last_batch_url(app)).group(1))
    r = operator.get(f"/sidilan/impor/riwayat/{batch_id}/ditolak.csv")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert "diunduh oleh operator.solok" in rows[0][0]
    assert rows[1][:2] == ["Baris di berkas", "Alasan ditolak"] and "NAMA" in rows[1]
    assert {int(row[0]) for row in rows[2:]} == REJECTED_XLSX
    x = operator.get(f"/sidilan/impor/riwayat/{batch_id}/ditolak.xlsx")
    sheet = load_workbook(io.BytesIO(x.data), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert {row[0] for row in values[2:]} == REJECTED_XLSX
    with app.app_context():
        n = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "download", AuditEvent.object_type == "sidilan_import")
        )
    assert n == 2


def test_batch_and_pending_upload_are_scoped(app, client, auth):
    auth.login("operator.solok")
    token = token_of(upload(client))
    map_and_preview(client, token)
    run(client, token)
    batch_url = last_batch_url(app)
    token2 = token_of(upload(client))
    auth.logout()
    auth.login("operator.sijunjung")
    assert client.get(batch_url).status_code == 404
    assert client.get(batch_url + "/ditolak.csv").status_code == 404
    for url in (f"/sidilan/impor/{token2}/kolom", f"/sidilan/impor/{token2}/uji"):
        assert client.get(url).status_code == 404
    assert client.post(f"/sidilan/impor/{token2}/jalankan").status_code == 404


def test_only_operator_imports(client, auth):
    auth.login("verifikator.solok")
    assert client.get("/sidilan/impor").status_code == 404
    auth.logout()
    auth.login("pimpinan.solok")
    assert client.get("/sidilan/impor").status_code == 404


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("kosong.xlsx", b"", "Berkas kosong"),
        ("kosong.csv", b"\xef\xbb\xbf\r\n\r\n", "Berkas tidak berisi data"),
        ("gambar.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "Jenis berkas tidak dikenali"),
        ("palsu.xlsx", b"PK\x03\x04 this is not a zip", "Berkas .xlsx rusak atau bukan spreadsheet"),
        ("palsu.csv", b"\x00\x01\x02binary", "bukan teks CSV"),
        ("lama.xls", b"\xd0\xcf\x11\xe0", "Format .xls lama"),
    ],
)
def test_bad_uploads_get_a_message(operator, name, data, message):
    r = upload(operator, name=name, data=data)
    assert r.status_code == 422
    assert message in r.text


def test_too_large_upload_is_refused_cleanly(make_app, auth):
    app = make_app(MAX_CONTENT_LENGTH=1024 * 1024)
    client = app.test_client()
    client.post("/masuk", data={"username": "operator.solok", "password": "sinergi-demo-2024"})
    r = upload(client, name="besar.csv", data=b"a;b\n" + b"x;" * (1024 * 1024))
    assert r.status_code == 413
    assert "Berkas terlalu besar" in r.text


def test_huge_cells_and_script_cells(app, operator):
    book = Workbook()
    sheet = book.active
    sheet.append(["NIK", "NAMA", "JK", "TGL LAHIR", "NAGARI", "KECAMATAN", "ALAMAT"])
    sheet.append(
        ["1302185208700003", "A" * 10000, "P", "12-08-1970", "Tanjung Balik Sumiso", "Tigo Lurah", "x"]
    )
    sheet.append(
        [
            "1302180503500004",
            "<script>alert('x')</script>",
            "L",
            "05-03-1950",
            "Tanjung Balik Sumiso",
            "Tigo Lurah",
            "<b>" + "y" * 5000,
        ]
    )
    buf = io.BytesIO()
    book.save(buf)
    token = token_of(upload(operator, name="aneh.xlsx", data=buf.getvalue()))
    map_and_preview(operator, token)
    r = operator.get(f"/sidilan/impor/{token}/uji")
    assert r.status_code == 200
    assert "Nama terlalu panjang (maksimal 120 karakter)." in r.text
    assert "Alamat terlalu panjang" in r.text
    assert "<script>alert" not in r.text and "&lt;script&gt;" in r.text


def test_mapping_needs_name_and_nagari(operator):
    token = token_of(upload(operator))
    page = operator.get(f"/sidilan/impor/{token}/kolom")
    form = selected_mapping(page.text)
    form.update(map_nama="", map_nagari="", map_kecamatan=form["map_nik"], header_row="3")
    r = operator.post(f"/sidilan/impor/{token}/kolom", data=form)
    assert r.status_code == 422
    assert "Pilih kolom untuk Nama lengkap." in r.text and "Pilih kolom untuk Nagari." in r.text
    assert "Kolom ini sudah dipakai untuk NIK." in r.text
    # what was chosen is kept
    assert selected_mapping(r.text)["map_ragam"] == form["map_ragam"]


def test_header_row_can_be_changed(operator):
    token = token_of(upload(operator))
    r = operator.post(f"/sidilan/impor/{token}/kolom", data={"header_row": "1", "_reread": "1"})
    assert r.status_code == 302
    page = operator.get(f"/sidilan/impor/{token}/kolom")
    assert header_row(page.text) == "1"
    bad = operator.post(f"/sidilan/impor/{token}/kolom", data={"header_row": "abc"})
    assert bad.status_code == 422 and "Baris judul harus angka" in bad.text


def test_dry_run_filter_fragment_with_htmx(operator):
    token = token_of(upload(operator))
    map_and_preview(operator, token)
    r = operator.get(f"/sidilan/impor/{token}/uji?tampil=ditolak", headers=HX)
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<div id="baris-impor"')
    assert set(result_rows(r.text).values()) == {"Ditolak"}


def test_twenty_megabyte_file_gets_a_message(operator):
    """A 20 MB upload (inside the request limit) is refused with a message, not parsed into memory whole."""
    line = ("1302185208700003;" + "Nama Panjang " * 20 + ";P;12-08-1970;Sumani\n").encode()
    data = b"NIK;NAMA;JK;TGL LAHIR;NAGARI\n" + line * (20 * 1024 * 1024 // len(line))
    r = upload(operator, name="besar.csv", data=data)
    assert r.status_code == 422
    assert f"lebih dari {importer.MAX_ROWS:,} baris".replace(",", ".") in r.text


def _sample_members() -> dict:
    with zipfile.ZipFile(XLSX) as sample:
        return {info.filename: sample.read(info) for info in sample.infolist()}


def _rows(fh):
    fh.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    for n in range(1, 100_001):
        fh.write(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (n, n))
    fh.write(b"</sheetData></worksheet>")


def _pending_files(app) -> list:
    with app.app_context():
        area = importer.pending._area()
        return sorted(p.name for p in area.iterdir())


@pytest.mark.parametrize(
    "bomb,message",
    [
        (lambda: zip_of({**_sample_members(), "xl/sharedStrings.xml": zeros(200)}), "tidak wajar"),
        (
            lambda: zip_of({**_sample_members(), "xl/worksheets/sheet1.xml": _rows}),
            f"lebih dari {importer.MAX_ROWS:,} baris data".replace(",", "."),
        ),
    ],
    ids=["zip-bomb", "too-many-rows"],
)
def test_a_small_spreadsheet_that_unpacks_huge_is_refused_at_the_file_field(app, operator, bomb, message):
    """The shared upload guard runs before openpyxl opens the file: a few hundred KB that would unpack to
    hundreds of MB, or a sheet of 100,000 rows, answers 422 with the message under the file field, and
    nothing is stored (no pending upload, no record, no spent submission key)."""
    data = bomb()
    assert len(data) < 1024 * 1024
    before, files = counts(app), _pending_files(app)
    key = new_submission_key()
    r = upload(operator, name="data.xlsx", data=data, key=key)
    assert r.status_code == 422
    err = re.search(r'<input[^>]*name="berkas"[^>]*>.*?<span class="err">(.*?)</span>', r.text, re.S)
    assert err and message in err.group(1), r.text[-3000:]
    assert counts(app) == before and _pending_files(app) == files
    token_of(upload(operator, key=key))  # the same key still takes the real file


def test_too_much_text_gets_a_message(operator):
    cell = "x" * 999
    data = ("NAMA;NAGARI;" + ";".join(f"K{i}" for i in range(50)) + "\n").encode()
    data += ((("A;Sumani;" + ";".join([cell] * 50)) + "\n") * (importer.MAX_CHARS // (50 * 999) + 1)).encode()
    r = upload(operator, name="lebar.csv", data=data)
    assert r.status_code == 422
    assert "terlalu banyak teks" in r.text


def test_kk_and_name_match_needs_compatible_niks(app, operator):
    """Same KK and a similar name matches an existing record, unless both rows carry different NIKs."""
    with app.app_context():
        existing = db.session.scalar(
            select(Person)
            .where(Person.regency_id == 1, Person.no_kk.is_not(None), Person.nik.is_not(None))
            .order_by(Person.id)
        )
        kk, name, nik, pid = existing.no_kk, existing.nama_lengkap, existing.nik, existing.id
        nagari, sex = existing.nagari.name, existing.jenis_kelamin
    other_nik = nik[:12] + ("0001" if nik[12:] != "0001" else "0002")
    head = "NO KK;NAMA;JK;TGL LAHIR;NAGARI;NIK;ALASAN TANPA NIK\n"
    without_nik = f"'{kk};{name.upper()};{sex};01-01-1970;{nagari};;belum rekam\n"
    with_other_nik = f"'{kk};{name};{sex};01-01-1970;{nagari};'{other_nik};\n"
    token = token_of(upload(operator, name="kk.csv", data=(head + without_nik).encode()))
    map_and_preview(operator, token)
    rows = operator.get(f"/sidilan/impor/{token}/uji").text
    assert result_rows(rows) == {2: "Cocok dengan data yang ada"}
    assert f"orang #{pid}</a> (menurut No. KK + nama)" in rows
    token = token_of(upload(operator, name="kk2.csv", data=(head + with_other_nik).encode()))
    map_and_preview(operator, token)
    # different NIKs: not a match by itself, but proposed for the clerk to decide (tests/sidilan/test_import_real.py)
    proposed = operator.get(f"/sidilan/impor/{token}/uji").text
    assert result_rows(proposed) == {2: "Mungkin sama (perlu keputusan)"}
    assert f"orang #{pid}</a> (menurut No. KK + nama mirip (NIK berbeda))" in proposed
    # within one file the same two rows are one person twice: the second is rejected
    token = token_of(upload(operator, name="kk3.csv", data=(head + with_other_nik + without_nik).encode()))
    map_and_preview(operator, token)
    rows = operator.get(f"/sidilan/impor/{token}/uji").text
    assert result_rows(rows) == {2: "Mungkin sama (perlu keputusan)", 3: "Ditolak"}
    assert "No. KK dan nama sama dengan baris 2 dalam berkas ini." in rows


def test_source_of_the_data_is_chosen_on_the_mapping_step(app, operator):
    token = token_of(upload(operator, CSV))
    page = operator.get(f"/sidilan/impor/{token}/kolom")
    form = selected_mapping(page.text)
    assert form["sumber_data"] == "impor_sidilan"
    form.update(header_row="3", sumber_data="tidak-ada")
    bad = operator.post(f"/sidilan/impor/{token}/kolom", data=form)
    assert bad.status_code == 422 and "Pilih sumber data." in bad.text
    form["sumber_data"] = "impor_dtks"
    assert operator.post(f"/sidilan/impor/{token}/kolom", data=form).status_code == 302
    run(operator, token)
    with app.app_context():
        batch = db.session.scalars(select(ImportBatch)).one()
        sources = set(db.session.scalars(select(Person.sumber_data).where(Person.id.in_(batch.created_ids))))
    assert sources == {"impor_dtks"}


def test_wrong_column_mapping_rejects_rows_with_the_reason(app, operator):
    """Nagari mapped onto the KECAMATAN column and sex onto the name column: nothing imports by accident."""
    token = token_of(upload(operator))
    page = operator.get(f"/sidilan/impor/{token}/kolom")
    form = selected_mapping(page.text)
    form.update(
        header_row="3",
        map_nagari=form["map_kecamatan"],
        map_kecamatan="",
        map_jenis_kelamin=form["map_nama"],
        map_nama=form["map_jenis_kelamin"],
    )
    assert operator.post(f"/sidilan/impor/{token}/kolom", data=form).status_code == 302
    before = counts(app)
    r = operator.get(f"/sidilan/impor/{token}/uji")
    rows = result_rows(r.text) | result_rows(operator.get(f"/sidilan/impor/{token}/uji?hal=2").text)
    assert set(rows.values()) == {"Ditolak"}
    assert "Nagari &#39;Kec. Tigo Lurah&#39; tidak dikenal" in r.text
    assert (
        "Jenis kelamin &#39;SITI  AMINAH&#39; tidak dikenali" in r.text
        or "tidak dikenali (gunakan L/P)" in r.text
    )
    assert "disabled>Impor 0 data baru" in r.text
    assert counts(app) == before


def test_age_column_gives_an_estimated_birth_date(app, operator):
    from blueprints.core.timeutil import today_local

    data = (
        b"NAMA;JK;UMUR;NAGARI;KECAMATAN;ALASAN TANPA NIK\n"
        b"Inyiak Bagindo;L;78;Cupak;Gunung Talang;belum rekam\n"
        b"Umur Aneh;P;tua;Cupak;Gunung Talang;belum rekam\n"
    )
    token = token_of(upload(operator, name="umur.csv", data=data))
    map_and_preview(operator, token)
    r = operator.get(f"/sidilan/impor/{token}/uji")
    assert result_rows(r.text) == {2: "Akan dibuat", 3: "Ditolak"}
    assert "diperkirakan dari umur 78 tahun" in r.text and "Umur &#39;tua&#39; bukan angka" in r.text
    run(operator, token)
    with app.app_context():
        p = db.session.scalar(select(Person).where(Person.nama_lengkap == "Inyiak Bagindo"))
        assert p.tgl_lahir_perkiraan and p.tanggal_lahir.year == today_local().year - 78


@pytest.mark.parametrize(
    "text,expected",
    [
        ("tunadaksa", {"fisik": None}),
        ("Tuna Daksa", {"fisik": None}),
        ("penyandang cacat fisik", {"fisik": None}),
        ("TUNANETRA", {"sensorik": "netra"}),
        ("tunarungu", {"sensorik": "rungu"}),
        ("tunawicara", {"sensorik": "wicara"}),
        ("tunarungu wicara", {"sensorik": "rungu-wicara"}),
        ("tunarungu, tunawicara", {"sensorik": "rungu-wicara"}),
        ("tunagrahita", {"intelektual": "grahita"}),
        ("tunalaras", {"mental": None}),
        ("tunanetra dan tunadaksa", {"sensorik": "netra", "fisik": None}),
    ],
)
def test_legacy_disability_words_map_to_ragam(text, expected):
    """docs/sidilan.md §7.4: the pre-2016 'tuna-' words."""
    found, unknown = importer.parse_ragam(text)
    assert found == expected and unknown == []


def test_cacat_ganda_alone_names_no_ragam():
    assert importer.parse_ragam("cacat ganda") == ({}, ["cacat ganda"])


@pytest.mark.parametrize(
    "text,expected",
    [
        ("12-08-1970", "1970-08-12"),
        ("12/08/1970", "1970-08-12"),
        ("1970-08-12", "1970-08-12"),
        ("12.08.1970", "1970-08-12"),
        ("12 Agustus 1970", "1970-08-12"),
        ("3 Des 1948", "1948-12-03"),
    ],
)
def test_field_date_spellings(text, expected):
    assert importer.parse_date(text).isoformat() == expected


@pytest.mark.parametrize("text", ["31-02-1970", "12-13-1970", "kemarin"])
def test_impossible_dates_are_errors(text):
    with pytest.raises(ValueError):
        importer.parse_date(text)


def test_excel_serial_date_and_sex_spellings():
    assert importer.parse_date("25569", numeric=True).isoformat() == "1970-01-01"  # Excel day serial
    assert [
        importer.parse_sex(s) for s in ("L", "Laki-laki", "LK", "PRIA", "P", "Perempuan", "wanita", "X")
    ] == ["L", "L", "L", "L", "P", "P", "P", None]
    assert importer.split_ttl("Solok, 12-08-1970") == ("Solok", "12-08-1970")
    assert importer.split_ttl("Alahan Panjang 12 Agustus 1970") == ("Alahan Panjang", "12 Agustus 1970")


def test_the_preview_plans_the_file_once(operator, monkeypatch):
    """Paging or filtering the dry run reads the plan kept beside the upload; a new mapping plans again."""
    from blueprints.sidilan.importer import plan

    token = token_of(upload(operator))
    form = map_and_preview(operator, token)
    real, calls = plan.dry_run, []

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(plan, "dry_run", counted)
    first = operator.get(f"/sidilan/impor/{token}/uji")
    again = operator.get(f"/sidilan/impor/{token}/uji?tampil=ditolak", headers=HX)
    assert again.status_code == 200 and "Nama kosong." in again.text
    assert result_rows(again.text).items() <= result_rows(first.text).items()
    assert len(calls) == 1
    form["map_no_hp"] = ""  # another mapping: another plan
    assert operator.post(f"/sidilan/impor/{token}/kolom", data=form).status_code == 302
    assert operator.get(f"/sidilan/impor/{token}/uji").status_code == 200 and len(calls) == 2


def test_undo_and_resume_answer_bad_posts_without_an_error(app, operator):
    """The fuzz walk cannot reach these forms (the demo holds no import batch): their bad input is fed here."""
    batch_id, _ids, _households, _page = _imported(app, operator)
    for url in ("/sidilan/impor/riwayat/999999/batalkan", "/sidilan/impor/riwayat/99999999999/lanjutkan"):
        assert operator.post(url, data={"alasan": "x"}).status_code == 404
    undo = f"/sidilan/impor/riwayat/{batch_id}/batalkan"
    too_long = operator.post(undo, data={"alasan": "x" * 20_000})
    assert too_long.status_code == 422
    assert operator.post(undo, data={"alasan": "\x00\x01"}).status_code == 422
    done = operator.post(f"/sidilan/impor/riwayat/{batch_id}/lanjutkan", follow_redirects=True)
    assert done.status_code == 200  # a finished batch has nothing to resume: a message, not an error
    other = app.test_client()
    other.post("/masuk", data={"username": "operator.sijunjung", "password": DEMO_PASSWORD})
    assert other.post(undo, data={"alasan": "bukan milik saya"}).status_code == 404
    with app.app_context():
        assert db.session.get(ImportBatch, batch_id).status == "selesai"


def _job_page(operator, response) -> str:
    assert response.status_code == 302 and "/pekerjaan/" in response.headers["Location"], response.text[:500]
    page = operator.get(response.headers["Location"])
    assert page.status_code == 200
    return page.text


def test_a_large_files_dry_run_is_a_job_whose_page_links_to_the_same_result(app, operator):
    small = token_of(upload(operator))
    map_and_preview(operator, small)
    shown = result_rows(operator.get(f"/sidilan/impor/{small}/uji").text)
    app.config["SIDILAN_IMPORT_DRY_RUN_JOB_ROWS"] = 5  # the sample's 15 rows count as a large file
    before = counts(app)
    token = token_of(upload(operator))
    page = operator.get(f"/sidilan/impor/{token}/kolom")
    form = dict(selected_mapping(page.text), header_row=header_row(page.text))
    # the mapping's "next" button starts the check in the background: the clerk lands on its progress page
    html = _job_page(operator, operator.post(f"/sidilan/impor/{token}/kolom", data=form))
    assert "Uji coba impor sidilan_import_sample.xlsx" in html and "Selesai" in html
    new, rejected = len(GOOD_NIKS_XLSX) + len(GOOD_WITHOUT_NIK), len(REJECTED_XLSX)
    assert (
        f"Uji coba selesai: {new} akan dibuat, 0 cocok dengan data yang ada, 0 mungkin sama (perlu keputusan), "
        f"{rejected} ditolak." in html
    )
    (link,) = re.findall(r'<a class="btn" href="([^"]+)">Lihat hasil</a>', html)
    assert link == f"/sidilan/impor/{token}/uji"
    preview = operator.get(link)
    assert preview.status_code == 200 and "belum ada data yang disimpan" in preview.text
    rows = result_rows(preview.text)
    rows.update(result_rows(operator.get(f"{link}?hal=2").text))
    assert rows == shown | result_rows(operator.get(f"/sidilan/impor/{small}/uji?hal=2").text)
    assert counts(app) == before  # the dry run wrote nothing
    assert '<a href="/sidilan/impor/' + token + '/uji">Lihat hasil</a>' in operator.get("/pekerjaan/").text


def test_a_large_files_dry_run_not_yet_made_is_offered_not_started_by_the_page(app, operator):
    token = token_of(upload(operator))
    map_and_preview(operator, token)  # a small file then: the mapping leads to the page, which was not opened
    app.config["SIDILAN_IMPORT_DRY_RUN_JOB_ROWS"] = 5
    before = job_count(app)
    action = offer_page(operator, f"/sidilan/impor/{token}/uji", "Jalankan uji coba")
    assert "uji coba impornya dijalankan di latar belakang" in operator.get(action).text
    assert job_count(app) == before
    html = _job_page(operator, press(operator, action))
    assert "Uji coba selesai" in html
    assert result_rows(operator.get(f"/sidilan/impor/{token}/uji").text)  # now shown from the kept dry run
    assert job_count(app) == before + 1
