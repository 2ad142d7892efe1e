"""Issue 14 part 1: the other side is told. Every step on a letter notifies the facility on the other side (never a
third one); the top bar counts the unread; the page marks read and links to the letter; a rejected letter stays
on the sender's home page until the sender acts; e-mail goes out through the worker's task to a real SMTP server
(aiosmtpd) with the letter number only; the WhatsApp link carries the same text."""

import re
import socket
import time
from datetime import timedelta
from urllib.parse import unquote

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.notify import wa_link
from blueprints.notify.models import Notification
from blueprints.rujukan.models import Referral
from blueprints.rujukan.worklists import worklist
from tests.clock import TODAY

from .conftest import key, org, patient_named, rsud_doctor

SENDER, RECEIVER, THIRD = "faskes.solok", "faskes.rsud.sijunjung", "faskes2.solok"


def _open_letters(app, n: int) -> list[int]:
    """``n`` letters from Puskesmas Tigo Lurah to RSUD Sijunjung still waiting for the receiver."""
    with app.app_context():
        ids = db.session.scalars(
            select(Referral.id)
            .where(
                Referral.origin_id == org("pkm").id,
                Referral.destination_id == org("rsud").id,
                Referral.status.in_(("diterbitkan", "dikirim")),
                Referral.valid_until >= TODAY + timedelta(days=7),
            )
            .order_by(Referral.id)
        ).all()
    assert len(ids) >= n, "the demo has fewer open letters than this test needs"
    return list(ids[:n])


def _notes(app, ref_id: int) -> list[tuple[str, str]]:
    """(organisation name, kind) of the notifications about one letter, oldest first."""
    with app.app_context():
        rows = db.session.scalars(
            select(Notification)
            .where(Notification.subject_type == "rujukan", Notification.subject_id == ref_id)
            .order_by(Notification.id)
        ).all()
        names = {o.id: key for key in ("pkm", "pkm2", "kumanis", "rsud") if (o := org(key))}
        return [(names.get(r.organisation_id, str(r.organisation_id)), r.kind) for r in rows]


def _note_id(app, ref_id: int, kind: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Notification.id).where(
                Notification.subject_type == "rujukan",
                Notification.subject_id == ref_id,
                Notification.kind == kind,
            )
        )


def _new_letter(app, client, auth) -> int:
    """A letter the sender issues now (Puskesmas Tigo Lurah to RSUD Sijunjung), through the form."""
    from .conftest import form_data

    with app.app_context():
        patient_id = patient_named("Rosmaniar").id
    auth.login(SENDER)
    resp = client.post(f"/rujukan/pasien/{patient_id}/rujukan/baru", data=form_data(app, terbitkan="1"))
    auth.logout()
    assert resp.status_code == 302, resp.text[:800]
    return int(re.search(r"/rujukan/(\d+)", resp.headers["Location"]).group(1))


def _step(client, ref_id, action, **data):
    resp = client.post(f"/rujukan/{ref_id}/aksi/{action}", data={"channel": "web", **data, **key()})
    assert resp.status_code == 302, resp.text[:500]


def _reject(client, auth, ref_id, note="ICU penuh"):
    auth.login(RECEIVER)
    _step(client, ref_id, "reject", note=note)
    auth.logout()


def _unread_in_bar(client) -> int:
    html = client.get("/rujukan/").text
    found = re.search(r">Pemberitahuan(?: \((\d+|99\+)\))?</a>", html)
    assert found, "the top bar has no Pemberitahuan link"
    return int(found.group(1) or 0) if found.group(1) != "99+" else 100


def test_every_step_notifies_the_other_side_only(app, client, auth):
    accepted, rejected, redirected = _open_letters(app, 3)
    before = {ref_id: len(_notes(app, ref_id)) for ref_id in (accepted, rejected, redirected)}
    cancelled, phoned = _new_letter(app, client, auth), _new_letter(app, client, auth)
    with app.app_context():
        elsewhere = org("kumanis").id
    auth.login(RECEIVER)
    _step(client, accepted, "accept")
    _step(client, accepted, "arrive")
    resp = client.post(
        f"/rujukan/{accepted}/jawab",
        data={
            "channel": "web",
            "reply_diag": "I11.0",
            "reply_doctor_id": rsud_doctor(app, "dr. Irwan Syah, Sp.PD"),
            **key(),
        },
    )
    assert resp.status_code == 302
    _step(client, rejected, "reject", note="ICU penuh")
    _step(client, redirected, "redirect", note="Kamar penuh", redirect_to_id=str(elsewhere))
    auth.logout()
    auth.login(SENDER)
    _step(client, accepted, "complete")
    _step(client, cancelled, "cancel", note="Pasien memilih berobat sendiri")
    _step(client, phoned, "reject", channel="telepon", note="Tidak ada dokter jaga")  # heard by phone

    issued = ("rsud", "rujukan_issue")  # when the letter was issued

    def new(ref_id):
        return _notes(app, ref_id)[before.get(ref_id, 0) :]

    assert new(accepted) == [
        ("pkm", "rujukan_accept"),
        ("pkm", "rujukan_arrive"),
        ("pkm", "rujukan_answer"),
        ("rsud", "rujukan_complete"),
    ]
    assert new(rejected) == [("pkm", "rujukan_reject")]
    assert new(redirected) == [("pkm", "rujukan_redirect")]  # not the facility it was redirected to
    assert _notes(app, cancelled) == [issued, ("rsud", "rujukan_cancel")]
    assert _notes(app, phoned) == [issued, ("rsud", "rujukan_reject")]
    with app.app_context():
        phoned_text = db.session.get(Notification, _note_id(app, phoned, "rujukan_reject")).text
    assert phoned_text.startswith("Puskesmas Tigo Lurah (demo) mencatat dari telepon: ")

    # a third facility sees none of it, neither on its page nor in its bar
    auth.logout()
    auth.login(THIRD)
    page = client.get("/pemberitahuan/").text
    for ref_id in (accepted, rejected, redirected, cancelled, phoned):
        assert f"/rujukan/{ref_id}" not in page
    with app.app_context():
        nums = [
            db.session.get(Referral, i).number for i in (accepted, rejected, redirected, cancelled, phoned)
        ]
    assert not any(n in page for n in nums)


