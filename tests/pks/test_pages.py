"""What Bagian Kerjasama users see: demo case, list and search, scope, notes privacy, kanban, bad input, bytes."""

import gzip
import io
import re
from datetime import date

import pytest
from flask import template_rendered
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import func, select

from blueprints.core.extensions import db
from blueprints.core.forms import new_submission_key
from blueprints.pks.models import Agreement, DocNumber, Event, Note, Party
from tests.conftest import HX, AuthActions
from tests.queries import statements

from .conftest import key, make_signable, regency_id, version_of


def gz(data: bytes) -> int:
    return len(gzip.compress(data))


def test_demo_case_renders(solok, ids):
    ksb = solok.get(f"/pks/{ids['ksb']}").get_data(as_text=True)
    assert ksb.count("belum ada PKS") == 2
    assert "Replikasi Aplikasi Sistem Informasi Disabilitas" in ksb or f"PKS #{ids['pks1']}" in ksb
    assert f"PKS #{ids['pks1']}" in ksb and f"PKS #{ids['pks2']}" in ksb
    assert "25 Januari 2023" in ksb
    pks1 = solok.get(f"/pks/{ids['pks1']}").get_data(as_text=True)
    assert "Kamis, 29 Agustus 2024" in pks1 and "minggu ke-2 September 2024" in pks1
    assert "Kabaminang.com" in pks1
    meeting = solok.get("/pks/rapat/1").get_data(as_text=True)
    for name in (
        "Safrudin, S.Sos, M.Si",
        "Roni, S.SSTP",
        "Elvian Hart, ST, MT",
        "Ruang Rapat Sekretaris Daerah",
    ):
        assert name in meeting


def test_coverage_lists_each_scope_item_with_its_live_pks(app, solok, ids):
    from blueprints.pks.models import ScopeItem, ScopeLink
    from tests.clock import TODAY

    def row(page, nama):
        return page.split(f"<tr><td>{nama}</td>", 1)[1].split("</tr>", 1)[0]

    page = solok.get("/pks/cakupan").get_data(as_text=True)
    assert f'href="/pks/{ids["pks1"]}"' in row(page, "Replikasi aplikasi SIDILAN")
    assert "(Siap tanda tangan)" in row(page, "Replikasi aplikasi SIDILAN")
    days = (TODAY - date(2024, 8, 29)).days
    assert "belum ada PKS" in row(page, "Pariwisata") and f'"num">{days}</td>' in row(page, "Pariwisata")
    with app.app_context():  # PKS 2 cancelled; a Sijunjung-only PKS implements the Pariwisata item
        db.session.get(Agreement, ids["pks2"]).tahap = "dibatalkan"
        other = Agreement(
            jenis="PKS", parent_id=ids["ksb"], judul="PKS RAHASIA-SIJUNJUNG", tahap="penyusunan"
        )
        db.session.add(other)
        db.session.flush()
        db.session.add(Party(agreement_id=other.id, regency_id=regency_id(app, "13.03"), opd="OPD"))
        item = db.session.scalar(select(ScopeItem.id).where(ScopeItem.nama == "Pariwisata"))
        db.session.add(ScopeLink(agreement_id=other.id, scope_item_id=item))
        db.session.commit()
        other_id = other.id
    page = solok.get("/pks/cakupan").get_data(as_text=True)
    health = row(page, "Pelayanan kesehatan masyarakat di wilayah perbatasan")
    assert "belum ada PKS" in health and f'"num">{(TODAY - date(2023, 1, 25)).days}</td>' in health
    assert (
        f"PKS #{other_id} (Penyusunan naskah)" in row(page, "Pariwisata") and "RAHASIA-SIJUNJUNG" not in page
    )
    assert '"num"></td>' in row(page, "Pariwisata")


