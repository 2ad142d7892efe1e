"""Kerja Sama rows in bulk for the size tests: many agreements for the board and the lists, and around one
agreement ``n`` of everything its pages list, each row with its own officer, organisation, party or scope item
(where per-row queries show). Bulk inserts (``insert().returning``), so 500 agreements take a fraction of a
second; inside the test's transaction like any other write of a test."""

import random
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select

from blueprints.auth.models import Organisation, Regency, User
from blueprints.core import roles as R
from blueprints.core.extensions import db
from blueprints.core.timeutil import WIB
from blueprints.pks.models import (
    ActionItem,
    Activity,
    Agreement,
    Attendee,
    Decision,
    DocNumber,
    Document,
    Evaluation,
    Event,
    Letter,
    Meeting,
    MeetingDocument,
    Note,
    Obligation,
    Party,
    Report,
    ScopeItem,
    ScopeLink,
    ServiceArea,
    Signatory,
    Slip,
    meeting_agreement,
)
from blueprints.pks.stages import stage_order
from blueprints.wilayah.models import Wilayah

WORDS = [
    "pelayanan",
    "kesehatan",
    "perbatasan",
    "replikasi",
    "aplikasi",
    "pariwisata",
    "pelatihan",
    "aparatur",
    "pengelolaan",
    "sampah",
    "air",
    "minum",
    "jalan",
    "penghubung",
    "pemberdayaan",
    "usaha",
    "mikro",
    "data",
    "disabilitas",
    "pendidikan",
    "vokasi",
    "irigasi",
    "pasar",
    "nagari",
    "pertanian",
    "terpadu",
    "penanggulangan",
    "bencana",
    "perpustakaan",
    "digital",
]


def _ids(model, rows: list[dict]) -> list[int]:
    return list(db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows))


def _regencies() -> tuple[Regency, Regency]:
    by_code = {r.code: r for r in db.session.scalars(select(Regency))}
    return by_code["13.02"], by_code["13.03"]


def _title(rnd: random.Random, i: int) -> str:
    """A title as long and as varied as a real one (so gzip does not flatter the byte budgets)."""
    return f"{' '.join(rnd.sample(WORDS, 7)).capitalize()} antara Kabupaten Solok dan Sijunjung nomor {i}"


def add_agreements(n: int, jenis: str = "PKS", seed: int = 1, parent_id: int | None = None) -> list[int]:
    """``n`` agreements of ``jenis`` spread over its stages, both regencies as parties."""
    rnd = random.Random(seed)
    solok, sijunjung = _regencies()
    stages = stage_order("KSB" if jenis == "KSB" else "PKS")
    waits = ["", "dprd", "pimpinan", f"regency:{sijunjung.id}", "opd:Bagian Hukum"]
    ids = _ids(
        Agreement,
        [
            dict(
                jenis=jenis,
                parent_id=parent_id,
                judul=_title(rnd, i),
                tahap=rnd.choice(stages),
                tahap_sejak=date(2026, 1, 1) + timedelta(days=rnd.randint(0, 300)),
                menunggu=rnd.choice(waits),
                menunggu_sejak=date(2026, 6, 1),
                rujukan_rpjmd="RPJMD",
            )
            for i in range(n)
        ],
    )
    _ids(
        Party,
        [
            dict(agreement_id=a, regency_id=r.id, urutan=k + 1, opd=f"Pemerintah {r.name}")
            for a in ids
            for k, r in enumerate((solok, sijunjung))
        ],
    )
    return ids


def add_officers(n: int, tag: str) -> list[tuple[int, int]]:
    """``n`` Kerja Sama officers of Kab. Solok, each in an organisation of their own: (user id, organisation id)."""
    solok, _ = _regencies()
    orgs = _ids(
        Organisation,
        [dict(regency_id=solok.id, kind="kerjasama", name=f"Bagian Uji {tag} {i}") for i in range(n)],
    )
    users = _ids(
        User,
        [
            dict(
                username=f"uji.{tag}.{i}",
                name=f"Petugas Uji {tag} {i}",
                password_hash="x",
                role=R.KERJASAMA,
                organisation_id=org,
                regency_id=solok.id,
            )
            for i, org in enumerate(orgs)
        ],
    )
    return list(zip(users, orgs, strict=True))


def _at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=WIB)