def test_issuing_a_letter_tells_the_receiver(app, client, auth):
    ref_id = _new_letter(app, client, auth)
    with app.app_context():
        assert db.session.get(Referral, ref_id).status == "diterbitkan"
    assert _notes(app, ref_id) == [("rsud", "rujukan_issue")]
    auth.login(RECEIVER)
    assert "Rujukan baru" in client.get("/pemberitahuan/").text


def test_unread_count_page_and_mark_read(app, client, auth):
    ref_id = _open_letters(app, 1)[0]
    auth.login(SENDER)
    before = _unread_in_bar(client)
    auth.logout()
    _reject(client, auth, ref_id)
    auth.login(SENDER)
    assert _unread_in_bar(client) == before + 1

    page = client.get("/pemberitahuan/")
    assert page.status_code == 200
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        number, name, nik, diag = ref.number, ref.patient.name, ref.patient.nik, ref.diag1_code
    note_id = _note_id(app, ref_id, "rujukan_reject")
    assert f"Rujukan {number} ({name}) DITOLAK RSUD Sijunjung (demo). Alasan: ICU penuh." in page.text
    assert (nik is None or nik not in page.text) and diag not in page.text

    assert client.post(f"/pemberitahuan/{note_id}/baca").status_code == 302
    assert _unread_in_bar(client) == before
    # "Buka surat" marks read and goes to the letter
    opened = client.post(f"/pemberitahuan/{note_id}/buka")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/rujukan/{ref_id}")

    assert client.post("/pemberitahuan/baca-semua").status_code == 302
    assert _unread_in_bar(client) == 0
    assert "Pemberitahuan (" not in client.get("/").text

    # someone else's notification does not exist for this facility
    auth.logout()
    auth.login(THIRD)
    assert client.post(f"/pemberitahuan/{note_id}/buka").status_code == 404
    assert client.post(f"/pemberitahuan/{note_id}/selesai").status_code == 404


def test_a_rejected_letter_stays_on_the_home_page_until_the_sender_acts(app, client, auth):
    copied, handled = _open_letters(app, 2)
    _reject(client, auth, copied)
    _reject(client, auth, handled, note="Kamar penuh")
    with app.app_context():
        numbers = {i: db.session.get(Referral, i).number for i in (copied, handled)}
    note_id = _note_id(app, handled, "rujukan_reject")

    auth.login(SENDER)
    home = client.get("/").text
    assert "Rujukan ditolak/dialihkan, perlu ditindaklanjuti" in home
    assert numbers[copied] in home and numbers[handled] in home
    client.post("/pemberitahuan/baca-semua")  # read is not handled: they stay
    home = client.get("/").text
    assert numbers[copied] in home and numbers[handled] in home

    # the sender acts: a new referral from the rejected letter ...
    resp = client.post(f"/rujukan/{copied}/salin", data=key())
    assert resp.status_code == 302
    home = client.get("/").text
    assert numbers[copied] not in home and numbers[handled] in home
    # ... or "Sudah ditangani" (the patient was sent elsewhere by phone)
    assert client.post(f"/pemberitahuan/{note_id}/selesai").status_code == 302
    home = client.get("/").text
    assert numbers[handled] not in home
    assert "sudah ditangani" in client.get("/pemberitahuan/").text


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = _Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks it is up by connecting to it)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def test_email_goes_out_through_the_worker_task_with_the_number_only(app, client, auth, smtp_server):
    controller, inbox = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_FROM="sinergi@solokkab.test")
    ref_id = _open_letters(app, 1)[0]
    _reject(client, auth, ref_id)
    for _ in range(50):  # the server hands the message over from its own thread
        if inbox.messages:
            break
        time.sleep(0.05)
    assert len(inbox.messages) == 1
    envelope = inbox.messages[0]
    body = envelope.content.decode()
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        number, name, nik, diag = ref.number, ref.patient.name, ref.patient.nik, ref.diag1_code
        row = db.session.get(Notification, _note_id(app, ref_id, "rujukan_reject"))
        assert (row.email_status, row.email_to) == ("terkirim", "pkm.tigolurah@example.org")
    assert envelope.rcpt_tos == ["pkm.tigolurah@example.org"]
    assert envelope.mail_from == "sinergi@solokkab.test"
    assert f"Rujukan nomor {number} ditolak RSUD Sijunjung (demo)" in body
    assert name not in body and diag not in body and "ICU penuh" not in body
    assert nik is None or nik not in body


