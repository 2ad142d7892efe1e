"""Every PKS POST route under bad input: missing fields, junk and out-of-range ids, 10,000-character strings,
control characters and bytes that are not UTF-8, huge and negative numbers, impossible dates, duplicated fields
and JSON bodies. Never a 5xx: a refused form answers 422 with its message and what was typed, nothing is stored;
pimpinan (read-only) is refused with 404."""

import json
from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from blueprints.auth.models import Organisation
from blueprints.core.extensions import db
from blueprints.core.forms import new_submission_key
from blueprints.pks.models import (
    ActionItem,
    Activity,
    Agreement,
    Attendee,
    Document,
    Event,
    Meeting,
    Obligation,
    Party,
    Report,
    Slip,
    StageProposal,
)
from tests.conftest import HX, AuthActions, restore_demo

from .conftest import key, make_signable, regency_id, version_of

LONG = "x" * 10_000
VALUES = [
    "",
    "abc",
    "-1",
    "9999999999",
    "-99999999999999999999",
    "1e309",
    "2024-02-30",
    "9999-12-31",
    "25:99",
    LONG,
    "a\x00b",
    "\ufffd",
]
JSON_BODIES = [5, "x", [1, 2], {"a": 1}, None]  # each also as the value of every field
REFUSED = {302, 303, 404, 422}  # 302/303: accepted, or a redirect that says why (PRG)
# Routes whose accepted write would stop the next cases from reaching their checks (a stage move, a signing,
# a link that takes the agreement off the list, an edit that moves the version on): the demo is put back after
# each.
RESET_AFTER_WRITE = {
    "pks.stage",
    "pks.sign",
    "pks.kanban_move",
    "pks.meeting_link",
    "pks.edit",
    "pks.waiting",
    "pks.obligation_status",
    "pks.rules",
    "pks.work_row",
    "pks.work_row_delete",
    "pks.report_submitted",
    "pks.document_withdraw",
    "pks.document_final",
    "pks.reminder_contact_save",
    "pks.opd_contacts_save",
    "pks.party_edit",
    "pks.party_delete",
    "pks.signatory_edit",
    "pks.signatory_delete",
    "pks.number_edit",
    "pks.number_delete",
    "pks.meeting_entry",
    "pks.meeting_entry_remove",
    "pks.meeting_notulen",
    "pks.meeting_edit",
    "pks.meeting_remove",
    "pks.meeting_unlink",
    "pks.decide_proposal",
    "pks.withdraw_proposal",
    "pks.finish_registration",
    "pks.review",
}
# Routes that post the version (or stage) they showed: a junk or missing one is a conflict (409), not a typo.
CONFLICT_OK = {
    "pks.edit",
    "pks.waiting",
    "pks.obligation_status",
    "pks.rules",
    "pks.reminder_contact_save",
    "pks.opd_contacts_save",
    "pks.stage",
    "pks.kanban_move",
    "pks.work_row",
    "pks.work_row_delete",
    "pks.report_submitted",
    "pks.document_withdraw",
    "pks.document_final",
    "pks.party_edit",
    "pks.party_delete",
    "pks.signatory_edit",
    "pks.signatory_delete",
    "pks.number_edit",
    "pks.number_delete",
    "pks.meeting_entry",
    "pks.meeting_entry_remove",
    "pks.meeting_notulen",
    "pks.meeting_edit",
    "pks.meeting_remove",
    "pks.review",
}
# Stands for a fresh submission key in every post (a replayed key would land on the first result before the
# use case's own checks run); it is a well-formed key itself.
KEY = "walk-fresh-submission-key"