def grow_agreement(agreement_id: int, meeting_id: int, n: int, tag: str) -> None:  # noqa: PLR0915
    """``n`` of every row the record pages of ``agreement_id`` (and of its meeting ``meeting_id``) list, each
    with its own officer, organisation, party and signatory, letter, document, slip, meeting."""
    solok, sijunjung = _regencies()
    officers = add_officers(n, tag)
    users, orgs = [u for u, _ in officers], [o for _, o in officers]
    day = date(2026, 3, 1)
    # one party per position (a unique index): after the agreement's last one, also when grown twice
    last = db.session.scalar(select(func.max(Party.urutan)).where(Party.agreement_id == agreement_id)) or 0
    parties = _ids(
        Party,
        [
            dict(
                agreement_id=agreement_id,
                regency_id=(solok, sijunjung)[i % 2].id,
                urutan=max(last, 9) + 1 + i,
                organisation_id=orgs[i],
                peran=f"Peran uji {tag} {i}",
                menandatangani=True,
            )
            for i in range(n)
        ],
    )
    _ids(
        Signatory,
        [dict(party_id=p, nama=f"Penandatangan {tag} {i}", jabatan="Sekda") for i, p in enumerate(parties)],
    )
    db.session.execute(
        insert(DocNumber),
        [dict(agreement_id=agreement_id, party_id=p, nomor=f"{tag}/{i}/2026") for i, p in enumerate(parties)],
    )
    db.session.execute(
        insert(Event),
        [
            dict(
                agreement_id=agreement_id,
                actor_id=u,
                kind="catatan",
                reason=f"Kejadian {tag} {i}",
                at=_at(day),
            )
            for i, u in enumerate(users)
        ],
    )
    db.session.execute(
        insert(Note),
        [
            dict(agreement_id=agreement_id, author_id=u, text=f"Catatan {tag} {i}")
            for i, u in enumerate(users)
        ],
    )
    docs = _ids(
        Document,
        [
            dict(
                agreement_id=agreement_id,
                kind="draf",
                versi=i + 1,
                drafting_regency_id=solok.id,
                filename=f"draf-{tag}-{i}.pdf",
                stored_name=f"uji-{tag}-{i}",
                mime="application/pdf",
                size=1000 + i,
                sha256=f"{i:064x}",
                uploaded_by_id=u,
            )
            for i, u in enumerate(users)
        ],
    )
    db.session.execute(
        insert(Letter),
        [
            dict(
                agreement_id=agreement_id,
                arah="keluar",
                nomor=f"005/{tag}/{i}",
                tanggal=day,
                perihal=f"Surat {tag} {i}",
                created_by_id=u,
            )
            for i, u in enumerate(users)
        ],
    )
    db.session.execute(
        insert(Slip),
        [
            dict(
                agreement_id=agreement_id,
                old_mulai=day + timedelta(days=i),
                old_selesai=day + timedelta(days=i + 6),
                old_presisi="minggu",
                new_mulai=day + timedelta(days=i + 7),
                new_selesai=day + timedelta(days=i + 13),
                new_presisi="minggu",
                alasan=f"Penundaan {tag} {i}",
                meeting_id=meeting_id,
                recorded_by_id=u,
            )
            for i, u in enumerate(users)
        ],
    )
    meetings = _ids(
        Meeting,
        [
            dict(tanggal=day + timedelta(days=i), tempat=f"Ruang {tag} {i}", host_regency_id=solok.id)
            for i in range(n)
        ],
    )
    db.session.execute(
        insert(meeting_agreement), [dict(meeting_id=m, agreement_id=agreement_id) for m in meetings]
    )
    db.session.execute(
        insert(Attendee),
        [
            dict(meeting_id=meeting_id, nama=f"Peserta {tag} {i}", regency_id=(solok, sijunjung)[i % 2].id)
            for i in range(n)
        ],
    )
    db.session.execute(
        insert(Decision), [dict(meeting_id=meeting_id, text=f"Putusan {tag} {i}") for i in range(n)]
    )
    db.session.execute(
        insert(ActionItem),
        [
            dict(
                meeting_id=meeting_id,
                text=f"Tindak lanjut {tag} {i}",
                owner_regency_id=(solok, sijunjung)[i % 2].id,
                due=day + timedelta(days=i),
            )
            for i in range(n)
        ],
    )
    db.session.execute(
        insert(MeetingDocument), [dict(meeting_id=meeting_id, document_id=d, role="dibahas") for d in docs]
    )
    nagari = list(
        db.session.scalars(select(Wilayah.code).where(Wilayah.level == 4).order_by(Wilayah.code).limit(n))
    )
    db.session.execute(insert(ServiceArea), [dict(agreement_id=agreement_id, nagari_code=c) for c in nagari])
    db.session.execute(
        insert(Activity),
        [dict(agreement_id=agreement_id, tanggal=day, jenis=f"Kegiatan {tag} {i}") for i in range(n)],
    )
    db.session.execute(
        insert(Obligation),
        [
            dict(agreement_id=agreement_id, party_id=p, text=f"Kewajiban {tag} {i}", due=day)
            for i, p in enumerate(parties)
        ],
    )
    db.session.execute(
        insert(Report),
        [
            dict(agreement_id=agreement_id, periode=f"Periode {tag} {i}", jatuh_tempo=day, document_id=d)
            for i, d in enumerate(docs)
        ],
    )
    db.session.execute(
        insert(Evaluation),
        [
            dict(
                agreement_id=agreement_id, tanggal=day, temuan=f"Temuan {tag} {i}", rekomendasi="dilanjutkan"
            )
            for i in range(n)
        ],
    )
    db.session.commit()


def grow_ksb(ksb_id: int, n: int, tag: str) -> None:
    """``n`` scope items on the KSB, each implemented by a PKS of its own with its own party organisation."""
    items = _ids(
        ScopeItem,
        [
            dict(ksb_id=ksb_id, nama=f"Ruang lingkup {tag} {i}", dicatat_pada=date(2025, 1, 1))
            for i in range(n)
        ],
    )
    pks = add_agreements(n, "PKS", seed=len(tag) + n, parent_id=ksb_id)
    db.session.execute(
        insert(ScopeLink), [dict(agreement_id=a, scope_item_id=s) for a, s in zip(pks, items, strict=True)]
    )
    db.session.commit()