def test_coverage_pages_ten_ksb_at_a_time(app, solok, ids):
    with app.app_context():
        sol = regency_id(app, "13.02")
        for i in range(12):
            k = Agreement(jenis="KSB", judul=f"KSB halaman {i:02d}", tahap="identifikasi")
            db.session.add(k)
            db.session.flush()
            db.session.add(Party(agreement_id=k.id, regency_id=sol, opd="Pemkab"))
        db.session.commit()
    first = solok.get("/pks/cakupan").get_data(as_text=True)
    assert f'href="/pks/{ids["ksb"]}"' in first  # the oldest KSB first
    assert re.findall(r">(KSB halaman \d\d)</a>", first) == [f"KSB halaman {i:02d}" for i in range(9)]
    assert "Berikutnya" in first
    second = solok.get("/pks/cakupan?hal=2").get_data(as_text=True)
    assert re.findall(r">(KSB halaman \d\d)</a>", second) == [
        "KSB halaman 09",
        "KSB halaman 10",
        "KSB halaman 11",
    ]
    assert second.count("Belum ada ruang lingkup.") == 3


def test_waiting_list_pages_longest_waiting_first(app, solok):
    from datetime import timedelta

    with app.app_context():
        sol = regency_id(app, "13.02")
        for i in range(60):
            a = Agreement(jenis="PKS", judul=f"PKS tunggu {i:02d}", tahap="penyusunan", menunggu="dprd")
            a.menunggu_sejak = date(2020, 1, 1) + timedelta(days=i)
            db.session.add(a)
            db.session.flush()
            db.session.add(Party(agreement_id=a.id, regency_id=sol, opd="OPD"))
        db.session.commit()
    first = solok.get("/pks/menunggu").get_data(as_text=True)
    shown = re.findall(r">(PKS tunggu \d\d)</a>", first)
    assert shown == [f"PKS tunggu {i:02d}" for i in range(50)] and "menunggu DPRD" in first
    assert "Berikutnya" in first
    second = solok.get("/pks/menunggu?hal=2").get_data(as_text=True)
    assert re.findall(r">(PKS tunggu \d\d)</a>", second) == [f"PKS tunggu {i:02d}" for i in range(50, 60)]
    assert "Tidak ada yang sedang menunggu." not in second


def test_home_shows_waiting_target_and_uncovered_scope(solok):
    home = solok.get("/").get_data(as_text=True)
    assert "Kerja sama: perlu perhatian" in home
    assert (
        home.count(
            "menunggu tanda tangan, target minggu ke-2 September 2024, menunggu pimpinan sejak "
            "29 Agustus 2024"
        )
        == 2
    )
    assert "Ruang lingkup KSB tanpa PKS: Pariwisata" in home


def test_list_search_by_title_and_any_party_number(app, solok, ids):
    with app.app_context():
        a = db.session.get(Agreement, ids["pks2"])
        sij = [p for p in a.parties if p.regency.code == "13.03"][0]
        db.session.add(DocNumber(agreement_id=a.id, party_id=sij.id, nomor="445/77/DINKES-SJJ/2024"))
        db.session.commit()
    page = solok.get("/pks/daftar?q=dinkes-sjj").get_data(as_text=True)
    assert "Pelayanan Kesehatan Masyarakat" in page and "Replikasi Aplikasi" not in page
    frag = solok.get("/pks/daftar?q=SIDILAN", headers=HX)
    text = frag.get_data(as_text=True)
    assert frag.status_code == 200 and "<html" not in text and 'id="daftar-pks"' in text
    assert "Replikasi Aplikasi" in text and "Pelayanan Kesehatan" not in text
    assert gz(frag.data) <= 4000
    assert "Tidak ada kesepakatan yang cocok" in solok.get("/pks/daftar?q=zzz-tidak-ada").get_data(
        as_text=True
    )


def test_list_filters(solok):
    assert "Kesepakatan Bersama Pemerintah" in solok.get("/pks/daftar?jenis=KSB").get_data(as_text=True)
    page = solok.get("/pks/daftar?jenis=PKS&tahap=siap_ttd&urusan=kesehatan").get_data(as_text=True)
    assert (
        "Pelayanan Kesehatan" in page
        and "Replikasi Aplikasi" not in page
        and "Kesepakatan Bersama Pem" not in page
    )
    page = solok.get("/pks/daftar?status=aktif").get_data(as_text=True)
    assert "Kesepakatan Bersama Pemerintah" in page and "Pelayanan Kesehatan" not in page


def _solok_only_agreement(app):
    with app.app_context():
        a = Agreement(jenis="KSB", judul="KSB Solok dengan pihak ketiga", tahap="identifikasi")
        db.session.add(a)
        db.session.flush()
        db.session.add(Party(agreement_id=a.id, regency_id=regency_id(app, "13.02"), opd="Pemkab Solok"))
        db.session.commit()
        return a.id


