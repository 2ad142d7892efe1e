"""Demo: facility directory, health workers, Dinas Kesehatan users and ~30 referrals in every state.

Names, NIKs and numbers are invented (NIKs have a valid structure). Idempotent: each part checks first.
"""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from blueprints.auth.models import User
from blueprints.core import roles as R
from blueprints.core.extensions import db
from blueprints.core.timeutil import WIB, today_local
from blueprints.wilayah.models import Jorong, Wilayah

from . import icd, links, notices
from .attachments import demo_attachment
from .border import apply_border, border_for
from .lifecycle import TRANSITIONS
from .models import FacilityProfile, HealthWorker, Patient, Poli, Referral, ReferralEvent
from .nonspecialist import seed_nonspecialist
from .patients import accessibility_text
from .referrals import issue_referral

STEP_OF = {t.target: name for name, t in TRANSITIONS.items()}  # the demo's past steps tell the other side too

TIGO_JANGKO = ("13.02.18.2004", "Tigo Jangko")
ROSMANIAR_NIK = "1302185203840001"  # SIDILAN demo: woman in Jorong Tigo Jangko who uses a wheelchair

PROFILES = {
    ("solok", "pkm"): dict(
        whatsapp="081266100001",
        ambulance="Ambulans PKM Tigo Lurah 081266100002",
        travel_note="Di wilayah Kec. Tigo Lurah; ke Tigo Jangko ±2 jam, jalan tanah licin saat hujan.",
        paper="F4",
        email="pkm.tigolurah@example.org",
        bpjs_office="Solok",
        address="Jl. Raya Tigo Lurah (demo)",
        phone="0755-000101",
    ),
    ("solok", "pkm2"): dict(
        whatsapp="081266100011",
        ambulance="081266100012",
        paper="A4",
        travel_note="Jauh dari perbatasan (±5 jam dari Tigo Jangko).",
        phone="0755-000102",
    ),
    ("sijunjung", "pkm"): dict(
        whatsapp="081266200001",
        ambulance="Ambulans PKM Kumanis 081266200002",
        travel_note="Dari Tigo Jangko ±1 jam (kemarau), ±2 jam (musim hujan).",
        paper="A4",
        phone="0754-000201",
        address="Kumanis, Kec. Sumpur Kudus (demo)",
    ),
    ("sijunjung", "pkm2"): dict(
        whatsapp="081266200011",
        ambulance="081266200012",
        paper="A4",
        travel_note="Dari Tigo Jangko ±2,5 jam.",
        phone="0754-000202",
    ),
    ("sijunjung", "rsud"): dict(
        whatsapp="081266300001",
        ambulance="IGD RSUD 0754-000300 / 081266300002",
        travel_note="Dari Tigo Jangko ±2 jam (kemarau), ±3,5 jam bila jalan Tigo Lurah rusak (musim hujan).",
        capacity_note="Tempat tidur kelas III tersedia 4; ICU penuh (demo)",
        paper="A4",
        phone="0754-000300",
        address="Jl. Lintas Sumatera, Muaro Sijunjung (demo)",
        bpjs_office="Solok (belum diverifikasi)",
    ),
}
POLI = {
    ("sijunjung", "rsud"): [
        ("IGD", "24 jam"),
        ("Penyakit Dalam", "Senin–Jumat 08.00–13.00"),
        ("Anak", "Senin, Rabu, Jumat 09.00–12.00"),
        ("Kebidanan dan Kandungan", "Selasa, Kamis 08.30–12.00"),
        ("Bedah", "Senin–Kamis 09.00–12.00"),
        ("Mata", "Rabu 09.00–12.00"),
    ],
    ("sijunjung", "pkm"): [("Umum", "Senin–Sabtu 08.00–12.00"), ("KIA", "Senin–Kamis 08.00–11.00")],
    ("sijunjung", "pkm2"): [("Umum", "Senin–Sabtu 08.00–12.00")],
    ("solok", "pkm"): [("Umum", "Senin–Sabtu 08.00–12.00"), ("KIA", "Selasa, Kamis 08.00–11.00")],
    ("solok", "pkm2"): [("Umum", "Senin–Sabtu 08.00–12.00")],
}
NAKES = {
    ("solok", "pkm"): [
        ("dr. Rahmi Yusra", "dokter", "503/SIP-DU/017/DPMPTSP-SLK/2023"),
        ("Yenti Marlina, A.Md.Keb", "bidan", "503/SIPB/044/2022"),
        ("Hendri, A.Md.Kep", "perawat", "503/SIPP/102/2023"),
    ],
    ("solok", "pkm2"): [("dr. Fadli Akbar", "dokter", "503/SIP-DU/021/2022")],
    ("sijunjung", "pkm"): [("dr. Nofri Andika", "dokter", "445/SIP-DU/009/2024")],
    ("sijunjung", "pkm2"): [("dr. Sari Wahyuni", "dokter", "445/SIP-DU/011/2023")],
    ("sijunjung", "rsud"): [
        ("dr. Irwan Syah, Sp.PD", "dokter", "445/SIP-DS/004/2023"),
        ("dr. Melati Putri, Sp.OG", "dokter", "445/SIP-DS/007/2022"),
    ],
}
EXTRA_USERS = [
    ("dinkes.solok", "Petugas Dinas Kesehatan Solok (demo)", ("solok", "dinkes")),
    ("dinkes.sijunjung", "Petugas Dinas Kesehatan Sijunjung (demo)", ("sijunjung", "dinkes")),
    ("faskes2.solok", "Petugas Puskesmas Sirukam (demo)", ("solok", "pkm2")),
    ("faskes2.sijunjung", "Petugas Puskesmas Tanjung Gadang (demo)", ("sijunjung", "pkm2")),
]