def _setup(app, ids) -> dict:
    """What the walk refers to; runs again after every accepted write puts the demo back."""
    with app.app_context():
        make_signable(db.session.get(Agreement, ids["pks2"]))  # so that signing gets past its preconditions
        ob = Obligation(agreement_id=ids["ksb"], text="Kewajiban uji")
        act = Activity(agreement_id=ids["ksb"], tanggal=date(2024, 1, 1), jenis="Kegiatan uji")
        rep = Report(agreement_id=ids["ksb"], periode="Periode uji")
        doc = Document(
            agreement_id=ids["pks1"],
            kind="draf",
            versi=1,
            filename="draf-uji.pdf",
            stored_name="walk-draf-uji.pdf",
            mime="application/pdf",
            size=1,
            sha256="0" * 64,
        )
        db.session.add_all([ob, act, rep, doc])
        pks1 = db.session.get(Agreement, ids["pks1"])
        sol = regency_id(app, "13.02")
        own = next(p for p in pks1.parties if p.regency_id == sol)  # Solok's own part: its forms exist
        pks2_own = next(p for p in db.session.get(Agreement, ids["pks2"]).parties if p.regency_id == sol)
        sig, num = pks2_own.signatories[0], pks2_own.number
        proposal = StageProposal(  # Sijunjung proposes ending the KSB: Solok's to decide
            agreement_id=ids["ksb"],
            tahap="berakhir",
            dari_tahap="ditandatangani",
            alasan="Usulan uji",
            regency_id=regency_id(app, "13.03"),
        )
        own_proposal = StageProposal(  # Solok proposes postponing PKS 2: Solok's to withdraw
            agreement_id=ids["pks2"],
            tahap="ditunda",
            dari_tahap="siap_ttd",
            alasan="Usulan uji Solok",
            regency_id=sol,
        )
        db.session.add_all([proposal, own_proposal])
        db.session.get(Agreement, ids["ksb"]).usul_terbuka = True
        db.session.get(Agreement, ids["pks2"]).usul_terbuka = True
        db.session.commit()
        review = Agreement(  # in review hukum, so that its form gets past the stage check
            jenis="PKS",
            parent_id=ids["ksb"],
            judul="PKS dalam review",
            tahap="review_hukum",
            tahap_sejak=date(2024, 8, 1),
        )
        db.session.add(review)
        db.session.flush()
        db.session.add(Party(agreement_id=review.id, regency_id=regency_id(app, "13.02"), opd="Dinas uji"))
        db.session.commit()
        return {
            **ids,
            "activity": act.id,
            "rep": rep.id,
            "doc": doc.id,
            "sol": regency_id(app, "13.02"),
            "sol_dinsos": db.session.scalar(
                select(Organisation.id).where(
                    Organisation.kind == "dinsos", Organisation.regency_id == regency_id(app, "13.02")
                )
            ),
            "sol_bk": db.session.scalar(
                select(Organisation.id).where(
                    Organisation.kind == "kerjasama", Organisation.regency_id == regency_id(app, "13.02")
                )
            ),
            "ob": ob.id,
            "proposal": proposal.id,
            "own_proposal": own_proposal.id,
            "v_ob": ob.version,
            "v_pks1": pks1.version,
            "review": review.id,
            "v_review": review.version,
            "tahap_pks1": pks1.tahap,
            "party": own.id,
            "v_party": own.version,
            "sig": sig.id,
            "v_sig": sig.version,
            "num": num.id,
            "v_num": num.version,
            "slip": db.session.scalar(
                select(Slip.id).where(Slip.agreement_id == ids["pks2"]).order_by(Slip.id)
            ),
            "meeting": db.session.scalar(select(Meeting.id).order_by(Meeting.id)),
            "item": db.session.scalar(select(ActionItem.id).order_by(ActionItem.id)),
            **_entries(),
        }


def _entries() -> dict:
    """The first attendee, decision and action item of the first meeting, with the versions their forms show."""
    meeting = db.session.scalar(select(Meeting).order_by(Meeting.id))
    att, dec, act = meeting.attendees[0], meeting.decisions[0], meeting.actions[0]
    return {
        "v_meeting": meeting.version,
        "att": att.id,
        "v_att": att.version,
        "dec": dec.id,
        "v_dec": dec.version,
        "act": act.id,
        "v_act": act.version,
    }