def test_scope_non_party_regency_gets_404(app, solok, sijunjung):
    aid = _solok_only_agreement(app)
    assert solok.get(f"/pks/{aid}").status_code == 200
    for url in (
        f"/pks/{aid}",
        f"/pks/{aid}/pihak",
        f"/pks/{aid}/dokumen",
        f"/pks/{aid}/lembar.pdf",
        f"/pks/{aid}/linimasa.pdf",
        f"/pks/{aid}/pelaksanaan",
    ):
        assert sijunjung.get(url).status_code == 404, url
    assert sijunjung.post(f"/pks/{aid}/catatan", data={"text": "x", "kind": "catatan"}).status_code == 404
    assert "KSB Solok dengan pihak ketiga" not in sijunjung.get("/pks/daftar").get_data(as_text=True)
    assert "KSB Solok dengan pihak ketiga" not in sijunjung.get("/pks/laporan").get_data(as_text=True)


def test_other_roles_get_404(app, ids):
    for username in ("operator.solok", "faskes.sijunjung", "verifikator.sijunjung"):
        client = app.test_client()
        AuthActions(client).login(username)
        assert client.get("/pks/").status_code == 404
        assert client.get(f"/pks/{ids['pks1']}").status_code == 404
        assert client.get("/pks/dokumen/1/unduh").status_code == 404


def test_pimpinan_reads_but_cannot_write(client, auth, ids):
    auth.login("pimpinan.solok")
    page = client.get(f"/pks/{ids['pks1']}")
    assert page.status_code == 200 and "Simpan catatan" not in page.get_data(as_text=True)
    assert (
        client.post(f"/pks/{ids['pks1']}/catatan", data={"text": "x", "kind": "catatan"}).status_code == 404
    )


def test_admin_only_reaches_rule_switches(app, client, auth, ids):
    auth.login("admin.solok")
    assert "Aturan yang belum diverifikasi" in client.get("/pks/").get_data(as_text=True)
    assert client.get(f"/pks/{ids['pks1']}").status_code == 404
    client.post("/pks/aturan", data={"version": "0", "code": "durasi_5_tahun", "blocking": "1"})
    assert "jadikan peringatan" in client.get("/pks/aturan").get_data(as_text=True)
    other = app.test_client()
    AuthActions(other).login("kerjasama.solok")
    assert (
        other.post("/pks/aturan", data={"version": "0", "code": "klausul", "blocking": "1"}).status_code
        == 404
    )


def test_internal_notes_stay_in_their_regency(app, solok, sijunjung, ids):
    aid = ids["pks1"]
    solok.post(
        f"/pks/{aid}/catatan",
        data={**key(), "text": "RAHASIA-SOLOK telaahan untuk Sekda", "kind": "telaahan", "internal": "y"},
    )
    solok.post(
        f"/pks/{aid}/catatan", data={**key(), "text": "Catatan bersama kedua daerah", "kind": "catatan"}
    )
    sijunjung.post(
        f"/pks/{aid}/catatan",
        data={**key(), "text": "RAHASIA-SIJUNJUNG disposisi", "kind": "disposisi", "internal": "y"},
    )
    mine = solok.get(f"/pks/{aid}").get_data(as_text=True)
    assert (
        "RAHASIA-SOLOK" in mine and "Catatan bersama kedua daerah" in mine and "RAHASIA-SIJUNJUNG" not in mine
    )
    reachable = [
        f"/pks/{aid}",
        f"/pks/{aid}/pihak",
        f"/pks/{aid}/tahap",
        f"/pks/{aid}/dokumen",
        f"/pks/{aid}/surat",
        f"/pks/{aid}/pelaksanaan",
        "/pks/",
        "/pks/daftar",
        "/pks/papan",
        "/pks/menunggu",
        "/pks/cakupan",
        "/pks/laporan",
        "/",
        "/pks/rapat/1",
        f"/pks/{aid}/lembar.pdf",
        f"/pks/{aid}/linimasa.pdf",
        "/pks/laporan.pdf",
        "/pks/rapat/1/paket.pdf",
    ]
    rendered = []

    def capture(sender, template, context, **extra):
        rendered.append(template.render(context))  # PDFs are compressed: check the HTML they were made from

    template_rendered.connect(capture, app)
    try:
        for url in reachable:
            for headers in ({}, HX):
                body = sijunjung.get(url, headers=headers).data
                assert b"RAHASIA-SOLOK" not in body, url
    finally:
        template_rendered.disconnect(capture, app)
    assert any("pdf" in html[:300].lower() or "@page" in html for html in rendered)
    assert not [html for html in rendered if "RAHASIA-SOLOK" in html]
    template_rendered.connect(capture, app)  # the same capture does see the note when Solok renders
    try:
        solok.get(f"/pks/{aid}")
    finally:
        template_rendered.disconnect(capture, app)
    assert "RAHASIA-SOLOK" in rendered[-1]
    wb = load_workbook(io.BytesIO(sijunjung.get("/pks/laporan.xlsx").data))
    cells = [str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c]
    assert cells and not [c for c in cells if "RAHASIA" in c]
    theirs = sijunjung.get(f"/pks/{aid}").get_data(as_text=True)
    assert "RAHASIA-SIJUNJUNG" in theirs and "Catatan bersama kedua daerah" in theirs
    with app.app_context():
        assert db.session.scalar(
            select(Note.regency_id).where(Note.text.like("RAHASIA-SOLOK%"))
        ) == regency_id(app, "13.02")


