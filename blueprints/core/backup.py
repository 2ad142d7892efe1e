"""`flask backup DIR` and `flask restore ARCHIVE`: one dated archive a technician can restore on a new server.

The archive (``sinergi-YYYYMMDD-HHMMSS.tar.gz``, mode 0600) holds

- ``database.sqlite``: a consistent copy made with SQLite's online backup API (a plain ``cp`` of a live WAL
  database loses committed rows), or ``database.pgdump``: ``pg_dump -Fc`` of the PostgreSQL database, taken in
  the same snapshot the row counts are read from;
- ``uploads/…``: every uploaded document;
- ``manifest.json``: when, the schema revision, the row count of every table and the SHA-256 and size of every
  other member.

The secret key is not in the archive: it signs sessions and the verification code on every printed letter, so it
is written once to a separate file (``DIR/secret_key`` by default, 0600) that belongs somewhere else than the
archives (see README). The manifest holds only its fingerprint, so a restore can tell whether the key in use
will still verify old letters.

``restore`` checks every checksum first, refuses a database that already holds data (or an upload folder with
files) unless ``--force``, restores, and compares the row counts with the manifest.
"""

import glob
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from .extensions import db
from .timeutil import WIB, utcnow
from .uploads import private_dir, upload_root, write_private

FORMAT = 1
MANIFEST = "manifest.json"
# rows that `flask seed` puts into an empty database: their presence does not make it "non-empty"
REFERENCE_TABLES = {"alembic_version", "regency", "wilayah"}


class BackupError(Exception):
    """A refusal with a message for the technician (Indonesian)."""


@dataclass
class Report:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# ---- helpers ----------------------------------------------------------------------------------------------


def _kind(url) -> str:
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"Basis data {name} tidak didukung untuk cadangan.")
    return name


def _sqlite_path(url) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("Basis data SQLite di memori tidak dapat dicadangkan.")
    return Path(database)


