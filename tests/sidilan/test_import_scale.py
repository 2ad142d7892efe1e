"""A regency's register (20,000 rows) imported in chunks while another clerk keeps registering people through
the app (issue 12 item 4): no write fails, every one lands, and the batch ends complete. On SQLite and, with
TEST_DATABASE_URL, on PostgreSQL. Waiting times are measured in bench/import_20k.py, never here."""

import threading
import time

import pytest
from sqlalchemy import func, select

from blueprints.auth.models import User
from blueprints.core.extensions import db
from blueprints.core.jobs import Job
from blueprints.demo import DEMO_PASSWORD
from blueprints.sidilan import duplicates, importer
from blueprints.sidilan.models import Person
from blueprints.sidilan.report_models import ImportBatch
from blueprints.wilayah.models import Jorong
from tests.offers import offer_page, press
from tests.sidilan.conftest import TIGO_JANGKO_NAGARI, keyed
from tests.sidilan.import_file import clerk_person, make_rows, mapped_upload, places

ROWS = 20_000
WRITES = 100
CHUNK = 100  # 200 chunks for 100 writes: a clerk's write may span two chunk commits on a slow host and still
# most writes land while the import runs (with 250-row chunks, 80 commits, CI saw 44 of 100)


def _persons(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Person))


@pytest.mark.real_commits
def test_twenty_thousand_rows_import_while_another_clerk_writes(app):
    app.config["SIDILAN_IMPORT_CHUNK"] = CHUNK
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username == "operator.solok"))
        jorong = db.session.scalar(select(Jorong.id).where(Jorong.nagari_code == TIGO_JANGKO_NAGARI))
        pending = mapped_upload(make_rows(ROWS, places(user.regency_id)), user)
        batch_id = importer.open_batch(pending, user).id
        db.session.commit()
    before = _persons(app)
    failures = []

    def run():  # the run button's job (immediate mode: the job runs in this thread, as a worker would)
        try:
            with app.test_request_context():
                owner = db.session.scalar(select(User).where(User.username == "operator.solok"))
                importer.queue_run(db.session.get(ImportBatch, batch_id), owner)
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 (reported below, in the main thread)
            failures.append(exc)

    def committed() -> int:
        with app.app_context():
            return db.session.scalar(select(ImportBatch.rows_done).where(ImportBatch.id == batch_id))

    clerk = app.test_client()
    assert (
        clerk.post("/masuk", data={"username": "operator.solok", "password": DEMO_PASSWORD}).status_code
        == 302
    )
    worker = threading.Thread(target=run)
    worker.start()
    answers, during, seen = [], 0, 0
    for i in range(WRITES):
        while worker.is_alive() and committed() == seen:  # one write per committed chunk: they interleave
            time.sleep(0.02)
        seen = committed()
        during += worker.is_alive()
        answers.append(clerk.post("/sidilan/orang/baru", data=keyed(clerk_person(i, jorong))).status_code)
    worker.join()

    assert not failures
    assert answers == [302] * WRITES  # every form saved, none refused or failed ("database is locked")
    assert during >= WRITES // 2  # most of them while the import was running
    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        assert batch.status == "selesai" and batch.rows_done == batch.created_count == len(batch.created_ids)
        job = db.session.get(Job, batch.job_id)
        assert job.status == "selesai" and job.done == job.total == batch.created_count
        assert batch.created_count + batch.matched_count + batch.rejected_count == ROWS
        assert batch.created_count > ROWS * 0.99
        niks = [clerk_person(i, jorong)["nik"] for i in range(WRITES)]
        assert (
            db.session.scalar(select(func.count()).select_from(Person).where(Person.nik.in_(niks))) == WRITES
        )
        # the chunks opened the same duplicate cases the one-by-one check would have
        sample = db.session.scalars(select(Person).where(Person.id.in_(batch.created_ids[::97]))).all()
        assert not any(duplicates.find_duplicates(p) for p in sample)
    assert _persons(app) == before + batch.created_count + WRITES


def test_a_twenty_thousand_row_files_dry_run_is_a_job_not_the_request(app, client, auth):
    """The preview of a 20,000-row file not checked yet offers the check as a job (the request does not run
    it); the job's page links to the result page, which then shows the kept dry run."""
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username == "operator.solok"))
        token = mapped_upload(make_rows(ROWS, places(user.regency_id)), user).token
    auth.login("operator.solok")
    preview = f"/sidilan/impor/{token}/uji"
    with app.app_context():
        jobs_before = db.session.scalar(select(func.count()).select_from(Job))
    action = offer_page(client, preview, "Jalankan uji coba")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == jobs_before
    done = client.get(press(client, action).headers["Location"]).get_data(as_text=True)
    assert "Uji coba selesai: 20.000 akan dibuat" in done, done[-1500:]
    assert f'<a class="btn" href="{preview}">Lihat hasil</a>' in done
    shown = client.get(preview).get_data(as_text=True)
    assert "belum ada data yang disimpan" in shown and "Jalankan uji coba" not in shown