def _board_columns(html: str) -> list[str]:
    return re.findall(r"<section><h2>([^<]+?) <small", html)


def test_kanban_shows_only_stages_with_agreements_unless_asked(solok):
    from blueprints.pks.models import TAHAP
    from blueprints.pks.stages import stage_order

    html = solok.get("/pks/papan").get_data(as_text=True)
    shown = _board_columns(html)
    counts = re.findall(r"<section><h2>[^<]+ <small class=\"muted\">(\d+)</small>", html)
    assert shown and all(int(n) > 0 for n in counts), counts
    hidden = len(stage_order("PKS")) - len(shown)
    assert hidden > 0 and f"Tampilkan semua tahap ({hidden} tahap kosong disembunyikan)" in html
    every = solok.get("/pks/papan?jenis=PKS&semua=1").get_data(as_text=True)
    assert _board_columns(every) == [TAHAP[s] for s in stage_order("PKS")]
    assert f"Sembunyikan {hidden} tahap kosong" in every
    # moving a card from the full board keeps the full board
    assert 'name="semua" value="1"' in every


def test_kanban_cards_show_age_target_and_lateness(solok):
    """PKS 2 waits in its stage since 29 August 2024 with a target of the second week of September 2024."""
    from blueprints.core.timeutil import today_local

    html = solok.get("/pks/papan").get_data(as_text=True)
    today = today_local()
    age = (today - date(2024, 8, 29)).days
    late = (today - date(2024, 9, 14)).days
    assert f"{age} hari di tahap ini · target minggu ke-2 September 2024 <b>lewat {late} hari</b>" in html
    assert '<div class="card late">' in html


def test_kanban_move_plain_and_htmx(app, solok, ids):
    with app.app_context():
        a = Agreement(
            jenis="PKS",
            parent_id=ids["ksb"],
            judul="PKS Pariwisata",
            tahap="diusulkan",
            rujukan_rpjmd="RPJMD",
        )
        db.session.add(a)
        db.session.flush()
        db.session.add(Party(agreement_id=a.id, regency_id=regency_id(app, "13.02"), opd="Bagian Kerjasama"))
        db.session.commit()
        aid = a.id
    board = solok.get("/pks/papan")
    assert gz(board.data) <= 14000 and "PKS Pariwisata" in board.get_data(as_text=True)
    r = solok.post(
        f"/pks/papan/{aid}/pindah", data={"dari": "diusulkan", "to": "penyusunan", "reason": "mulai"}
    )
    assert r.status_code == 302 and "/pks/papan" in r.headers["Location"]
    r = solok.post(f"/pks/papan/{aid}/pindah", data={"dari": "penyusunan", "to": "review_hukum"}, headers=HX)
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in text and 'id="papan"' in text and gz(r.data) <= 4000
    r = solok.post(f"/pks/papan/{aid}/pindah", data={"dari": "review_hukum", "to": "pelaksanaan"}, headers=HX)
    assert r.status_code == 422 and "tidak diizinkan" in r.get_data(as_text=True)
    r = solok.post(f"/pks/papan/{aid}/pindah", data={"dari": "review_hukum", "to": "ditandatangani"})
    assert r.status_code == 422 and "tidak diizinkan" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Agreement, aid).tahap == "review_hukum"
        log = [
            (e.from_state, e.to_state, e.actor.username)
            for e in db.session.scalars(
                select(Event).where(Event.agreement_id == aid, Event.kind == "tahap").order_by(Event.id)
            )
        ]
        assert log == [
            ("diusulkan", "penyusunan", "kerjasama.solok"),
            ("penyusunan", "review_hukum", "kerjasama.solok"),
        ]


