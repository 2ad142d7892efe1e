"""Background jobs (core.jobs and the "Pekerjaan saya" pages): lifecycle, progress, failures, ownership, the
download and its audit, byte budgets; and a real Huey consumer on the SQLite queue and on Redis."""

import gzip
import logging
import re
import threading

import pytest
from flask import current_app
from sqlalchemy import select

from blueprints.auth.models import User
from blueprints.core import jobs
from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.demo import DEMO_PASSWORD
from tests.conftest import HX

SEEN: dict[int, list] = {}


@jobs.job("test_count", record_type="sidilan_person")
def _count(job, progress):
    """Counts to params["n"] in steps of 10; the job row as another session sees it is noted at each step."""
    n = job.params["n"]
    for i in range(0, n + 1, 10):
        progress(i, n, f"{i} baris")
        with current_app.app_context():  # another session: what the job page would read now
            row = db.session.get(jobs.Job, job.id)
            SEEN.setdefault(job.id, []).append((row.status, row.done, row.total))
    if job.params.get("crash"):
        raise RuntimeError("NIK 1302015001900001 Rosmaniar tidak bisa dibaca")
    if job.params.get("refuse"):
        raise jobs.JobError("Tidak ada data yang cocok dengan saringan.")
    return jobs.Result(b"No,Nilai\r\n1,2\r\n", "hitung.csv", "text/csv", summary=f"hitung {n} baris")


@jobs.job("test_print", record_type="rujukan_referral", action="print")
def _print(job, progress):
    return jobs.Result(b"%PDF-1.7 test", "register.pdf", "application/pdf", summary="register bulan ini")


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _start(app, kind="test_count", username="operator.solok", **params):
    with app.test_request_context():
        user = _user(username)
        row, created = jobs.start(kind, "Hitung uji", params, user)
        return row.id, created


def _job(app, job_id) -> jobs.Job:
    with app.app_context():
        row = db.session.get(jobs.Job, job_id)
        db.session.expunge(row)
        return row