def test_no_mail_server_no_email(app, client, auth):
    ref_id = _open_letters(app, 1)[0]
    _reject(client, auth, ref_id)
    with app.app_context():
        row = db.session.get(Notification, _note_id(app, ref_id, "rujukan_reject"))
        assert row.email_status is None and row.email_to is None


def test_whatsapp_link_text(app, client, auth):
    assert wa_link("Rujukan nomor 1/X ditolak.", "0812-6610 0001") == (
        "https://wa.me/6281266100001?text=Rujukan%20nomor%201%2FX%20ditolak."
    )
    ref_id = _open_letters(app, 1)[0]
    _reject(client, auth, ref_id)
    auth.login(SENDER)
    page = client.get("/pemberitahuan/").text
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        number, name = ref.number, ref.patient.name
    links = [unquote(u.replace("&amp;", "&")) for u in re.findall(r'href="(https://wa\.me/[^"]+)"', page)]
    mine = [u for u in links if number in u]
    assert mine == [
        f"https://wa.me/?text=[Sinergi] Rujukan nomor {number} ditolak RSUD Sijunjung (demo). "
        "Pasien perlu dirujuk ulang."
    ]
    assert name not in mine[0]


def test_expiring_letters_are_notified_once(app, runner):
    with app.app_context():
        pkm = org("pkm").id
        soon = db.session.scalars(worklist("segera_kedaluwarsa", pkm, TODAY)).all()
        soon_ids = [r.id for r in soon]
    assert soon_ids, "the demo has no letter about to expire"
    first = runner.invoke(args=["rujukan", "notify-expiring"])
    assert first.exit_code == 0 and "+0." not in first.output
    again = runner.invoke(args=["rujukan", "notify-expiring"])
    assert again.exit_code == 0 and again.output.strip().endswith("+0.")
    for ref_id in soon_ids:
        assert _notes(app, ref_id).count(("pkm", "rujukan_expiring")) == 1
    with app.app_context():
        text = db.session.scalar(
            select(Notification.text).where(
                Notification.subject_id == soon_ids[0], Notification.kind == "rujukan_expiring"
            )
        )
    assert "segera kedaluwarsa: berlaku sampai" in text


def test_only_the_logged_in_user_counts_unread(app, client, auth):
    """The count rides in the session lookup; a page listing users (the admin's list) counts nobody's."""
    from tests.queries import statements

    auth.login("admin.solok")
    with statements(app) as seen:
        page = client.get("/admin/pengguna")
    assert page.status_code == 200 and "faskes.solok" in page.text
    assert seen and not [s for s in seen if "notification" in s]
    _unread_in_bar(client)  # the bar still shows the link (with or without a count)


def test_a_draft_cancelled_before_issue_tells_and_shows_nobody(app, client, auth):
    from .conftest import form_data

    with app.app_context():
        patient_id = patient_named("Rosmaniar").id
    auth.login(SENDER)
    resp = client.post(f"/rujukan/pasien/{patient_id}/rujukan/baru", data=form_data(app))
    assert resp.status_code == 302, resp.text[:800]
    draft = int(re.search(r"/rujukan/(\d+)", resp.headers["Location"]).group(1))
    _step(client, draft, "cancel", note="Salah pilih pasien")
    with app.app_context():
        assert db.session.get(Referral, draft).status == "dibatalkan"
    auth.logout()
    assert _notes(app, draft) == []
    auth.login(RECEIVER)
    assert client.get(f"/rujukan/{draft}").status_code == 404


def test_the_nurse_hears_back_on_her_home_page_until_she_reads_it(app, client, auth):
    ref_id = _open_letters(app, 1)[0]
    auth.login(SENDER)
    client.post("/pemberitahuan/baca-semua")
    assert "Pemberitahuan baru" not in client.get("/").text
    auth.logout()
    auth.login(RECEIVER)
    _step(client, ref_id, "accept")
    auth.logout()
    auth.login(SENDER)
    with app.app_context():
        number = db.session.get(Referral, ref_id).number
    home = client.get("/").text
    assert "Pemberitahuan baru" in home and f"Rujukan {number}" in home and "diterima RSUD Sijunjung" in home
    client.post("/pemberitahuan/baca-semua")
    assert "Pemberitahuan baru" not in client.get("/").text


def test_a_letter_sent_on_is_told_to_the_receiver(app, client, auth):
    ref_id = _new_letter(app, client, auth)
    auth.login(SENDER)
    _step(client, ref_id, "send")
    auth.logout()
    assert _notes(app, ref_id)[-1] == ("rsud", "rujukan_send")
    auth.login(RECEIVER)
    assert "sudah dikabarkan ke faskes Anda" in client.get("/pemberitahuan/").text