def load(ctx) -> None:
    seed_nonspecialist()
    _users(ctx)
    _directory(ctx)
    db.session.flush()
    if db.session.scalar(select(Referral.id).limit(1)) is None:
        _referrals(ctx)


def _users(ctx):
    pw = ctx.users["faskes.solok"].password_hash
    for username, name, org_key in EXTRA_USERS:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            org = ctx.orgs[org_key]
            user = User(
                username=username,
                name=name,
                role=R.PETUGAS_FASKES,
                organisation_id=org.id,
                regency_id=org.regency_id,
                password_hash=pw,
            )
            db.session.add(user)
        ctx.users[username] = user
    db.session.flush()


def _directory(ctx):
    for key, values in PROFILES.items():
        org = ctx.orgs[key]
        if (
            db.session.scalar(select(FacilityProfile.id).where(FacilityProfile.organisation_id == org.id))
            is None
        ):
            values = dict(values)
            org.phone = org.phone or values.pop("phone", None)
            org.address = org.address or values.pop("address", None)
            values.pop("phone", None), values.pop("address", None)
            db.session.add(FacilityProfile(organisation_id=org.id, **values))
    for key, items in POLI.items():
        org = ctx.orgs[key]
        have = set(db.session.scalars(select(Poli.name).where(Poli.organisation_id == org.id)))
        for name, schedule in items:
            if name not in have:
                db.session.add(Poli(organisation_id=org.id, name=name, schedule=schedule))
    for key, items in NAKES.items():
        org = ctx.orgs[key]
        have = set(
            db.session.scalars(select(HealthWorker.name).where(HealthWorker.organisation_id == org.id))
        )
        for name, profession, sip in items:
            if name not in have:
                db.session.add(
                    HealthWorker(organisation_id=org.id, name=name, profession=profession, sip=sip)
                )


def _nik(kec: str, birth: date, sex: str, seq: int) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return kec.replace(".", "") + f"{day:02d}{birth.month:02d}{birth.year % 100:02d}{seq:04d}"


def _step(
    ref: Referral,
    target: str,
    at: datetime,
    channel: str,
    note: str | None,
    *,
    doctor: HealthWorker,
    finished: bool,
    redirect_to: int,
) -> None:
    """What one past lifecycle step left on a demo letter (the event row is added by the caller)."""
    if target == "dialihkan":
        ref.redirect_to_id = redirect_to
    if target in ("diterima", "ditolak", "dialihkan"):
        ref.answered_at, ref.answer_note = at, note
    if target == "tiba":
        ref.arrived_at = at
    if target == "dijawab":
        ref.replied_at, ref.reply_channel = at, channel
        ref.reply_diag_code, ref.reply_diag_name = ref.diag1_code, ref.diag1_name
        ref.reply_therapy = "Terapi lanjutan sesuai diagnosis (demo)"
        ref.reply_advice = "Kontrol ke poli 2 minggu lagi; lanjutkan obat di puskesmas."
        ref.reply_control_date = ref.issued_on + timedelta(days=14)
        ref.reply_inpatient, ref.reply_finished = False, finished
        ref.reply_doctor_id, ref.reply_doctor = doctor.id, doctor.name
    if target == "dibatalkan":
        ref.cancel_reason = note


