"""Kerja Sama at regency scale for the bench: about 500 agreements with everything a record page shows.

``build(seed, scale)`` runs inside an app context on an app that already holds the demo data. It adds, with
bulk inserts only (no ORM object per row), reproducibly from ``random.Random(seed)``:
KSBs with scope items, PKS under them (each implementing one scope item), adendum and perpanjangan, parties
of both regencies with signatories and register numbers, stage history (events) by many distinct officers,
notes, slips, reminders sent, document metadata, letters, service areas, implementation rows, and meetings
with attendees, decisions and action items. Returns facts the bench pages use.
"""

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select, text

from blueprints.auth.models import Organisation, Regency, User
from blueprints.core import roles as R
from blueprints.core.extensions import db
from blueprints.pks.models import (
    ActionItem,
    Activity,
    Agreement,
    Attendee,
    Decision,
    DocNumber,
    Document,
    Event,
    Letter,
    Meeting,
    MeetingDocument,
    Note,
    Obligation,
    Party,
    ReminderLog,
    Report,
    ScopeItem,
    ScopeLink,
    ServiceArea,
    Signatory,
    Slip,
    meeting_agreement,
)
from blueprints.pks.stages import KSB_FLOW, PKS_FLOW
from blueprints.wilayah.models import Jorong, Wilayah

CHUNK = 2000
BENCH_USERS = 60  # distinct officers acting in the histories (the N+1 of actors shows with many)
URUSAN = ["sosial", "kesehatan", "kominfo", "pariwisata", "sdm", "pemerintahan"]
TOPICS = [
    "Pelayanan kesehatan perbatasan",
    "Replikasi aplikasi",
    "Pengembangan pariwisata",
    "Pelatihan aparatur",
    "Pengelolaan sampah",
    "Air minum lintas nagari",
    "Jalan penghubung",
    "Pemberdayaan UMKM",
    "Data disabilitas",
    "Pendidikan vokasi",
]


def _ids(model, n: int) -> list[int]:
    """The next ``n`` primary keys of ``model`` (explicit ids let children point at parents in bulk)."""
    start = (db.session.scalar(select(func.max(model.id))) or 0) + 1
    return list(range(start, start + n))


def _bulk(table_or_model, rows: list[dict]) -> None:
    for i in range(0, len(rows), CHUNK):
        db.session.execute(insert(table_or_model), rows[i : i + CHUNK])


