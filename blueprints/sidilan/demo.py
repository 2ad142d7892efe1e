"""Synthetic SIDILAN registry for both regencies (names and numbers are invented; NIKs have valid structure
and the right region codes). Idempotent: a regency that already has people is left alone."""

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from blueprints.auth.models import UserNagari
from blueprints.core.extensions import db
from blueprints.core.timeutil import today_local
from blueprints.wilayah.models import LEVEL_NAGARI, Jorong, Wilayah

from . import values as V
from .assessments import barthel_result
from .disability import derive_ganda
from .documents import demo_document
from .duplicates import record_duplicates
from .models import (
    Assistance,
    Disability,
    ElderlyAssessment,
    Household,
    Person,
    Program,
    VerificationEvent,
    reversed_numbers,
)
from .names import person_name_columns
from .programs import seed_programs
from .usulan import load_demo as load_demo_usulan
from .wgss import first_visits

PER_REGENCY = 30
_HOUSEHOLDS: dict = {}  # (regency_id, no_kk) -> Household, within one load
TIGO_JANGKO_NAGARI = "13.02.18.2004"

MEN = [
    "Syamsul Bahri",
    "Ahmad Yani",
    "Zulkifli",
    "Rusli",
    "Darmawan",
    "Jasman",
    "Nasrul",
    "Hendri",
    "Afrizal",
    "Yusuf",
    "Irwan",
    "Syafri",
    "Marzuki",
    "Bujang",
    "Datuak Rajo",
    "Febri",
    "Roni Saputra",
    "Alfian",
]
WOMEN = [
    "Nurhayati",
    "Siti Aminah",
    "Rosmaniar",
    "Yusnimar",
    "Erni",
    "Fatimah",
    "Rahmawati",
    "Lismawati",
    "Nurlela",
    "Desi Ratnasari",
    "Asmidar",
    "Zuraida",
    "Misnawati",
    "Yulia",
    "Hasnah",
    "Ratna Dewi",
]
PLACES = {
    "solok": ["Solok", "Alahan Panjang", "Sirukam", "Padang"],
    "sijunjung": ["Sijunjung", "Muaro", "Kumanis", "Padang"],
}


def _nik(kec_code: str, birth: date, sex: str, seq: int) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return kec_code.replace(".", "") + f"{day:02d}{birth.month:02d}{birth.year % 100:02d}{seq:04d}"


def _kk(kec_code: str, seq: int) -> str:
    return kec_code.replace(".", "") + "0101" + "24" + f"{seq:04d}"


def _person(regency, nagari: Wilayah, name: str, sex: str, birth: date, seq: int, kk_seq: int, rng, **extra):
    nik = _nik(nagari.parent_code, birth, sex, seq)
    no_kk = _kk(nagari.parent_code, kk_seq)
    address = dict(
        kecamatan_code=nagari.parent_code,
        nagari_code=nagari.code,
        jorong_id=extra.pop("jorong_id", None),
        alamat=f"Jl. {nagari.name} No. {rng.randint(1, 120)}",
    )
    hh = _HOUSEHOLDS.get((regency.id, no_kk))
    if hh is None:
        hh = _HOUSEHOLDS[(regency.id, no_kk)] = Household(regency_id=regency.id, no_kk=no_kk, **address)
        db.session.add(hh)
    p = Person(
        regency_id=regency.id,
        nik=nik,
        household=hh,
        no_kk=no_kk,
        hubungan_keluarga=extra.pop("shdk", "Kepala Keluarga"),
        nama_lengkap=name,
        **person_name_columns(name),
        jenis_kelamin=sex,
        tempat_lahir=rng.choice(PLACES["solok" if regency.code == "13.02" else "sijunjung"]),
        tanggal_lahir=birth,
        agama="Islam",
        kepesertaan_jkn=rng.choice(["PBI-JK", "mandiri", "tidak_ada"]),
        persetujuan=True,
        tgl_persetujuan=date(2024, 8, 29),
        pemberi_persetujuan=name,
        sumber_data="lapangan",
        **address,
        **extra,
    )
    db.session.add(p)
    return p


