"""SIDILAN record pages and reports run at most six statements, and as many with 50 related rows as with 5
(household members, assistance entered by 50 distinct users, verification and change history by 50 distinct
users, assessments by 50 distinct petugas, open duplicate pairs): no query per row, and no reload of what the
audit commit expired (the page is built before its audit row is committed)."""

from datetime import date, timedelta

from sqlalchemy import select

from blueprints.auth.models import User
from blueprints.core.extensions import db
from blueprints.core.timeutil import today_local, utcnow
from blueprints.sidilan.models import (
    Assistance,
    ChangeLog,
    DuplicateCandidate,
    ElderlyAssessment,
    Household,
    Person,
    Program,
    VerificationEvent,
)
from blueprints.sidilan.workflow import editable
from tests.people import colleague
from tests.queries import statements
from tests.sidilan.conftest import barthel_items

BUDGET = 6


def _subject(app) -> tuple[int, int]:
    """An editable Solok person in a household (id, household id)."""
    with app.app_context():
        person = next(
            p
            for p in db.session.scalars(
                select(Person).where(Person.household_id.is_not(None)).order_by(Person.id)
            )
            if editable(p) and p.kecamatan_code.startswith("13.02.")
        )
        return person.id, person.household_id


def _grow(app, person_id: int, n: int, start: int) -> None:
    """n more rows of each kind hanging on the person, each by a user of its own."""
    with app.app_context():
        person = db.session.get(Person, person_id)
        hh = db.session.get(Household, person.household_id)
        program = db.session.scalar(select(Program).where(Program.regency_id == person.regency_id))
        operator = db.session.scalar(select(User).where(User.username == "operator.solok"))
        for i in range(start, start + n):
            user = colleague(operator, "rekam", i, regency_id=person.regency_id)
            member = Person(
                regency_id=person.regency_id,
                household_id=hh.id,
                no_kk=hh.no_kk,
                nama_lengkap=f"Anggota Uji {i}",
                name_search=f"anggota uji {i}",
                name_key=f"anggotauji{i}",
                jenis_kelamin="LP"[i % 2],
                tanggal_lahir=date(1950 + i % 60, 1 + i % 12, 1),
                kecamatan_code=person.kecamatan_code,
                nagari_code=person.nagari_code,
            )
            db.session.add(member)
            db.session.flush()
            at = utcnow() - timedelta(days=i)
            db.session.add_all(
                [
                    Assistance(
                        regency_id=person.regency_id,
                        program_id=program.id,
                        person_id=person.id if i % 2 else None,
                        household_id=None if i % 2 else hh.id,
                        tahun=today_local().year - i % 5,
                        status="disalurkan",
                        created_by_id=user.id,
                    ),
                    VerificationEvent(
                        person_id=person.id, from_status="draf", to_status="draf", user_id=user.id, at=at
                    ),
                    ChangeLog(
                        person_id=person.id,
                        entity="person",
                        field="alamat",
                        old_value=f"lama {i}",
                        new_value=f"baru {i}",
                        user_id=user.id,
                        at=at,
                    ),
                    ElderlyAssessment(
                        regency_id=person.regency_id,
                        person_id=person.id,
                        petugas_id=user.id,
                        tgl_asesmen=today_local() - timedelta(days=i),
                        usia=70,
                        barthel_total=i % 21,
                        barthel_kategori="ringan",
                        **barthel_items(i % 21),
                    ),
                    DuplicateCandidate(
                        regency_id=person.regency_id,
                        person_a_id=min(person.id, member.id),
                        person_b_id=max(person.id, member.id),
                        alasan="kk_nama",
                        skor=50,
                    ),
                ]
            )
        db.session.commit()


def _counts(app, client, urls) -> dict[str, int]:
    out = {}
    for url in urls:
        with statements(app) as seen:
            response = client.get(url)
        assert response.status_code == 200, url
        out[url] = len(seen)
    return out


def test_record_pages_and_reports_stay_within_six_statements_as_rows_grow(app, client, auth, time_machine):
    person_id, household_id = _subject(app)
    _grow(app, person_id, 5, 0)
    with app.app_context():
        pair = db.session.scalar(
            select(DuplicateCandidate.id)
            .where(DuplicateCandidate.person_b_id > person_id)
            .order_by(DuplicateCandidate.id.desc())
        )
    auth.login("operator.solok")
    urls = [
        f"/sidilan/orang/{person_id}",
        f"/sidilan/orang/{person_id}/ubah",
        f"/sidilan/keluarga/{household_id}",
        f"/sidilan/orang/{person_id}/profil.pdf",
        f"/sidilan/duplikat/{pair}",
        "/sidilan/dasbor",
        "/sidilan/tanpa-bantuan",
        "/sidilan/bantuan-ganda",
        "/sidilan/duplikat",
        "/",  # the home panels
    ]
    few = _counts(app, client, urls)
    _grow(app, person_id, 45, 5)
    # the dashboard's stored summary is then stale: it is computed again (its costly path) over 50 rows
    time_machine.move_to(utcnow() + timedelta(minutes=16))
    many = _counts(app, client, urls)
    record = client.get(urls[0]).text
    assert "Petugas Uji 49" in record and "Anggota Uji 49" in record  # the 50 rows are on the page
    assert "Anggota Uji 49" in client.get(urls[2]).text
    assert many == few
    assert max(few.values()) <= BUDGET, few
