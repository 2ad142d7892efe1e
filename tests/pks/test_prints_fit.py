"""Prints that fit: the timeline PDF on A4 portrait keeps every actor and the end of every long text on the page,
shows each slip once and a document's SHA-256 shortened with the full value in its appendix; the meeting pack has
the chair's and the notulis's signature blocks and blank rows for walk-in attendees. Real WeasyPrint, the text read
back with poppler's pdftotext (which drops what falls outside the page)."""

import hashlib
import io
import re
import subprocess

from pypdf import PdfReader
from sqlalchemy import select

from blueprints.auth.models import User
from blueprints.core.extensions import db
from blueprints.pks.events import log
from blueprints.pks.models import Agreement, Document, Meeting

from .conftest import key

A4 = (595.28, 841.89)  # points
ACTORS = [
    "Dr. Hj. Rahmawati Syafrina Putri Handayani, S.H., M.Kn.",
    "Ir. Muhammad Zulkarnain Datuak Rajo Panghulu, M.T.",
    "Afrizal Syahputra Chaniago, S.STP., M.Si.",
    "Yulia Kartika Dewi Anggraini, S.Sos.",
    "Budi Santoso Wicaksono Adiwinata, S.E., Ak.",
    "Rina Marlina Febriyanti Koto, S.Kom.",
    "Hendra Gunawan Sutan Mangkuto, S.H.",
    "Nofriadi Efendi Piliang, A.Md.",
]