def test_a_job_runs_to_selesai_with_progress_committed_as_it_goes(app, auth, client):
    job_id, created = _start(app, n=30)
    assert created
    # each progress call was visible to another session while the job was still running
    assert SEEN[job_id] == [
        ("berjalan", 0, 30),
        ("berjalan", 10, 30),
        ("berjalan", 20, 30),
        ("berjalan", 30, 30),
    ]
    row = _job(app, job_id)
    assert (row.status, row.done, row.total, row.active_key) == ("selesai", 30, 30, None)
    assert row.started_at is not None and row.finished_at is not None and row.created_at <= row.started_at
    assert row.result_name == "hitung.csv" and row.message == "30 baris"

    auth.login()
    page = client.get(f"/pekerjaan/{job_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Selesai" in html and '<progress max="30" value="30">' in html and "30 dari 30" in html
    assert f'href="/pekerjaan/{job_id}/unduh"' in html
    assert 'http-equiv="refresh"' not in html and "every 2s" not in html  # nothing left to wait for


def test_a_waiting_job_page_polls_and_refreshes_without_javascript(app, auth, client):
    with app.app_context():
        user = _user("operator.solok")
        row = jobs.Job(
            owner_id=user.id, regency_id=user.regency_id, kind="test_count", label="Hitung uji", total=50
        )
        row.done = 20
        db.session.add(row)
        db.session.commit()
        job_id = row.id
    auth.login()
    html = client.get(f"/pekerjaan/{job_id}").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html.split("</head>")[0]
    assert f'data-hx-get="/pekerjaan/{job_id}"' in html and 'data-hx-trigger="every 2s"' in html
    assert '<progress max="50" value="20">' in html and "20 dari 50" in html and "/unduh" not in html
    fragment = client.get(f"/pekerjaan/{job_id}", headers=HX).get_data(as_text=True)
    assert fragment.startswith('<section id="status-pekerjaan"') and "<html" not in fragment
    assert "20 dari 50" in fragment and 'data-hx-swap="outerHTML"' in fragment


def test_the_same_export_twice_answers_with_the_running_job(app):
    with app.app_context():
        user = _user("operator.solok")
        row = jobs.Job(
            owner_id=user.id,
            kind="test_count",
            label="Hitung uji",
            params_json='{"n": 10}',
            active_key=jobs._params_key(user.id, "test_count", {"n": 10}),
        )
        db.session.add(row)
        db.session.commit()
        running = row.id
    assert _start(app, n=10) == (running, False)
    assert _start(app, n=20)[1] is True  # other params: another job
    assert _start(app, username="operator.sijunjung", n=10)[1] is True  # another user: their own job
    job_id, created = _start(app, n=40)
    assert created and _start(app, n=40)[1] is True  # a finished job is not "running": a new one starts


def test_a_crash_marks_gagal_with_a_safe_message_and_logs_no_personal_data(app, auth, client, caplog):
    with caplog.at_level(logging.ERROR, logger="blueprints.core.jobs"):
        job_id, _ = _start(app, n=10, crash=True)
    row = _job(app, job_id)
    assert row.status == "gagal" and row.active_key is None and row.finished_at is not None
    assert row.message == jobs.FAILED_MESSAGE and row.result_path is None
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert f"job {job_id} failed (RuntimeError)" in logged
    assert "1302015001900001" not in logged and "Rosmaniar" not in logged
    auth.login()
    html = client.get(f"/pekerjaan/{job_id}").get_data(as_text=True)
    assert "Gagal" in html and jobs.FAILED_MESSAGE in html and "Rosmaniar" not in html
    assert client.get(f"/pekerjaan/{job_id}/unduh").status_code == 404


def test_a_refusal_shows_its_own_message(app):
    job_id, _ = _start(app, n=10, refuse=True)
    row = _job(app, job_id)
    assert (row.status, row.message) == ("gagal", "Tidak ada data yang cocok dengan saringan.")


def test_someone_elses_job_answers_404(app, auth, client):
    job_id, _ = _start(app, username="operator.sijunjung", n=10)
    auth.login("operator.solok")
    assert client.get(f"/pekerjaan/{job_id}").status_code == 404
    assert client.get(f"/pekerjaan/{job_id}", headers=HX).status_code == 404
    assert client.get(f"/pekerjaan/{job_id}/unduh").status_code == 404
    assert "Hitung uji" not in client.get("/pekerjaan/").get_data(as_text=True)
    auth.logout()
    auth.login("superadmin")  # not even the superadmin: a job and its file are only ever its owner's
    assert client.get(f"/pekerjaan/{job_id}").status_code == 404


def test_pages_need_login(client):
    response = client.get("/pekerjaan/")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_making_and_downloading_the_file_are_both_audited(app, auth, client):
    def events():
        with app.app_context():
            return db.session.execute(
                select(AuditEvent.action, AuditEvent.object_type, AuditEvent.summary, AuditEvent.user_id)
                .where(AuditEvent.summary.like("%pekerjaan #%"))
                .order_by(AuditEvent.id)
            ).all()

    job_id, _ = _start(app, n=10)
    print_id, _ = _start(app, kind="test_print")
    with app.app_context():
        owner = _user("operator.solok").id
    assert events() == [
        ("export", "sidilan_person", f"pekerjaan #{job_id}: hitung 10 baris", owner),
        ("print", "rujukan_referral", f"pekerjaan #{print_id}: register bulan ini", owner),
    ]
    auth.login()
    got = client.get(f"/pekerjaan/{job_id}/unduh")
    assert got.status_code == 200 and got.data == b"No,Nilai\r\n1,2\r\n"
    assert got.headers["Content-Disposition"] == "attachment; filename*=UTF-8''hitung.csv"
    assert got.headers["Cache-Control"] == "no-store"
    assert client.get(f"/pekerjaan/{print_id}/unduh").mimetype == "application/pdf"
    assert events()[2:] == [
        ("export", "sidilan_person", f"unduh hasil pekerjaan #{job_id}: Hitung uji", owner),
        ("print", "rujukan_referral", f"unduh hasil pekerjaan #{print_id}: Hitung uji", owner),
    ]


def test_the_file_is_private_on_disk(app):
    job_id, _ = _start(app, n=10)
    with app.app_context():
        path = jobs.result_file(db.session.get(jobs.Job, job_id))
        assert path is not None and path.parent.name == "jobs"
        assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700


def test_pekerjaan_saya_lists_own_jobs_newest_first_paged(app, auth, client):
    ids = [_start(app, n=i * 10)[0] for i in range(1, 23)]
    auth.login()
    html = client.get("/pekerjaan/").get_data(as_text=True)
    assert html.index(f'href="/pekerjaan/{ids[-1]}"') < html.index(f'href="/pekerjaan/{ids[-2]}"')
    assert f'href="/pekerjaan/{ids[0]}"' not in html and "hal=2" in html  # 20 a page
    second = client.get("/pekerjaan/?hal=2").get_data(as_text=True)
    assert f'href="/pekerjaan/{ids[0]}"' in second and f'href="/pekerjaan/{ids[1]}"' in second
    fragment = client.get("/pekerjaan/", headers=HX).get_data(as_text=True)
    assert fragment.startswith('<div id="daftar-pekerjaan">')


def test_every_logged_in_user_has_the_link(app, auth, client):
    for username in ("operator.solok", "faskes.sijunjung", "superadmin"):
        auth.login(username)
        assert 'href="/pekerjaan/"' in client.get("/").get_data(as_text=True), username
        auth.logout()


def test_byte_budgets_of_the_job_page_and_fragment(app, auth, client):
    ids = [_start(app, n=10)[0]] + [_start(app, n=20 + i)[0] for i in range(25)]
    auth.login()

    def gz(url, **kw):
        response = client.get(url, **kw)
        assert response.status_code == 200, url
        return len(gzip.compress(response.get_data(), compresslevel=6))

    assert gz(f"/pekerjaan/{ids[0]}") <= 14_000
    assert gz(f"/pekerjaan/{ids[0]}", headers=HX) <= 4_000
    assert gz("/pekerjaan/") <= 14_000
    assert gz("/pekerjaan/", headers=HX) <= 4_000


def test_the_pages_run_few_statements_whatever_the_number_of_jobs(app, auth, client):
    from tests.queries import statements

    auth.login()
    counts = []
    for extra in (5, 50):
        with app.app_context():
            user = _user("operator.solok")
            db.session.add_all(
                jobs.Job(owner_id=user.id, kind="test_count", label=f"Uji {i}") for i in range(extra)
            )
            db.session.commit()
        with statements(app) as seen:
            assert client.get("/pekerjaan/").status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1] <= 6, counts