def _referrals(ctx):
    solok, sijunjung = ctx.regencies["solok"], ctx.regencies["sijunjung"]
    tj = db.session.scalar(
        select(Jorong).where(Jorong.nagari_code == TIGO_JANGKO[0], Jorong.name == TIGO_JANGKO[1])
    )
    tbs = db.session.get(Wilayah, TIGO_JANGKO[0])
    other_solok = db.session.scalar(
        select(Wilayah)
        .where(Wilayah.parent_code == "13.02.18", Wilayah.level == 4, Wilayah.code != TIGO_JANGKO[0])
        .order_by(Wilayah.code)
    )
    sij_nagari = db.session.scalar(
        select(Wilayah).where(Wilayah.regency_id == sijunjung.id, Wilayah.level == 4).order_by(Wilayah.code)
    )
    pkm, pkm2 = ctx.orgs[("solok", "pkm")], ctx.orgs[("solok", "pkm2")]
    kumanis, rsud = ctx.orgs[("sijunjung", "pkm")], ctx.orgs[("sijunjung", "rsud")]
    users = {
        pkm.id: ctx.users["faskes.solok"],
        pkm2.id: ctx.users["faskes2.solok"],
        kumanis.id: ctx.users["faskes.sijunjung"],
        rsud.id: ctx.users["faskes.rsud.sijunjung"],
    }

    def patient(
        org, name, sex, birth, seq, nagari, jorong, home, jkn=None, kep="pbi_apbd", phone=None, nik=None
    ):
        p = Patient(
            organisation_id=org.id,
            name=name,
            sex=sex,
            birth_date=birth,
            nik=nik or _nik(nagari.parent_code, birth, sex, seq),
            no_jkn=jkn,
            jenis_kepesertaan=kep,
            status_peserta="utama" if jkn else None,
            home_regency_id=home.id,
            kecamatan_code=nagari.parent_code,
            nagari_code=nagari.code,
            jorong_id=jorong.id if jorong else None,
            phone=phone,
            no_rm=f"RM-{seq:05d}",
            address="Jl. Demo No. " + str(seq % 50 + 1),
        )
        db.session.add(p)
        return p

    # The SIDILAN person (wheelchair) is looked up through sidilan.public, as a clerk would.
    person = links.find_person(ROSMANIAR_NIK, {solok.id}, {tj.id} if tj else set())
    ros = patient(
        pkm,
        person.name if person else "Rosmaniar",
        "P",
        person.birth_date if person else date(1984, 3, 12),
        1,
        tbs,
        tj,
        solok,
        jkn="0002035020396",
        kep="pbi_apbd",
        phone="081266000001",
        nik=ROSMANIAR_NIK,
    )
    if person is not None:
        ros.sidilan_person_id = person.person_id
        ros.accessibility = accessibility_text(person)
    tj_people = [
        patient(
            pkm, n, s, b, 7000 + i, tbs, tj, solok, jkn=f"00020350{7000 + i:05d}", phone=f"0812661{i:05d}"
        )
        for i, (n, s, b) in enumerate(
            [
                ("Baharuddin", "L", date(1962, 5, 4)),
                ("Nurhayati", "P", date(1991, 9, 17)),
                ("Zulkifli", "L", date(1978, 1, 23)),
                ("Sitti Aminah", "P", date(1955, 12, 2)),
                ("Rahmat Hidayat", "L", date(2016, 7, 9)),
                ("Yusnimar", "P", date(1988, 4, 30)),
            ]
        )
    ]
    other = [
        patient(pkm, n, s, b, 7100 + i, other_solok, None, solok, jkn=None, kep="non_jkn")
        for i, (n, s, b) in enumerate(
            [("Asril", "L", date(1970, 2, 11)), ("Desmawati", "P", date(1983, 8, 8))]
        )
    ]
    kum_tj = [
        patient(kumanis, n, s, b, 7200 + i, tbs, tj, solok, jkn=f"00020351{7200 + i:05d}")
        for i, (n, s, b) in enumerate(
            [("Jasman", "L", date(1969, 10, 1)), ("Ermawati", "P", date(1994, 3, 3))]
        )
    ]
    kum_local = [
        patient(
            kumanis,
            "Syafrizal",
            "L",
            date(1975, 6, 6),
            7300,
            sij_nagari,
            None,
            sijunjung,
            jkn="0002035177300",
        )
    ]
    sir = [
        patient(pkm2, "Marlis", "P", date(1966, 1, 19), 7400, other_solok, None, solok, jkn="0002035177400")
    ]
    db.session.flush()

    polis = {(p.organisation_id, p.name): p for p in db.session.scalars(select(Poli))}
    nakes = {}
    for n in db.session.scalars(select(HealthWorker).order_by(HealthWorker.id)):
        nakes.setdefault(n.organisation_id, n)
    today = today_local()

    # (origin, patient, destination, poli, jenis, diag codes, tacc, final state, days ago)
    plan = [
        (pkm, ros, rsud, "Penyakit Dalam", "rj", ["I50.0"], None, "dijawab", 6),
        (pkm, tj_people[0], rsud, "Penyakit Dalam", "rj", ["I10", "E11.9"], "comorbidity", "selesai", 20),
        (pkm, tj_people[1], rsud, "Kebidanan dan Kandungan", "igd", ["O14.1"], None, "selesai", 12),
        (pkm, tj_people[2], rsud, "Bedah", "igd", ["K35.8"], None, "tiba", 1),
        (pkm, tj_people[3], rsud, "Mata", "rj", ["H25.9"], None, "diterbitkan", 5),
        (pkm, tj_people[4], rsud, "Anak", "rj", ["J18.9"], "age", "dijawab", 9),
        (pkm, tj_people[5], kumanis, "Umum", "rj", ["A09"], "time", "tiba", 2),
        (pkm, tj_people[0], rsud, "Penyakit Dalam", "rj", ["N18.9"], None, "diterima", 3),
        (pkm, tj_people[2], rsud, "IGD", "igd", ["S72.0"], None, "ditolak", 15),
        (pkm, tj_people[3], rsud, "Penyakit Dalam", "rj", ["I10"], "complication", "kedaluwarsa", 100),
        (pkm, tj_people[1], rsud, "Kebidanan dan Kandungan", "rj", ["O24.4"], None, "dikirim", 2),
        (pkm, ros, rsud, "Penyakit Dalam", "rj", ["N39.0"], "comorbidity", "dibatalkan", 30),
        (pkm, other[0], pkm2, "Umum", "rj", ["K29.7"], "time", "selesai", 40),
        (pkm, other[1], rsud, "Penyakit Dalam", "rj", ["E11.9"], "comorbidity", "diterbitkan", 85),
        (pkm, other[0], rsud, "Bedah", "rj", ["N20.0"], None, "kedaluwarsa", 110),
        (pkm, tj_people[4], rsud, "Anak", "rj", ["J45.9"], None, "draf", 0),
        (pkm, tj_people[5], rsud, "Mata", "rj", ["H25.9"], None, "draf", 1),
        (pkm, other[1], rsud, "Penyakit Dalam", "rj", ["I10"], "comorbidity", "dialihkan", 8),
        (pkm, tj_people[0], rsud, "Penyakit Dalam", "rj", ["E11.9"], "comorbidity", "tiba", 4),
        (pkm, tj_people[2], rsud, "Bedah", "rj", ["K40.9"], None, "diterbitkan", 0),
        (kumanis, kum_tj[0], rsud, "Penyakit Dalam", "rj", ["I50.0"], None, "dijawab", 7),
        (kumanis, kum_tj[1], rsud, "Kebidanan dan Kandungan", "igd", ["O72.1"], None, "selesai", 25),
        (kumanis, kum_tj[0], rsud, "Penyakit Dalam", "rj", ["I25.9"], None, "diterima", 2),
        (kumanis, kum_local[0], rsud, "Bedah", "rj", ["K80.2"], None, "diterbitkan", 4),
        (kumanis, kum_tj[1], rsud, "Anak", "rj", ["P59.9"], None, "kedaluwarsa", 96),
        (kumanis, kum_local[0], rsud, "Penyakit Dalam", "rj", ["I10"], "time", "dibatalkan", 18),
        (kumanis, kum_tj[0], rsud, "Mata", "rj", ["H40.9"], None, "dikirim", 1),
        (kumanis, kum_local[0], rsud, "Penyakit Dalam", "rj", ["E11.9"], "comorbidity", "draf", 0),
        (pkm2, sir[0], rsud, "Penyakit Dalam", "rj", ["I50.0"], None, "tiba", 3),
        (pkm2, sir[0], rsud, "Bedah", "rj", ["K40.9"], None, "diterbitkan", 6),
    ]
    plan.sort(key=lambda row: -row[8])  # numbers follow the issue dates
    paths = {
        "draf": [],
        "diterbitkan": [],
        "dikirim": ["dikirim"],
        "diterima": ["dikirim", "diterima"],
        "ditolak": ["ditolak"],
        "dialihkan": ["dialihkan"],
        "tiba": ["diterima", "tiba"],
        "dijawab": ["diterima", "tiba", "dijawab"],
        "selesai": ["tiba", "dijawab", "selesai"],
        "kedaluwarsa": [],
        "dibatalkan": ["dibatalkan"],
    }
    for n, (origin, p, dest, poli_name, jenis, codes, tacc, state, days) in enumerate(plan):
        issued_day = today - timedelta(days=days)
        at = datetime.combine(issued_day, time(8, 15 + n)).replace(tzinfo=WIB).astimezone(UTC)
        poli = polis.get((dest.id, poli_name))
        user = users[origin.id]
        ref = Referral(
            origin_id=origin.id,
            patient_id=p.id,
            patient=p,
            origin=origin,
            created_by_id=user.id,
            status="draf",
            jenis=jenis,
            kategori="igd" if jenis == "igd" else "rj",
            tipe="penuh",
            arah="horizontal" if dest.facility_level == origin.facility_level else "vertikal",
            payer="bpjs" if p.no_jkn else "apbd_solok",
            destination_id=dest.id,
            poli_id=poli.id if poli else None,
            poli_name=poli_name,
            referred_at=at,
            created_at=at,
            anamnesis="Keluhan utama sejak beberapa hari, memberat 2 hari terakhir (demo).",
            physical_exam="Keadaan umum sedang.",
            bp="140/90",
            pulse=88,
            rr=20,
            temperature=36.8,
            weight=58,
            height=158,
            consciousness="cm",
            supporting="Gula darah sewaktu 210 mg/dL (demo)",
            therapy_drug="Parasetamol 3×500 mg; cairan oral (demo)",
            reason="Memerlukan pemeriksaan dan tata laksana spesialis.",
            condition="Stabil saat dirujuk.",
            ambulance=jenis == "igd",
            escort="Keluarga (suami/istri/anak)",
            consent="setuju",
            consent_signer="Keluarga pasien",
            consent_relation="keluarga",
            consent_date=issued_day,
            nakes_id=nakes[origin.id].id,
            planned_visit=issued_day + timedelta(days=1),
            tacc=tacc,
            tacc_time="ge7" if tacc == "time" else None,
            tacc_reason={
                "comorbidity": "Komorbid penyakit ginjal/jantung",
                "age": "Usia anak < 10 tahun dengan sesak",
                "time": "Keluhan > 7 hari tidak membaik",
                "complication": "Komplikasi target organ",
            }.get(tacc),
        )
        if jenis == "igd":
            ref.igd_call_name, ref.igd_call_time, ref.igd_call_accepted = "Perawat jaga IGD", "08:05", True
        for i, code in enumerate(codes, 1):
            found = icd.lookup(code)
            setattr(ref, f"diag{i}_code", found[0])
            setattr(ref, f"diag{i}_name", found[1])
        db.session.add(ref)
        db.session.flush()
        if border_for(p, origin, dest, issued_day).cross:
            ref.dasar = "gawat_darurat" if jenis == "igd" else "geografis"
        apply_border(ref, p, on=issued_day)  # as a saved draft has it
        db.session.add(
            ReferralEvent(
                referral_id=ref.id,
                at=at,
                user_id=user.id,
                organisation_id=origin.id,
                to_status="draf",
                channel="web",
            )
        )
        if origin is pkm and state == "dijawab":  # answered letters show a demo EKG photo
            demo_attachment(ref, "ekg", user)
        if state == "draf":
            continue
        errors, _ = issue_referral(ref, user, at=at + timedelta(minutes=20), audited=False)
        if errors:  # the demo letters pass the same rules as a clerk's
            raise RuntimeError(f"demo referral {n} breaks the issue rules: {sorted(errors)}")
        prev, step_at = "diterbitkan", at + timedelta(minutes=20)
        for k, target in enumerate(paths[state]):
            step_at = step_at + timedelta(hours=3 + 20 * k)
            actor = user if target in ("dikirim", "selesai", "dibatalkan") else users[dest.id]
            channel = (
                "telepon"
                if target == "diterima"
                else ("kertas" if target == "dijawab" and n % 3 == 0 else "web")
            )
            note = {
                "ditolak": "Ruang ICU penuh",
                "dialihkan": "Poli penyakit dalam tutup; dialihkan",
                "dibatalkan": "Pasien menolak berangkat (jalan putus)",
            }.get(target)
            _step(
                ref,
                target,
                step_at,
                channel,
                note,
                doctor=nakes[dest.id],
                finished=state == "selesai",
                redirect_to=kumanis.id if origin.id != kumanis.id else pkm.id,
            )
            ref.status = target
            notices.announce(ref, STEP_OF[target], actor, channel=channel, note=note, at=step_at)
            db.session.add(
                ReferralEvent(
                    referral_id=ref.id,
                    at=step_at,
                    user_id=actor.id,
                    organisation_id=actor.organisation_id,
                    from_status=prev,
                    to_status=target,
                    channel=channel,
                    note=note,
                )
            )
            prev = target
    db.session.flush()