def test_signing_through_the_pages(app, solok, ids):
    aid = ids["pks2"]
    gaps = solok.get(f"/pks/{aid}/tahap").get_data(as_text=True)
    assert (
        "Belum dapat ditandatangani" in gaps
        and "Penandatangan untuk Dinas Kesehatan Kabupaten Sijunjung" in gaps
    )
    r = solok.post(f"/pks/{aid}/tandatangan", data={"ttd-tgl_ttd": "2024-09-12", "ttd-jangka_bulan": "36"})
    text = r.get_data(as_text=True)
    assert r.status_code == 422 and "Nomor naskah dari Dinas Kesehatan Kabupaten Solok" in text
    with app.app_context():
        make_signable(db.session.get(Agreement, aid))
        db.session.commit()
    r = solok.post(
        f"/pks/{aid}/tandatangan",
        data={"ttd-tgl_ttd": "2024-09-12", "ttd-jangka_bulan": "36", "ttd-tempat": "Muaro Sijunjung"},
    )
    assert r.status_code == 302
    page = solok.get(f"/pks/{aid}").get_data(as_text=True)
    assert "12 September 2024, Muaro Sijunjung" in page and "terkunci" in page
    r = solok.post(f"/pks/{aid}/ubah", data={"judul": "Diubah", "jenis": "PKS"})
    assert r.status_code in (302, 303)
    r = solok.post(f"/pks/{aid}/pihak", data={"bagian": "nomor", "n-party_id": "1", "n-nomor": "X"})
    with app.app_context():
        a = db.session.get(Agreement, aid)
        assert a.judul != "Diubah" and "X" not in [n.nomor for n in a.numbers]
    assert "terkunci" in solok.get(f"/pks/{aid}", follow_redirects=True).get_data(as_text=True)


def test_target_form_fuzzy_and_slip(solok, ids):
    aid = ids["pks1"]
    r = solok.post(f"/pks/{aid}/target", data={**key("g"), "g-target": "minggu ke-1 Oktober 2024"})
    assert "Penundaan wajib disertai alasan." in r.get_data(as_text=True)
    r = solok.post(f"/pks/{aid}/target", data={**key("g"), "g-target": "besok lusa", "g-alasan": "x"})
    assert "Tidak dikenali" in r.get_data(as_text=True) and 'value="besok lusa"' in r.get_data(as_text=True)
    r = solok.post(
        f"/pks/{aid}/target",
        data={**key("g"), "g-target": "minggu ke-1 Oktober 2024", "g-alasan": "Bupati dinas luar"},
    )
    assert r.status_code == 302
    page = solok.get(f"/pks/{aid}/tahap").get_data(as_text=True)
    assert "2 kali ditunda, total 68 hari" in page and "Bupati dinas luar" in page