def _disability(
    p: Person,
    ragam: list[str],
    derajat: str,
    rng,
    owned=(),
    needed=(),
    needs=(),
    pendamping=False,
    jenis: dict | None = None,
):
    d = Disability(
        person=p,
        derajat=derajat,
        sejak=rng.choice(["bawaan", "didapat"]),
        butuh_pendamping=pendamping,
        alat_bantu_dimiliki=",".join(owned),
        alat_bantu_dibutuhkan=",".join(needed),
        kebutuhan_layanan=",".join(needs),
    )
    for r in ragam:
        setattr(d, f"ragam_{r}", True)
        setattr(d, f"jenis_{r}", (jenis or {}).get(r) or rng.choice(V.JENIS[r]))
    for f in Disability.WG_FIELDS:
        setattr(d, f, 1)
    key = {
        "fisik": "wg_berjalan",
        "sensorik": "wg_melihat",
        "intelektual": "wg_mengingat",
        "mental": "wg_mengingat",
    }
    for r in ragam:
        setattr(d, key[r], {"ringan": 2, "sedang": 3, "berat": 4}[derajat])
    d.ganda = derive_ganda(d)
    db.session.add(d)
    return d


def _assessment(p: Person, when: date, total_target: int, user, rng):
    items = {f: m for f, _, m in V.BARTHEL_ITEMS}
    fields = list(items)
    while sum(items.values()) > total_target:
        f = rng.choice(fields)
        if items[f] > 0:
            items[f] -= 1
    total, kat = barthel_result(items)
    a = ElderlyAssessment(
        regency_id=p.regency_id,
        person=p,
        tgl_asesmen=when,
        petugas_id=user.id,
        usia=p.age_on(when),
        kategori_potensi="tidak_potensial" if total < 12 else "potensial",
        tinggal_dengan=rng.choice(["sendiri", "anak", "pasangan"]),
        terlantar=total < 5,
        barthel_total=total,
        barthel_kategori=kat,
        **items,
    )
    db.session.add(a)
    return a


def _status(p: Person, status: str, operator, verifier, nagari_verifier, approved_on: date | None = None):
    """The trail of ``status``: the operator submits, the nagari verifier verifies or rejects, the Dinsos
    verifier approves (a different user, docs/sidilan.md §9.1) on ``approved_on`` (default today)."""
    steps = {
        "draf": [],
        "diajukan": ["diajukan"],
        "diverifikasi": ["diajukan", "diverifikasi"],
        "disetujui": ["diajukan", "diverifikasi", "disetujui"],
        "ditolak": ["diajukan", "ditolak"],
    }[status]
    prev = "draf"
    for st in steps:
        who = {"diajukan": operator, "disetujui": verifier}.get(st, nagari_verifier)
        note = "Foto KTP tidak terbaca; mohon lengkapi." if st == "ditolak" else None
        event = VerificationEvent(person=p, from_status=prev, to_status=st, user_id=who.id, note=note)
        if st == "disetujui" and approved_on is not None:
            event.at = datetime.combine(approved_on, time(3), tzinfo=UTC)
        db.session.add(event)
        prev = st
    p.status_verifikasi = status
    if status == "disetujui":
        p.tgl_verifikasi = approved_on or today_local()
    if status == "ditolak":
        p.catatan_verifikasi = "Foto KTP tidak terbaca; mohon lengkapi."


def _assign_nagari(user, people, extra: str | None) -> None:
    """The demo nagari verifier verifies the nagari of the demo's submitted records (and Tigo Jangko's)."""
    codes = {p.nagari_code for p in people if p.status_verifikasi == "diajukan" and p.nagari_code}
    codes |= {extra} if extra else set()
    have = set(db.session.scalars(UserNagari.codes_of(user.id)))
    db.session.add_all(UserNagari(user_id=user.id, nagari_code=c) for c in sorted(codes - have))


def load(ctx) -> None:
    _HOUSEHOLDS.clear()
    for slug, regency in sorted(ctx.regencies.items(), key=lambda kv: kv[1].code):
        seed_programs(regency.id)
        if db.session.scalar(select(Person.id).where(Person.regency_id == regency.id).limit(1)) is not None:
            continue
        _load_regency(ctx, slug, regency)
        db.session.flush()
        # the seeded WG-SS answers are each disability's first visit, a month ago
        first_visits(regency.id, today_local() - timedelta(days=30), ctx.users[f"operator.{slug}"])
        load_demo_usulan(regency, slug)  # public reports waiting for review (issue 13 part 8)
    db.session.flush()