# endpoint -> [(url, valid form data)]; several entries for a page with several forms ("bagian")
ROUTES = {
    "pks.new": lambda c: [
        (
            "/pks/baru",
            {
                "submission_key": KEY,
                "jenis": "PKS",
                "parent_id": c["ksb"],
                "judul": "Judul uji",
                "scope_item_id": "0",
                "urusan": "sosial",
                "klausul": "objek",
                "kategori": "wajib",
                "dprd_perlu": "ya",
                "tgl_keputusan_perpanjangan": "2025-01-01",
                "dprd_tanggal": "2024-01-01",
                "pemrakarsa_regency_id": c["sol"],
                "pemrakarsa_organisation_id": "0",
                "tahap": "pelaksanaan",
                "tahap_sejak": "2024-03-01",
                "tgl_ttd": "2024-02-01",
                "tempat_ttd": "Solok",
                "tgl_mulai": "2024-02-01",
                "jangka_bulan": "24",
            },
        )
    ],
    "pks.edit": lambda c: [
        (
            f"/pks/{c['pks1']}/ubah",
            {
                "version": c["v_pks1"],
                "judul": "Judul uji",
                "scope_item_id": "0",
                "pemrakarsa_regency_id": c["sol"],
                "pemrakarsa_organisation_id": "0",
                "urusan": "sosial",
                "klausul": "objek",
                "tgl_keputusan_perpanjangan": "2025-01-01",
                "dprd_tanggal": "2024-01-01",
            },
        )
    ],
    "pks.add_note": lambda c: [
        (
            f"/pks/{c['pks1']}/catatan",
            {"submission_key": KEY, "kind": "catatan", "text": "Catatan uji", "internal": "y"},
        )
    ],
    "pks.parties": lambda c: [
        (
            f"/pks/{c['pks1']}/pihak",
            {
                "bagian": "pihak",
                "p-submission_key": KEY,
                "p-regency_id": "0",
                "p-mitra_jenis": "kota",
                "p-mitra_nama": "Pemerintah Kota Solok",
                "p-urutan": "5",
                "p-opd": "Dinas Kesehatan",
            },
        ),
        (
            f"/pks/{c['pks1']}/pihak",
            {
                "bagian": "penandatangan",
                "s-submission_key": KEY,
                "s-party_id": c["party"],
                "s-nama": "Nama",
                "s-jabatan": "Kepala",
                "s-kuasa_tanggal": "2024-01-01",
            },
        ),
        (
            f"/pks/{c['pks1']}/pihak",
            {
                "bagian": "nomor",
                "n-submission_key": KEY,
                "n-party_id": c["party"],
                "n-nomor": "1/PKS",
                "n-tanggal": "2024-01-01",
            },
        ),
    ],
    "pks.stage": lambda c: [
        (f"/pks/{c['pks1']}/tahap", {"t-dari": c["tahap_pks1"], "t-to": "ditunda", "t-reason": "Alasan uji"})
    ],
    "pks.sign": lambda c: [
        (
            f"/pks/{c['pks2']}/tandatangan",
            {
                "ttd-tgl_ttd": "2024-09-12",
                "ttd-tgl_mulai": "2024-09-12",
                "ttd-tgl_berakhir": "2027-09-11",
                "ttd-jangka_bulan": "36",
                "ttd-tempat": "Solok",
            },
        )
    ],
    "pks.void_slip": lambda c: [(f"/pks/{c['pks2']}/penundaan/{c['slip']}/batal", {"alasan": "Catatan uji"})],
    "pks.target": lambda c: [
        (
            f"/pks/{c['pks1']}/target",
            {
                "g-submission_key": KEY,
                "g-target": "minggu ke-1 Oktober 2024",
                "g-alasan": "Alasan uji",
                "g-meeting_id": c["meeting"],
            },
        )
    ],
    "pks.waiting": lambda c: [
        (f"/pks/{c['pks1']}/menunggu", {"version": c["v_pks1"], "w-menunggu": "dprd", "w-opd": ""})
    ],
    "pks.child": lambda c: [
        (f"/pks/{c['ksb']}/turunan", {"submission_key": KEY, "jenis": "ADENDUM", "judul": "Adendum uji"})
    ],
    "pks.scope_item": lambda c: [
        (
            f"/pks/{c['ksb']}/ruang-lingkup",
            {"submission_key": KEY, "nama": "Lingkup uji", "urusan_code": "sosial"},
        )
    ],
    "pks.meeting_new": lambda c: [
        (
            f"/pks/{c['pks1']}/rapat/baru",
            {"submission_key": KEY, "tanggal": "2024-09-01", "jam": "10:00", "host_regency_id": c["sol"]},
        )
    ],
    "pks.meeting": lambda c: [
        (
            f"/pks/rapat/{c['meeting']}",
            {"bagian": "hadir", "h-submission_key": KEY, "h-nama": "Nama", "h-regency_id": c["sol"]},
        ),
        (
            f"/pks/rapat/{c['meeting']}",
            {"bagian": "keputusan", "k-submission_key": KEY, "k-text": "Keputusan uji"},
        ),
        (
            f"/pks/rapat/{c['meeting']}",
            {
                "bagian": "tindak",
                "l-submission_key": KEY,
                "l-text": "Tindak uji",
                "l-owner_regency_id": c["sol"],
                "l-organisation_id": c["sol_bk"],
                "l-due": "2024-10-01",
            },
        ),
    ],
    "pks.action_done": lambda c: [(f"/pks/rapat/{c['meeting']}/tindak-lanjut/{c['item']}", {"done": "1"})],
    "pks.meeting_entry": lambda c: [
        (
            f"/pks/rapat/{c['meeting']}/peserta/{c['att']}/ubah",
            {"version": c["v_att"], "nama": "Nama uji", "regency_id": c["sol"]},
        ),
        (
            f"/pks/rapat/{c['meeting']}/keputusan/{c['dec']}/ubah",
            {"version": c["v_dec"], "text": "Keputusan"},
        ),
        (
            f"/pks/rapat/{c['meeting']}/tindak-lanjut/{c['act']}/ubah",
            {"version": c["v_act"], "text": "Tindak", "owner_regency_id": c["sol"], "due": "2024-10-01"},
        ),
    ],
    "pks.meeting_entry_remove": lambda c: [
        (f"/pks/rapat/{c['meeting']}/keputusan/{c['dec']}/hapus", {"version": c["v_dec"], "x-alasan": "Uji"})
    ],
    "pks.meeting_notulen": lambda c: [
        (f"/pks/rapat/{c['meeting']}/notulen", {"version": c["v_meeting"], "notulen": "Notulen uji"})
    ],
    "pks.meeting_edit": lambda c: [
        (
            f"/pks/rapat/{c['meeting']}/ubah",
            {
                "version": c["v_meeting"],
                "tanggal": "2024-08-29",
                "jam": "09:00",
                "tempat": "Ruang uji",
                "host_regency_id": c["sol"],
            },
        )
    ],
    "pks.meeting_remove": lambda c: [
        (f"/pks/rapat/{c['meeting']}/hapus", {"version": c["v_meeting"], "x-alasan": "Uji"})
    ],
    "pks.meeting_unlink": lambda c: [
        (f"/pks/rapat/{c['meeting']}/kesepakatan/{c['pks2']}/lepas", {f"u{c['pks2']}-alasan": "Uji"})
    ],
    "pks.meeting_upload": lambda c: [
        (
            f"/pks/rapat/{c['meeting']}/berkas",
            {
                "b-submission_key": KEY,
                "b-agreement_id": c["pks1"],
                "b-kind": "notulen",
                "b-meeting_role": "berkas",
            },
        )
    ],
    "pks.meeting_link": lambda c: [
        (f"/pks/rapat/{c['meeting']}/kesepakatan", {"submission_key": KEY, "agreement_id": c["ksb"]})
    ],
    "pks.letters": lambda c: [
        (
            f"/pks/{c['pks1']}/surat",
            {
                "submission_key": KEY,
                "arah": "keluar",
                "nomor": "1/SRT",
                "tanggal": "2024-01-01",
                "perihal": "Perihal uji",
            },
        )
    ],
    "pks.service_area": lambda c: [
        (
            f"/pks/{c['pks2']}/wilayah",
            {
                "submission_key": KEY,
                "daerah": c["sol"],
                "w-kecamatan": "13.02.18",
                "w-nagari": "13.02.18.2004",
            },
        )
    ],
    "pks.documents": lambda c: [
        (
            f"/pks/{c['pks1']}/dokumen",
            {
                "submission_key": KEY,
                "kind": "draf",
                "versi": "1",
                "meeting_id": c["meeting"],
                "meeting_role": "dibahas",
            },
        )
    ],
    "pks.work": lambda c: [
        (
            f"/pks/{c['ksb']}/pelaksanaan",
            {
                "bagian": "kegiatan",
                "k-submission_key": KEY,
                "k-tanggal": "2024-01-01",
                "k-jenis": "Kegiatan",
                "k-peserta": "5",
                "k-status": "selesai",
            },
        ),
        (
            f"/pks/{c['ksb']}/pelaksanaan",
            {
                "bagian": "kewajiban",
                "o-submission_key": KEY,
                "o-party_id": "0",
                "o-text": "Kewajiban",
                "o-due": "2024-01-01",
                "o-status": "belum",
            },
        ),
        (
            f"/pks/{c['ksb']}/pelaksanaan",
            {
                "bagian": "laporan",
                "r-submission_key": KEY,
                "r-periode": "Semester I",
                "r-kepada": "bupati",
                "r-jatuh_tempo": "2024-01-01",
                "r-disampaikan_pada": "2024-01-01",
            },
        ),
        (
            f"/pks/{c['ksb']}/pelaksanaan",
            {
                "bagian": "evaluasi",
                "e-submission_key": KEY,
                "e-tanggal": "2024-01-01",
                "e-temuan": "Temuan",
                "e-rekomendasi": "dilanjutkan",
            },
        ),
    ],
    "pks.party_edit": lambda c: [
        (
            f"/pks/{c['pks1']}/pihak/{c['party']}",
            {"version": c["v_party"], "regency_id": c["sol"], "urutan": "6", "peran": "Pengadopsi"},
        )
    ],
    "pks.party_delete": lambda c: [
        (f"/pks/{c['pks1']}/pihak/{c['party']}/hapus", {"version": c["v_party"], "d-alasan": "Salah pihak"})
    ],
    "pks.signatory_edit": lambda c: [
        (
            f"/pks/{c['pks2']}/penandatangan/{c['sig']}",
            {"version": c["v_sig"], "nama": "Nama", "jabatan": "Kepala", "kuasa_tanggal": "2024-01-01"},
        )
    ],
    "pks.signatory_delete": lambda c: [
        (
            f"/pks/{c['pks2']}/penandatangan/{c['sig']}/hapus",
            {"version": c["v_sig"], "d-alasan": "Salah orang"},
        )
    ],
    "pks.number_edit": lambda c: [
        (
            f"/pks/{c['pks2']}/nomor/{c['num']}",
            {"version": c["v_num"], "nomor": "1/PKS", "tanggal": "2024-01-01"},
        )
    ],
    "pks.number_delete": lambda c: [
        (f"/pks/{c['pks2']}/nomor/{c['num']}/hapus", {"version": c["v_num"], "d-alasan": "Salah ketik"})
    ],
    "pks.obligation_status": lambda c: [
        (f"/pks/{c['ksb']}/kewajiban/{c['ob']}", {"version": c["v_ob"], "status": "dipenuhi"})
    ],
    "pks.work_row": lambda c: [
        (
            f"/pks/{c['ksb']}/pelaksanaan/kegiatan/{c['activity']}",
            {
                "version": "1",
                "tanggal": "2024-01-02",
                "jenis": "Kegiatan",
                "peserta": "5",
                "status": "selesai",
            },
        )
    ],
    "pks.work_row_delete": lambda c: [
        (
            f"/pks/{c['ksb']}/pelaksanaan/kegiatan/{c['activity']}/hapus",
            {"version": "1", "alasan": "Salah ketik"},
        )
    ],
    "pks.report_submitted": lambda c: [
        (
            f"/pks/{c['ksb']}/laporan/{c['rep']}/disampaikan",
            {"version": "1", "disampaikan_pada": "2024-01-01"},
        )
    ],
    "pks.document_withdraw": lambda c: [
        (f"/pks/{c['pks1']}/dokumen/{c['doc']}/tarik", {"version": "1", "alasan": "Berkas keliru"})
    ],
    "pks.document_final": lambda c: [(f"/pks/{c['pks1']}/dokumen/{c['doc']}/final", {"version": "1"})],
    "pks.kanban_move": lambda c: [
        (f"/pks/papan/{c['pks1']}/pindah", {"dari": c["tahap_pks1"], "to": "ditunda", "reason": "Alasan uji"})
    ],
    "pks.rules": lambda c: [("/pks/aturan", {"version": "0", "code": "klausul", "blocking": "1"})],
    "pks.reminder_contact_save": lambda c: [
        ("/pks/aturan/email", {"version": "0", "m-email": "kb@solok.test"})
    ],
    "pks.opd_contacts_save": lambda c: [
        (
            "/pks/aturan/email-opd",
            {f"o-e{c['sol_dinsos']}": "sosial@solok.test", f"o-v{c['sol_dinsos']}": "0"},
        )
    ],
    "pks.decide_proposal": lambda c: [
        (f"/pks/{c['ksb']}/usulan/{c['proposal']}", {"keputusan": "setuju", "alasan": "Sepakat"})
    ],
    "pks.withdraw_proposal": lambda c: [
        (f"/pks/{c['pks2']}/usulan/{c['own_proposal']}/tarik", {"alasan": "Anggaran tersedia"})
    ],
    "pks.review": lambda c: [
        (
            f"/pks/{c['review']}/review-hukum",
            {
                "version": c["v_review"],
                "r-review_oleh": "Kabag Hukum",
                "r-review_catatan": "Catatan",
                "r-review_tanggal": "2024-09-01",
            },
        )
    ],
    "pks.finish_registration": lambda c: [(f"/pks/{c['ksb']}/selesai-dicatat", {"x": "1"})],
}
ADMIN_ROUTES = {
    "pks.rules",
    "pks.reminder_contact_save",
    "pks.opd_contacts_save",
}  # walked as the regency's admin


