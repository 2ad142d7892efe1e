"""Every Rujukan page runs at most 6 statements, and as many with 50 letters of 50 distinct patients, facilities
and users as with 5 (no query per row for a letter's patient, facility, event actor or place)."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from blueprints.auth.models import Organisation
from blueprints.core import roles as R
from blueprints.core.extensions import db
from blueprints.core.timeutil import WIB
from blueprints.rujukan.models import Patient, Referral, ReferralEvent
from tests.clock import TODAY
from tests.people import colleague
from tests.queries import statements
from tests.replay import logged_in

from .conftest import org, patient_named

BUDGET = 6
STATES = ["diterbitkan", "tiba", "dijawab", "selesai", "dikirim", "diterima", "tiba"]


def _grow(app, start: int, stop: int) -> None:
    """Letters ``start`` .. ``stop``: each with a patient, a partner facility and an event actor of its own;
    even ones go from Puskesmas Tigo Lurah to the new facility, odd ones from the new facility to RSUD. The first
    patient of Tigo Lurah and its first letter get one more letter / event per row as well."""
    with app.app_context():
        pkm, rsud = org("pkm"), org("rsud")
        ros = patient_named("Rosmaniar")
        first = db.session.scalars(
            select(Referral).where(Referral.patient_id == ros.id).order_by(Referral.id)
        ).first()
        for i in range(start, stop):
            other = Organisation(
                regency_id=rsud.regency_id,
                kind="puskesmas",
                name=f"Puskesmas Uji {i}",
                facility_level="FKTP",
                facility_code=f"UJI-{i}",
            )
            db.session.add(other)
            db.session.flush()
            user = colleague(
                None,
                "faskes",
                i,
                role=R.PETUGAS_FASKES,
                organisation_id=other.id,
                regency_id=other.regency_id,
            )
            origin, dest = (pkm, other) if i % 2 == 0 else (other, rsud)
            p = Patient(
                organisation_id=origin.id,
                name=f"Pasien Uji {i}",
                nik=f"130218450690{i:04d}",
                sex="P",
                home_regency_id=pkm.regency_id,
                kecamatan_code=ros.kecamatan_code,
                nagari_code=ros.nagari_code,
                jorong_id=ros.jorong_id,
            )
            db.session.add(p)
            db.session.flush()
            day = TODAY - timedelta(days=i % 5)
            at = datetime.combine(day, time(8, 0), tzinfo=WIB).astimezone(UTC)
            state = STATES[i % len(STATES)]
            for patient in (p, ros) if i % 2 == 0 else (p,):
                ref = Referral(
                    origin_id=origin.id,
                    patient_id=patient.id,
                    destination_id=dest.id,
                    status=state,
                    number=f"{9000 + i}/RJK/UJI/{patient.id}",
                    created_at=at,
                    issued_at=at,
                    issued_on=day,
                    referred_at=at,
                    valid_until=day + timedelta(days=90 if i % 3 else 3),
                    arrived_at=at + timedelta(hours=3) if state in ("tiba", "dijawab", "selesai") else None,
                    replied_at=at + timedelta(hours=5) if state in ("dijawab", "selesai") else None,
                    diag1_code="I10",
                    diag1_name="Essential (primary) hypertension",
                    planned_visit=TODAY,
                    created_by_id=user.id,
                )
                db.session.add(ref)
            db.session.add(
                ReferralEvent(
                    referral_id=first.id,
                    at=at,
                    user_id=user.id,
                    organisation_id=other.id,
                    from_status="diterbitkan",
                    to_status="diterbitkan",
                    note=f"catatan uji {i}",
                )
            )
        db.session.commit()


def _pages(app) -> list[tuple[str, str]]:
    """(user, url) of every Rujukan GET page."""
    month = f"{TODAY.year}-{TODAY.month:02d}"
    with app.app_context():
        ros = patient_named("Rosmaniar")
        ref = db.session.scalars(
            select(Referral).where(Referral.patient_id == ros.id).order_by(Referral.id)
        ).first()
        to_rsud = db.session.scalars(
            select(Referral)
            .where(Referral.destination_id == org("rsud").id, Referral.status == "tiba")
            .order_by(Referral.id)
        ).first()
        pkm, rsud = org("pkm").id, org("rsud").id
    pkm_user, rsud_user = "faskes.solok", "faskes.rsud.sijunjung"
    pages = [
        (pkm_user, "/"),
        (rsud_user, "/"),
        (pkm_user, "/rujukan/"),
        (pkm_user, "/rujukan/?status=kedaluwarsa"),
        (pkm_user, "/rujukan/?q=Pasien"),
        (rsud_user, "/rujukan/masuk"),
        (pkm_user, "/rujukan/pasien"),
        (pkm_user, f"/rujukan/pasien/{ros.id}"),
        (pkm_user, f"/rujukan/pasien/{ros.id}/ubah"),
        (pkm_user, "/rujukan/pasien/baru"),
        (pkm_user, f"/rujukan/pasien/{ros.id}/rujukan/baru"),
        (pkm_user, f"/rujukan/{ref.id}"),
        (pkm_user, f"/rujukan/{ref.id}/cetak"),
        (pkm_user, f"/rujukan/{ref.id}/persetujuan"),
        (rsud_user, f"/rujukan/{to_rsud.id}/jawab"),
        (pkm_user, f"/rujukan/register?bulan={month}"),
        (pkm_user, "/rujukan/faskes"),
        (pkm_user, f"/rujukan/faskes/{rsud}"),
        (pkm_user, f"/rujukan/faskes/{pkm}/ubah"),
        (pkm_user, "/rujukan/icd?q=hipertensi"),
        ("dinkes.solok", f"/rujukan/rekap?bulan={month}"),
    ]
    pages += [(pkm_user, f"/rujukan/daftar-kerja?daftar={n}") for n in ("belum_tiba", "belum_dijawab")]
    pages += [(pkm_user, f"/rujukan/daftar-kerja?daftar={n}") for n in ("segera_kedaluwarsa", "kedaluwarsa")]
    pages += [
        (rsud_user, f"/rujukan/daftar-kerja?daftar={n}") for n in ("masuk_hari_ini", "menunggu_jawaban")
    ]
    return pages


def _counts(app, clients: dict, pages) -> dict:
    out = {}
    for user, url in pages:
        client = clients.get(user) or clients.setdefault(user, logged_in(app, user))
        with statements(app) as seen:
            response = client.get(url)
        assert response.status_code == 200, url
        out[url, user] = len(seen)
    return out


def test_every_rujukan_page_runs_few_statements_flat_as_rows_grow(app):
    pages = _pages(app)
    clients: dict = {}
    _grow(app, 0, 5)
    few = _counts(app, clients, pages)
    _grow(app, 5, 50)
    many = _counts(app, clients, pages)
    assert clients["faskes.solok"].get("/rujukan/?q=Pasien+Uji+48").status_code == 200
    over = {key: n for key, n in many.items() if n > BUDGET}
    grew = {key: (few[key], n) for key, n in many.items() if n != few[key]}
    assert (over, grew) == ({}, {})
