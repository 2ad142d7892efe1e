"""Reminders that reach people: each has a recipient (the Bagian Kerjasama of the parties, the OPD that owns an
action item, obligation or report), lands in the in-app notifications and, when configured, is e-mailed by the
worker (a real local SMTP server, aiosmtpd); overdue items stay until resolved; one reminder per fact; sorted by
severity; the home panel links to the full list, page by page."""

import time
from datetime import timedelta

from sqlalchemy import func, select

from blueprints.auth.models import Organisation
from blueprints.core.extensions import db
from blueprints.core.timeutil import utcnow
from blueprints.notify.models import Notification
from blueprints.pks.models import ActionItem, Agreement, Meeting, Obligation, Party, meeting_agreement
from tests.clock import TODAY
from tests.replay import logged_in
from tests.rujukan.test_notifications import smtp_server  # noqa: F401  (the local SMTP server fixture)
from tests.test_budgets import PAGE_BUDGET, gz

REMINDERS = "/pks/perhatian/reminders"


def _org(kind: str, code: str) -> Organisation:
    return db.session.scalar(
        select(Organisation).where(Organisation.kind == kind, Organisation.regency_id == regency_id_of(code))
    )


def regency_id_of(code: str) -> int:
    from blueprints.auth.models import Regency

    return db.session.scalar(select(Regency.id).where(Regency.code == code))


def _agreement(jenis="PKS", parent_id=None, **values) -> int:
    """A signed agreement of Solok (pihak kesatu) and Sijunjung (pihak kedua), with its own KSB when none given."""
    if parent_id is None and jenis != "KSB":
        parent_id = _agreement("KSB", tgl_berakhir=TODAY + timedelta(days=3000), judul="KSB Uji Pengingat")
    values.setdefault("judul", f"{jenis} Uji Pengingat")
    values.setdefault("tahap", "pelaksanaan")
    values.setdefault("tgl_ttd", TODAY - timedelta(days=400))
    values.setdefault("tgl_mulai", TODAY - timedelta(days=400))
    a = Agreement(
        jenis=jenis,
        parent_id=parent_id,
        dprd_perlu=False,
        pemrakarsa_regency_id=regency_id_of("13.02"),
        **values,
    )
    db.session.add(a)
    db.session.flush()
    db.session.add_all(
        [
            Party(agreement_id=a.id, regency_id=regency_id_of("13.02"), opd="Bagian Kerjasama", urutan=1),
            Party(agreement_id=a.id, regency_id=regency_id_of("13.03"), opd="Bagian Kerjasama", urutan=2),
        ]
    )
    db.session.flush()
    return a.id


def _run(runner) -> str:
    result = runner.invoke(args=["pks", "reminders"])
    assert result.exit_code == 0, result.output
    return result.output


def _notes(org_id: int, agreement_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.text)
            .where(
                Notification.organisation_id == org_id,
                Notification.subject_type == "pks",
                Notification.subject_id == agreement_id,
            )
            .order_by(Notification.id)
        )
    )


def test_an_expiry_reminder_reaches_both_regencies_bagian_kerjasama_once(app, runner):
    with app.app_context():
        aid = _agreement(tgl_berakhir=TODAY + timedelta(days=20), judul="PKS Layanan Sosial Perbatasan")
        db.session.commit()
    _run(runner)
    _run(runner)  # the daily job again: nothing twice
    with app.app_context():
        for code in ("13.02", "13.03"):
            notes = _notes(_org("kerjasama", code).id, aid)
            assert notes == [
                f"Kerja sama: PKS Layanan Sosial Perbatasan: berakhir dalam 20 hari ({_tanggal(TODAY + timedelta(days=20))})"
            ]
        assert _notes(_org("dinsos", "13.03").id, aid) == []  # not an OPD's business
    page = logged_in(app, "kerjasama.sijunjung").get("/pemberitahuan/").get_data(as_text=True)
    assert "PKS Layanan Sosial Perbatasan: berakhir dalam 20 hari" in page


def _tanggal(d) -> str:
    from blueprints.core.fmt import tanggal

    return tanggal(d)


