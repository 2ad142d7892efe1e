"""SIDILAN scale data for the bench: about 100,000 persons (55 % in Kab. Solok, the rest in Sijunjung) in
households with a No. KK, disability rows (ragam flags, ganda), elderly assessments, assistance (PKH and BPNT to
households, the person programs), statuses and places from the seeded wilayah. Reproducible from the seed; bulk
Core inserts in chunks, ids assigned here so the sub-rows can point at them.

Run inside an app context on an app holding the demo data:

    facts = build(seed=12, scale=1.0)
"""

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select, text

from blueprints.auth.models import Regency, User
from blueprints.core.extensions import db
from blueprints.core.timeutil import today_local
from blueprints.sidilan import values as V
from blueprints.sidilan.assessments import barthel_result
from blueprints.sidilan.models import Assistance, Disability, ElderlyAssessment, Household, Person, Program
from blueprints.sidilan.names import person_name_columns
from blueprints.wilayah.models import LEVEL_NAGARI, Jorong, Wilayah

PERSONS = {"13.02": 55_000, "13.03": 45_000}
CHUNK = 5_000

# Given names with the spellings people really write them in (one tuple = one name, its variants after).
MEN = [
    ("Syamsul", "Samsul", "Syamsul"),
    ("Yusuf", "Yusup", "Yusuf"),
    ("Zulkifli", "Zulkipli"),
    ("Afrizal", "Aprizal"),
    ("Syafri", "Safri"),
    ("Ahmad", "Achmad", "Ahmad"),
    ("Muhammad", "Muhamad", "Mohammad"),
    ("Taufik", "Taufiq", "Taupik"),
    ("Fadli", "Fadhli", "Padli"),
    ("Syahrial", "Sahrial"),
    ("Hendri", "Hendry", "Hendri"),
    ("Rusli",),
    ("Nasrul",),
    ("Jasman",),
    ("Irwan",),
    ("Marzuki",),
    ("Bujang",),
    ("Darmawan",),
    ("Rizal",),
    ("Erizal",),
    ("Jamal", "Djamal"),
    ("Edi", "Eddy"),
    ("Febri", "Pebri"),
    ("Alfian",),
    ("Roni",),
    ("Datuak",),
    ("Zainal", "Sainal"),
    ("Khairul", "Hairul"),
]
WOMEN = [
    ("Nurhayati", "Nur Hayati", "Nurhayati"),
    ("Nurlela", "Nur Lela"),
    ("Nurjanah", "Nurjannah", "Nur Janah"),
    ("Siti",),
    ("Aminah",),
    ("Rosmaniar",),
    ("Yusnimar",),
    ("Fatimah", "Fatima"),
    ("Rahmawati", "Rahmawaty"),
    ("Lismawati",),
    ("Asmidar",),
    ("Zuraida", "Suraida"),
    ("Misnawati",),
    ("Yulia", "Julia"),
    ("Hasnah",),
    ("Ratna",),
    ("Dewi",),
    ("Syafrida", "Safrida"),
    ("Desi", "Desy"),
    ("Elvi", "Elvy"),
    ("Yenni", "Yeni"),
    ("Erni",),
    ("Rosnita",),
    ("Khadijah", "Hadijah"),
]
# Second words: gelar, suku, and the usual second names.
SECOND = {
    "L": [
        "Kayo",
        "Malin",
        "Sutan",
        "Bagindo",
        "Rajo",
        "Bahri",
        "Saputra",
        "Efendi",
        "Putra",
        "Hidayat",
        "Chaniago",
        "Caniago",
        "Piliang",
        "Koto",
        "Tanjung",
        "Jambak",
        "Sikumbang",
        "Melayu",
        "Guci",
    ],
    "P": [
        "Putri",
        "Dewi",
        "Sari",
        "Wati",
        "Aminah",
        "Yanti",
        "Chaniago",
        "Caniago",
        "Piliang",
        "Koto",
        "Tanjung",
        "Jambak",
        "Sikumbang",
        "Melayu",
        "Guci",
    ],
}
THIRD = ["Sutan", "Malin", "Rajo", "Bagindo", "Datuak", "Kayo", "Mudo", "Basa"]