@pytest.mark.parametrize("value", ["", "x" * 10000, "<script>alert(1)</script>"])
def test_bad_input_never_500(solok, ids, value):
    aid = ids["pks1"]
    posts = [
        ("/pks/baru", {**key(), "jenis": "PKS", "judul": value, "parent_id": str(ids["ksb"])}),
        (f"/pks/{aid}/catatan", {**key(), "text": value, "kind": "catatan"}),
        (f"/pks/{aid}/target", {**key("g"), "g-target": value, "g-alasan": value}),
        (f"/pks/{aid}/tahap", {"t-dari": "siap_ttd", "t-to": "dibatalkan", "t-reason": value}),
        (
            f"/pks/{aid}/pihak",
            {**key("p"), "bagian": "pihak", "p-regency_id": "1", "p-urutan": "2", "p-opd": value},
        ),
        (
            f"/pks/{aid}/menunggu",
            {
                "version": lambda: str(version_of(solok.application, Agreement, aid)),
                "w-menunggu": value,
                "w-opd": value,
            },
        ),
        (f"/pks/{aid}/rapat/baru", {**key(), "tanggal": value, "tempat": value}),
        ("/pks/rapat/1", {**key("k"), "bagian": "keputusan", "k-text": value}),
        (f"/pks/{aid}/tandatangan", {"ttd-tgl_ttd": value}),
    ]
    for url, data in posts:
        r = solok.post(url, data={k: v() if callable(v) else v for k, v in data.items()})
        body = r.get_data(as_text=True)
        assert r.status_code in (200, 302, 422), (url, r.status_code)
        assert "<script>alert(1)</script>" not in body
        if value == "<script>alert(1)</script>" and r.status_code in (200, 422):
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, (
                url
            )  # the form keeps what was typed, escaped
    for url in (
        "/pks/daftar?q=" + value[:500],
        "/pks/daftar?hal=abc&status=x&daerah=zz",
        "/pks/laporan?tahun=x",
    ):
        assert solok.get(url).status_code == 200
    if value == "<script>alert(1)</script>":
        page = solok.get(f"/pks/{aid}").get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the note was saved, escaped
    if value == "":
        r = solok.post("/pks/baru", data={"jenis": "PKS", "judul": ""})
        assert "Judul wajib diisi." in r.get_data(as_text=True)


def test_pks_requires_its_ksb(solok, ids):
    r = solok.post("/pks/baru", data={**key(), "jenis": "PKS", "judul": "PKS tanpa induk", "parent_id": "0"})
    assert "PKS wajib merujuk Kesepakatan Bersama induknya." in r.get_data(as_text=True)
    assert 'value="PKS tanpa induk"' in r.get_data(as_text=True)
    r = solok.post(
        "/pks/baru", data={**key(), "jenis": "PKS", "judul": "PKS Pariwisata", "parent_id": str(ids["ksb"])}
    )
    assert r.status_code == 302


def test_id_select_marks_the_chosen_option(solok, ids):
    """A long id select (the parent of a new PKS) shows the option the user chose, and only that one, selected."""
    page = solok.get(f"/pks/baru?jenis=PKS&induk={ids['ksb']}").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="parent_id".*?</select>', page, re.S).group(0)
    assert f'<option selected value="{ids["ksb"]}">' in select
    assert select.count("selected") == 1
    assert '<option value="0">— tanpa induk —</option>' in select


def test_byte_budgets(solok, ids):
    for aid in ids.values():
        for url in (
            f"/pks/{aid}",
            f"/pks/{aid}/pihak",
            f"/pks/{aid}/tahap",
            f"/pks/{aid}/dokumen",
            f"/pks/{aid}/pelaksanaan",
        ):
            assert gz(solok.get(url).data) <= 14000, url
    for url in (
        "/pks/",
        "/pks/daftar",
        "/pks/papan",
        "/pks/menunggu",
        "/pks/cakupan",
        "/pks/laporan",
        "/pks/aturan",
        "/pks/baru",
        "/pks/rapat/1",
    ):
        assert gz(solok.get(url).data) <= 14000, url


def _count_queries(app, client, url):
    with statements(app) as seen:
        assert client.get(url, headers=HX).status_code == 200
    return len(seen)


def _add_agreements(app, n):
    with app.app_context():
        sol, sij = regency_id(app, "13.02"), regency_id(app, "13.03")
        for i in range(n):
            a = Agreement(jenis="PKS", judul=f"PKS massal {i}", tahap="penyusunan")
            db.session.add(a)
            db.session.flush()
            for k, rid in enumerate((sol, sij), 1):  # one party per position
                db.session.add(Party(agreement_id=a.id, regency_id=rid, urutan=k, opd="OPD"))
        db.session.commit()


def test_list_query_count_does_not_grow(app, solok):
    _add_agreements(app, 2)
    few = _count_queries(app, solok, "/pks/daftar")
    _add_agreements(app, 45)
    many = _count_queries(app, solok, "/pks/daftar")
    assert few == many <= 6