# ---- a real consumer --------------------------------------------------------------------------------------------


def _run_with_consumer(app):
    """Queue a job through the app (no immediate mode), then let a real Huey consumer (threads) run it."""
    huey = jobs.huey_of(app)
    with app.app_context():
        job_id, created = _start(app, n=20)
    assert created
    assert _job(app, job_id).status == "menunggu"  # queued, nobody ran it yet
    assert len(huey) == 1
    consumer = huey.create_consumer(workers=1, worker_type="thread", periodic=False, initial_delay=0.05)
    done = threading.Event()

    def watch():
        # the consumer's own thread runs the job; this waits for the row to say so (no wall-clock assertion)
        for _ in range(400):
            if _job(app, job_id).status in ("selesai", "gagal"):
                done.set()
                return
            done.wait(0.05)

    consumer.start()
    try:
        watcher = threading.Thread(target=watch)
        watcher.start()
        watcher.join(30)
    finally:
        consumer.stop(graceful=True)
    row = _job(app, job_id)
    assert (row.status, row.done, row.total) == ("selesai", 20, 20)
    client = app.test_client()
    client.post("/masuk", data={"username": "operator.solok", "password": DEMO_PASSWORD})
    got = client.get(f"/pekerjaan/{job_id}/unduh")
    assert got.status_code == 200 and got.data == b"No,Nilai\r\n1,2\r\n"


@pytest.mark.real_commits
def test_a_real_consumer_runs_a_job_from_the_sqlite_queue(make_app, tmp_path):
    app = make_app(JOBS_IMMEDIATE=False, JOBS_QUEUE_FILE=str(tmp_path / "jobs.sqlite"))
    assert type(jobs.huey_of(app)).__name__ == "SqliteHuey"
    _run_with_consumer(app)


def _redis_url() -> str | None:
    import redis

    url = "redis://127.0.0.1:6379/1"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.exceptions.RedisError:
        return None
    return url