def test_the_walk_covers_every_pks_post_route(app):
    posts = {
        r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("pks.") and "POST" in r.methods
    }
    assert posts - OFFERS == set(ROUTES)


# The report pack's links also take the POST of their offer page's button (core.jobs.Offer: over
# PKS_REPORT_JOB_ROWS agreements), which carries only the CSRF token; tests/pks/test_outputs.py presses it.
OFFERS = {"pks.report_xlsx", "pks.report_pdf", "pks.report_docx"}


def _fresh_key(data):
    """``data`` with a new submission key wherever it says KEY."""
    key = new_submission_key()
    if isinstance(data, MultiDict):
        return MultiDict([(k, key if v == KEY else v) for k, v in data.items(multi=True)])
    if isinstance(data, dict):
        return {k: key if v == KEY else v for k, v in data.items()}
    if isinstance(data, bytes):
        return data.replace(KEY.encode(), key.encode())
    return data.replace(KEY, key) if isinstance(data, str) else data


def _shows_a_message(body: str) -> bool:
    return 'class="err"' in body or 'class="flash error"' in body


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_walk_as_kerjasama(app, ids, endpoint):
    ctx = _setup(app, ids)
    client = app.test_client()
    AuthActions(client).login("admin.solok" if endpoint in ADMIN_ROUTES else "kerjasama.solok")
    seen = []

    refused = REFUSED | ({409} if endpoint in CONFLICT_OK else set())

    def post(label, **kw):
        nonlocal ctx
        url = ROUTES[endpoint](ctx)[i][0]  # the obligation's id changes when the demo is put back
        kw["data"] = _fresh_key(kw.get("data"))
        r = client.post(url, **kw)
        seen.append((label, r.status_code))
        assert r.status_code < 500, (url, label)
        if r.status_code == 422:
            assert _shows_a_message(r.get_data(as_text=True)), (url, label)
        if r.status_code in (302, 303) and endpoint in RESET_AFTER_WRITE:
            with app.app_context():
                restore_demo()
            ctx = _setup(app, ids)
        return r

    for i, (url, base) in enumerate(ROUTES[endpoint](ctx)):  # noqa: B007 (post() reads i)
        base = {k: str(v) for k, v in base.items()}
        hidden = {k: v for k, v in base.items() if k == "bagian"}
        post("empty", data=hidden)
        for field in [k for k in base if k != "bagian"]:
            post((field, "missing"), data={k: v for k, v in base.items() if k != field})
            for value in VALUES:
                r = post((field, value[:12]), data={**base, field: value})
                assert r.status_code in refused, (url, field, value[:12], r.status_code)
            post((field, "twice"), data=MultiDict([*base.items(), (field, "abc")]))
            post((field, "junk first"), data=MultiDict([(field, "abc"), *base.items()]))
            body = "&".join(f"{k}={v}" for k, v in base.items() if k != field) + f"&{field}="
            r = post(
                (field, "not utf-8"),
                data=body.encode() + b"\xff\xfe\x80",
                content_type="application/x-www-form-urlencoded",
            )
            assert r.status_code in refused | {400}  # the app refuses a body it cannot decode
            r = post(
                (field, "%FF"),
                data=body.encode() + b"%FF%FE%80",
                content_type="application/x-www-form-urlencoded",
            )
            assert r.status_code in refused
        for value in ("", LONG, "-1", "99999999999999999999", "2024-02-30"):
            post(("all", value[:12]), data={k: (v if k == "bagian" else value) for k, v in base.items()})
        for body in [base, *JSON_BODIES[:3], *({k: v for k in base} for v in JSON_BODIES)]:
            r = post(("json", str(body)[:30]), data=json.dumps(body), content_type="application/json")
            assert r.status_code in refused, (url, "json", body)
        r = post("bad json", data=b"{judul:", content_type="application/json")
        assert r.status_code in refused
    assert len(seen) > 20