def _load_regency(ctx, slug, regency):
    rng = random.Random(1302 if slug == "solok" else 1303)
    operator, verifier = ctx.users[f"operator.{slug}"], ctx.users[f"verifikator.{slug}"]
    nagari_verifier = ctx.users[f"verifikator-nagari.{slug}"]
    nagari = list(
        db.session.scalars(
            select(Wilayah)
            .where(Wilayah.regency_id == regency.id, Wilayah.level == LEVEL_NAGARI)
            .order_by(Wilayah.code)
        )
    )
    programs = {
        p.kode: p for p in db.session.scalars(select(Program).where(Program.regency_id == regency.id))
    }
    today = today_local()
    statuses = ["draf", "diajukan", "diverifikasi", "disetujui", "ditolak"]
    people = []
    seq = 1
    base_kk = 1 if slug == "solok" else 501

    if slug == "solok":
        # Jorong Tigo Jangko, Nagari Tanjung Balik Sumiso: a woman who uses a wheelchair, and her father.
        tbs = db.session.get(Wilayah, TIGO_JANGKO_NAGARI)
        tj = db.session.scalar(
            select(Jorong).where(Jorong.nagari_code == TIGO_JANGKO_NAGARI, Jorong.name == "Tigo Jangko")
        )
        jid = tj.id if tj else None
        w = _person(
            regency,
            tbs,
            "Rosmaniar",
            "P",
            date(1984, 3, 12),
            seq,
            base_kk,
            rng,
            jorong_id=jid,
            shdk="Anak",
            no_hp="081266000001",
        )
        _disability(
            w, ["fisik"], "berat", rng, owned=["kursi_roda"], pendamping=True, jenis={"fisik": "paraplegi"}
        )
        _status(w, "disetujui", operator, verifier, nagari_verifier, today - timedelta(days=100))
        father = _person(
            regency, tbs, "Syamsul Bahri", "L", date(1950, 6, 2), seq + 1, base_kk, rng, jorong_id=jid
        )
        _assessment(father, today - timedelta(days=400), 14, operator, rng)
        _assessment(father, today - timedelta(days=30), 10, operator, rng)
        _status(father, "diajukan", operator, verifier, nagari_verifier)
        demo_document(father, "ktp", operator)  # the verification screen shows it (sidilan/documents.py)
        deaf = _person(
            regency, tbs, "Febri", "L", date(2001, 11, 20), seq + 2, base_kk + 1, rng, jorong_id=jid
        )
        d = _disability(
            deaf,
            ["sensorik"],
            "sedang",
            rng,
            needs=["juru_bahasa_isyarat"],
            jenis={"sensorik": "rungu-wicara"},
        )
        d.wg_mendengar = 4
        d.ganda = True
        _status(deaf, "diverifikasi", operator, verifier, nagari_verifier)
        people += [w, father, deaf]
        seq += 3
        base_kk += 2

    for i in range(PER_REGENCY - len(people)):
        nag = nagari[rng.randrange(len(nagari))]
        sex = "P" if i % 2 else "L"
        name = rng.choice(WOMEN if sex == "P" else MEN)
        elderly = i % 3 == 0
        year = rng.randint(1935, 1962) if elderly else rng.randint(1970, 2015)
        birth = date(year, rng.randint(1, 12), rng.randint(1, 28))
        p = _person(
            regency,
            nag,
            name,
            sex,
            birth,
            seq,
            base_kk + i // 2,
            rng,
            shdk="Kepala Keluarga" if i % 2 == 0 else "Istri",
        )
        seq += 1
        if not elderly or i % 6 == 0:
            ragam = [rng.choice(["fisik", "intelektual", "mental", "sensorik"])]
            if i % 7 == 0:
                ragam.append("sensorik" if ragam[0] != "sensorik" else "fisik")
            derajat = rng.choice(["ringan", "sedang", "berat"])
            owned = ["kursi_roda"] if "fisik" in ragam and derajat == "berat" and i % 2 else []
            needed = ["kursi_roda"] if "fisik" in ragam and derajat == "berat" and not owned else []
            _disability(p, ragam, derajat, rng, owned=owned, needed=needed, pendamping=derajat == "berat")
        if elderly:
            _assessment(
                p, today - timedelta(days=rng.randint(10, 300)), rng.choice([20, 15, 10, 7, 3]), operator, rng
            )
        # every other approved record was last verified over two years ago: due for verval (§9.5)
        approved_on = today - timedelta(days=800 + i if i % 2 else 30 + i)
        _status(p, statuses[i % len(statuses)], operator, verifier, nagari_verifier, approved_on)
        if i % 4 == 1:
            prog = programs[rng.choice(["PKH", "BPNT"])]
            salur = today - timedelta(days=60)
            db.session.add(
                Assistance(
                    regency_id=regency.id,
                    program_id=prog.id,
                    household=p.household,
                    tahun=salur.year,
                    # the period as the program counts it (values.PERIODE_SEED): PKH per tahap, BPNT monthly
                    tahap_ke=1 if prog.kode == "PKH" else None,
                    bulan=salur.month if prog.kode == "BPNT" else None,
                    status="disalurkan",
                    tgl_salur=salur,
                    nilai_rp=600000 if prog.kode == "PKH" else 200000,
                    sumber_dana="APBN",
                )
            )
        elif i % 4 == 2:
            prog = programs[rng.choice(["PBI-JK", "ASPD", "ALAT-BANTU", "APBD"])]
            db.session.add(
                Assistance(
                    regency_id=regency.id,
                    program_id=prog.id,
                    person=p,
                    tahun=today.year,
                    bulan=today.month if prog.kode == "PBI-JK" else None,
                    status=rng.choice(["diusulkan", "disetujui", "disalurkan"]),
                    sumber_dana=prog.sumber_dana,
                )
            )
        people.append(p)
    _assign_nagari(nagari_verifier, people, TIGO_JANGKO_NAGARI if slug == "solok" else None)

    # the same household receiving the same program twice in one month (double-dipping view)
    twice = people[-2]
    for _ in range(2):
        db.session.add(
            Assistance(
                regency_id=regency.id,
                program_id=programs["BPNT"].id,
                household=twice.household,
                tahun=today.year,
                bulan=today.month,
                status="disalurkan",
                nilai_rp=200000,
                sumber_dana="APBN",
            )
        )
    # a duplicate pair: the same person typed twice with a spelling variant ("Syamsul" / "Samsul")
    orig = people[5]
    variant = orig.nama_lengkap.replace("Sy", "S").replace("Nurhayati", "Nur Hayati").upper()
    dup = Person(
        regency_id=regency.id,
        nik=None,
        alasan_tanpa_nik="belum_rekam",
        nama_lengkap=variant,
        **person_name_columns(variant),
        jenis_kelamin=orig.jenis_kelamin,
        tanggal_lahir=orig.tanggal_lahir,
        kecamatan_code=orig.kecamatan_code,
        nagari_code=orig.nagari_code,
        sumber_data="usulan_nagari",
        persetujuan=False,
    )
    db.session.add(dup)
    db.session.flush()
    record_duplicates(dup)


