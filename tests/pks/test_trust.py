"""Records Bagian Kerjasama can trust: a submit replayed by a double tap or a retrying link makes one record and
lands on it; two clerks editing one agreement get the conflict page, not a silent overwrite; a repeated or stale
stage move changes nothing; pimpinan (read-only) meets no form it cannot send."""

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from blueprints.core.extensions import db
from blueprints.core.forms import new_submission_key
from blueprints.pks.models import (
    ActionItem,
    Activity,
    Agreement,
    Attendee,
    Decision,
    Document,
    Evaluation,
    Event,
    Letter,
    Meeting,
    Note,
    Obligation,
    Party,
    Report,
    RuleSetting,
    ScopeItem,
    Slip,
)
from tests.conftest import HX
from tests.crawl import post_forms
from tests.replay import form_key, logged_in, replay_parallel, replay_sequential

from .conftest import make_signable, real_pdf, regency_id, version_of

PDF = real_pdf()
NOTE = "Data ini sudah tersimpan"


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _page_key(client, url: str, prefix: str) -> str:
    """The submission key of the form with this prefix on the page at ``url`` (a page with several forms)."""
    page = client.get(url).get_data(as_text=True)
    found = re.search(rf'name="{prefix}-submission_key"[^>]*value="([^"]+)"', page)
    assert found, f"{url} renders no {prefix}-submission_key"
    return found.group(1)


def _agreement_form(client, ids, title="PKS Pariwisata Danau Kembar"):
    return {
        "submission_key": form_key(client, "/pks/baru"),
        "jenis": "PKS",
        "parent_id": str(ids["ksb"]),
        "judul": title,
        "scope_item_id": "0",
    }


# ---- 20 parallel replays: one record ------------------------------------------------------------------------


def test_twenty_parallel_agreement_submits_make_one_agreement(app, ids):
    data = _agreement_form(logged_in(app, "kerjasama.solok"), ids)
    responses = replay_parallel(app, "kerjasama.solok", "/pks/baru", data)
    assert all(r.status_code in (302, 303) for r in responses), [r.status_code for r in responses]
    assert _count(app, Agreement, Agreement.judul == data["judul"]) == 1
    with app.app_context():
        aid = db.session.scalar(select(Agreement.id).where(Agreement.judul == data["judul"]))
    assert {r.headers["Location"] for r in responses} == {f"/pks/{aid}"}
    assert _count(app, Party, Party.agreement_id == aid) == 1  # the creator's own party, once
    assert _count(app, Event, Event.agreement_id == aid, Event.kind == "dibuat") == 1


def test_twenty_parallel_meeting_submits_make_one_meeting(app, ids):
    url = f"/pks/{ids['pks1']}/rapat/baru"
    data = {
        "submission_key": form_key(logged_in(app, "kerjasama.solok"), url),
        "tanggal": "2024-10-03",
        "jam": "09:30",
        "tempat": "Aula Bappeda Solok",
        "host_regency_id": str(regency_id(app, "13.02")),
    }
    responses = replay_parallel(app, "kerjasama.solok", url, data)
    assert all(r.status_code in (302, 303) for r in responses), [r.status_code for r in responses]
    assert _count(app, Meeting, Meeting.tempat == "Aula Bappeda Solok") == 1
    assert len({r.headers["Location"] for r in responses}) == 1


def test_twenty_parallel_uploads_store_one_file_and_one_row(app, ids):
    aid = ids["pks1"]
    url = f"/pks/{aid}/dokumen"
    key = form_key(logged_in(app, "kerjasama.solok"), url)
    store = Path(app.config["UPLOAD_DIR"]) / "pks"
    before = len(list(store.iterdir())) if store.is_dir() else 0

    def body():  # each retry sends the same file again
        return {
            "submission_key": key,
            "kind": "draf",
            "versi": "2",
            "berkas": (io.BytesIO(PDF), "draf-v2.pdf"),
        }

    responses = replay_parallel(app, "kerjasama.solok", url, body, content_type="multipart/form-data")
    assert all(r.status_code in (302, 303) for r in responses), [r.status_code for r in responses]
    assert _count(app, Document, Document.agreement_id == aid) == 1
    files = list(store.iterdir())
    assert len(files) == before + 1 and files[-1].read_bytes() == PDF