def test_pimpinan_is_refused_everywhere(app, ids):
    ctx = _setup(app, ids)
    client = app.test_client()
    AuthActions(client).login("pimpinan.solok")
    for endpoint, routes in ROUTES.items():
        for url, base in routes(ctx):
            for kw in (
                {"data": base},
                {"data": {}},
                {"data": {k: LONG for k in base}},
                {"data": json.dumps(base), "content_type": "application/json"},
            ):
                assert client.post(url, **kw).status_code == 404, (endpoint, url, kw)
            assert client.post(url, data=base, headers=HX).status_code == 404


# ---- the 5xx found, one by one ------------------------------------------------------------------


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_waiting_without_its_field_is_refused_at_the_field(app, solok, ids):
    aid = ids["pks1"]
    v = {"version": str(version_of(app, Agreement, aid))}
    for data in (v, {**v, "w-opd": "Bagian Hukum"}):
        r = solok.post(f"/pks/{aid}/menunggu", data=data)
        body = r.get_data(as_text=True)
        assert r.status_code == 422 and "Pilih salah satu (atau “— tidak ada —”)." in body
    assert 'value="Bagian Hukum"' in body
    r = solok.post(f"/pks/{aid}/menunggu", data={**v, "w-menunggu": "opd:palsu"})
    assert r.status_code == 422 and "Pilih salah satu" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Agreement, aid).menunggu == "pimpinan"
    r = solok.post(f"/pks/{aid}/menunggu", data={**v, "w-menunggu": "", "w-opd": "Bagian Hukum"})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Agreement, aid).menunggu == "opd:Bagian Hukum"