def _fix_sequences(models) -> None:
    """On PostgreSQL explicit ids do not move the serial sequence; move it past them."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )


def _path(flow: dict, stop: str) -> list[str]:
    """The stages walked from the first one to ``stop`` (the flow's first listed choices)."""
    stages = list(flow)
    path, here = [stages[0]], stages[0]
    while here != stop:
        options = [s for s in flow.get(here, []) if s not in path]
        if not options:
            break
        here = stop if stop in options else options[0]
        path.append(here)
    return path


def _at(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, 2, 0, tzinfo=UTC)


def build(seed: int = 12, scale: float = 1.0) -> dict:  # noqa: C901 (one pass of row recipes)
    rnd = random.Random(seed)
    solok = db.session.scalar(select(Regency).where(Regency.code == "13.02"))
    sijunjung = db.session.scalar(select(Regency).where(Regency.code == "13.03"))
    regencies = [solok, sijunjung]
    orgs = {
        r.id: list(db.session.scalars(select(Organisation.id).where(Organisation.regency_id == r.id)))
        for r in regencies
    }
    nagari = {
        r.id: list(
            db.session.scalars(
                select(Wilayah.code)
                .where(Wilayah.level == 4, Wilayah.code.like(r.code + ".%"))
                .order_by(Wilayah.code)
            )
        )
        for r in regencies
    }
    jorong_of = {}
    for jid, code in db.session.execute(select(Jorong.id, Jorong.nagari_code)):
        jorong_of.setdefault(code, []).append(jid)
    today = date(2026, 12, 1)

    # ---- officers -------------------------------------------------------------------------------
    n_users = max(2, int(BENCH_USERS * min(scale, 1.0)))
    user_ids = _ids(User, n_users)
    users = []
    for i, uid in enumerate(user_ids):
        r = regencies[i % 2]
        users.append(
            dict(
                id=uid,
                username=f"bench.pks.{i}",
                name=f"Petugas Kerja Sama {i}",
                password_hash="x",
                role=R.KERJASAMA,
                organisation_id=orgs[r.id][0] if orgs[r.id] else None,
                regency_id=r.id,
                active=True,
                version=1,
            )
        )
    _bulk(User, users)

    # ---- agreements -----------------------------------------------------------------------------
    n_ksb = max(2, int(40 * scale))
    n_pks = max(4, int(390 * scale))
    n_add = max(1, int(45 * scale))
    n_ext = max(1, int(25 * scale))
    total = n_ksb + n_pks + n_add + n_ext
    agreement_ids = _ids(Agreement, total)
    ksb_ids = agreement_ids[:n_ksb]
    pks_ids = agreement_ids[n_ksb : n_ksb + n_pks]
    child_ids = agreement_ids[n_ksb + n_pks :]
    agreements, parties, signatories, numbers = [], [], [], []
    scope_items, scope_links, events, notes, slips, reminders = [], [], [], [], [], []
    documents, letters, areas, activities, obligations, reports = [], [], [], [], [], []
    party_id = _ids(Party, 1)[0]
    sig_id = _ids(Signatory, 1)[0]
    doc_id = _ids(Document, 1)[0]
    item_id = _ids(ScopeItem, 1)[0]
    stored = 0
    items_of: dict[int, list[int]] = {}
    parties_of: dict[int, list[int]] = {}

    def actor() -> int:
        return rnd.choice(user_ids)

    def add_agreement(aid, jenis, parent, flow):  # noqa: C901
        nonlocal party_id, sig_id, doc_id, stored
        stop = rnd.choice([s for s in flow if s != "dibatalkan"])
        if jenis == "KSB":
            stop = rnd.choice(["ditandatangani"] * 6 + ["penyusunan", "siap_ttd", "berakhir"])
        path = _path(flow, stop)
        start = today - timedelta(days=rnd.randint(200, 1600))
        day = start
        history = []
        for i, s in enumerate(path):
            history.append((day, path[i - 1] if i else "", s))
            day = min(today, day + timedelta(days=rnd.randint(5, 60)))
        cancelled = jenis != "KSB" and rnd.random() < 0.04 and stop not in ("ditandatangani", "berakhir")
        tahap = "dibatalkan" if cancelled else path[-1]
        if cancelled:
            history.append((day, path[-1], "dibatalkan"))
        signed_on = next((d for d, _f, s in history if s == "ditandatangani"), None)
        months = rnd.choice([12, 24, 36, 60])
        tgl_mulai = signed_on
        tgl_berakhir = signed_on + timedelta(days=months * 30) if signed_on else None
        owner = rnd.choice(regencies)
        other = sijunjung if owner is solok else solok
        waits = rnd.choice(["", "dprd", "pimpinan", f"regency:{other.id}", "opd:Bagian Hukum"])
        target = None
        if tahap in ("siap_ttd", "ditunda", "penyusunan", "surat_kuasa", "review_hukum"):
            target = today + timedelta(days=rnd.randint(-40, 90))
        topic = rnd.choice(TOPICS)
        agreements.append(
            dict(
                id=aid,
                jenis=jenis,
                parent_id=parent,
                judul=f"{topic} {jenis.lower()} {aid} Kab. Solok dan Kab. Sijunjung",
                objek=topic,
                urusan_codes="," + ",".join(rnd.sample(URUSAN, rnd.randint(1, 3))) + ",",
                kategori=rnd.choice(["wajib", "sukarela"]),
                rujukan_rpjmd="",
                pemrakarsa_regency_id=owner.id,
                pemrakarsa_opd="Bagian Kerjasama Setda",
                klausul_codes=",subjek,objek,ruang_lingkup,jangka_waktu,",
                tahap=tahap,
                tahap_sejak=history[-1][0],
                menunggu=waits if tahap not in ("ditandatangani", "berakhir", "dibatalkan") else "",
                menunggu_sejak=history[-1][0] if waits else None,
                tgl_ttd=signed_on,
                tempat_ttd="Aula Kantor Bupati" if signed_on else "",
                tgl_mulai=tgl_mulai,
                tgl_berakhir=tgl_berakhir,
                jangka_waktu_bulan=months if signed_on else None,
                tgl_keputusan_perpanjangan=None,
                tgl_diakhiri=history[-1][0] if tahap == "berakhir" else None,
                alasan_akhir="habis_waktu" if tahap == "berakhir" else "",
                dasar_akhir="",
                dprd_perlu=rnd.choice([None, False, True]),
                dprd_alasan="",
                dprd_nomor="",
                dprd_tanggal=None,
                target_mulai=target - timedelta(days=6) if target else None,
                target_selesai=target,
                target_presisi="minggu" if target else "",
                target_tempat="",
                target_acara="Penandatanganan" if target else "",
                target_awal_selesai=target - timedelta(days=30) if target else None,
                sumber="(bench, dikarang)",
                is_demo=False,
                created_at=_at(start),
                updated_at=_at(history[-1][0]),
                version=1,
            )
        )
        for on, frm, to in history:
            events.append(
                dict(
                    agreement_id=aid,
                    at=_at(on),
                    on_date=on,
                    actor_id=actor(),
                    kind="tahap" if to != "ditandatangani" else "ttd",
                    from_state=frm,
                    to_state=to,
                    reason=f"Tahap {to} (bench)",
                )
            )
        for _ in range(rnd.randint(0, 3)):
            on = start + timedelta(days=rnd.randint(0, 200))
            events.append(
                dict(
                    agreement_id=aid,
                    at=_at(on),
                    on_date=None,
                    actor_id=actor(),
                    kind="catatan",
                    from_state="",
                    to_state="",
                    reason="Catatan koordinasi (bench)",
                )
            )
        for _ in range(rnd.randint(0, 4)):
            notes.append(
                dict(
                    agreement_id=aid,
                    regency_id=rnd.choice([None, None, owner.id]),
                    kind=rnd.choice(["catatan", "disposisi", "telaahan"]),
                    text="Mohon ditindaklanjuti sesuai hasil rapat (bench).",
                    author_id=actor(),
                    created_at=_at(start + timedelta(days=rnd.randint(0, 300))),
                )
            )
        if target:
            old = target - timedelta(days=30)
            for _ in range(rnd.randint(0, 3)):
                slips.append(
                    dict(
                        agreement_id=aid,
                        old_mulai=old - timedelta(days=6),
                        old_selesai=old,
                        old_presisi="minggu",
                        new_mulai=old + timedelta(days=8),
                        new_selesai=old + timedelta(days=14),
                        new_presisi="minggu",
                        alasan="Kepala daerah berhalangan (bench)",
                        diputuskan_oleh="Rapat koordinasi",
                        meeting_id=None,
                        recorded_at=_at(old),
                        recorded_by_id=actor(),
                        is_demo=False,
                    )
                )
                old += timedelta(days=14)
        # parties: both regencies, sometimes an OPD of each as extra party
        n_parties = rnd.choice([2, 2, 3, 4])
        for urutan in range(1, n_parties + 1):
            reg = regencies[(urutan - 1) % 2]
            pid = party_id
            party_id += 1
            parties_of.setdefault(aid, []).append(pid)
            parties.append(
                dict(
                    id=pid,
                    agreement_id=aid,
                    regency_id=reg.id,
                    urutan=urutan,
                    organisation_id=rnd.choice(orgs[reg.id]) if orgs[reg.id] and urutan > 2 else None,
                    opd=f"Pemerintah {reg.name}" if urutan <= 2 else "",
                    peran=rnd.choice(["", "Pengembang", "Pengadopsi", "Dukungan teknis"]),
                    alamat="",
                    pic_nama=f"PIC {pid}",
                    pic_jabatan="Kepala Bagian",
                    dasar_hukum="",
                    menandatangani=urutan <= 2 or rnd.random() < 0.5,
                    version=1,
                )
            )
            for k in range(rnd.randint(1, 2)):
                signatories.append(
                    dict(
                        id=sig_id,
                        party_id=pid,
                        nama=f"Penandatangan {sig_id}",
                        jabatan="Bupati" if k == 0 else "Sekretaris Daerah",
                        opd="",
                        is_bupati=k == 0,
                        kuasa_nomor="" if k == 0 else f"SK/{sig_id}/2024",
                        kuasa_tanggal=None,
                        version=1,
                    )
                )
                sig_id += 1
            if signed_on:
                numbers.append(
                    dict(
                        agreement_id=aid,
                        party_id=pid,
                        nomor=f"{aid}/{pid}/KS/{signed_on.year}",
                        tanggal=signed_on,
                        register="Register kerja sama",
                        version=1,
                    )
                )
        for v in range(rnd.randint(0, 4)):
            stored += 1
            documents.append(
                dict(
                    id=doc_id,
                    agreement_id=aid,
                    kind=rnd.choice(["draf", "draf", "ttd", "notulen", "undangan", "foto"]),
                    versi=v + 1,
                    drafting_regency_id=owner.id,
                    ringkasan="Perubahan pasal (bench)",
                    filename=f"naskah-{aid}-{v + 1}.pdf",
                    stored_name=f"bench-{seed}-{stored:08d}",
                    mime="application/pdf",
                    size=rnd.randint(20_000, 2_000_000),
                    sha256=f"{rnd.getrandbits(256):064x}",
                    uploaded_by_id=actor(),
                    uploaded_at=_at(start + timedelta(days=rnd.randint(0, 300))),
                )
            )
            doc_id += 1
        for _ in range(rnd.randint(0, 3)):
            on = start + timedelta(days=rnd.randint(0, 300))
            letters.append(
                dict(
                    agreement_id=aid,
                    arah=rnd.choice(["keluar", "masuk"]),
                    nomor=f"005/{aid}/{rnd.randint(1, 999)}",
                    tanggal=on,
                    perihal="Undangan rapat pembahasan (bench)",
                    pengirim="Bagian Kerjasama",
                    penerima="Sekretaris Daerah",
                    tembusan="Bupati\nInspektorat",
                    tahap="",
                    created_by_id=actor(),
                    created_at=_at(on),
                )
            )
        if jenis == "PKS" and rnd.random() < 0.5:
            reg = rnd.choice(regencies)
            for code in rnd.sample(nagari[reg.id], min(len(nagari[reg.id]), rnd.randint(1, 3))):
                jorongs = jorong_of.get(code) or [None]
                areas.append(dict(agreement_id=aid, nagari_code=code, jorong_id=rnd.choice(jorongs)))
        if signed_on:
            for _ in range(rnd.randint(0, 3)):
                activities.append(
                    dict(
                        agreement_id=aid,
                        tanggal=signed_on + timedelta(days=rnd.randint(10, 300)),
                        jenis="Pelatihan operator",
                        peserta=rnd.randint(5, 60),
                        pic_solok="PIC Solok",
                        pic_sijunjung="PIC Sijunjung",
                        status=rnd.choice(["direncanakan", "berjalan", "selesai"]),
                        keterangan="",
                        version=1,
                    )
                )
            for _ in range(rnd.randint(0, 3)):
                obligations.append(
                    dict(
                        agreement_id=aid,
                        party_id=rnd.choice(parties_of[aid]),
                        text="Menyediakan data dan sarana (bench)",
                        due=signed_on + timedelta(days=rnd.randint(30, 500)),
                        status=rnd.choice(["belum", "sebagian", "dipenuhi"]),
                        bukti="",
                        version=1,
                    )
                )
            for k in range(rnd.randint(0, 2)):
                due = signed_on + timedelta(days=180 * (k + 1))
                reports.append(
                    dict(
                        agreement_id=aid,
                        periode=f"Semester {k + 1}",
                        jatuh_tempo=due,
                        disampaikan_pada=due if due < today and rnd.random() < 0.7 else None,
                        kepada=rnd.choice(["bupati", "gubernur", "kemendagri"]),
                        penyusun="Bagian Kerjasama",
                        sipgwpp=rnd.random() < 0.5,
                        document_id=None,
                        version=1,
                    )
                )
            if rnd.random() < 0.5:
                reminders.append(
                    dict(
                        agreement_id=aid,
                        key=f"expiry:{tgl_berakhir.isoformat()}:90",
                        text="Masa berlaku berakhir dalam 90 hari (bench)",
                        sent_on=today - timedelta(days=rnd.randint(0, 60)),
                    )
                )

    for aid in ksb_ids:
        add_agreement(aid, "KSB", None, KSB_FLOW)
        items_of[aid] = []
        for _ in range(rnd.randint(6, 14)):
            items_of[aid].append(item_id)
            scope_items.append(
                dict(
                    id=item_id,
                    ksb_id=aid,
                    nama=f"{rnd.choice(TOPICS)} (ruang lingkup {item_id})",
                    urusan_code=rnd.choice(URUSAN),
                    dicatat_pada=today - timedelta(days=rnd.randint(30, 1200)),
                    sumber="(bench, dikarang)",
                    created_at=_at(today - timedelta(days=rnd.randint(30, 1200))),
                    version=1,
                )
            )
            item_id += 1
    for aid in pks_ids:
        ksb = rnd.choice(ksb_ids)
        add_agreement(aid, "PKS", ksb, PKS_FLOW)
        scope_links.append(dict(agreement_id=aid, scope_item_id=rnd.choice(items_of[ksb])))
    for k, aid in enumerate(child_ids):
        add_agreement(aid, "ADENDUM" if k < n_add else "PERPANJANGAN", rnd.choice(pks_ids), PKS_FLOW)

    # ---- meetings -------------------------------------------------------------------------------
    n_meetings = max(2, int(160 * scale))
    meeting_ids = _ids(Meeting, n_meetings)
    meetings, links, attendees, decisions, actions, meeting_docs = [], [], [], [], [], []
    all_ids = ksb_ids + pks_ids + child_ids
    doc_ids = [d["id"] for d in documents]
    for mid in meeting_ids:
        host = rnd.choice(regencies)
        on = today - timedelta(days=rnd.randint(0, 900))
        meetings.append(
            dict(
                id=mid,
                tanggal=on,
                jam=None,
                tempat="Ruang Rapat Sekda",
                tautan="",
                host_regency_id=host.id,
                agenda="Pembahasan naskah dan jadwal penandatanganan (bench)",
                undangan_nomor=f"005/{mid}/Und",
                sumber="(bench, dikarang)",
                created_at=_at(on),
                version=1,
            )
        )
        for aid in rnd.sample(all_ids, rnd.randint(1, 4)):
            links.append(dict(meeting_id=mid, agreement_id=aid))
        for k in range(rnd.randint(4, 12)):
            reg = rnd.choice(regencies)
            attendees.append(
                dict(
                    meeting_id=mid,
                    nama=f"Peserta {mid}-{k}",
                    jabatan="Kepala Bidang",
                    opd="Dinas terkait",
                    regency_id=reg.id,
                    keterangan="memimpin rapat" if k == 0 else "",
                )
            )
        for k in range(rnd.randint(1, 4)):
            decisions.append(dict(meeting_id=mid, text=f"Kesepakatan {k + 1} rapat {mid} (bench)."))
        for _ in range(rnd.randint(0, 4)):
            due = on + timedelta(days=rnd.randint(7, 60))
            done = due < today and rnd.random() < 0.6
            actions.append(
                dict(
                    meeting_id=mid,
                    text="Menyiapkan draf perbaikan (bench)",
                    owner_regency_id=rnd.choice(regencies).id,
                    owner="Bagian Kerjasama",
                    due=due,
                    done=done,
                    done_on=due if done else None,
                    version=1,
                )
            )
        if doc_ids and rnd.random() < 0.3:
            for d in set(rnd.sample(doc_ids, min(2, len(doc_ids)))):
                meeting_docs.append(
                    dict(meeting_id=mid, document_id=d, role=rnd.choice(["berkas", "dibahas"]))
                )

    _bulk(Agreement, agreements)
    _bulk(ScopeItem, scope_items)
    _bulk(ScopeLink, scope_links)
    _bulk(Party, parties)
    _bulk(Signatory, signatories)
    _bulk(DocNumber, numbers)
    _bulk(Document, documents)
    _bulk(Event, events)
    _bulk(Note, notes)
    _bulk(Slip, slips)
    _bulk(ReminderLog, reminders)
    _bulk(Letter, letters)
    _bulk(ServiceArea, areas)
    _bulk(Activity, activities)
    _bulk(Obligation, obligations)
    _bulk(Report, reports)
    _bulk(Meeting, meetings)
    _bulk(meeting_agreement, links)
    _bulk(Attendee, attendees)
    _bulk(Decision, decisions)
    _bulk(ActionItem, actions)
    _bulk(MeetingDocument, meeting_docs)
    _fix_sequences([User, Agreement, ScopeItem, Party, Signatory, Document, Meeting])
    db.session.commit()

    # facts: the busiest records, for the bench pages
    def busiest(column, among):
        return db.session.scalar(
            select(column).where(column.in_(among)).group_by(column).order_by(func.count().desc(), column)
        )

    return {
        "pks_agreements": total,
        "pks_ksb_id": db.session.scalar(
            select(ScopeItem.ksb_id)
            .where(ScopeItem.ksb_id.in_(ksb_ids))
            .group_by(ScopeItem.ksb_id)
            .order_by(func.count().desc(), ScopeItem.ksb_id)
        ),
        "pks_pks_id": busiest(Event.agreement_id, pks_ids),
        "pks_meeting_id": busiest(Attendee.meeting_id, meeting_ids),
        "pks_user": "kerjasama.solok",
    }