def test_an_overdue_action_item_goes_to_the_opd_that_owns_it(app, runner):
    with app.app_context():
        aid = _agreement(judul="PKS Data Terpadu Kesejahteraan Sosial")
        meeting = Meeting(tanggal=TODAY - timedelta(days=40), tempat="Aula Setda Sijunjung")
        db.session.add(meeting)
        db.session.flush()
        db.session.execute(meeting_agreement.insert().values(meeting_id=meeting.id, agreement_id=aid))
        db.session.add(
            ActionItem(
                meeting_id=meeting.id,
                text="Mengirim data penerima bantuan",
                owner_regency_id=regency_id_of("13.03"),
                owner="Dinas Sosial",
                due=TODAY - timedelta(days=10),
            )
        )
        party = db.session.scalar(select(Party).where(Party.agreement_id == aid, Party.urutan == 1))
        party.organisation_id = _org("dinkes", "13.02").id
        db.session.add(
            Obligation(
                agreement_id=aid,
                party_id=party.id,
                text="Menyediakan tenaga kesehatan",
                due=TODAY - timedelta(days=3),
            )
        )
        db.session.commit()
    _run(runner)
    with app.app_context():
        dinsos = _notes(_org("dinsos", "13.03").id, aid)
        assert (
            len(dinsos) == 1
            and "tindak lanjut lewat tenggat" in dinsos[0]
            and "Mengirim data penerima" in dinsos[0]
        )
        dinkes = _notes(_org("dinkes", "13.02").id, aid)
        assert len(dinkes) == 1 and "kewajiban lewat tenggat: Menyediakan tenaga kesehatan" in dinkes[0]
        assert _notes(_org("kerjasama", "13.02").id, aid) == []
    page = logged_in(app, "kerjasama.solok").get(REMINDERS).get_data(as_text=True)
    line = next(li for li in page.split("<li>") if "Mengirim data penerima" in li)
    assert "untuk Dinas Sosial Kabupaten Sijunjung" in line


def test_the_renewal_decision_stays_overdue_until_decided(app, solok):
    with app.app_context():
        aid = _agreement(
            judul="PKS Keputusan Tertunda",
            tgl_berakhir=TODAY + timedelta(days=300),
            tgl_keputusan_perpanjangan=TODAY - timedelta(days=5),
        )
        db.session.commit()
    page = solok.get(REMINDERS).get_data(as_text=True)
    line = next(li for li in page.split("<li>") if "PKS Keputusan Tertunda" in li)
    assert "terlewat 5 hari, belum diputuskan" in line and "danger" in line
    with app.app_context():  # a perpanjangan is started: the decision was taken
        _agreement(
            "PERPANJANGAN",
            parent_id=aid,
            judul="Perpanjangan Keputusan",
            tahap="penyusunan",
            tgl_ttd=None,
            tgl_mulai=None,
        )
        db.session.commit()
    assert "PKS Keputusan Tertunda" not in solok.get(REMINDERS).get_data(as_text=True)


def test_a_pks_and_its_perpanjangan_share_one_reminder_and_an_outlasting_one_warns(app, solok):
    end = TODAY + timedelta(days=25)
    with app.app_context():
        ksb = _agreement("KSB", judul="KSB Induk Pendek", tgl_berakhir=TODAY + timedelta(days=20))
        pks = _agreement(parent_id=ksb, judul="PKS Diperpanjang", tgl_berakhir=TODAY + timedelta(days=5))
        _agreement(
            "PERPANJANGAN",
            parent_id=pks,
            judul="Perpanjangan PKS Diperpanjang",
            tgl_berakhir=end,
            tahap="ditandatangani",
        )
        db.session.commit()
    page = solok.get(REMINDERS).get_data(as_text=True)
    assert page.count(f"berakhir dalam 25 hari ({_tanggal(end)})") == 1
    line = next(li for li in page.split("<li>") if "melewati masa KSB induk" in li)
    assert "Perpanjangan PKS Diperpanjang" in line and _tanggal(TODAY + timedelta(days=20)) in line