@pytest.mark.parametrize("bad", ["-1", "999999", "9999999999", "99999999999999999999", "abc"])
def test_meeting_with_an_unknown_regency_is_refused_at_the_field(app, solok, ids, bad):
    before = _count(app, Meeting)
    r = solok.post(
        f"/pks/{ids['pks1']}/rapat/baru",
        data={**key(), "tanggal": "2024-09-01", "tempat": "Aula Bappeda", "host_regency_id": bad},
    )
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "Pilih daerah yang tersedia." in body and 'value="Aula Bappeda"' in body
    assert _count(app, Meeting) == before
    meeting = 1
    attendees, actions = _count(app, Attendee), _count(app, ActionItem)
    r = solok.post(
        f"/pks/rapat/{meeting}", data={**key("h"), "bagian": "hadir", "h-nama": "Budi", "h-regency_id": bad}
    )
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "Pilih daerah yang tersedia." in body and 'value="Budi"' in body
    assert "<details open><summary>Tambah peserta" in body  # the message is not hidden in a closed section
    r = solok.post(
        f"/pks/rapat/{meeting}",
        data={**key("l"), "bagian": "tindak", "l-text": "Surati Sekda", "l-owner_regency_id": bad},
    )
    assert r.status_code == 422 and "Pilih daerah yang tersedia." in r.get_data(as_text=True)
    assert "Surati Sekda" in r.get_data(as_text=True)
    assert (_count(app, Attendee), _count(app, ActionItem)) == (attendees, actions)