def test_twenty_parallel_target_submits_make_one_slip(app, ids):
    aid = ids["pks1"]
    client = logged_in(app, "kerjasama.solok")
    data = {
        "g-submission_key": _page_key(client, f"/pks/{aid}/tahap", "g"),
        "g-target": "minggu ke-1 Oktober 2024",
        "g-alasan": "Bupati dinas luar",
    }
    slips = _count(app, Slip, Slip.agreement_id == aid)
    responses = replay_parallel(app, "kerjasama.solok", f"/pks/{aid}/target", data)
    assert all(r.status_code in (302, 303) for r in responses), [r.status_code for r in responses]
    assert _count(app, Slip, Slip.agreement_id == aid) == slips + 1
    assert _count(app, Event, Event.agreement_id == aid, Event.kind == "penundaan") == 1


# ---- sequential replay: the first result, with the note --------------------------------------------------


def test_sequential_agreement_replay_lands_on_the_first_result_with_a_note(app, ids):
    client = logged_in(app, "kerjasama.solok")
    data = _agreement_form(client, ids)
    first, *again = replay_sequential(client, "/pks/baru", data, n=3)
    assert first.status_code == 302
    assert all(r.status_code == 303 and r.headers["Location"] == first.headers["Location"] for r in again)
    page = client.get(again[-1].headers["Location"]).get_data(as_text=True)
    assert NOTE in page and data["judul"] in page
    assert _count(app, Agreement, Agreement.judul == data["judul"]) == 1


def test_sequential_upload_replay_stores_one_file(app, ids):
    aid = ids["pks1"]
    client = logged_in(app, "kerjasama.solok")
    key = form_key(client, f"/pks/{aid}/dokumen")
    responses = replay_sequential(
        client,
        f"/pks/{aid}/dokumen",
        lambda: {"submission_key": key, "kind": "draf", "berkas": (io.BytesIO(PDF), "draf.pdf")},
        n=3,
        content_type="multipart/form-data",
    )
    assert [r.status_code for r in responses] == [302, 303, 303]
    assert NOTE in client.get(responses[-1].headers["Location"]).get_data(as_text=True)
    assert _count(app, Document, Document.agreement_id == aid) == 1
    assert len(list((Path(app.config["UPLOAD_DIR"]) / "pks").iterdir())) == 1


def test_replayed_target_makes_one_slip(app, ids):
    aid = ids["pks1"]
    client = logged_in(app, "kerjasama.solok")
    data = {
        "g-submission_key": _page_key(client, f"/pks/{aid}/tahap", "g"),
        "g-target": "Oktober 2024",
        "g-alasan": "Menunggu jadwal Bupati",
    }
    slips = _count(app, Slip, Slip.agreement_id == aid)
    responses = replay_sequential(client, f"/pks/{aid}/target", data, n=3)
    assert [r.status_code for r in responses] == [302, 303, 303]
    assert _count(app, Slip, Slip.agreement_id == aid) == slips + 1
    page = client.get(f"/pks/{aid}/tahap").get_data(as_text=True)
    assert NOTE in page and page.count("Menunggu jadwal Bupati") == 1


