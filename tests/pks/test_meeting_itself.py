"""The meeting itself is correctable: its day, time, place, link, host, agenda and invitation number are edited
on the version shown (a stale save gets the conflict page), a meeting recorded by mistake is deleted with a reason
(kept, hidden from every page, count and reminder), an agreement linked by mistake is taken off with a reason;
each lands in the history of the agreements the meeting discussed. Once they are signed, a meeting held before
the signing is frozen like its minutes. An action item's owner is chosen from the organisation list."""

from datetime import date, timedelta

from sqlalchemy import select

from blueprints.auth.models import Organisation, User
from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.pks.models import ActionItem, Agreement, Event, Meeting, Party, meeting_agreement
from tests.clock import TODAY
from tests.replay import logged_in

from .conftest import key, regency_id, version_of
from .conftest import meeting_history as _history

DEMO_DAY = date(2024, 8, 29)


def _demo_meeting(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Meeting.id).where(Meeting.tanggal == DEMO_DAY))


def _edit(app, mid, **changes) -> dict:
    with app.app_context():
        m = db.session.get(Meeting, mid)
        data = {
            "version": m.version,
            "tanggal": m.tanggal.isoformat(),
            "jam": m.jam.strftime("%H:%M") if m.jam else "",
            "tempat": m.tempat,
            "tautan": m.tautan,
            "host_regency_id": m.host_regency_id or 0,
            "agenda": m.agenda,
            "undangan_nomor": m.undangan_nomor,
        }
    return {**data, **changes}


def _own_meeting(app, aids, held, due=None, regency="13.02") -> int:
    """A meeting of these agreements with one open action item (overdue when ``due`` is past)."""
    with app.app_context():
        m = Meeting(tanggal=held, tempat="Aula Kantor Bupati")
        m.agreements = [db.session.get(Agreement, aid) for aid in aids]
        db.session.add(m)
        db.session.flush()
        db.session.add(
            ActionItem(
                meeting_id=m.id,
                text="Menyusun jadwal pelatihan operator",
                owner_regency_id=regency_id(app, regency),
                due=due,
            )
        )
        db.session.commit()
        return m.id


def _org(app, kind, code) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Organisation.id).where(
                Organisation.kind == kind, Organisation.regency_id == regency_id(app, code)
            )
        )


def test_the_meeting_is_corrected_and_every_history_names_each_change(app, ids, solok):
    mid = _demo_meeting(app)
    page = solok.get(f"/pks/rapat/{mid}").get_data(as_text=True)
    assert f'href="/pks/rapat/{mid}/ubah"' in page
    form = solok.get(f"/pks/rapat/{mid}/ubah").get_data(as_text=True)
    assert (
        'value="Ruang Rapat Sekretaris Daerah Kabupaten Solok"' in form and "Alasan penghapusan rapat" in form
    )

    data = _edit(
        app,
        mid,
        jam="09:30",
        tempat="Ruang Rapat Sekda Kabupaten Solok, Arosuka",
        undangan_nomor="005/123/Kerjasama-2024",
    )
    r = solok.post(f"/pks/rapat/{mid}/ubah", data=data)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/pks/rapat/{mid}")
    page = solok.get(f"/pks/rapat/{mid}").get_data(as_text=True)
    assert "Rapat diperbarui." in page and "pukul 09.30" in page and "005/123/Kerjasama-2024" in page
    for aid in (ids["pks1"], ids["pks2"]):
        (line,) = _history(app, aid)
        assert line.startswith("Rapat 29 Agustus 2024 diubah: ")
        assert (
            "Tempat: Ruang Rapat Sekretaris Daerah Kabupaten Solok → Ruang Rapat Sekda Kabupaten Solok, Arosuka"
            in line
        )
        assert "Nomor surat undangan: — → 005/123/Kerjasama-2024" in line and "Jam: — → 09.30" in line
        assert "Agenda" not in line  # unchanged fields are not named
    with app.app_context():
        ev = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "pks_meeting"))
        assert ev.action == "update" and ev.object_id == str(mid)

    # the same submit again (a double tap) changes nothing; another one on the old version is a conflict
    again = solok.post(f"/pks/rapat/{mid}/ubah", data=data)
    assert again.status_code == 303
    stale = solok.post(f"/pks/rapat/{mid}/ubah", data={**data, "tempat": "Aula Setda Sijunjung"})
    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert "Ruang Rapat Sekda Kabupaten Solok, Arosuka" in body and "Aula Setda Sijunjung" in body
    with app.app_context():
        assert db.session.get(Meeting, mid).tempat == "Ruang Rapat Sekda Kabupaten Solok, Arosuka"
    assert len(_history(app, ids["pks1"])) == 1

    fresh = _edit(app, mid)
    future = solok.post(
        f"/pks/rapat/{mid}/ubah", data={**fresh, "tanggal": (TODAY + timedelta(days=1)).isoformat()}
    )
    assert future.status_code == 422 and "Tanggal rapat tidak boleh setelah hari ini" in future.get_data(
        as_text=True
    )
    empty = solok.post(f"/pks/rapat/{mid}/ubah", data={**fresh, "tanggal": ""})
    body = empty.get_data(as_text=True)
    assert empty.status_code == 422 and "Tanggal rapat wajib diisi." in body
    assert "Ruang Rapat Sekda Kabupaten Solok, Arosuka" in body  # what was typed stays


