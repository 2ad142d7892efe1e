"""`flask db upgrade` on an empty database gives exactly the schema of the models (no pending autogenerate diff)."""

import os
import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from app import create_app
from blueprints.core.extensions import db
from blueprints.core.textsearch import include_object
from tests.conftest import make_config


@pytest.fixture
def empty_db_url(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        yield "sqlite:///" + str(tmp_path / "migrations.sqlite")
        return
    name = f"sinergi_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = url.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_matches_models(empty_db_url):
    app = create_app(make_config(empty_db_url))
    with app.app_context():
        upgrade(revision="heads")
        with db.engine.connect() as conn:
            # the FTS tables and trigram indexes are core.textsearch's, outside the models (migrations/env.py)
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": include_object}
            )
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == []


def test_upgrade_then_seed_and_demo(empty_db_url):
    app = create_app(make_config(empty_db_url))
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade(revision="heads")
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "operator.solok" in result.output and "sinergi-demo-2024" in result.output
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "sudah berisi pengguna" in again.output
    with app.app_context():
        db.engine.dispose()


def test_this_sessions_revisions_downgrade_and_upgrade_again(empty_db_url):
    """Down to the revision before issue 13's and back up: each downgrade undoes its upgrade (SQLite's batch
    copies of a table must not break the triggers that name it)."""
    app = create_app(make_config(empty_db_url))
    with app.app_context():
        upgrade(revision="heads")
        downgrade(revision="0021_rujukan_awaiting_reply")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
                "0021_rujukan_awaiting_reply"
            )
        upgrade(revision="heads")
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": include_object}
            )
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == []


def _agreement_at_0047(conn, judul: str) -> tuple[int, int]:
    """An agreement row as the app stored it before 0046 (every NOT NULL column filled by hand)."""
    conn.execute(text("INSERT INTO regency (code, name) VALUES ('13.99', 'Kabupaten Uji Migrasi')"))
    regency = conn.execute(text("SELECT id FROM regency WHERE code = '13.99'")).scalar()
    blank = (
        "jenis, objek, urusan_codes, rujukan_rpjmd, pemrakarsa_opd, klausul_codes, tahap, menunggu, tempat_ttd, "
        "alasan_akhir, dasar_akhir, dprd_alasan, dprd_nomor, target_presisi, target_tempat, target_acara, sumber"
    )
    conn.execute(
        text(
            f"INSERT INTO pks_agreement (judul, {blank}, is_demo, created_at, updated_at) VALUES "
            f"(:judul, {', '.join([repr('')] * 17)}, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ),
        {"judul": judul},
    )
    agreement = conn.execute(text("SELECT id FROM pks_agreement WHERE judul = :j"), {"j": judul}).scalar()
    return agreement, regency


def test_two_parties_at_one_position_are_renumbered_not_a_stopped_deploy(empty_db_url):
    """Older versions accepted two parties at urutan 1 of one agreement: 0046 moves the later one to 2 and
    the deploy goes on (only a party entered twice stops it)."""
    app = create_app(make_config(empty_db_url))
    with app.app_context():
        upgrade(revision="0047_pks_initiator")
        with db.engine.begin() as conn:
            agreement, regency = _agreement_at_0047(conn, "Kerja sama uji urutan")
            for opd in ("Dinas Kesehatan", "Dinas Pendidikan"):
                conn.execute(
                    text(
                        "INSERT INTO pks_party (agreement_id, regency_id, urutan, opd, peran, alamat, pic_nama,"
                        " pic_jabatan, dasar_hukum, menandatangani, mitra_nama, mitra_jenis)"
                        " VALUES (:a, :r, 1, :opd, '', '', '', '', '', true, '', '')"
                    ),
                    {"a": agreement, "r": regency, "opd": opd},
                )
        upgrade(revision="heads")
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT opd, urutan FROM pks_party WHERE agreement_id = :a ORDER BY id"),
                {"a": agreement},
            ).all()
        db.engine.dispose()
    assert [tuple(r) for r in rows] == [("Dinas Kesehatan", 1), ("Dinas Pendidikan", 2)]


def test_a_party_entered_twice_still_stops_the_upgrade_naming_its_ids(empty_db_url):
    app = create_app(make_config(empty_db_url))
    with app.app_context():
        upgrade(revision="0047_pks_initiator")
        with db.engine.begin() as conn:
            agreement, regency = _agreement_at_0047(conn, "Kerja sama uji ganda")
            for urutan in (1, 2):
                conn.execute(
                    text(
                        "INSERT INTO pks_party (agreement_id, regency_id, urutan, opd, peran, alamat, pic_nama,"
                        " pic_jabatan, dasar_hukum, menandatangani, mitra_nama, mitra_jenis)"
                        " VALUES (:a, :r, :u, 'Dinas Kesehatan', '', '', '', '', '', true, '', '')"
                    ),
                    {"a": agreement, "r": regency, "u": urutan},
                )
            ids = conn.execute(text("SELECT id FROM pks_party ORDER BY id")).scalars().all()
        # alembic's own command: flask_migrate's turns the error into exit 1
        with pytest.raises(RuntimeError) as stopped:
            command.upgrade(app.extensions["migrate"].migrate.get_config(), "heads")
        db.engine.dispose()
    message = str(stopped.value)
    assert f"kesepakatan #{agreement}" in message and f"id {ids[0]}, {ids[1]}" in message
    assert "hapus salah satunya" in message