def _flows(app, ids):
    """(page with the form, prefix of its key, action, fields, model the submit adds a row to)."""
    ksb, pks1, pks2 = ids["ksb"], ids["pks1"], ids["pks2"]
    sol = str(regency_id(app, "13.02"))
    with app.app_context():
        # a party of Solok's own: the user records only its own side's signatories and numbers
        party = str(next(p.id for p in db.session.get(Agreement, pks1).parties if str(p.regency_id) == sol))
        meeting = db.session.scalar(select(Meeting.id).order_by(Meeting.id))
    rapat = f"/pks/rapat/{meeting}"
    return [
        (f"/pks/{pks1}", "", f"/pks/{pks1}/catatan", {"kind": "catatan", "text": "Catatan sekali"}, Note),
        (
            f"/pks/{pks1}/surat",
            "",
            f"/pks/{pks1}/surat",
            {"arah": "keluar", "nomor": "7/SRT/2024", "tanggal": "2024-05-02", "perihal": "Undangan"},
            Letter,
        ),
        (f"/pks/{ksb}/ruang-lingkup", "", f"/pks/{ksb}/ruang-lingkup", {"nama": "Perikanan"}, ScopeItem),
        (
            f"/pks/{ksb}/turunan",
            "",
            f"/pks/{ksb}/turunan",
            {"jenis": "ADENDUM", "judul": "Adendum I"},
            Agreement,
        ),
        (
            f"/pks/{pks1}/pihak",
            "p",
            f"/pks/{pks1}/pihak",
            {
                "bagian": "pihak",
                "p-regency_id": "0",
                "p-urutan": "5",
                "p-mitra_jenis": "kota",
                "p-mitra_nama": "Kota Solok",
            },
            Party,
        ),
        (
            f"/pks/{pks1}/pihak",
            "s",
            f"/pks/{pks1}/pihak",
            {
                "bagian": "penandatangan",
                "s-party_id": party,
                "s-nama": "Sekda",
                "s-jabatan": "Sekretaris Daerah",
            },
            None,
        ),
        (rapat, "h", rapat, {"bagian": "hadir", "h-nama": "Peserta Sekali"}, Attendee),
        (rapat, "k", rapat, {"bagian": "keputusan", "k-text": "Keputusan sekali"}, Decision),
        (rapat, "l", rapat, {"bagian": "tindak", "l-text": "Tindak lanjut sekali"}, ActionItem),
        (
            f"/pks/{ksb}/pelaksanaan",
            "k",
            f"/pks/{ksb}/pelaksanaan",
            {
                "bagian": "kegiatan",
                "k-tanggal": "2024-03-01",
                "k-jenis": "Sosialisasi",
                "k-status": "selesai",
            },
            Activity,
        ),
        (
            f"/pks/{ksb}/pelaksanaan",
            "o",
            f"/pks/{ksb}/pelaksanaan",
            {"bagian": "kewajiban", "o-text": "Menyediakan data", "o-status": "belum"},
            Obligation,
        ),
        (
            f"/pks/{ksb}/pelaksanaan",
            "r",
            f"/pks/{ksb}/pelaksanaan",
            {"bagian": "laporan", "r-periode": "Semester I 2025"},
            Report,
        ),
        (
            f"/pks/{ksb}/pelaksanaan",
            "e",
            f"/pks/{ksb}/pelaksanaan",
            {
                "bagian": "evaluasi",
                "e-tanggal": "2025-02-01",
                "e-temuan": "Berjalan",
                "e-rekomendasi": "dilanjutkan",
            },
            Evaluation,
        ),
        (
            f"/pks/{pks2}/wilayah",
            "",
            f"/pks/{pks2}/wilayah",
            {"wkecamatan": "13.02.18", "wnagari": "13.02.18.2001"},
            None,
        ),
    ]


def test_every_create_form_replayed_makes_one_row(app, ids):
    from blueprints.pks.models import ServiceArea, Signatory

    client = logged_in(app, "kerjasama.solok")
    for page, prefix, action, fields, model in _flows(app, ids):
        model = model or (Signatory if "s-nama" in fields else ServiceArea)
        key_name = f"{prefix}-submission_key" if prefix else "submission_key"
        key = _page_key(client, page, prefix) if prefix else form_key(client, page)
        before = _count(app, model)
        responses = replay_sequential(client, action, {**fields, key_name: key}, n=3)
        assert [r.status_code for r in responses] == [302, 303, 303], (action, fields)
        assert len({r.headers["Location"] for r in responses}) == 1, action
        assert _count(app, model) == before + 1, (action, fields)


