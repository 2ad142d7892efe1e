"""`flask backup` and `flask restore`: create data, back up, wipe, restore on a new server, compare counts and
what a printed letter's QR check answers. On SQLite always; on PostgreSQL when the suite runs on it (scratch
databases named h9_…, created and dropped here)."""

import io
import json
import os
import stat
import tarfile
import uuid
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text

from app import create_app
from blueprints.core.extensions import db
from blueprints.demo import load_demo
from blueprints.rujukan import verification
from blueprints.rujukan.models import Referral
from tests.conftest import make_config

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
KINDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not PG_URL.startswith("postgresql"),
            reason="the suite runs on SQLite (TEST_DATABASE_URL not PostgreSQL)",
        ),
    ),
]
DOCUMENT = b"%PDF-1.4 isi dokumen uji\n"


@pytest.fixture
def databases(request, tmp_path):
    """(source URL, new server's URL, wipe the source)."""
    kind = request.param
    if kind == "sqlite":
        src = tmp_path / "lama" / "sinergi.sqlite"
        src.parent.mkdir()

        def wipe():
            for suffix in ("", "-wal", "-shm"):
                Path(str(src) + suffix).unlink(missing_ok=True)

        (tmp_path / "baru").mkdir()
        yield f"sqlite:///{src}", f"sqlite:///{tmp_path / 'baru' / 'sinergi.sqlite'}", wipe
        return
    names = [f"h9_src_{uuid.uuid4().hex[:8]}", f"h9_dst_{uuid.uuid4().hex[:8]}"]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_URL.rsplit("/", 1)[0]

    def wipe():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{names[0]}" WITH (FORCE)'))

    try:
        yield f"{base}/{names[0]}", f"{base}/{names[1]}", wipe
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _app(url, uploads, key):
    return create_app(make_config(url, UPLOAD_DIR=str(uploads), SECRET_KEY=key))


def _counts(app):
    with app.app_context():
        names = sorted(db.inspect(db.engine).get_table_names())
        with db.engine.connect() as conn:
            counts = {t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar() for t in names}
        db.engine.dispose()
    return counts


def _dispose(app):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _answer(app, code):
    response = app.test_client().get(f"/v/{code}")
    return response.status_code, response.get_data(as_text=True)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("databases", KINDS, indirect=True)
def test_backup_wipe_restore_round_trip(databases, tmp_path, monkeypatch):
    src_url, dst_url, wipe = databases
    old_uploads, new_uploads = tmp_path / "lama" / "uploads", tmp_path / "baru" / "uploads"
    source = _app(src_url, old_uploads, "kunci-server-lama-0123456789")
    with source.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        ref = db.session.scalars(
            select(Referral).where(Referral.number.is_not(None)).order_by(Referral.id)
        ).first()
        code, number = verification.verify_code(ref.id), ref.number
        db.session.remove()
        db.engine.dispose()
    (old_uploads / "pks").mkdir(parents=True, exist_ok=True)
    (old_uploads / "pks" / "naskah.pdf").write_bytes(DOCUMENT)
    answer = _answer(source, code)
    assert answer[0] == 200 and number in answer[1]
    before = _counts(source)

    backups = tmp_path / "cadangan"
    result = source.test_cli_runner().invoke(args=["backup", str(backups)])
    assert result.exit_code == 0, result.output
    _dispose(source)
    (archive,) = backups.glob("sinergi-*.tar.gz")
    secret = backups / "secret_key"
    assert _mode(archive) == 0o600 and _mode(secret) == 0o600 and _mode(backups) == 0o700
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        assert "secret_key" not in tar.getnames()
    assert manifest["database"]["tables"] == before
    # the newest migration (the head of migrations/versions), whichever that is
    head = ScriptDirectory(str(Path(source.root_path) / "migrations")).get_current_head()
    assert manifest["database"]["alembic_revision"] == head
    # the demo's documents: a SIDILAN photo and the placeholder EKG of answered referrals
    demo_photos = {f for f in manifest["files"] if f.startswith(("uploads/sidilan/", "uploads/rujukan/"))}
    assert set(manifest["files"]) - demo_photos == {manifest["database"]["file"], "uploads/pks/naskah.pdf"}
    assert secret.read_text() == "kunci-server-lama-0123456789"

    wipe()  # the old server is gone
    import shutil

    shutil.rmtree(old_uploads)

    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "baru" / "secret_key"))
    new_server = _app(dst_url, new_uploads, "kunci-server-baru-generated")
    result = new_server.test_cli_runner().invoke(args=["restore", str(archive), "--secret-file", str(secret)])
    assert result.exit_code == 0, result.output
    assert "sesuai manifest" in result.output and "Kunci rahasia dipulihkan" in result.output
    assert _counts(new_server) == before
    assert (new_uploads / "pks" / "naskah.pdf").read_bytes() == DOCUMENT
    assert _mode(new_uploads / "pks" / "naskah.pdf") == 0o600

    restarted = _app(dst_url, new_uploads, (tmp_path / "baru" / "secret_key").read_text())
    assert _answer(restarted, code) == answer  # the printed QR answers as before
    assert _answer(new_server, code)[0] == 404  # without the key it would not: hence the separate key file
    _dispose(new_server)

    refused = restarted.test_cli_runner().invoke(args=["restore", str(archive)])
    assert refused.exit_code != 0 and "tidak kosong" in refused.output
    forced = restarted.test_cli_runner().invoke(args=["restore", str(archive), "--force"])
    assert forced.exit_code == 0, forced.output
    assert _counts(restarted) == before
    _dispose(restarted)


def test_restore_checks_the_manifest_before_touching_anything(tmp_path):
    src = tmp_path / "a.sqlite"
    app = _app(f"sqlite:///{src}", tmp_path / "up", "kunci-uji-1234567890")
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b"), "--no-secret"])
    assert result.exit_code == 0, result.output
    _dispose(app)
    (archive,) = (tmp_path / "b").glob("*.tar.gz")
    assert not (tmp_path / "b" / "secret_key").exists()

    tampered = tmp_path / "rusak.tar.gz"
    with tarfile.open(archive) as tar, tarfile.open(tampered, "w:gz") as out:
        for member in tar.getmembers():
            data = tar.extractfile(member).read()
            if member.name == "database.sqlite":
                data = data[:-1] + bytes([data[-1] ^ 1])
            out.addfile(member, io.BytesIO(data))
    target = tmp_path / "t.sqlite"
    other = _app(f"sqlite:///{target}", tmp_path / "up2", "kunci-uji-1234567890")
    result = other.test_cli_runner().invoke(args=["restore", str(tampered)])
    assert result.exit_code != 0 and "Checksum database.sqlite tidak cocok" in result.output
    assert target.stat().st_size == 0  # untouched

    (tmp_path / "bukan.tar.gz").write_bytes(b"bukan arsip")
    result = other.test_cli_runner().invoke(args=["restore", str(tmp_path / "bukan.tar.gz")])
    assert result.exit_code != 0 and "tidak dapat dibaca" in result.output
    wrong_key = tmp_path / "kunci-lain"
    wrong_key.write_text("bukan-kunci-itu")
    result = other.test_cli_runner().invoke(args=["restore", str(archive), "--secret-file", str(wrong_key)])
    assert result.exit_code != 0 and "bukan kunci saat arsip ini dibuat" in result.output
    _dispose(other)