def _pdftotext(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return out.stdout.decode()


def _flat(text: str) -> str:
    """The printed words in one line: wrapped cells and page breaks put line ends anywhere."""
    return " ".join(text.split())


def _a4_portrait(data: bytes) -> int:
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4
    return len(reader.pages)


def _busy_timeline(app, agreement_id: int) -> str:
    """Eight officers log long entries (one with a long unbroken number) and upload a draft; answers its hash."""
    with app.app_context():
        a = db.session.get(Agreement, agreement_id)
        for n, name in enumerate(ACTORS, 1):
            user = User(username=f"tl{n}", name=name, password_hash="-", role="kerjasama", regency_id=None)
            db.session.add(user)
            db.session.flush()
            long_word = "NOMOR-" + "0123456789" * 9 if n == 3 else "catatan"
            log(
                a,
                "ubah",
                user,
                reason=f"Catatan rapat koordinasi ke-{n}: "
                + "pembahasan pasal demi pasal naskah kerja sama bersama OPD teknis kedua kabupaten " * 6
                + f"{long_word} selesai dibahas ujung{n}",
            )
        data = b"draf naskah PKS yang panjang"
        digest = hashlib.sha256(data).hexdigest()
        db.session.add(
            Document(
                agreement_id=a.id,
                kind="draf",
                versi=7,
                filename="draf-pks-pelayanan-terpadu-kabupaten-solok-dan-sijunjung-versi-tujuh.pdf",
                stored_name="tl-" + digest[:40],
                mime="application/pdf",
                size=len(data),
                sha256=digest,
                uploaded_by_id=user.id,
            )
        )
        db.session.commit()
    return digest


def test_timeline_pdf_fits_a4_with_every_actor_and_text_end(app, solok, ids):
    digest = _busy_timeline(app, ids["pks2"])
    r = solok.post(
        f"/pks/{ids['pks2']}/target",
        data={
            **key("g"),
            "g-target": "Desember 2030",
            "g-alasan": "Kepala daerah berhalangan pada jadwal semula",
            "g-diputuskan_oleh": "Rapat koordinasi",
        },
    )
    assert r.status_code == 302

    r = solok.get(f"/pks/{ids['pks2']}/linimasa.pdf")
    assert r.status_code == 200
    assert _a4_portrait(r.data) >= 1
    text = _flat(_pdftotext(r.data))
    for name in ACTORS:
        assert name in text, name
    for n in range(1, len(ACTORS) + 1):
        assert f"ujung{n}" in text
    # the long unbroken number wraps inside its cell: all its digits are on the page
    assert ("0123456789" * 9) in text.replace(" ", "")
    # the slip once (from the ledger), not again as a logged event
    assert text.count("Kepala daerah berhalangan pada jadwal semula") == 1
    # the hash: 12 characters in the table, the full value in the appendix
    assert f"{digest[:12]}…" in text and "Lampiran: sidik SHA-256 lengkap" in text
    assert digest in text.replace(" ", "")
    assert text.count(digest[:12]) == 2


def test_timeline_rows_never_split_across_pages(app, solok, ids):
    """Enough long rows for several pages: each row's date and its text end are on the same page."""
    _busy_timeline(app, ids["pks2"])
    r = solok.get(f"/pks/{ids['pks2']}/linimasa.pdf")
    pages = [_flat(p) for p in _pdftotext(r.data).split("\f") if p.strip()]
    assert _a4_portrait(r.data) == len(pages) >= 2
    for n in range(1, len(ACTORS) + 1):
        start, end = f"Catatan rapat koordinasi ke-{n}:", f"ujung{n}"
        assert [p for p in pages if start in p] == [p for p in pages if end in p], n


def test_record_page_shows_the_short_hash(app, solok, ids):
    digest = _busy_timeline(app, ids["pks2"])
    html = solok.get(f"/pks/{ids['pks2']}").get_data(as_text=True)
    assert f'<code title="{digest}">{digest[:12]}…</code>' in html


def test_meeting_pack_has_signature_blocks_and_walk_in_rows(app, solok):
    with app.app_context():
        meeting_id = db.session.scalar(select(Meeting.id).order_by(Meeting.id))
    r = solok.get(f"/pks/rapat/{meeting_id}/paket.pdf")
    assert r.status_code == 200 and _a4_portrait(r.data) >= 1
    text = _flat(_pdftotext(r.data))
    # the demo meeting of 29 August 2024 was chaired by Safrudin; no notulis is recorded: a blank line to sign
    assert re.search(r"Pimpinan rapat, .*Safrudin, S\.Sos, M\.Si", text)
    assert "Notulis," in text
    # seven attendees listed, then blank numbered rows for those who walk in
    assert re.search(r"\b7 Perwakilan Dinas Kominfo", text)
    listed = text[text.index("7 Perwakilan Dinas Kominfo") : text.index("Keputusan")]
    listed = re.sub(r"Dicetak oleh .*? Halaman \d+ dari \d+", "", listed).split()  # a page foot between rows
    numbers = [w for w in listed if w.isdigit()]
    assert numbers == ["7", "8", "9", "10", "11", "12"], listed


def test_meeting_pack_names_the_notulis_noted_on_the_attendee_list(app, solok):
    with app.app_context():
        meeting_id = db.session.scalar(select(Meeting.id).order_by(Meeting.id))
    r = solok.post(
        f"/pks/rapat/{meeting_id}",
        data={
            **key("h"),
            "bagian": "hadir",
            "h-nama": "Desi Ratnasari, S.IP",
            "h-jabatan": "Analis Kerja Sama",
            "h-keterangan": "Notulis",
        },
    )
    assert r.status_code == 302
    text = _flat(_pdftotext(solok.get(f"/pks/rapat/{meeting_id}/paket.pdf").data))
    signing = text[text.index("Pimpinan rapat,") :]
    assert "Notulis," in signing and "Desi Ratnasari, S.IP Analis Kerja Sama" in signing
    assert "Nama dan jabatan" not in signing
    # the new attendee is row 8 of the list, the blank rows follow from 9
    assert re.search(r"\b8 Desi Ratnasari, S\.IP", text)


def test_timeline_tells_a_voided_slip_once_and_its_void_once(app, solok, ids):
    from blueprints.pks.models import Slip

    target = {**key("g"), "g-target": "Desember 2030", "g-alasan": "uji format", "g-diputuskan_oleh": "Rapat"}
    assert solok.post(f"/pks/{ids['pks2']}/target", data=target).status_code == 302
    with app.app_context():
        slip_id = db.session.scalar(select(Slip.id).where(Slip.alasan == "uji format"))
    r = solok.post(
        f"/pks/{ids['pks2']}/penundaan/{slip_id}/batal", data={"alasan": "salah ketik, bukan penundaan"}
    )
    assert r.status_code == 303
    text = _flat(_pdftotext(solok.get(f"/pks/{ids['pks2']}/linimasa.pdf").data))
    assert text.count("uji format") == 1 and "uji format [dibatalkan]" in text
    assert text.count("salah ketik, bukan penundaan") == 1
    assert re.search(r"Penundaan dibatalkan .*salah ketik, bukan penundaan Bagian Kerjasama Solok", text)


def test_timeline_names_who_decided_a_slip_and_who_recorded_it(app, solok, ids):
    with app.app_context():
        recorder = db.session.scalar(select(User.name).where(User.username == "kerjasama.solok"))
    assert recorder
    r = solok.post(
        f"/pks/{ids['pks2']}/target",
        data={
            **key("g"),
            "g-target": "Desember 2030",
            "g-alasan": "Jadwal Bupati bentrok dengan kunjungan kerja",
            "g-diputuskan_oleh": "Sekda Kab. Solok",
        },
    )
    assert r.status_code == 302
    r = solok.get(f"/pks/{ids['pks2']}/linimasa.pdf")
    assert _a4_portrait(r.data) >= 1
    text = _flat(_pdftotext(r.data))
    assert f"diputuskan oleh Sekda Kab. Solok; dicatat oleh {recorder}" in text