@pytest.mark.parametrize("bad", ["-1", "999999", "99999999999999999999"])
def test_target_names_only_a_meeting_of_the_agreement(app, solok, ids, bad):
    slips = _count(app, Slip)
    r = solok.post(
        f"/pks/{ids['pks1']}/target",
        data={**key("g"), "g-target": "Oktober 2024", "g-alasan": "Bupati dinas luar", "g-meeting_id": bad},
    )
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "Pilih rapat yang membahas kesepakatan ini." in body
    assert "Bupati dinas luar" in body and _count(app, Slip) == slips


@pytest.mark.parametrize("bad", ["-1", "9999999999", "99999999999999999999"])
def test_unknown_parent_and_linked_agreement_are_refused(app, solok, ids, bad):
    before = _count(app, Agreement)
    r = solok.post("/pks/baru", data={**key(), "jenis": "PKS", "judul": "PKS Pariwisata", "parent_id": bad})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "Induk tidak ditemukan." in body and 'value="PKS Pariwisata"' in body
    assert _count(app, Agreement) == before
    r = solok.post("/pks/rapat/1/kesepakatan", data={**key(), "agreement_id": bad})
    assert r.status_code == 422 and "Pilih kesepakatan yang tersedia." in r.get_data(as_text=True)


def test_signing_dates_past_the_calendar_are_refused(app, solok, ids):
    aid = ids["pks2"]
    with app.app_context():
        make_signable(db.session.get(Agreement, aid))
        db.session.commit()
    for start, end in (("9999-01-01", ""), ("9999-12-31", "9999-12-31"), ("1800-01-01", "")):
        r = solok.post(
            f"/pks/{aid}/tandatangan",
            data={
                "ttd-tgl_ttd": "2024-09-12",
                "ttd-tgl_mulai": start,
                "ttd-tgl_berakhir": end,
                "ttd-jangka_bulan": "600",
            },
        )
        assert r.status_code == 422 and "Tanggal di luar rentang yang wajar" in r.get_data(as_text=True)
        with app.app_context():
            assert db.session.get(Agreement, aid).tahap == "siap_ttd"


@pytest.mark.parametrize("value", ["Catatan a\x00b", "bel\x07", "\ufffd\ufffd"])
def test_control_characters_are_refused_at_the_field(app, solok, ids, value):
    """NUL cannot be stored in PostgreSQL; U+FFFD is what is left of bytes that were not UTF-8."""
    aid = ids["pks1"]
    events = _count(app, Event)
    r = solok.post(f"/pks/{aid}/catatan", data={**key(), "kind": "catatan", "text": value})
    assert r.status_code == 422 and "Isian berisi karakter yang tidak sah" in r.get_data(as_text=True)
    r = solok.post(f"/pks/{aid}/tahap", data={"t-dari": "siap_ttd", "t-to": "ditunda", "t-reason": value})
    assert r.status_code == 422 and "Isian berisi karakter yang tidak sah" in r.get_data(as_text=True)
    r = solok.post(
        f"/pks/papan/{aid}/pindah", data={"dari": "siap_ttd", "to": "ditunda", "reason": value}, headers=HX
    )
    assert r.status_code == 422 and "Alasan berisi karakter yang tidak sah" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Agreement, aid).tahap == "siap_ttd"
    assert _count(app, Event) == events


def test_json_body_is_read_as_an_empty_form(app, solok, ids):
    before = _count(app, Agreement)
    r = solok.post(
        "/pks/baru",
        data=json.dumps({"jenis": "PKS", "judul": 5, "parent_id": [ids["ksb"]]}),
        content_type="application/json",
    )
    assert r.status_code == 422 and "Judul wajib diisi." in r.get_data(as_text=True)
    r = solok.post(
        f"/pks/{ids['pks1']}/pihak", data=json.dumps({"bagian": "pihak"}), content_type="application/json"
    )
    assert r.status_code == 422 and "Formulir tidak dikenali." in r.get_data(as_text=True)
    assert _count(app, Agreement) == before