def test_meeting_link_replayed_links_once(app, ids):
    client = logged_in(app, "kerjasama.solok")
    with app.app_context():
        mid = db.session.scalar(select(Meeting.id).order_by(Meeting.id))
        linked = [a.id for a in db.session.get(Meeting, mid).agreements]
    other = next(aid for aid in ids.values() if aid not in linked)
    data = {"submission_key": new_submission_key(), "agreement_id": str(other)}
    responses = replay_sequential(client, f"/pks/rapat/{mid}/kesepakatan", data, n=3)
    assert [r.status_code for r in responses] == [302, 303, 303]
    with app.app_context():
        assert [a.id for a in db.session.get(Meeting, mid).agreements].count(other) == 1


def test_a_refused_submit_keeps_its_key_free(app, ids):
    """A form refused for what was typed stores nothing, so the corrected form goes through with the same key."""
    client = logged_in(app, "kerjasama.solok")
    data = {**_agreement_form(client, ids), "parent_id": "0"}
    r = client.post("/pks/baru", data=data)
    assert r.status_code == 422 and "PKS wajib merujuk Kesepakatan Bersama induknya." in r.get_data(
        as_text=True
    )
    assert f'value="{data["submission_key"]}"' in r.get_data(as_text=True)  # shown again with the same key
    assert client.post("/pks/baru", data={**data, "parent_id": str(ids["ksb"])}).status_code == 302
    assert _count(app, Agreement, Agreement.judul == data["judul"]) == 1


def test_a_form_without_its_key_keeps_what_was_typed(app, ids):
    client = logged_in(app, "kerjasama.solok")
    data = _agreement_form(client, ids)
    del data["submission_key"]
    r = client.post("/pks/baru", data=data)
    text = r.get_data(as_text=True)
    assert r.status_code == 422 and "kunci pengiriman hilang" in text and f'value="{data["judul"]}"' in text
    assert _count(app, Agreement, Agreement.judul == data["judul"]) == 0


# ---- no lost updates ---------------------------------------------------------------------------------------


def _edit_form(app, aid, **changes):
    with app.app_context():
        a = db.session.get(Agreement, aid)
        base = {
            "version": str(a.version),
            "judul": a.judul,
            "objek": a.objek,
            "rujukan_rpjmd": a.rujukan_rpjmd,
            "pemrakarsa_regency_id": str(a.pemrakarsa_regency_id or 0),
            "pemrakarsa_organisation_id": str(a.pemrakarsa_organisation_id or 0),
            "kategori": a.kategori or "",
            "scope_item_id": "0",
            "dprd_perlu": {True: "ya", False: "tidak"}.get(a.dprd_perlu, ""),
        }
        return {**base, "urusan": a.urusan, "klausul": a.klausul, **changes}


def test_stale_agreement_edit_shows_both_values_and_applies_on_top(app, ids):
    aid = ids["pks2"]
    first, second = logged_in(app, "kerjasama.solok"), logged_in(app, "kerjasama.sijunjung")
    shown = _edit_form(app, aid)  # both clerks opened the form on this version
    assert f'name="version" type="hidden" value="{shown["version"]}"' in first.get(
        f"/pks/{aid}/ubah"
    ).get_data(as_text=True)
    r = first.post(f"/pks/{aid}/ubah", data={**shown, "objek": "Objek dari Solok"})
    assert r.status_code == 302
    stale = second.post(f"/pks/{aid}/ubah", data={**shown, "objek": "Objek dari Sijunjung"})
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    assert "Data sudah diubah pengguna lain" in text
    assert "Objek dari Solok" in text and "Objek dari Sijunjung" in text
    assert "Judul" not in text.split("Yang Anda ketik")[1].split("</table>")[0]  # only what differs is listed
    current = version_of(app, Agreement, aid)
    assert f'name="version" value="{current}"' in text and "Terapkan isian saya di atas data terbaru" in text
    with app.app_context():
        assert db.session.get(Agreement, aid).objek == "Objek dari Solok"  # nothing was overwritten
    # the conflict page's button posts the typed values again on the current version
    [form] = [f for f in post_forms(text, f"/pks/{aid}/ubah") if f.action == f"/pks/{aid}/ubah"]
    applied = second.post(form.action, data=form.fields)
    assert applied.status_code == 302
    with app.app_context():
        a = db.session.get(Agreement, aid)
        assert a.objek == "Objek dari Sijunjung" and a.version == current + 1