def test_a_meeting_recorded_by_mistake_is_deleted_and_leaves_every_list(app, ids, solok):
    mid = _own_meeting(app, [ids["pks1"]], TODAY - timedelta(days=30), due=TODAY - timedelta(days=5))
    assert f'href="/pks/rapat/{mid}"' in solok.get(f"/pks/{ids['pks1']}").get_data(as_text=True)
    assert "Menyusun jadwal pelatihan operator" in solok.get("/pks/tindak-lanjut").get_data(as_text=True)
    assert "Menyusun jadwal pelatihan" in solok.get("/pks/perhatian/reminders").get_data(as_text=True)
    assert f'value="{mid}"' in solok.get(f"/pks/{ids['pks1']}/tahap").get_data(as_text=True)
    assert "Menyusun jadwal pelatihan operator" in solok.get("/pks/laporan").get_data(as_text=True)
    url = f"/pks/rapat/{mid}/hapus"
    v = version_of(app, Meeting, mid)

    refused = solok.post(url, data={"version": v, "x-alasan": " "})
    assert refused.status_code == 422 and "Alasan penghapusan wajib diisi." in refused.get_data(as_text=True)
    stale = solok.post(url, data={"version": v - 1, "x-alasan": "Tercatat dua kali"})
    assert stale.status_code == 409
    r = solok.post(url, data={"version": v, "x-alasan": "Tercatat dua kali"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/pks/{ids['pks1']}")
    (line,) = _history(app, ids["pks1"])
    assert "Rapat dihapus (" in line and "Aula Kantor Bupati" in line and "Alasan: Tercatat dua kali" in line
    with app.app_context():  # kept, with who, when and why
        m = db.session.get(Meeting, mid)
        assert m.deleted_at is not None and m.deleted_reason == "Tercatat dua kali"
        officer = db.session.scalar(select(User.id).where(User.username == "kerjasama.solok"))
        assert m.deleted_by_id == officer
        assert len(m.actions) == 1
        ev = db.session.scalar(
            select(AuditEvent).where(AuditEvent.object_type == "pks_meeting", AuditEvent.action == "delete")
        )
        assert ev.object_id == str(mid)

    detail = solok.get(f"/pks/{ids['pks1']}").get_data(as_text=True)
    assert f'href="/pks/rapat/{mid}"' not in detail and "Rapat dihapus" in detail
    assert "Menyusun jadwal pelatihan operator" not in solok.get("/pks/tindak-lanjut").get_data(as_text=True)
    assert "Menyusun jadwal pelatihan" not in solok.get("/pks/perhatian/reminders").get_data(as_text=True)
    assert "Menyusun jadwal pelatihan" not in solok.get("/").get_data(as_text=True)
    assert "Menyusun jadwal pelatihan" not in solok.get("/pks/laporan").get_data(as_text=True)
    for gone in (f"/pks/rapat/{mid}", f"/pks/rapat/{mid}/ubah", f"/pks/rapat/{mid}/paket.pdf"):
        assert solok.get(gone).status_code == 404, gone
    stage = solok.get(f"/pks/{ids['pks1']}/tahap").get_data(as_text=True)
    assert f'value="{mid}"' not in stage  # no longer offered as the meeting that decided a postponement
    twice = solok.post(url, data={"version": v, "x-alasan": "Tercatat dua kali"}, follow_redirects=True)
    assert twice.status_code == 200 and "Rapat ini sudah dihapus." in twice.get_data(as_text=True)
    assert len(_history(app, ids["pks1"])) == 1


def test_an_agreement_linked_by_mistake_is_taken_off_with_a_reason(app, ids, solok):
    mid = _demo_meeting(app)
    with app.app_context():
        db.session.execute(meeting_agreement.insert().values(meeting_id=mid, agreement_id=ids["ksb"]))
        db.session.commit()
    form = solok.get(f"/pks/rapat/{mid}/ubah").get_data(as_text=True)
    url = f"/pks/rapat/{mid}/kesepakatan/{ids['ksb']}/lepas"
    assert f'action="{url}"' in form
    field = f"u{ids['ksb']}-alasan"
    refused = solok.post(url, data={field: ""})
    assert refused.status_code == 422 and "Alasan melepas wajib diisi." in refused.get_data(as_text=True)
    r = solok.post(url, data={field: "Rapat ini tidak membahas KSB"})
    assert r.status_code == 302
    with app.app_context():
        assert [a.id for a in db.session.get(Meeting, mid).agreements] == sorted([ids["pks1"], ids["pks2"]])
    for aid in (ids["ksb"], ids["pks1"], ids["pks2"]):  # the one taken off keeps the line too
        (line,) = _history(app, aid)
        assert (
            f"KSB #{ids['ksb']} (" in line
            and "dilepas dari rapat. Alasan: Rapat ini tidak membahas KSB" in line
        )
    assert f'href="/pks/rapat/{mid}"' not in solok.get(f"/pks/{ids['ksb']}").get_data(as_text=True)
    again = solok.post(url, data={field: "Rapat ini tidak membahas KSB"})
    assert again.status_code == 303 and len(_history(app, ids["ksb"])) == 1

    # a meeting keeps at least one agreement: one recorded by mistake is deleted instead
    own = _own_meeting(app, [ids["pks1"]], TODAY - timedelta(days=3))
    last = solok.post(
        f"/pks/rapat/{own}/kesepakatan/{ids['pks1']}/lepas", data={f"u{ids['pks1']}-alasan": "x"}
    )
    assert last.status_code == 422 and "satu-satunya kesepakatan" in last.get_data(as_text=True)


def test_a_meeting_before_the_signing_is_frozen_like_its_minutes(app, ids, solok):
    mid = _demo_meeting(app)
    with app.app_context():
        for aid in (ids["pks1"], ids["pks2"]):
            a = db.session.get(Agreement, aid)
            a.tahap, a.tgl_ttd = "ditandatangani", date(2024, 9, 12)
        db.session.commit()
    assert f"/pks/rapat/{mid}/ubah" not in solok.get(f"/pks/rapat/{mid}").get_data(as_text=True)
    page = solok.get(f"/pks/rapat/{mid}/ubah").get_data(as_text=True)
    assert "tidak dapat diubah, dihapus atau dilepas" in page and "Simpan perubahan" not in page
    edit = solok.post(f"/pks/rapat/{mid}/ubah", data=_edit(app, mid, tempat="Tempat lain"))
    assert edit.status_code == 422 and "sudah ditandatangani" in edit.get_data(as_text=True)
    v = version_of(app, Meeting, mid)
    assert solok.post(f"/pks/rapat/{mid}/hapus", data={"version": v, "x-alasan": "x"}).status_code == 422
    unlink = solok.post(
        f"/pks/rapat/{mid}/kesepakatan/{ids['pks2']}/lepas", data={f"u{ids['pks2']}-alasan": "x"}
    )
    assert unlink.status_code == 422
    with app.app_context():
        m = db.session.get(Meeting, mid)
        assert m.tempat == "Ruang Rapat Sekretaris Daerah Kabupaten Solok" and m.deleted_at is None
        assert len(m.agreements) == 2
    assert _history(app, ids["pks1"]) == []


def test_another_regencys_meeting_and_agreement_answer_404(app, ids, solok, sijunjung):
    shared = _demo_meeting(app)
    assert logged_in(app, "pimpinan.solok").get(f"/pks/rapat/{shared}/ubah").status_code == 404  # read only
    with app.app_context():  # an agreement of Solok alone, and its meeting
        own = Agreement(jenis="PKS", parent_id=ids["ksb"], judul="PKS Solok sendiri", tahap="penyusunan")
        db.session.add(own)
        db.session.flush()
        db.session.add(Party(agreement_id=own.id, regency_id=regency_id(app, "13.02"), urutan=1))
        db.session.commit()
        own_id = own.id
    mid = _own_meeting(app, [own_id], TODAY - timedelta(days=2))
    v = version_of(app, Meeting, mid)
    assert sijunjung.get(f"/pks/rapat/{mid}/ubah").status_code == 404
    assert sijunjung.post(f"/pks/rapat/{mid}/ubah", data=_edit(app, mid, tempat="x")).status_code == 404
    assert sijunjung.post(f"/pks/rapat/{mid}/hapus", data={"version": v, "x-alasan": "x"}).status_code == 404
    # a shared meeting that also lists Solok's own agreement: Sijunjung cannot take that one off
    with app.app_context():
        db.session.execute(meeting_agreement.insert().values(meeting_id=shared, agreement_id=own_id))
        db.session.commit()
    page = sijunjung.get(f"/pks/rapat/{shared}/ubah").get_data(as_text=True)
    assert f"/kesepakatan/{own_id}/lepas" not in page and f"/kesepakatan/{ids['pks1']}/lepas" in page
    r = sijunjung.post(f"/pks/rapat/{shared}/kesepakatan/{own_id}/lepas", data={f"u{own_id}-alasan": "x"})
    assert r.status_code == 404
    with app.app_context():
        assert db.session.get(Meeting, mid).deleted_at is None
        assert own_id in [a.id for a in db.session.get(Meeting, shared).agreements]


def test_an_action_items_owner_is_chosen_from_the_organisation_list(app, ids, solok):
    mid = _demo_meeting(app)
    dinsos = _org(app, "dinsos", "13.03")
    page = solok.get(f"/pks/rapat/{mid}").get_data(as_text=True)
    assert f'<option value="{dinsos}">Sijunjung · Dinas Sosial Kabupaten Sijunjung</option>' in page
    assert "Puskesmas" not in page.split('name="l-organisation_id"')[1].split("</select>")[0]

    def add(**fields):
        data = {"bagian": "tindak", **key("l"), "l-text": "Mengirim data penerima bantuan", **fields}
        return solok.post(f"/pks/rapat/{mid}", data=data)

    mixed = add(**{"l-organisation_id": dinsos, "l-owner": "Pak Budi"})
    assert mixed.status_code == 422 and "dipilih dari daftar OPD" in mixed.get_data(as_text=True)
    typed = add(**{"l-owner_regency_id": regency_id(app, "13.03"), "l-owner": "Dinas Sosial"})
    assert typed.status_code == 422 and "isian bebas hanya untuk penanggung jawab" in typed.get_data(
        as_text=True
    )
    other = add(**{"l-organisation_id": dinsos, "l-owner_regency_id": regency_id(app, "13.02")})
    assert other.status_code == 422 and "bukan organisasi daerah" in other.get_data(as_text=True)
    assert add(**{"l-organisation_id": dinsos, "l-due": "2024-09-20"}).status_code == 302
    assert (
        add(
            **{"l-text": "Menyampaikan laporan", "l-owner": "Biro Pemerintahan Provinsi Sumatera Barat"}
        ).status_code
        == 302
    )
    with app.app_context():
        item = db.session.scalar(
            select(ActionItem).where(ActionItem.text == "Mengirim data penerima bantuan")
        )
        assert item.organisation_id == dinsos and item.owner_regency_id == regency_id(app, "13.03")
        assert item.owner == ""
        outside = db.session.scalar(select(ActionItem).where(ActionItem.text == "Menyampaikan laporan"))
        assert outside.organisation_id is None and outside.owner.startswith("Biro Pemerintahan")
    page = solok.get(f"/pks/rapat/{mid}").get_data(as_text=True)
    assert "Dinas Sosial Kabupaten Sijunjung (Sijunjung)" in page
    open_page = solok.get("/pks/tindak-lanjut").get_data(as_text=True)
    assert "<h2>Dinas Sosial Kabupaten Sijunjung (Sijunjung)</h2>" in open_page
    assert "<h2>Biro Pemerintahan Provinsi Sumatera Barat</h2>" in open_page

    # an item recorded before the list (typed owner) keeps its text until an OPD is chosen for it
    with app.app_context():
        legacy = db.session.scalar(
            select(ActionItem).where(ActionItem.meeting_id == mid).order_by(ActionItem.id)
        )
        tid, text, owner, due = legacy.id, legacy.text, legacy.owner, legacy.due
    bk = _org(app, "kerjasama", "13.02")
    edit = f"/pks/rapat/{mid}/tindak-lanjut/{tid}/ubah"
    base = {"text": text, "owner_regency_id": regency_id(app, "13.02"), "due": due.isoformat()}
    kept = solok.post(
        edit, data={**base, "version": version_of(app, ActionItem, tid), "owner": owner, "due": "2024-09-10"}
    )
    assert kept.status_code == 302
    chosen = solok.post(
        edit,
        data={**base, "version": version_of(app, ActionItem, tid), "owner": owner, "organisation_id": bk},
    )
    assert chosen.status_code == 302
    with app.app_context():
        row = db.session.get(ActionItem, tid)
        assert row.organisation_id == bk and row.owner == ""
    line = _history(app, ids["pks1"])[-1]
    assert "Penanggung jawab (OPD dari daftar organisasi): — → Bagian Kerjasama Setda Kabupaten Solok" in line
    assert f"{owner[:40]}" in line and "→ —" in line


def _private_of_sijunjung(app, meeting_id: int, with_file: bool = False) -> int:
    """A Sijunjung-only PKS (with a university) that the joint meeting also discussed."""
    from blueprints.pks.models import Document, MeetingDocument, Party
    from tests.pks.conftest import regency_id

    with app.app_context():
        a = Agreement(jenis="PKS", judul="RAHASIA Sijunjung dengan Universitas Andalas", tahap="penyusunan")
        db.session.add(a)
        db.session.flush()
        db.session.add(Party(agreement_id=a.id, regency_id=regency_id(app, "13.03"), urutan=1))
        m = db.session.get(Meeting, meeting_id)
        m.agreements.append(a)
        if with_file:
            doc = Document(
                agreement_id=a.id,
                kind="draf",
                filename="RAHASIA-draf.pdf",
                stored_name="rahasia-test.pdf",
                mime="application/pdf",
                size=10,
                sha256="0" * 64,
            )
            db.session.add(doc)
            db.session.flush()
            db.session.add(MeetingDocument(meeting_id=meeting_id, document_id=doc.id, role="berkas"))
        db.session.commit()
        return a.id


def test_a_joint_meeting_with_another_regencys_own_agreement_is_not_one_regencys_to_change(app, solok):
    mid = _demo_meeting(app)
    private = _private_of_sijunjung(app, mid, with_file=True)
    page = solok.get(f"/pks/rapat/{mid}").get_data(as_text=True)
    assert "RAHASIA" not in page  # neither its title nor its file
    with app.app_context():
        version = db.session.get(Meeting, mid).version
    r = solok.post(f"/pks/rapat/{mid}/hapus", data={"version": version, "x-alasan": "keliru"})
    assert r.status_code == 422 and "hanya daerah itu yang dapat" in r.get_data(as_text=True)
    with app.app_context():
        m = db.session.get(Meeting, mid)
        assert m.deleted_at is None
        reasons = db.session.scalars(select(Event.reason).where(Event.agreement_id == private)).all()
        assert not any("Rapat dihapus" in (t or "") for t in reasons)


def test_a_signed_agreements_meeting_stays_on_its_record(app, solok):
    mid = _demo_meeting(app)
    with app.app_context():
        m = db.session.get(Meeting, mid)
        signed = m.agreements[0]
        signed.tahap, signed.tgl_ttd, signed.tgl_mulai = (
            "ditandatangani",
            date(2024, 10, 1),
            date(2024, 10, 1),
        )
        db.session.commit()
        sid, version, others = signed.id, m.version, len(m.agreements) - 1
    assert others >= 1  # the demo meeting also discussed an agreement still unsigned
    r = solok.post(f"/pks/rapat/{mid}/kesepakatan/{sid}/lepas", data={f"u{sid}-alasan": "keliru"})
    assert r.status_code == 422 and "sudah ditandatangani" in r.get_data(as_text=True)
    r = solok.post(f"/pks/rapat/{mid}/hapus", data={"version": version, "x-alasan": "keliru"})
    assert r.status_code == 422
    with app.app_context():
        m = db.session.get(Meeting, mid)
        assert m.deleted_at is None and sid in [a.id for a in m.agreements]