STATUS = [("draf", 15), ("diajukan", 15), ("diverifikasi", 20), ("disetujui", 45), ("ditolak", 5)]
RAGAM_WEIGHTS = [("fisik", 45), ("sensorik", 25), ("intelektual", 15), ("mental", 15)]
DERAJAT = ["ringan", "sedang", "berat"]
WG_KEY = {
    "fisik": "wg_berjalan",
    "sensorik": "wg_melihat",
    "intelektual": "wg_mengingat",
    "mental": "wg_mengingat",
}
PERSON_PROGRAMS = ["PBI-JK", "ASPD", "ALAT-BANTU", "APBD", "ATENSI"]
BARTHEL_TARGETS = [20, 17, 14, 11, 8, 6, 3]


def _weighted(rng, pairs):
    return rng.choices([c for c, _ in pairs], weights=[w for _, w in pairs])[0]


def _name(rng, sex: str) -> str:
    given = rng.choice(MEN if sex == "L" else WOMEN)
    words = [rng.choice(given)]
    r = rng.random()
    if r < 0.75:
        words.append(rng.choice(SECOND[sex]))
    if r < 0.15 and sex == "L":
        words.append(rng.choice(THIRD))
    return " ".join(words)


def _first_id(model) -> int:
    """The first id assigned here (after the current maximum)."""
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _insert(model, rows: list[dict]) -> None:
    """Core executemany in chunks (every row with the same keys, missing ones None)."""
    keys = {k for row in rows for k in row}
    rows = [row if len(row) == len(keys) else {k: row.get(k) for k in keys} for row in rows]
    for i in range(0, len(rows), CHUNK):
        db.session.connection().execute(insert(model.__table__), rows[i : i + CHUNK])