def test_double_tap_on_an_edit_lands_on_the_record(app, ids):
    aid = ids["pks2"]
    client = logged_in(app, "kerjasama.solok")
    data = _edit_form(app, aid, objek="Objek baru")
    first, again = replay_sequential(client, f"/pks/{aid}/ubah", data, n=2)
    assert first.status_code == 302 and again.status_code == 303
    assert NOTE in client.get(again.headers["Location"]).get_data(as_text=True)
    assert _count(app, Event, Event.agreement_id == aid, Event.kind == "ubah") == 1


def test_edit_without_a_version_is_a_conflict_not_a_save(app, ids):
    aid = ids["pks2"]
    data = _edit_form(app, aid, objek="Tanpa versi")
    del data["version"]
    r = logged_in(app, "kerjasama.solok").post(f"/pks/{aid}/ubah", data=data)
    assert r.status_code == 409 and "Tanpa versi" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Agreement, aid).objek != "Tanpa versi"


def test_stale_waiting_and_obligation_status_get_the_conflict_page(app, ids):
    aid = ids["pks1"]
    first, second = logged_in(app, "kerjasama.solok"), logged_in(app, "kerjasama.sijunjung")
    stage = first.get(f"/pks/{aid}/tahap").get_data(as_text=True)
    version = re.search(r'id="w-version" name="version" type="hidden" value="(\d+)"', stage).group(1)
    assert (
        first.post(f"/pks/{aid}/menunggu", data={"version": version, "w-menunggu": "dprd"}).status_code == 302
    )
    stale = second.post(
        f"/pks/{aid}/menunggu", data={"version": version, "w-menunggu": "", "w-opd": "Bagian Hukum"}
    )
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    assert "menunggu DPRD" in text and "Bagian Hukum" in text
    with app.app_context():
        assert db.session.get(Agreement, aid).menunggu == "dprd"
    [form] = [f for f in post_forms(text, f"/pks/{aid}/menunggu") if f.action == f"/pks/{aid}/menunggu"]
    assert second.post(form.action, data=form.fields).status_code == 302  # applied on top of the current one
    with app.app_context():
        assert db.session.get(Agreement, aid).menunggu == "opd:Bagian Hukum"
        ob = Obligation(agreement_id=ids["ksb"], text="Kewajiban uji")
        db.session.add(ob)
        db.session.commit()
        oid, v = ob.id, ob.version
    url = f"/pks/{ids['ksb']}/kewajiban/{oid}"
    assert first.post(url, data={"version": str(v), "status": "dipenuhi"}).status_code == 302
    again = first.post(url, data={"version": str(v), "status": "dipenuhi"})  # a double tap: already so
    assert again.status_code == 303
    stale = second.post(url, data={"version": str(v), "status": "sebagian"})
    assert stale.status_code == 409 and "Dipenuhi" in stale.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Obligation, oid).status == "dipenuhi"


def test_rule_switch_posts_the_wanted_level_and_its_version(app):
    one, two = logged_in(app, "admin.solok"), logged_in(app, "admin.solok")  # the same admin in two tabs
    page = one.get("/pks/aturan").get_data(as_text=True)
    assert re.search(r'name="code" value="klausul"><input type="hidden" name="version" value="0">', page)
    for _ in range(2):  # a double tap does not switch it back
        one.post("/pks/aturan", data={"version": "0", "code": "klausul", "blocking": "1"})
    solok = regency_id(app, "13.02")
    with app.app_context():
        row = db.session.get(RuleSetting, (solok, "klausul"))
        assert row.blocking is True and row.version == 1
    stale = two.post("/pks/aturan", data={"version": "0", "code": "klausul", "blocking": "0"})
    assert stale.status_code == 409 and "Memblokir" in stale.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(RuleSetting, (solok, "klausul")).blocking is True