def test_overdue_first_and_the_home_panel_links_to_the_full_list(app, solok):
    with app.app_context():
        _agreement(judul="PKS Hampir Berakhir", tgl_berakhir=TODAY + timedelta(days=100))
        _agreement(
            judul="PKS Sangat Terlambat",
            tahap="siap_ttd",
            tgl_ttd=None,
            tgl_mulai=None,
            target_mulai=TODAY - timedelta(days=60),
            target_selesai=TODAY - timedelta(days=30),
            target_presisi="hari",
        )
        db.session.commit()
    page = solok.get(REMINDERS).get_data(as_text=True)
    assert page.index("PKS Sangat Terlambat") < page.index("PKS Hampir Berakhir")
    home = solok.get("/").get_data(as_text=True)
    assert f'<a href="{REMINDERS}">Lihat semua</a>' in home


def test_the_full_list_goes_page_by_page_within_the_byte_budget(app, solok):
    with app.app_context():
        ksb = _agreement("KSB", judul="KSB Banyak", tgl_berakhir=TODAY + timedelta(days=3000))
        for i in range(60):
            _agreement(
                parent_id=ksb, judul=f"PKS Berakhir {i:02d}", tgl_berakhir=TODAY + timedelta(days=10 + i)
            )
        db.session.commit()
    first = solok.get(REMINDERS)
    assert first.status_code == 200 and gz(first.data) <= PAGE_BUDGET
    assert "Berikutnya" in first.get_data(as_text=True)
    second = solok.get(f"{REMINDERS}?hal=2")
    assert second.status_code == 200 and gz(second.data) <= PAGE_BUDGET
    both = first.get_data(as_text=True) + second.get_data(as_text=True)
    assert all(f"PKS Berakhir {i:02d}" in both for i in range(60))


def test_the_reminder_is_emailed_to_the_regencys_address_by_the_worker(app, runner, smtp_server):  # noqa: F811
    controller, inbox = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_FROM="sinergi@solokkab.test")
    admin = logged_in(app, "admin.sijunjung")
    page = admin.get("/pks/aturan").get_data(as_text=True)
    assert "E-mail Bagian Kerjasama untuk pengingat" in page
    bad = admin.post("/pks/aturan/email", data={"version": "0", "m-email": "bukan alamat"})
    assert bad.status_code == 422 and "Alamat e-mail tidak sah" in bad.get_data(as_text=True)
    r = admin.post("/pks/aturan/email", data={"version": "0", "m-email": "kerjasama@sijunjung.test"})
    assert r.status_code == 302
    assert 'value="kerjasama@sijunjung.test"' in admin.get("/pks/aturan").get_data(as_text=True)
    with app.app_context():
        _agreement(tgl_berakhir=TODAY + timedelta(days=7), judul="PKS Surel Pengingat")
        db.session.commit()
    _run(runner)
    for _ in range(50):  # the server hands the message over from its own thread
        if inbox.messages:
            break
        time.sleep(0.05)
    mine = [m for m in inbox.messages if b"PKS Surel Pengingat" in m.content]
    assert len(mine) == 1
    assert mine[0].rcpt_tos == ["kerjasama@sijunjung.test"]  # Solok set no address: in-app only
    assert "berakhir dalam 7 hari" in mine[0].content.decode()
    with app.app_context():
        sent = db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.email_status == "terkirim")
        )
        assert sent == len(inbox.messages)