def _libpq(url) -> tuple[str, dict]:
    """A libpq URL without the password (which goes into PGPASSWORD, not onto the command line)."""
    parsed = make_url(url).set(drivername="postgresql")
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return parsed.set(password=None).render_as_string(hide_password=False), env


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: on PATH, else the newest under /usr/lib/postgresql/*/bin (Debian's layout)."""
    configured = current_app.config.get("PG_BIN_DIR")
    if configured and Path(configured, name).is_file():
        return str(Path(configured, name))
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if not candidates:
        raise BackupError(
            f"{name} tidak ditemukan. Pasang paket postgresql-client (apt-get install "
            "postgresql-client) atau atur PG_BIN_DIR."
        )
    return candidates[-1]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def key_fingerprint(key: str) -> str:
    return hashlib.sha256(("sinergi-secret-key:" + key).encode()).hexdigest()[:16]


def _upload_root() -> Path:
    return upload_root()


def _upload_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _table_names(bind) -> list[str]:
    return sorted(inspect(bind).get_table_names())


def _counts(conn, tables) -> dict[str, int]:
    preparer = conn.dialect.identifier_preparer
    return {t: int(conn.execute(text(f"SELECT COUNT(*) FROM {preparer.quote(t)}")).scalar()) for t in tables}


def _revision(conn, tables) -> str | None:
    if "alembic_version" not in tables:
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


@contextmanager
def _workdir(parent: Path):
    work = Path(tempfile.mkdtemp(prefix=".sinergi-", dir=parent))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---- backup -----------------------------------------------------------------------------------------------


def backup(
    target_dir: str | os.PathLike, secret_file: str | os.PathLike | None = None, write_secret: bool = True
) -> Report:
    target = private_dir(target_dir)
    url = db.engine.url
    kind = _kind(url)
    stamp = utcnow().astimezone(WIB).strftime("%Y%m%d-%H%M%S")
    final = target / f"sinergi-{stamp}.tar.gz"
    n = 1
    while final.exists():
        n += 1
        final = target / f"sinergi-{stamp}-{n}.tar.gz"
    with _workdir(target) as work:
        if kind == "sqlite":
            db_member, counts, revision = _dump_sqlite(url, work)
        else:
            db_member, counts, revision = _dump_postgresql(url, work)
        uploads = _upload_root()
        files = {db_member: work / db_member}
        for path in _upload_files(uploads):
            files["uploads/" + path.relative_to(uploads).as_posix()] = path
        key = current_app.config["SECRET_KEY"]
        manifest = {
            "format": FORMAT,
            "app": "sinergi",
            "created_at": utcnow().isoformat(),
            "database": {"kind": kind, "file": db_member, "alembic_revision": revision, "tables": counts},
            "files": {
                name: {"sha256": _sha256(path), "size": path.stat().st_size} for name, path in files.items()
            },
            "secret_key": {
                "fingerprint": key_fingerprint(key),
                "note": "Kunci rahasia tidak ada di arsip ini; simpan berkasnya terpisah.",
            },
        }
        partial = work / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data), 0o600, int(utcnow().timestamp())
            archive.addfile(info, io.BytesIO(data))
            for name, path in files.items():
                archive.add(path, arcname=name, recursive=False, filter=_private_member)
        os.chmod(partial, 0o600)
        os.replace(partial, final)  # a half-written archive never carries the final name
    report = Report(final, counts)
    if write_secret:
        secret_path = Path(secret_file) if secret_file else target / "secret_key"
        if not secret_path.exists() or secret_path.read_text().strip() != key:
            write_private(secret_path, key.encode())
        report.notes.append(f"Kunci rahasia: {secret_path} (simpan terpisah dari arsip).")
    return report


def _private_member(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


def _dump_sqlite(url, work: Path):
    source = _sqlite_path(url)
    if not source.exists():
        raise BackupError(f"Berkas basis data {source} tidak ada.")
    copy = work / "database.sqlite"
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(copy)
    try:
        src.backup(dst)  # a consistent copy, WAL included, while the app keeps writing
    finally:
        src.close()
        dst.close()
    check = sqlite3.connect(copy)
    try:
        tables = sorted(
            r[0]
            for r in check.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        )
        counts = {t: check.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
        revision = (
            (check.execute("SELECT version_num FROM alembic_version").fetchone() or [None])[0]
            if "alembic_version" in tables
            else None
        )
    finally:
        check.close()
    return "database.sqlite", counts, revision


def _dump_postgresql(url, work: Path):
    dump = work / "database.pgdump"
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
            tables = _table_names(conn)
            counts = _counts(conn, tables)  # the same snapshot pg_dump reads
            revision = _revision(conn, tables)
            dsn, env = _libpq(url)
            result = subprocess.run(
                [
                    pg_tool("pg_dump"),
                    "-Fc",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "-f",
                    str(dump),
                    "-d",
                    dsn,
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=3600,
            )
            if result.returncode != 0:
                raise BackupError("pg_dump gagal: " + (result.stderr.strip().splitlines() or ["?"])[-1])
    return "database.pgdump", counts, revision


# ---- restore ----------------------------------------------------------------------------------------------


def read_manifest(archive_path: str | os.PathLike) -> dict:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            member = archive.getmember(MANIFEST)
            manifest = json.loads(archive.extractfile(member).read())
    except (OSError, KeyError, tarfile.TarError, ValueError) as exc:
        raise BackupError(f"Arsip tidak dapat dibaca atau tidak berisi {MANIFEST}.") from exc
    if manifest.get("app") != "sinergi" or manifest.get("format") != FORMAT:
        raise BackupError("Arsip ini bukan cadangan Sinergi (format tidak dikenal).")
    return manifest


def _safe_name(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts and "\\" not in name


def verify_archive(archive_path, work: Path) -> dict:
    """Check every member against the manifest and unpack them into ``work``; returns the manifest."""
    manifest = read_manifest(archive_path)
    expected = manifest.get("files", {})
    seen = set()
    with tarfile.open(archive_path, "r:gz") as archive:
        for member in archive:
            if member.name == MANIFEST:
                continue
            if not member.isfile() or not _safe_name(member.name) or member.name not in expected:
                raise BackupError(f"Arsip berisi bagian yang tidak tercatat di manifest: {member.name[:80]}")
            target = work / member.name
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            digest = hashlib.sha256()
            with archive.extractfile(member) as src, open(target, "wb") as dst:
                for block in iter(lambda: src.read(1024 * 1024), b""):
                    digest.update(block)
                    dst.write(block)
            want = expected[member.name]
            if digest.hexdigest() != want["sha256"] or target.stat().st_size != want["size"]:
                raise BackupError(f"Checksum {member.name} tidak cocok: arsip rusak atau diubah.")
            seen.add(member.name)
    missing = set(expected) - seen
    if missing:
        raise BackupError(f"Arsip tidak lengkap; hilang: {', '.join(sorted(missing))[:200]}")
    return manifest


def data_rows() -> dict[str, int]:
    """Rows per table of the current database, for the tables that make it 'not empty'."""
    with db.engine.connect() as conn:
        tables = [t for t in _table_names(conn) if t not in REFERENCE_TABLES]
        return {t: n for t, n in _counts(conn, tables).items() if n}


def restore(
    archive_path: str | os.PathLike, force: bool = False, secret_file: str | os.PathLike | None = None
) -> Report:
    url = db.engine.url
    kind = _kind(url)
    uploads = _upload_root()
    parent = private_dir(Path(current_app.instance_path))
    with _workdir(parent) as work:
        manifest = verify_archive(archive_path, work)
        if manifest["database"]["kind"] != kind:
            raise BackupError(
                f"Arsip berisi basis data {manifest['database']['kind']}, sedangkan DATABASE_URL "
                f"menunjuk {kind}. Pulihkan ke jenis basis data yang sama."
            )
        key = _secret_to_use(manifest, secret_file)
        existing = data_rows()
        has_files = bool(_upload_files(uploads))
        if (existing or has_files) and not force:
            what = ", ".join(f"{t} ({n})" for t, n in sorted(existing.items())[:5]) or f"berkas di {uploads}"
            raise BackupError(
                f"Basis data tujuan tidak kosong: {what}. Tidak ada yang ditimpa. Gunakan --force "
                "untuk menimpa (data saat ini hilang)."
            )
        db.session.remove()
        db.engine.dispose()
        if kind == "sqlite":
            _load_sqlite(work / manifest["database"]["file"], _sqlite_path(url))
        else:
            _load_postgresql(work / manifest["database"]["file"], url)
        db.engine.dispose()
        report = Report(Path(archive_path))
        if has_files:
            aside = uploads.with_name(
                uploads.name + "-sebelum-pemulihan-" + utcnow().strftime("%Y%m%d%H%M%S")
            )
            uploads.rename(aside)
            report.notes.append(f"Berkas unggahan lama dipindahkan ke {aside}.")
        private_dir(uploads)
        restored_uploads = work / "uploads"
        if restored_uploads.is_dir():
            for path in sorted(restored_uploads.rglob("*")):
                destination = uploads / path.relative_to(restored_uploads)
                if path.is_dir():
                    private_dir(destination)
                else:
                    private_dir(destination.parent)
                    shutil.copyfile(path, destination)
                    os.chmod(destination, 0o600)
    with db.engine.connect() as conn:
        counts = _counts(conn, _table_names(conn))
    report.counts = counts
    wanted = manifest["database"]["tables"]
    wrong = {t: (n, counts.get(t)) for t, n in wanted.items() if counts.get(t) != n}
    if wrong:
        raise BackupError(
            "Jumlah baris setelah pemulihan tidak sama dengan manifest: "
            + ", ".join(f"{t} {a}≠{b}" for t, (a, b) in list(wrong.items())[:5])
        )
    if key is not None:
        report.notes.extend(_install_secret(key))
    elif key_fingerprint(current_app.config["SECRET_KEY"]) != manifest["secret_key"]["fingerprint"]:
        report.notes.append(
            "PERINGATAN: kunci rahasia yang dipakai sekarang bukan kunci saat pencadangan; kode "
            "verifikasi pada surat yang sudah dicetak akan ditolak. Pulihkan dengan "
            "--secret-file BERKAS_KUNCI."
        )
    return report


def _secret_to_use(manifest: dict, secret_file) -> str | None:
    if secret_file is None:
        return None
    try:
        key = Path(secret_file).read_text().strip()
    except OSError as exc:
        raise BackupError(f"Berkas kunci rahasia {secret_file} tidak dapat dibaca.") from exc
    if key_fingerprint(key) != manifest["secret_key"]["fingerprint"]:
        raise BackupError("Kunci rahasia pada berkas itu bukan kunci saat arsip ini dibuat.")
    return key


def _install_secret(key: str) -> list[str]:
    if os.environ.get("SECRET_KEY"):
        if os.environ["SECRET_KEY"] == key:
            return ["Kunci rahasia di SECRET_KEY sudah sesuai."]
        return [
            "SECRET_KEY diatur lewat lingkungan: ganti nilainya dengan isi berkas kunci, lalu jalankan ulang."
        ]
    path = Path(os.environ.get("SECRET_KEY_FILE") or Path(current_app.instance_path) / "secret_key")
    write_private(path, key.encode())
    return [f"Kunci rahasia dipulihkan ke {path}; jalankan ulang aplikasi."]


def _load_sqlite(copy: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    src = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # replaces the whole content, WAL included, under SQLite's own lock
    finally:
        src.close()
        dst.close()
    os.chmod(target, 0o600)


def _load_postgresql(dump: Path, url) -> None:
    dsn, env = _libpq(url)
    result = subprocess.run(
        [
            pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "-d",
            dsn,
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode != 0:
        raise BackupError("pg_restore gagal: " + (result.stderr.strip().splitlines() or ["?"])[-1])
