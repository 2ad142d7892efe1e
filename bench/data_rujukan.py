"""Scale data for Rujukan: 20,000 referrals over the last 12 months across the demo facilities (bench only).

Run inside an app context on an app holding the demo data: ``facts = build(seed=12, scale=1.0)``. Rows go in
with bulk INSERTs (no ORM object per row), reproducibly from ``random.Random(seed)``. Most letters go from the
border puskesmas to RSUD Sijunjung; every lifecycle state appears in a realistic share (older letters are mostly
answered and finished, recent ones still open, some left to expire). NIKs have the Dukcapil structure, diagnoses
are ICD-10 codes with their names.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select, update

from blueprints.auth.models import Organisation, Regency, User
from blueprints.core.extensions import db
from blueprints.core.pagination import encode_cursor
from blueprints.core.timeutil import WIB, today_local
from blueprints.rujukan import icd
from blueprints.rujukan.models import NumberCounter, Patient, Poli, Referral, ReferralEvent, patient_name_key
from blueprints.rujukan.numbering import facility_code, number_text
from blueprints.rujukan.settings import DEFAULTS
from blueprints.wilayah.models import Jorong, Wilayah

REFERRALS = 20_000
PATIENTS = 7_000
CHUNK = 2_000

# (origin key, share): the border puskesmas sends most letters
ORIGINS = [
    (("solok", "pkm"), 0.42),
    (("sijunjung", "pkm"), 0.25),
    (("solok", "pkm2"), 0.15),
    (("sijunjung", "pkm2"), 0.12),
    (("sijunjung", "rsud"), 0.06),  # rujuk balik to the puskesmas
]
# (destination key, share) for a puskesmas origin
DESTINATIONS = [(("sijunjung", "rsud"), 0.82), (("sijunjung", "pkm"), 0.09), (("solok", "pkm"), 0.09)]
DIAGNOSES = [
    "I10", "E11.9", "I50.0", "N18.9", "J18.9", "O14.1", "K35.8", "H25.9", "A09", "J45.9", "K29.7", "N20.0",
    "I25.9", "K80.2", "O24.4", "O72.1", "P59.9", "K40.9", "H40.9", "S72.0", "N39.0", "I63.9", "C50.9", "D64.9",
    "A15.0", "B20", "E05.9", "M17.9", "L03.1", "G40.9",
]  # fmt: skip
NAMES_L = ["Baharuddin", "Zulkifli", "Asril", "Jasman", "Syafrizal", "Yusuf", "Samsul", "Bujang", "Afrizal",
           "Hendra", "Rahmat", "Irwan", "Nofri", "Fadli", "Amri", "Basir", "Datuak", "Erman", "Masrul", "Ujang"]  # fmt: skip
NAMES_P = ["Nurhayati", "Sitti Aminah", "Yusnimar", "Desmawati", "Ermawati", "Marlis", "Rosmaniar", "Yenti",
           "Rahmi", "Melati", "Upik", "Nurlela", "Fitri", "Elmi", "Hasnah", "Juliarni", "Rosna", "Syamsinar"]  # fmt: skip
SUFFIX = ["", "", "", " Kayo", " Putra", " Putri", " Wati", " Hidayat", " Sutan", " Malin", " Rangkayo"]


def _pick(rng: random.Random, weighted):
    x, acc = rng.random(), 0.0
    for value, share in weighted:
        acc += share
        if x < acc:
            return value
    return weighted[-1][0]


def _nik(kec_code: str, birth: date, sex: str, seq: int) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return kec_code.replace(".", "") + f"{day:02d}{birth.month:02d}{birth.year % 100:02d}{seq % 10000:04d}"


def _final_state(rng: random.Random, age_days: int) -> tuple[str, list[str]]:
    """The stored status and the steps after issue, by the letter's age (kedaluwarsa is computed, never
    stored: an old letter left in an expirable state)."""
    x = rng.random()
    if x < 0.02:
        return "draf", []
    if x < 0.05:
        return "dibatalkan", ["dibatalkan"]
    if x < 0.08:
        return "ditolak", ["ditolak"]
    if x < 0.10:
        return "dialihkan", ["dialihkan"]
    if age_days <= 3:
        return _pick(rng, [(("diterbitkan", []), 0.5), (("dikirim", ["dikirim"]), 0.3),
                           (("diterima", ["dikirim", "diterima"]), 0.2)])  # fmt: skip
    if age_days <= 20:
        return _pick(rng, [(("diterbitkan", []), 0.15), (("dikirim", ["dikirim"]), 0.1),
                           (("diterima", ["dikirim", "diterima"]), 0.15), (("tiba", ["diterima", "tiba"]), 0.25),
                           (("dijawab", ["diterima", "tiba", "dijawab"]), 0.25),
                           (("selesai", ["tiba", "dijawab", "selesai"]), 0.1)])  # fmt: skip
    # older: mostly done; about 8% never arrived (these are kedaluwarsa once past valid_until)
    return _pick(rng, [(("diterbitkan", []), 0.04), (("dikirim", ["dikirim"]), 0.02),
                       (("diterima", ["dikirim", "diterima"]), 0.02), (("tiba", ["diterima", "tiba"]), 0.04),
                       (("dijawab", ["diterima", "tiba", "dijawab"]), 0.28),
                       (("selesai", ["tiba", "dijawab", "selesai"]), 0.60)])  # fmt: skip


class _Ctx:
    """What the scale rows refer to: the demo facilities, their users and poli, the regions."""

    def __init__(self):
        regencies = {r.code: r for r in db.session.scalars(select(Regency))}
        self.solok, self.sijunjung = regencies["13.02"].id, regencies["13.03"].id
        self.orgs = {}
        for o in db.session.scalars(select(Organisation).where(Organisation.facility_level.is_not(None))):
            slug = "solok" if o.regency_id == self.solok else "sijunjung"
            key = (
                "rsud"
                if o.facility_level == "FKTL"
                else ("pkm" if o.facility_code.endswith("01") else "pkm2")
            )
            self.orgs[(slug, key)] = o
        org_ids = [o.id for o in self.orgs.values()]
        self.users = {}
        for u in db.session.scalars(select(User).where(User.organisation_id.in_(org_ids)).order_by(User.id)):
            self.users.setdefault(u.organisation_id, u.id)
        self.polis: dict[int, list[tuple[int, str]]] = {}
        for p in db.session.scalars(select(Poli).order_by(Poli.id)):
            self.polis.setdefault(p.organisation_id, []).append((p.id, p.name))
        self.nagari = {
            rid: list(
                db.session.execute(
                    select(Wilayah.code, Wilayah.parent_code)
                    .where(Wilayah.regency_id == rid, Wilayah.level == 4)
                    .order_by(Wilayah.code)
                )
            )
            for rid in (self.solok, self.sijunjung)
        }
        self.jorong = {
            code: jid
            for jid, code in db.session.execute(select(Jorong.id, Jorong.nagari_code).order_by(Jorong.id))
        }
        self.tigo = db.session.execute(
            select(Jorong.id, Jorong.nagari_code).where(Jorong.nagari_code == "13.02.18.2004").limit(1)
        ).first()
        self.diagnoses = [icd.lookup(c) for c in DIAGNOSES]


def _patients(rng: random.Random, ctx: _Ctx, n: int, today: date) -> tuple[list[dict], dict[int, list]]:
    """Each facility keeps its own patients; the border facilities see many Tigo Jangko residents."""
    by_org: dict[int, list[tuple[int, int]]] = {ctx.orgs[k].id: [] for k, _ in ORIGINS}
    start_id = (db.session.scalar(select(func.max(Patient.id))) or 0) + 1
    rows = []
    for i in range(n):
        key = _pick(rng, ORIGINS)
        org = ctx.orgs[key]
        sex = "L" if rng.random() < 0.48 else "P"
        birth = date(rng.randint(1940, 2024), rng.randint(1, 12), rng.randint(1, 28))
        border = key in (("solok", "pkm"), ("sijunjung", "pkm")) and rng.random() < 0.35
        if border and ctx.tigo:
            home, nag_code, kec_code, jor = ctx.solok, ctx.tigo.nagari_code, "13.02.18", ctx.tigo.id
        else:
            other = ctx.sijunjung if org.regency_id == ctx.solok else ctx.solok
            home = org.regency_id if rng.random() < 0.9 else other
            nag_code, kec_code = rng.choice(ctx.nagari[home])
            jor = ctx.jorong.get(nag_code) if rng.random() < 0.5 else None
        jkn = f"000{rng.randint(10**9, 10**10 - 1)}" if rng.random() < 0.85 else None
        has_nik = rng.random() < 0.97
        name = rng.choice(NAMES_L if sex == "L" else NAMES_P) + rng.choice(SUFFIX)
        rows.append(
            dict(
                id=start_id + i,
                organisation_id=org.id,
                name=name,
                name_key=patient_name_key(name),
                nik=_nik(kec_code, birth, sex, i) if has_nik else None,
                no_nik_reason=None if has_nik else "Bayi baru lahir, belum punya NIK",
                no_jkn=jkn,
                status_peserta="utama" if jkn else None,
                jenis_kepesertaan=rng.choice(["pbi_apbn", "pbi_apbd", "pbpu", "ppu"]) if jkn else "non_jkn",
                birth_date=birth,
                sex=sex,
                home_regency_id=home,
                kecamatan_code=kec_code,
                nagari_code=nag_code,
                jorong_id=jor,
                address=f"Jl. Bench No. {i % 90 + 1}",
                phone=f"0812{rng.randint(10**7, 10**8 - 1)}",
                no_rm=f"RM-B{i:06d}",
                created_at=datetime(today.year - 1, 1, 1, tzinfo=UTC),
                version=1,
            )
        )
        by_org[org.id].append((start_id + i, home))
    for have in by_org.values():  # a facility without a patient of its own in a tiny run gets one
        if not have:
            have.append((rows[0]["id"], rows[0]["home_regency_id"]))
    return rows, by_org


def _event(rid, at, user_id, org_id, before, after, channel="web") -> dict:
    return dict(
        referral_id=rid,
        at=at,
        user_id=user_id,
        organisation_id=org_id,
        from_status=before,
        to_status=after,
        channel=channel,
        note=None,
    )


def _referral(rng, ctx: _Ctx, rid: int, age: int, by_org, counters, today: date) -> tuple[dict, list, list]:
    """One letter as its lifecycle left it: the row, its events, and the steps taken after issue."""
    okey = _pick(rng, ORIGINS)
    origin = ctx.orgs[okey]
    if okey == ("sijunjung", "rsud"):
        dest = ctx.orgs[rng.choice([("solok", "pkm"), ("sijunjung", "pkm")])]
    else:
        dest = ctx.orgs[
            _pick(rng, [(k, s) for k, s in DESTINATIONS if k != okey] + [(("sijunjung", "rsud"), 1)])
        ]
    pid, home = rng.choice(by_org[origin.id])
    issued_day = today - timedelta(days=age)
    at = datetime.combine(issued_day, time(7 + rng.randint(0, 8), rng.randint(0, 59))).replace(tzinfo=WIB)
    at = at.astimezone(UTC)
    state, steps = _final_state(rng, age)
    poli = rng.choice(ctx.polis.get(dest.id) or [(None, None)])
    codes = rng.sample(ctx.diagnoses, rng.choice([1, 1, 1, 2, 2, 3])) + [(None, None)] * 2
    jenis = "igd" if rng.random() < 0.15 else ("ri" if rng.random() < 0.05 else "rj")
    issued = state != "draf"
    year = seq = number = None
    if issued:
        year = issued_day.year
        seq = counters[(origin.id, year)] = counters.get((origin.id, year), 0) + 1
        number = number_text(DEFAULTS["RUJUKAN_NUMBER_FORMAT"], seq, facility_code(origin), issued_day)
    cross = home != dest.regency_id or origin.regency_id != dest.regency_id
    row = dict(
        id=rid, origin_id=origin.id, patient_id=pid, status=state, number=number, year=year, seq=seq,
        created_at=at, created_by_id=ctx.users.get(origin.id), referred_at=at,
        issued_at=at + timedelta(minutes=20) if issued else None, issued_on=issued_day if issued else None,
        valid_until=issued_day + timedelta(days=DEFAULTS["RUJUKAN_VALIDITY_DAYS"]) if issued else None,
        jenis=jenis, tipe="prb" if okey == ("sijunjung", "rsud") else "penuh",
        kategori="igd" if jenis == "igd" else rng.choice(["rj"] * 8 + ["maternal", "neonatal"]),
        arah="horizontal" if dest.facility_level == origin.facility_level else "vertikal",
        payer="bpjs" if rng.random() < 0.85 else rng.choice(["apbd_solok", "pasien"]),
        destination_id=dest.id, poli_id=poli[0], poli_name=poli[1], border=cross,
        dasar=("gawat_darurat" if jenis == "igd" else "geografis") if cross else None,
        anamnesis="Keluhan utama sejak beberapa hari (bench).", physical_exam="Keadaan umum sedang.",
        bp=f"{rng.randint(100, 180)}/{rng.randint(60, 110)}", pulse=rng.randint(60, 120), consciousness="cm",
        reason="Memerlukan pemeriksaan dan tata laksana spesialis.", condition="Stabil saat dirujuk.",
        consent="setuju", consent_date=issued_day,
        planned_visit=issued_day + timedelta(days=rng.choice([0, 1, 1, 2, 7])),
        print_count=1 if issued else 0, version=1 + len(steps),
        diag1_code=codes[0][0], diag1_name=codes[0][1], diag2_code=codes[1][0], diag2_name=codes[1][1],
        diag3_code=codes[2][0], diag3_name=codes[2][1],
        redirect_to_id=None, answer_note=None, answered_at=None, arrived_at=None, cancel_reason=None,
        reply_diag_code=None, reply_diag_name=None, reply_therapy=None, reply_advice=None,
        reply_control_date=None, reply_inpatient=None, reply_finished=None, reply_doctor=None,
        reply_channel=None, replied_at=None,
    )  # fmt: skip
    events = [_event(rid, at, ctx.users.get(origin.id), origin.id, None, "draf")]
    if issued:
        events.append(
            _event(rid, row["issued_at"], ctx.users.get(origin.id), origin.id, "draf", "diterbitkan")
        )
    _steps(rng, ctx, row, steps, events, dest.id)
    return row, events, steps


def _steps(rng, ctx: _Ctx, row: dict, steps: list[str], events: list, dest_id: int) -> None:
    """What each lifecycle step after issue left on the letter, and its event."""
    prev, step_at = "diterbitkan", row["issued_at"]
    for k, target in enumerate(steps):
        step_at = step_at + timedelta(hours=3 + rng.randint(0, 40) * (k + 1))
        if target in ("diterima", "ditolak", "dialihkan"):
            row["answered_at"] = step_at
            row["answer_note"] = {"ditolak": "Ruang penuh", "dialihkan": "Poli tutup; dialihkan"}.get(target)
        if target == "dialihkan":
            row["redirect_to_id"] = ctx.orgs[("sijunjung", "pkm")].id
        if target == "tiba":
            row["arrived_at"] = step_at
        if target == "dijawab":
            row.update(
                replied_at=step_at,
                reply_channel=rng.choice(["web", "web", "kertas", "telepon"]),
                reply_diag_code=row["diag1_code"],
                reply_diag_name=row["diag1_name"],
                reply_therapy="Terapi lanjutan sesuai diagnosis (bench)",
                reply_advice="Kontrol 2 minggu lagi; lanjutkan obat di puskesmas.",
                reply_control_date=row["issued_on"] + timedelta(days=14),
                reply_inpatient=rng.random() < 0.1,
                reply_finished=row["status"] == "selesai",
                reply_doctor="dr. Irwan Syah, Sp.PD",
            )
        if target == "dibatalkan":
            row["cancel_reason"] = "Pasien menolak berangkat"
        actor = row["origin_id"] if target in ("dikirim", "selesai", "dibatalkan") else dest_id
        channel = "telepon" if target == "diterima" else "web"
        events.append(_event(row["id"], step_at, ctx.users.get(actor), actor, prev, target, channel))
        prev = target
    if row["arrived_at"] is None and row["status"] in ("tiba", "dijawab", "selesai"):
        row["arrived_at"] = step_at


def _insert(model, rows: list[dict], chunk: int = CHUNK) -> None:
    for k in range(0, len(rows), chunk):
        db.session.execute(insert(model.__table__), rows[k : k + chunk])


def _save_counters(counters: dict) -> None:
    """The counters follow the numbers given, so a letter issued later does not collide."""
    have = {(c.organisation_id, c.year) for c in db.session.scalars(select(NumberCounter))}
    for (org_id, year), last in counters.items():
        if (org_id, year) in have:
            db.session.execute(
                update(NumberCounter)
                .where(NumberCounter.organisation_id == org_id, NumberCounter.year == year)
                .values(last=last)
            )
        else:
            db.session.execute(insert(NumberCounter).values(organisation_id=org_id, year=year, last=last))


def build(seed: int = 12, scale: float = 1.0) -> dict:
    rng = random.Random(seed)
    today = today_local()
    ctx = _Ctx()
    patients, by_org = _patients(rng, ctx, max(20, int(PATIENTS * scale)), today)
    _insert(Patient, patients)
    counters = {(c.organisation_id, c.year): c.last for c in db.session.scalars(select(NumberCounter))}
    start_ref = (db.session.scalar(select(func.max(Referral.id))) or 0) + 1
    # issue days, oldest first, so numbers follow the dates
    days = sorted((rng.randint(0, 364) for _ in range(max(50, int(REFERRALS * scale)))), reverse=True)
    refs, events, per_state = [], [], {}
    for i, age in enumerate(days):
        row, evs, _ = _referral(rng, ctx, start_ref + i, age, by_org, counters, today)
        refs.append(row)
        events.extend(evs)
        per_state[row["status"]] = per_state.get(row["status"], 0) + 1
    _insert(Referral, refs)
    _insert(ReferralEvent, events, CHUNK * 2)
    _save_counters(counters)
    db.session.commit()
    _sync_sequences()
    return _facts(ctx, patients, refs, per_state, today)


def _facts(ctx: _Ctx, patients: list[dict], refs: list[dict], per_state: dict, today: date) -> dict:
    busy = ctx.orgs[("solok", "pkm")]
    by_id = {p["id"]: p for p in patients}
    counts: dict[int, int] = {}
    for r in refs:
        if r["origin_id"] == busy.id and r["patient_id"] in by_id:
            counts[r["patient_id"]] = counts.get(r["patient_id"], 0) + 1
    busiest = by_id[max(counts, key=counts.get)]
    out_count = sum(1 for r in refs if r["origin_id"] == busy.id)
    outgoing = sorted(((r["created_at"], r["id"]) for r in refs if r["origin_id"] == busy.id), reverse=True)
    rsud = ctx.orgs[("sijunjung", "rsud")].id
    incoming = sorted(
        ((r["issued_at"], r["id"]) for r in refs if r["destination_id"] == rsud and r["status"] != "draf"),
        reverse=True,
    )
    deep = min(300, len(outgoing) // 20, len(incoming) // 20)  # page 300: after 5,980 rows
    last_month = today.replace(day=1) - timedelta(days=1)
    return {
        "referrals": len(refs),
        "patients": len(patients),
        "states": per_state,
        "rujukan_busy_user": "faskes.solok",
        "rujukan_rsud_user": "faskes.rsud.sijunjung",
        "rujukan_dinkes_user": "dinkes.solok",
        "rujukan_busy_org_id": busy.id,
        "rujukan_outgoing": out_count,
        "rujukan_deep_page": deep,
        "rujukan_outgoing_cursor": encode_cursor(outgoing[(deep - 1) * 20 - 1]) if deep > 1 else "",
        "rujukan_incoming_cursor": encode_cursor(incoming[(deep - 1) * 20 - 1]) if deep > 1 else "",
        "rujukan_patient_id": busiest["id"],
        "rujukan_patient_name": busiest["name"],
        "rujukan_patient_nik": busiest["nik"],
        "rujukan_referral_id": next(r["id"] for r in refs if r["origin_id"] == busy.id and r["number"]),
        "rujukan_month": f"{today.year}-{today.month:02d}",
        "rujukan_busy_month": f"{last_month.year}-{last_month.month:02d}",
    }


def _sync_sequences() -> None:
    """PostgreSQL: explicit ids were inserted, so move the id sequences past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in (Patient.__table__, Referral.__table__, ReferralEvent.__table__):
        db.session.execute(
            select(
                func.setval(
                    func.pg_get_serial_sequence(table.name, "id"),
                    select(func.coalesce(func.max(table.c.id), 1)).scalar_subquery(),
                )
            )
        )
    db.session.commit()