def test_an_action_item_owned_by_an_opd_of_the_list_reaches_its_users(app, runner, smtp_server):  # noqa: F811
    """The owner chosen from the organisation list receives the overdue item (its users see it in
    "Pemberitahuan"), whatever the typed text; an item with only a regency still goes to that regency's Bagian
    Kerjasama, e-mailed to its address; a deleted meeting's items remind nobody."""
    controller, inbox = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_FROM="sinergi@solokkab.test")
    admin = logged_in(app, "admin.sijunjung")
    assert (
        admin.post(
            "/pks/aturan/email", data={"version": "0", "m-email": "kerjasama@sijunjung.test"}
        ).status_code
        == 302
    )
    with app.app_context():
        aid = _agreement(judul="PKS Bantuan Sosial Perbatasan")
        held = TODAY - timedelta(days=30)
        meeting, mistaken = Meeting(tanggal=held, tempat="Aula Setda"), Meeting(tanggal=held, tempat="Aula")
        db.session.add_all([meeting, mistaken])
        db.session.flush()
        for m in (meeting, mistaken):
            db.session.execute(meeting_agreement.insert().values(meeting_id=m.id, agreement_id=aid))
        sijunjung = regency_id_of("13.03")
        db.session.add_all(
            [
                ActionItem(
                    meeting_id=meeting.id,
                    text="Memutakhirkan data penerima bantuan",
                    owner_regency_id=sijunjung,
                    organisation_id=_org("dinsos", "13.03").id,
                    due=TODAY - timedelta(days=4),
                ),
                ActionItem(
                    meeting_id=meeting.id,
                    text="Menjadwalkan rapat evaluasi",
                    owner_regency_id=sijunjung,
                    due=TODAY - timedelta(days=4),
                ),
                ActionItem(
                    meeting_id=mistaken.id,
                    text="Tindak lanjut rapat yang keliru",
                    organisation_id=_org("dinsos", "13.03").id,
                    owner_regency_id=sijunjung,
                    due=TODAY - timedelta(days=4),
                ),
            ]
        )
        mistaken.deleted_at, mistaken.deleted_reason = utcnow(), "Tercatat dua kali"
        db.session.commit()
    _run(runner)
    with app.app_context():
        dinsos = _notes(_org("dinsos", "13.03").id, aid)
        assert len(dinsos) == 1 and "Memutakhirkan data penerima bantuan" in dinsos[0]
        bk = _notes(_org("kerjasama", "13.03").id, aid)
        assert len(bk) == 1 and "Menjadwalkan rapat evaluasi" in bk[0]
        assert _notes(_org("kerjasama", "13.02").id, aid) == []
        everyone = list(db.session.scalars(select(Notification.text)))
        assert not any("rapat yang keliru" in t for t in everyone)
    opd_page = logged_in(app, "operator.sijunjung").get("/pemberitahuan/").get_data(as_text=True)
    assert "Memutakhirkan data penerima bantuan" in opd_page and "Menjadwalkan rapat evaluasi" not in opd_page
    for _ in range(50):
        if inbox.messages:
            break
        time.sleep(0.05)
    mine = [m for m in inbox.messages if b"PKS Bantuan Sosial Perbatasan" in m.content]
    assert len(mine) == 1 and mine[0].rcpt_tos == ["kerjasama@sijunjung.test"]
    assert "Menjadwalkan rapat evaluasi" in mine[0].content.decode()
    page = logged_in(app, "kerjasama.solok").get(REMINDERS).get_data(as_text=True)
    line = next(li for li in page.split("<li>") if "Memutakhirkan data" in li)
    assert "untuk Dinas Sosial Kabupaten Sijunjung" in line


def _overdue_items(meeting_text_by_org: dict) -> int:
    """A Solok–Sijunjung PKS with one overdue action item per (text -> owning organisation)."""
    aid = _agreement(judul="PKS Surel OPD")
    meeting = Meeting(tanggal=TODAY - timedelta(days=30), tempat="Aula Setda Sijunjung")
    db.session.add(meeting)
    db.session.flush()
    db.session.execute(meeting_agreement.insert().values(meeting_id=meeting.id, agreement_id=aid))
    for text, org in meeting_text_by_org.items():
        db.session.add(
            ActionItem(
                meeting_id=meeting.id,
                text=text,
                owner_regency_id=org.regency_id,
                organisation_id=org.id,
                due=TODAY - timedelta(days=5),
            )
        )
    db.session.commit()
    return aid