def test_invalid_forms_answer_422_with_the_typed_values(app, solok, ids):
    aid = ids["pks1"]
    cases = [
        (
            f"/pks/{aid}/ubah",
            {"version": str(version_of(app, Agreement, aid)), "judul": "", "objek": "Objek diketik"},
            "Judul wajib diisi.",
            'value="Objek diketik"',
        ),
        (f"/pks/{aid}/catatan", {"kind": "catatan", "text": LONG + "y"}, "Maksimal 4000 karakter.", "xxxxy"),
        (
            f"/pks/{aid}/pihak",
            {"bagian": "nomor", "n-party_id": "0", "n-nomor": "77/PKS"},
            "Pilih pihak.",
            'value="77/PKS"',
        ),
        (
            f"/pks/{aid}/surat",
            {"arah": "keluar", "nomor": "12/SRT", "tanggal": "2024-02-30", "perihal": "Undangan"},
            "Tanggal tidak sah",
            'value="12/SRT"',
        ),
        (
            f"/pks/{ids['ksb']}/pelaksanaan",
            {
                "bagian": "kegiatan",
                "k-tanggal": "2024-01-01",
                "k-jenis": "Sosialisasi",
                "k-peserta": "-5",
                "k-status": "selesai",
            },
            "0–100.000.",
            'value="Sosialisasi"',
        ),
        (
            f"/pks/{ids['ksb']}/pelaksanaan",
            {"bagian": "kewajiban", "o-party_id": "999", "o-text": "Laporkan", "o-status": "belum"},
            "Pilih pihak kesepakatan ini.",
            "Laporkan",
        ),
        (f"/pks/{ids['ksb']}/kewajiban/999999", {"status": "dipenuhi"}, None, None),
        (f"/pks/{aid}/dokumen/999999/tarik", {"version": "1", "alasan": "keliru"}, None, None),
        (
            f"/pks/{ids['ksb']}/pelaksanaan/laporan/999999/hapus",
            {"version": "1", "alasan": "keliru"},
            None,
            None,
        ),
        (
            f"/pks/{aid}/turunan",
            {"jenis": "ADENDUM", "judul": "Adendum dini"},
            "sudah ditandatangani",
            'value="Adendum dini"',
        ),
    ]
    for url, data, message, kept in cases:
        if (
            "ubah" not in url
        ):  # a create form, with its key: refused for what was typed, not for a missing key
            data = {**key(next((k[0] for k in data if k[1:2] == "-"), "")), **data}
        r = solok.post(url, data=data)
        body = r.get_data(as_text=True)
        if message is None:
            assert r.status_code == 404, url
            continue
        assert r.status_code == 422 and message in body, (url, r.status_code)
        if kept:
            assert kept in body, url
    with app.app_context():
        ob = Obligation(agreement_id=ids["ksb"], text="Kewajiban uji")
        db.session.add(ob)
        proposal = StageProposal(  # Sijunjung proposes ending the KSB: Solok's to decide
            agreement_id=ids["ksb"],
            tahap="berakhir",
            dari_tahap="ditandatangani",
            alasan="Usulan uji",
            regency_id=regency_id(app, "13.03"),
        )
        db.session.add(proposal)
        db.session.get(Agreement, ids["ksb"]).usul_terbuka = True
        db.session.commit()
        oid = ob.id
    r = solok.post(f"/pks/{ids['ksb']}/kewajiban/{oid}", data={"version": "1", "status": "lewat"})
    assert r.status_code == 422 and "Status kewajiban tidak sah" in r.get_data(as_text=True)
    r = solok.post(f"/pks/{ids['ksb']}/pelaksanaan", data={"k-jenis": "tanpa bagian"})
    assert r.status_code == 422 and "Formulir tidak dikenali." in r.get_data(as_text=True)


def test_list_filters_take_junk(solok):
    for query in ("q=a%00b", "daerah=%C2%B2", "daerah=99999999999999999999", "q=%FF%FE", "hal=-1&status=zz"):
        assert solok.get(f"/pks/daftar?{query}").status_code == 200, query


@pytest.mark.parametrize(
    "typed, message",
    [
        ("1800-01-01", "Tanggal di luar rentang yang wajar"),
        ("September 2100", "Tanggal di luar rentang yang wajar"),
        ("minggu ke-1 Januari 1899", "Tanggal di luar rentang yang wajar"),
        ("September 0000", "Tahun itu tidak ada."),
        ("12 September 0000", "Tanggal itu tidak ada."),
    ],
)
def test_signing_target_outside_the_shared_date_range_is_refused(app, solok, ids, typed, message):
    """The target is typed as text, so its dates are checked against the same range as every date field."""
    slips = _count(app, Slip)
    r = solok.post(f"/pks/{ids['pks1']}/target", data={**key("g"), "g-target": typed, "g-alasan": "Ditunda"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and message in body and f'value="{typed}"' in body
    assert _count(app, Slip) == slips