SURNAMES = [
    "Malin",
    "Sutan",
    "Bagindo",
    "Putri",
    "Rajo",
    "Chaniago",
    "Piliang",
    "Koto",
    "Tanjung",
    "Caniago",
    "Jambak",
    "Sikumbang",
    "Melayu",
    "Guci",
    "Panai",
    "Simabua",
    "Bendang",
    "Sumagek",
]


def bulk(regency, persons: int, seed: int = 7, chunk: int = 5000) -> int:
    """Synthetic persons for benchmarks (``flask sidilan bulk``): plain rows through Core inserts, no
    households or sub-records. NIKs keep the right structure; duplicates among them are not avoided."""
    from sqlalchemy import insert

    rng = random.Random(seed)
    nagari = list(
        db.session.scalars(
            select(Wilayah)
            .where(Wilayah.regency_id == regency.id, Wilayah.level == LEVEL_NAGARI)
            .order_by(Wilayah.code)
        )
    )
    statuses = ["draf", "diajukan", "diverifikasi", "disetujui", "ditolak"]
    done, rows = 0, []
    for i in range(persons):
        nag = nagari[rng.randrange(len(nagari))]
        sex = "P" if i % 2 else "L"
        name = f"{rng.choice(WOMEN if sex == 'P' else MEN)} {rng.choice(SURNAMES)}"
        birth = date(rng.randint(1930, 2020), rng.randint(1, 12), rng.randint(1, 28))
        nik = _nik(nag.parent_code, birth, sex, i % 9999 + 1)
        rows.append(
            dict(
                regency_id=regency.id,
                nik=nik,
                nama_lengkap=name,
                **person_name_columns(name),
                **reversed_numbers(nik, None),
                jenis_kelamin=sex,
                tanggal_lahir=birth,
                kecamatan_code=nag.parent_code,
                nagari_code=nag.code,
                status_verifikasi=statuses[i % 5],
                sumber_data="impor_sidilan",
            )
        )
        if len(rows) == chunk:
            db.session.execute(insert(Person), rows)
            done += len(rows)
            rows = []
    if rows:
        db.session.execute(insert(Person), rows)
        done += len(rows)
    return done