def test_an_opds_own_address_receives_the_reminders_of_the_items_it_owns(app, runner, smtp_server):  # noqa: F811
    """The regency admin sets an address for one OPD on the rules page: that OPD's overdue item is e-mailed
    there by the worker and reaches its users in-app; an OPD without an address gets it in-app only."""
    controller, inbox = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_FROM="sinergi@solokkab.test")
    admin = logged_in(app, "admin.sijunjung")
    with app.app_context():
        dinsos, dinkes = _org("dinsos", "13.03"), _org("dinkes", "13.03")
        dinsos_id, dinkes_id = dinsos.id, dinkes.id
    page = admin.get("/pks/aturan").get_data(as_text=True)
    assert "E-mail pengingat per OPD" in page and "Dinas Sosial Kabupaten Sijunjung" in page
    assert "Kabupaten Solok" not in page.split("E-mail pengingat per OPD")[1]  # only its own regency's OPDs
    r = admin.post(
        "/pks/aturan/email-opd", data={f"o-e{dinsos_id}": "dinsos@sijunjung.test", f"o-v{dinsos_id}": "0"}
    )
    assert r.status_code == 302
    assert 'value="dinsos@sijunjung.test"' in admin.get("/pks/aturan").get_data(as_text=True)
    with app.app_context():
        aid = _overdue_items(
            {
                "Mengirim daftar penerima bantuan": db.session.get(Organisation, dinsos_id),
                "Menyiapkan data kunjungan puskesmas": db.session.get(Organisation, dinkes_id),
            }
        )
    _run(runner)
    for _ in range(50):
        if inbox.messages:
            break
        time.sleep(0.05)
    mine = [m for m in inbox.messages if b"PKS Surel OPD" in m.content]
    assert len(mine) == 1 and mine[0].rcpt_tos == ["dinsos@sijunjung.test"]
    assert "Mengirim daftar penerima bantuan" in mine[0].content.decode()
    with app.app_context():
        assert [n for n in _notes(dinsos_id, aid) if "Mengirim daftar penerima bantuan" in n]
        dinkes_notes = _notes(dinkes_id, aid)  # no address: in-app only
        assert len(dinkes_notes) == 1 and "Menyiapkan data kunjungan puskesmas" in dinkes_notes[0]
        unsent = db.session.scalar(
            select(Notification.email_status).where(
                Notification.organisation_id == dinkes_id, Notification.subject_id == aid
            )
        )
        assert unsent != "terkirim"
    opd_page = logged_in(app, "operator.sijunjung").get("/pemberitahuan/").get_data(as_text=True)
    assert "Mengirim daftar penerima bantuan" in opd_page


def test_an_admin_sets_only_its_own_regencys_opd_addresses(app):
    admin = logged_in(app, "admin.sijunjung")
    with app.app_context():
        solok_dinsos, own = _org("dinsos", "13.02").id, _org("dinsos", "13.03").id
    r = admin.post(
        "/pks/aturan/email-opd", data={f"o-e{solok_dinsos}": "x@solok.test", f"o-v{solok_dinsos}": "0"}
    )
    assert r.status_code == 404
    with app.app_context():
        from blueprints.pks.models import ReminderContactOrg

        assert db.session.get(ReminderContactOrg, solok_dinsos) is None
    assert "Dinas Sosial Kabupaten Solok" not in admin.get("/pks/aturan").get_data(as_text=True)
    bad = admin.post("/pks/aturan/email-opd", data={f"o-e{own}": "bukan alamat", f"o-v{own}": "0"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Alamat e-mail tidak sah" in body and 'value="bukan alamat"' in body
    assert f'id="o-e{own}-err"' in body  # the message sits next to its OPD's field
    assert logged_in(app, "kerjasama.sijunjung").post("/pks/aturan/email-opd", data={}).status_code == 404


def test_an_opd_address_changed_meanwhile_answers_the_conflict_page(app):
    admin = logged_in(app, "admin.sijunjung")
    with app.app_context():
        own = _org("dinsos", "13.03").id
    first = {f"o-e{own}": "dinsos@sijunjung.test", f"o-v{own}": "0"}
    assert admin.post("/pks/aturan/email-opd", data=first).status_code == 302
    late = admin.post("/pks/aturan/email-opd", data={f"o-e{own}": "lain@sijunjung.test", f"o-v{own}": "0"})
    body = late.get_data(as_text=True)
    assert late.status_code == 409 and "dinsos@sijunjung.test" in body and "lain@sijunjung.test" in body
    assert f'name="o-v{own}" value="1"' in body  # applying the typed value goes on the current version
    again = admin.post("/pks/aturan/email-opd", data={f"o-e{own}": "lain@sijunjung.test", f"o-v{own}": "1"})
    assert again.status_code == 302
    with app.app_context():
        from blueprints.core.audit import AuditEvent
        from blueprints.pks.models import ReminderContactOrg

        row = db.session.get(ReminderContactOrg, own)
        assert (row.email, row.version) == ("lain@sijunjung.test", 2)
        events = db.session.scalars(
            select(AuditEvent.summary).where(
                AuditEvent.object_type == "pks_reminder_contact_org", AuditEvent.object_id == str(own)
            )
        ).all()
        assert len(events) == 2 and "Dinas Sosial Kabupaten Sijunjung" in events[0]