# ---- state moves: a repeat changes nothing, a stale page is told ------------------------------------------


def _pks_in(app, ids, tahap="diusulkan"):
    with app.app_context():
        a = Agreement(
            jenis="PKS", parent_id=ids["ksb"], judul="PKS Pariwisata", tahap=tahap, rujukan_rpjmd="RPJMD"
        )
        db.session.add(a)
        db.session.flush()
        db.session.add(Party(agreement_id=a.id, regency_id=regency_id(app, "13.02"), opd="Bagian Kerjasama"))
        db.session.commit()
        return a.id


def _moves(app, aid):
    with app.app_context():
        return [
            (e.from_state, e.to_state)
            for e in db.session.scalars(
                select(Event).where(Event.agreement_id == aid, Event.kind == "tahap").order_by(Event.id)
            )
        ]


def test_repeated_board_move_makes_one_event(app, ids):
    aid = _pks_in(app, ids)
    client = logged_in(app, "kerjasama.solok")
    assert 'name="dari" value="diusulkan"' in client.get("/pks/papan").get_data(as_text=True)
    data = {"dari": "diusulkan", "to": "penyusunan", "reason": "mulai"}
    first, again = replay_sequential(client, f"/pks/papan/{aid}/pindah", data, n=2)
    assert first.status_code == 302 and again.status_code == 303
    assert NOTE in client.get(again.headers["Location"]).get_data(as_text=True)
    r = client.post(
        f"/pks/papan/{aid}/pindah", data=data, headers=HX
    )  # through htmx: the board, with the note
    assert r.status_code == 200 and NOTE in r.get_data(as_text=True)
    assert _moves(app, aid) == [("diusulkan", "penyusunan")]


def test_twenty_parallel_board_moves_make_one_event(app, ids):
    aid = _pks_in(app, ids)
    responses = replay_parallel(
        app, "kerjasama.solok", f"/pks/papan/{aid}/pindah", {"dari": "diusulkan", "to": "penyusunan"}
    )
    assert all(r.status_code in (302, 303, 409) for r in responses), [r.status_code for r in responses]
    assert _moves(app, aid) == [("diusulkan", "penyusunan")]


def test_move_from_a_stale_board_is_refused_with_a_message(app, ids):
    aid = _pks_in(app, ids, tahap="penyusunan")
    board, other = logged_in(app, "kerjasama.solok"), logged_in(app, "kerjasama.solok")
    assert 'name="dari" value="penyusunan"' in board.get("/pks/papan").get_data(as_text=True)
    assert (
        other.post(f"/pks/{aid}/tahap", data={"t-dari": "penyusunan", "t-to": "review_hukum"}).status_code
        == 302
    )
    # siap_ttd is a move review_hukum also allows: without the stage it showed, the board would make it silently
    for headers in ({}, HX):
        r = board.post(
            f"/pks/papan/{aid}/pindah", data={"dari": "penyusunan", "to": "surat_kuasa"}, headers=headers
        )
        text = r.get_data(as_text=True)
        assert (
            r.status_code == 409 and "sudah berubah menjadi Review hukum" in text and 'role="alert"' in text
        )
        assert 'name="dari" value="review_hukum"' in text  # the board shown again is the current one
    r = board.post(f"/pks/{aid}/tahap", data={"t-dari": "penyusunan", "t-to": "surat_kuasa", "t-reason": "x"})
    text = r.get_data(as_text=True)
    assert r.status_code == 409 and "sudah berubah menjadi Review hukum" in text
    assert 'name="t-dari" type="hidden" value="review_hukum"' in text and "\nx</textarea>" in text
    assert _moves(app, aid) == [("penyusunan", "review_hukum")]