def test_forms_carry_csrf_tokens(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/masuk").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post(
        "/masuk", data={"username": "kerjasama.solok", "password": "sinergi-demo-2024", "csrf_token": token}
    )
    from blueprints.pks.demo import PKS1_TITLE

    from .conftest import agreement_id

    aid = agreement_id(app, PKS1_TITLE)
    assert (
        client.post(
            f"/pks/{aid}/target", data={**key("g"), "g-target": "Oktober 2024", "g-alasan": "x"}
        ).status_code
        == 400
    )
    stage = client.get(f"/pks/{aid}/tahap").get_data(as_text=True)
    prefixed = re.search(r'name="g-csrf_token"[^>]*value="([^"]+)"', stage).group(1)
    r = client.post(
        f"/pks/{aid}/target",
        data={**key("g"), "g-target": "Oktober 2024", "g-alasan": "x", "g-csrf_token": prefixed},
    )
    assert r.status_code == 302
    board = client.get("/pks/papan").get_data(as_text=True)
    header = re.search(r'"X-CSRFToken":"([^"]+)"', board).group(1)
    r = client.post(
        f"/pks/papan/{aid}/pindah",
        data={"dari": "siap_ttd", "to": "ditunda", "reason": "Bupati berhalangan"},
        headers={**HX, "X-CSRFToken": header},
    )
    assert r.status_code == 200 and 'id="papan"' in r.get_data(as_text=True)


def test_refused_stage_move_and_signing_change_nothing(app, solok, ids):
    aid = ids["pks1"]

    def state():
        with app.app_context():
            a = db.session.get(Agreement, aid)
            return (
                a.tahap,
                a.tgl_ttd,
                db.session.scalar(select(func.count(Event.id)).where(Event.agreement_id == aid)),
            )

    before = state()
    r = solok.post(f"/pks/{aid}/tahap", data={"t-dari": "siap_ttd", "t-to": "dibatalkan", "t-reason": " "})
    assert r.status_code == 422 and "Alasan wajib diisi untuk dibatalkan." in r.get_data(as_text=True)
    r = solok.post(f"/pks/{aid}/tandatangan", data={"ttd-tgl_ttd": "2024-09-12", "ttd-jangka_bulan": "36"})
    assert r.status_code == 422 and "belum dicatat" in r.get_data(as_text=True)
    assert state() == before == ("siap_ttd", None, before[2])


def test_signing_outside_siap_ttd_says_why(solok, ids):
    r = solok.post(f"/pks/{ids['ksb']}/tandatangan", data={"ttd-tgl_ttd": "kemarin"}, follow_redirects=True)
    assert r.status_code == 200 and "Penandatanganan hanya dari tahap Siap tanda tangan." in r.get_data(
        as_text=True
    )


def test_a_party_position_and_a_party_are_taken_once(app, solok, ids):
    """PKS 1 holds pihak kesatu to keempat: a second pihak kedua, or Dinas Sosial Kabupaten Solok again (an OPD
    from the list, or an outside partner's name typed twice), is refused at the field with what was chosen
    kept; a fifth party at a free position is added."""
    from blueprints.auth.models import Organisation, Regency
    from blueprints.core.extensions import db
    from blueprints.pks.models import Party

    with app.app_context():
        sol = db.session.scalar(select(Regency.id).where(Regency.code == "13.02"))
        orgs = dict(
            db.session.execute(
                select(Organisation.kind, Organisation.id).where(Organisation.regency_id == sol)
            ).all()
        )
        before = db.session.scalar(select(func.count(Party.id)).where(Party.agreement_id == ids["pks1"]))

    def post(urutan, org=0, **outside):
        return solok.post(
            f"/pks/{ids['pks1']}/pihak",
            data={
                "bagian": "pihak",
                "p-submission_key": new_submission_key(),
                "p-regency_id": "0" if outside else sol,
                "p-organisation_id": org,
                "p-urutan": urutan,
                **{f"p-{k}": v for k, v in outside.items()},
            },
        )

    taken = post("2", orgs["kerjasama"])
    assert taken.status_code == 422
    assert "Pihak kedua sudah diisi oleh" in taken.text
    assert f'selected value="{orgs["kerjasama"]}"' in taken.text
    twice = post("5", orgs["dinsos"])
    assert twice.status_code == 422 and "sudah menjadi pihak kesepakatan ini (Pihak kedua)" in twice.text
    assert post("5", orgs["kerjasama"]).status_code == 302
    assert post("6", mitra_jenis="kota", mitra_nama="Pemerintah Kota Solok").status_code == 302
    again = post("3", mitra_jenis="kota", mitra_nama="  pemerintah kota   solok")
    assert again.status_code == 422 and "Pemerintah Kota Solok sudah menjadi pihak" in again.text
    assert 'value="  pemerintah kota   solok"' in again.text
    with app.app_context():
        after = db.session.scalar(select(func.count(Party.id)).where(Party.agreement_id == ids["pks1"]))
    assert after == before + 2