@pytest.mark.real_commits
def test_a_real_consumer_runs_a_job_from_redis(make_app):
    url = _redis_url()
    if url is None:
        pytest.skip("Redis tidak menjawab di 127.0.0.1:6379")
    app = make_app(JOBS_IMMEDIATE=False, REDIS_URL=url)
    huey = jobs.huey_of(app)
    assert type(huey).__name__ == "RedisHuey"
    huey.flush()
    _run_with_consumer(app)
    huey.flush()


def test_a_finished_job_keeps_no_params(app):
    job_id, _ = _start(app, n=10, q="Rosmaniar")
    assert _job(app, job_id).params == {}


def test_a_job_left_running_by_a_killed_worker_is_marked_failed_at_worker_start(app):
    with app.app_context():
        user = _user("operator.solok")
        key = jobs._params_key(user.id, "test_count", {"n": 10})
        row = jobs.Job(owner_id=user.id, kind="test_count", label="Uji", status="berjalan", active_key=key)
        db.session.add(row)
        db.session.commit()
        stuck = row.id
        assert jobs.recover_interrupted() == 1
    row = _job(app, stuck)
    assert (row.status, row.active_key, row.message) == ("gagal", None, jobs.STOPPED_MESSAGE)
    assert _start(app, n=10)[1] is True  # the same export can be started again


# ---- a GET never starts a job --------------------------------------------------------------------------------


def test_a_large_export_link_offers_the_job_and_only_the_button_starts_it(make_app, tmp_path):
    """A crawler, a prefetch or a reload of the link starts nothing; the button (a CSRF-protected POST) starts the
    job, and pressed again while it waits lands on the same job. Without JavaScript: a plain form."""
    from tests.offers import job_count

    app = make_app(
        JOBS_IMMEDIATE=False,
        JOBS_QUEUE_FILE=str(tmp_path / "jobs.sqlite"),
        WTF_CSRF_ENABLED=True,
        SIDILAN_EXPORT_JOB_ROWS=2,
    )
    client = app.test_client()
    login = client.get("/masuk").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login).group(1)
    client.post("/masuk", data={"username": "operator.solok", "password": DEMO_PASSWORD, "csrf_token": token})
    before = job_count(app)
    for _ in range(2):
        page = client.get("/sidilan/ekspor.csv?kecamatan=13.02.18")
        html = page.get_data(as_text=True)
        assert (
            page.status_code == 200
            and "dibuat di latar belakang" in html
            and "<button>Buat berkas</button>" in html
        )
        assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    assert job_count(app) == before
    with app.app_context():  # opening the offer is no export: the audit log names none
        assert not db.session.scalars(
            select(AuditEvent.id).where(AuditEvent.summary.like("%ekspor daftar orang%"))
        ).all()
    assert client.post("/sidilan/ekspor.csv?kecamatan=13.02.18").status_code == 400  # no CSRF token
    assert job_count(app) == before
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    first = client.post("/sidilan/ekspor.csv?kecamatan=13.02.18", data={"csrf_token": token})
    again = client.post("/sidilan/ekspor.csv?kecamatan=13.02.18", data={"csrf_token": token})
    assert first.status_code == again.status_code == 302
    assert (
        first.headers["Location"] == again.headers["Location"] and "/pekerjaan/" in first.headers["Location"]
    )
    assert job_count(app) == before + 1
    job_page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Ekspor daftar SIDILAN" in job_page and "Menunggu" in job_page


def test_the_offer_posts_to_its_own_url_whatever_the_query(app, auth, client):
    from tests.offers import offer_page

    app.config["SIDILAN_EXPORT_JOB_ROWS"] = 0
    auth.login("operator.solok")
    url = "/sidilan/ekspor.csv?_external=1&_scheme=javascript&_anchor=x&ragam=fisik&ragam=mental"
    assert offer_page(client, url) == url


def test_under_the_threshold_the_link_still_gives_the_file(app, auth, client):
    from tests.offers import job_count

    auth.login("operator.solok")
    before = job_count(app)
    got = client.get("/sidilan/ekspor.csv?kecamatan=13.02.18")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    assert job_count(app) == before