def test_signing_posted_twice_is_recorded_once(app, ids):
    aid = ids["pks2"]
    with app.app_context():
        make_signable(db.session.get(Agreement, aid))
        db.session.commit()
    client = logged_in(app, "kerjasama.solok")
    data = {"ttd-tgl_ttd": "2024-09-12", "ttd-jangka_bulan": "36", "ttd-tempat": "Muaro Sijunjung"}
    first, again = replay_sequential(client, f"/pks/{aid}/tandatangan", data, n=2)
    assert first.status_code == 302 and again.status_code == 303
    assert NOTE in client.get(again.headers["Location"]).get_data(as_text=True)
    assert _count(app, Event, Event.agreement_id == aid, Event.kind == "ttd") == 1


def test_action_item_state_is_posted_not_toggled(app):
    client = logged_in(app, "kerjasama.solok")
    with app.app_context():
        item = db.session.scalar(select(ActionItem).order_by(ActionItem.id))
        mid, iid = item.meeting_id, item.id
    url = f"/pks/rapat/{mid}/tindak-lanjut/{iid}"
    first, again = replay_sequential(client, url, {"done": "1"}, n=2)
    assert first.status_code == 302 and again.status_code == 303
    with app.app_context():
        assert db.session.get(ActionItem, iid).done is True
    r = client.post(url, data={})
    assert r.status_code == 422 and "Status tindak lanjut tidak dikenali" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ActionItem, iid).done is True


# ---- pimpinan reads, and meets no form it cannot send ------------------------------------------------------


def _get_urls_with_a_post_twin(app, ids):
    with app.app_context():
        mid = db.session.scalar(select(Meeting.id).order_by(Meeting.id))
        entry_id = db.session.get(Meeting, mid).attendees[0].id
    # the own forms of a party, a signatory, a number, a work row and a meeting's entry (its first attendee):
    # none exists for a reader (404 whatever the id)
    values = {
        "agreement_id": ids["ksb"],
        "meeting_id": mid,
        "which": "kegiatan",
        "row_id": 1,
        "party_id": 1,
        "signatory_id": 1,
        "number_id": 1,
        "kind": "peserta",
        "entry_id": entry_id,
    }
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("pks.") and {"GET", "POST"} <= rule.methods:
            for aid in [ids["ksb"], ids["pks1"]] if "agreement_id" in rule.arguments else [None]:
                yield rule.endpoint, rule.build({**values, "agreement_id": aid} if aid else values)[1]


@pytest.mark.parametrize("username", ["pimpinan.solok", "pimpinan.sijunjung"])
def test_pimpinan_meets_no_form_it_cannot_send(app, ids, username):
    client = logged_in(app, username)
    seen = set()
    for endpoint, url in _get_urls_with_a_post_twin(app, ids):
        for headers in ({}, HX):
            r = client.get(url, headers=headers)
            assert r.status_code in (200, 404), url
            if r.status_code == 200 and r.mimetype == "text/html":  # the report pack's links give the file
                forms = [f.action for f in post_forms(r.get_data(as_text=True), url) if f.action != "/keluar"]
                assert forms == [], (url, forms)
                seen.add(endpoint)
    for endpoint in (
        "pks.new",
        "pks.edit",
        "pks.child",
        "pks.scope_item",
        "pks.meeting_new",
        "pks.stage",
        "pks.work_row",
    ):
        assert endpoint not in seen, endpoint  # a page that is only a form does not exist for a reader
    assert {"pks.parties", "pks.documents", "pks.letters", "pks.work", "pks.meeting", "pks.rules"} <= seen
    detail = client.get(f"/pks/{ids['pks1']}").get_data(as_text=True)
    assert "/tahap" not in detail and "/ubah" not in detail and "/rapat/baru" not in detail
    assert "minggu ke-2 September 2024" in detail  # the signing target is read on the record page