def test_a_mistaken_slip_is_voided_with_a_reason_kept_and_not_counted(app, solok, ids):
    from blueprints.pks.models import Slip, SlipVoid

    url = f"/pks/{ids['pks2']}/tahap"
    before = solok.get(url).text
    counted = re.search(r"(\d+) kali ditunda", before).group(1)
    with app.app_context():
        slip = db.session.scalar(select(Slip).where(Slip.agreement_id == ids["pks2"]).order_by(Slip.id))
        slip_id, alasan = slip.id, slip.alasan
    void = f"/pks/{ids['pks2']}/penundaan/{slip_id}/batal"
    empty = solok.post(void, data={"alasan": "  "})
    assert empty.status_code == 422 and "Tulis alasan pembatalan" in empty.text
    r = solok.post(void, data={"alasan": "uji format, bukan penundaan"})
    assert r.status_code == 303
    page = solok.get(url).text
    assert f"{int(counted) - 1} kali ditunda" in page
    assert (
        str(escape(alasan)) in page and "<b>Dibatalkan</b>" in page and "uji format, bukan penundaan" in page
    )
    again = solok.post(void, data={"alasan": "lagi"}, follow_redirects=True)
    assert "sudah dibatalkan" in again.text
    with app.app_context():
        assert db.session.get(Slip, slip_id) is not None  # kept in the ledger
        assert db.session.scalar(select(func.count(SlipVoid.id)).where(SlipVoid.slip_id == slip_id)) == 1
    other = f"/pks/{ids['ksb']}/penundaan/{slip_id}/batal"  # a slip of another agreement
    assert solok.post(other, data={"alasan": "x"}, follow_redirects=True).status_code == 200
    assert "tidak ditemukan" in solok.post(other, data={"alasan": "x"}, follow_redirects=True).text


def test_a_stage_move_takes_the_day_it_happened(app, solok, ids):
    """Recorded later, a move keeps its own day (stage since, timeline); never a future day, never before the
    current stage began (PKS 2 is siap TTD since 29 August 2024)."""
    from blueprints.pks.proposals import TWO_SIDED
    from blueprints.pks.stages import next_stages

    aid = ids["pks2"]
    with app.app_context():
        # a move PKS 2's side makes alone (a postponement of a shared PKS is a proposal: test_bilateral.py)
        to = next(
            s for s in next_stages(db.session.get(Agreement, aid)) if s not in ("ditandatangani", *TWO_SIDED)
        )

    def post(day):
        data = {"t-dari": "siap_ttd", "t-to": to, "t-reason": "Rapat 15 Oktober", "t-tanggal": day}
        return solok.post(f"/pks/{aid}/tahap", data=data)

    from datetime import timedelta

    from blueprints.core.timeutil import today_local

    future = post((today_local() + timedelta(days=1)).isoformat())
    assert future.status_code == 422 and "Tanggal tidak boleh setelah hari ini." in future.text
    early = post("2024-08-01")
    assert (
        early.status_code == 422 and "sebelum tahap Siap tanda tangan dimulai (29 Agustus 2024)" in early.text
    )
    with app.app_context():
        assert db.session.get(Agreement, aid).tahap == "siap_ttd"
    assert post("2024-10-15").status_code == 302
    with app.app_context():
        a = db.session.get(Agreement, aid)
        assert (a.tahap, a.tahap_sejak) == (to, date(2024, 10, 15))
        ev = db.session.scalar(
            select(Event).where(Event.agreement_id == aid, Event.kind == "tahap").order_by(Event.id.desc())
        )
        assert ev.on_date == date(2024, 10, 15)