def _fix_sequences(*models) -> None:
    """Ids were given explicitly: on PostgreSQL move each serial past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        t = model.__tablename__
        db.session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT max(id) FROM {t}))")
        )


def _barthel_templates(rng) -> list[dict]:
    out = []
    for target in BARTHEL_TARGETS:
        items = {f: m for f, _, m in V.BARTHEL_ITEMS}
        fields = list(items)
        while sum(items.values()) > target:
            f = rng.choice(fields)
            if items[f] > 0:
                items[f] -= 1
        total, kat = barthel_result(items)
        out.append(dict(items, barthel_total=total, barthel_kategori=kat))
    return out


def _age_on(birth: date, when: date) -> int:
    return when.year - birth.year - ((when.month, when.day) < (birth.month, birth.day))


class _Regency:
    """The rows of one regency, built in memory with their ids, then inserted table by table."""

    def __init__(self, gen: "_Gen", regency):
        self.gen, self.rng, self.regency = gen, gen.rng, regency
        slug = {"13.02": "solok", "13.03": "sijunjung"}[regency.code]
        self.slug = slug
        operator = db.session.scalar(select(User).where(User.username == f"operator.{slug}"))
        self.op_id = operator.id if operator else None
        self.nagari = list(
            db.session.execute(
                select(Wilayah.code, Wilayah.parent_code, Wilayah.name)
                .where(Wilayah.regency_id == regency.id, Wilayah.level == LEVEL_NAGARI)
                .order_by(Wilayah.code)
            )
        )
        self.jorong: dict[str, list[int]] = {}
        for jid, ncode in db.session.execute(
            select(Jorong.id, Jorong.nagari_code).where(Jorong.regency_id == regency.id).order_by(Jorong.id)
        ):
            self.jorong.setdefault(ncode, []).append(jid)
        self.programs = dict(
            db.session.execute(select(Program.kode, Program.id).where(Program.regency_id == regency.id)).all()
        )
        self.nik_seq: dict[str, int] = {}
        self.kk_seq: dict[str, int] = {}
        self.persons, self.households, self.disabilities = [], [], []
        self.assistance, self.assessments = [], []
        self.pkh_households = 0

    def _seq(self, counters: dict, prefix: str, start: int) -> str:
        """The next number under ``prefix`` (the demo's own numbers stay below ``start``)."""
        counters[prefix] = counters.get(prefix, start) + 1
        return prefix + f"{counters[prefix]:04d}"

    def household(self) -> None:
        rng, gen = self.rng, self.gen
        nag_code, kec_code, nag_name = self.nagari[rng.randrange(len(self.nagari))]
        kec = kec_code.replace(".", "")
        issued = gen.today - timedelta(days=rng.randint(30, 6000))
        no_kk = self._seq(self.kk_seq, kec + issued.strftime("%d%m%y"), 5000)
        jorongs = self.jorong.get(nag_code)
        address = dict(
            alamat=f"Jl. {nag_name} No. {rng.randint(1, 200)}",
            kecamatan_code=kec_code,
            nagari_code=nag_code,
            jorong_id=rng.choice(jorongs) if jorongs and rng.random() < 0.8 else None,
            rt=f"{rng.randint(1, 9):03d}",
            rw=f"{rng.randint(1, 5):03d}",
        )
        hid = gen.next_id("household")
        members = rng.choices([1, 2, 3, 4, 5], weights=[30, 30, 20, 13, 7])[0]
        head_old = rng.random() < 0.45
        added = sum(self.member(m, members, head_old, hid, no_kk, address) for m in range(members))
        if not added:  # nobody of this family is in the registry
            return
        self.households.append(
            dict(
                id=hid,
                regency_id=self.regency.id,
                no_kk=no_kk,
                desil_dtsen=rng.choice([1, 1, 2, 2, 3, 4, 5, None]),
                created_at=gen.now - timedelta(days=rng.randint(0, 700)),
                **address,
            )
        )
        r = rng.random()
        if r < 0.30:
            kode = "PKH" if r < 0.14 else "BPNT"
            self.pkh_households += kode == "PKH"
            for tahap in ("Tahap 1", "Tahap 2")[: rng.randint(1, 2)]:
                self.aid(
                    kode,
                    household_id=hid,
                    tahun=gen.today.year,
                    tahap=tahap,
                    tgl_salur=gen.today - timedelta(days=rng.randint(10, 200)),
                    nilai_rp=600_000 if kode == "PKH" else 200_000,
                    status="disalurkan",
                    sumber_dana="APBN",
                )

    def member(self, m: int, members: int, head_old: bool, hid: int, no_kk: str, address: dict) -> bool:
        rng, today = self.rng, self.gen.today
        if m == 0:
            sex, shdk, elderly = ("L" if rng.random() < 0.6 else "P"), "Kepala Keluarga", head_old
        elif m == 1:
            sex, shdk, elderly = "P", "Istri", head_old and rng.random() < 0.8
        else:
            sex = rng.choice("LP")
            shdk = rng.choice(["Anak", "Anak", "Anak", "Cucu", "Orang Tua", "Famili Lain"])
            elderly = shdk == "Orang Tua"
        if elderly:
            year = rng.randint(1928, today.year - 61)
        elif shdk in ("Anak", "Cucu"):
            year = rng.randint(1985, today.year - 1)
        else:
            year = rng.randint(1966, 2004)
        birth = date(year, rng.randint(1, 12), rng.randint(1, 28))
        disabled = (not elderly) or rng.random() < 0.3
        if not disabled and not elderly:
            return False
        pid = self.gen.next_id("person")
        name = _name(rng, sex)
        nik, alasan = None, None
        if rng.random() < 0.03:
            alasan = rng.choice([c for c, _ in V.ALASAN_TANPA_NIK])
        else:
            day = birth.day + (40 if sex == "P" else 0)
            kec = address["kecamatan_code"].replace(".", "")
            nik = self._seq(self.nik_seq, kec + f"{day:02d}{birth.month:02d}{birth.year % 100:02d}", 100)
        status = _weighted(rng, STATUS)
        created = self.gen.now - timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 1440))
        alive = rng.random() > 0.02
        self.persons.append(
            dict(
                id=pid,
                regency_id=self.regency.id,
                nik=nik,
                alasan_tanpa_nik=alasan,
                household_id=hid,
                no_kk=no_kk,
                hubungan_keluarga=shdk,
                nama_lengkap=name,
                **person_name_columns(name),
                jenis_kelamin=sex,
                tempat_lahir=rng.choice(["Solok", "Alahan Panjang", "Sijunjung", "Muaro", "Padang"]),
                tanggal_lahir=birth,
                tgl_lahir_perkiraan=rng.random() < 0.05,
                agama="Islam",
                status_perkawinan="Kawin" if m < 2 else "Belum Kawin",
                status_hidup="hidup" if alive else "meninggal",
                tgl_meninggal=None if alive else today - timedelta(days=rng.randint(1, 300)),
                status_domisili=rng.choices(["menetap", "pindah", "tidak_ditemukan"], weights=[96, 3, 1])[0],
                kepesertaan_jkn=rng.choice(["PBI-JK", "PBI-JK", "mandiri", "tidak_ada"]),
                persetujuan=True,
                tgl_persetujuan=created.date(),
                pemberi_persetujuan=name,
                sumber_data=rng.choice(["lapangan", "usulan_nagari", "impor_sidilan", "impor_dtks"]),
                tags="tinggal_sendiri" if elderly and members == 1 else "",
                status_verifikasi=status,
                catatan_verifikasi="Foto KTP tidak terbaca." if status == "ditolak" else None,
                active=rng.random() > 0.01,
                created_by_id=self.op_id,
                created_at=created,
                updated_by_id=self.op_id,
                updated_at=created,
                **address,
            )
        )
        if disabled:
            self.disability(pid, created)
        if elderly and rng.random() < 0.25:
            self.assessment(pid, birth)
        if rng.random() < 0.15:
            kode = rng.choice(PERSON_PROGRAMS)
            self.aid(
                kode,
                person_id=pid,
                tahun=today.year - rng.choice([0, 0, 1]),
                status=rng.choice(["diusulkan", "disetujui", "disalurkan", "disalurkan"]),
                sumber_dana="APBD Kab" if kode in ("ALAT-BANTU", "APBD") else "APBN",
                created_at=created,
            )
        return True

    def disability(self, pid: int, created) -> None:
        rng = self.rng
        ragam = [_weighted(rng, RAGAM_WEIGHTS)]
        if rng.random() < 0.08:
            ragam.append(rng.choice([r for r, _ in RAGAM_WEIGHTS if r != ragam[0]]))
        derajat = rng.choice(DERAJAT)
        fisik = "fisik" in ragam
        row = dict(
            id=self.gen.next_id("disability"),
            person_id=pid,
            derajat=derajat,
            sejak=rng.choice(["bawaan", "didapat"]),
            butuh_pendamping=derajat == "berat",
            alat_bantu_dimiliki="kursi_roda" if fisik and derajat == "berat" else "",
            alat_bantu_dibutuhkan="kursi_roda"
            if fisik and derajat == "sedang" and rng.random() < 0.3
            else "",
            kebutuhan_layanan="juru_bahasa_isyarat" if "sensorik" in ragam and rng.random() < 0.3 else "",
            updated_at=created,
        )
        jenis = set()
        for r, _ in RAGAM_WEIGHTS:
            row[f"ragam_{r}"] = r in ragam
            row[f"jenis_{r}"] = rng.choice(V.JENIS[r]) if r in ragam else None
            jenis.add(row[f"jenis_{r}"])
        for f in Disability.WG_FIELDS:
            row[f] = 1
        for r in ragam:
            row[WG_KEY[r]] = {"ringan": 2, "sedang": 3, "berat": 4}[derajat]
        row["ganda"] = len(ragam) >= 2 or bool(jenis & V.JENIS_GANDA)
        self.disabilities.append(row)

    def assessment(self, pid: int, birth: date) -> None:
        rng = self.rng
        when = self.gen.today - timedelta(days=rng.randint(5, 600))
        self.assessments.append(
            dict(
                id=self.gen.next_id("assessment"),
                regency_id=self.regency.id,
                person_id=pid,
                tgl_asesmen=when,
                petugas_id=self.op_id,
                usia=_age_on(birth, when),
                kategori_potensi=rng.choice(["potensial", "tidak_potensial"]),
                tinggal_dengan=rng.choice(["sendiri", "anak", "pasangan"]),
                terlantar=rng.random() < 0.03,
                created_at=self.gen.now - timedelta(days=rng.randint(0, 600)),
                **rng.choice(self.gen.barthel),
            )
        )

    def aid(self, kode: str, **row) -> None:
        row.setdefault("created_at", self.gen.now)
        self.assistance.append(
            dict(
                id=self.gen.next_id("assistance"),
                regency_id=self.regency.id,
                program_id=self.programs[kode],
                created_by_id=self.op_id,
                updated_at=row["created_at"],
                **row,
            )
        )

    def build(self, target: int) -> dict:
        while len(self.persons) < target:
            self.household()
        # one person with a long assistance history (the person page at scale)
        busy = self.persons[len(self.persons) // 2]
        for k in range(40):
            self.aid(
                PERSON_PROGRAMS[k % len(PERSON_PROGRAMS)],
                person_id=busy["id"],
                tahun=self.gen.today.year - k // 10,
                tahap=f"Tahap {k % 4 + 1}",
                status="disalurkan",
                sumber_dana="APBN",
                created_at=self.gen.now - timedelta(days=k * 10),
            )
        _insert(Household, self.households)
        _insert(Person, self.persons)
        _insert(Disability, self.disabilities)
        _insert(ElderlyAssessment, self.assessments)
        _insert(Assistance, self.assistance)
        sample = next(
            p for p in self.persons[len(self.persons) // 3 :] if p["nik"] and p["status_hidup"] == "hidup"
        )
        return dict(
            regency_id=self.regency.id,
            persons=len(self.persons),
            households=len(self.households),
            disabilities=len(self.disabilities),
            assistance=len(self.assistance),
            assessments=len(self.assessments),
            pkh_households=self.pkh_households,
            program_ids=self.programs,
            nik=sample["nik"],
            no_kk=sample["no_kk"],
            name=sample["nama_lengkap"],
            busy_person_id=busy["id"],
            busy_household_id=busy["household_id"],
            kecamatan=sample["kecamatan_code"],
            nagari=sample["nagari_code"],
        )


class _Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.today = today_local()
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.barthel = _barthel_templates(self.rng)
        self.ids = {
            "person": _first_id(Person),
            "household": _first_id(Household),
            "disability": _first_id(Disability),
            "assistance": _first_id(Assistance),
            "assessment": _first_id(ElderlyAssessment),
        }

    def next_id(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind] - 1


def build(seed: int = 12, scale: float = 1.0) -> dict:
    if db.session.get_bind().dialect.name == "sqlite":
        # a page cache that holds the person indexes while they grow (the default 2 MiB thrashes)
        db.session.execute(text("PRAGMA cache_size = -262144"))
    gen = _Gen(seed)
    regencies = {r.code: r for r in db.session.scalars(select(Regency))}
    facts: dict = {"regencies": {}}
    for code in sorted(PERSONS):
        part = _Regency(gen, regencies[code])
        facts["regencies"][part.slug] = part.build(int(PERSONS[code] * scale))
    _fix_sequences(Household, Person, Disability, ElderlyAssessment, Assistance)
    db.session.commit()
    solok = facts["regencies"]["solok"]
    facts.update(
        user="operator.solok",
        pkh_program_id=solok["program_ids"]["PKH"],
        nik=solok["nik"],
        no_kk=solok["no_kk"],
        name=solok["name"],
        person_id=solok["busy_person_id"],
        household_id=solok["busy_household_id"],
    )
    return facts
