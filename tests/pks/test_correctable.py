"""Records trusted by mechanism ("Kerja Sama, correctable"): a slip of a signed agreement is voided as an
audited koreksi; the proposer withdraws its own open stage proposal; the database holds one open proposal per
agreement and one party per position, and a race answers the app's own message."""

import re

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.pks.models import Agreement, Event, Party, Slip, SlipVoid, StageProposal

from .conftest import key, make_signable, regency_id


def _signed(app, aid) -> None:
    with app.app_context():
        a = make_signable(db.session.get(Agreement, aid))
        a.tahap = "ditandatangani"
        a.tgl_ttd = a.tgl_mulai = a.tahap_sejak
        db.session.commit()
        assert a.is_locked


def _counted(page: str) -> int:
    return int(re.search(r"(\d+) kali ditunda", page).group(1))


# ---- a slip voided after signing: a koreksi --------------------------------------------------------


def test_a_slip_of_a_signed_agreement_is_voided_as_a_koreksi_with_a_reason(app, solok, ids):
    aid = ids["pks2"]
    _signed(app, aid)
    with app.app_context():
        slip = db.session.scalar(select(Slip).where(Slip.agreement_id == aid).order_by(Slip.id))
        slip_id = slip.id
    stage = solok.get(f"/pks/{aid}/tahap").text
    before = _counted(stage)
    assert "ditunda 1 kali" in solok.get(f"/pks/{aid}").text
    assert "Koreksi: batalkan catatan" in stage and 'placeholder="Alasan koreksi"' in stage
    void = f"/pks/{aid}/penundaan/{slip_id}/batal"
    empty = solok.post(void, data={"alasan": " "})
    assert empty.status_code == 422 and "Tulis alasan pembatalan" in empty.text
    done = solok.post(void, data={"alasan": "Tercatat dua kali"}, follow_redirects=True)
    assert "Koreksi dicatat. Catatan penundaan dibatalkan" in done.text
    assert _counted(solok.get(f"/pks/{aid}/tahap").text) == before - 1  # left out of the counts
    detail = solok.get(f"/pks/{aid}").text
    assert before == 1 and "ditunda 1 kali" not in detail  # the demo's one slip, no longer counted
    with app.app_context():
        assert db.session.get(Slip, slip_id) is not None  # kept in the ledger
        assert db.session.scalar(select(SlipVoid.alasan).where(SlipVoid.slip_id == slip_id)) == (
            "Tercatat dua kali"
        )
        event = db.session.scalar(
            select(Event).where(Event.agreement_id == aid).order_by(Event.id.desc()).limit(1)
        )
        assert event.kind == "koreksi" and event.reason.startswith("Koreksi: Catatan penundaan")
        # the demo's one slip was the latest: the target it replaced is back, said in the same entry
        assert event.reason.endswith("dibatalkan; target kembali ke Juli 2024. Alasan: Tercatat dua kali")
        audited = db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.object_type == "pks_slip",
                AuditEvent.object_id == str(slip_id),
                AuditEvent.summary.contains("koreksi penundaan"),
            )
        )
        assert audited == 1
    assert "Koreksi: Catatan penundaan" in detail


# ---- stage proposals: withdrawn by the proposer; one open per agreement, also in the database ------------


def _propose(client, aid, to="ditunda", reason="Menunggu anggaran perubahan"):
    return client.post(f"/pks/{aid}/tahap", data={"t-dari": "siap_ttd", "t-to": to, "t-reason": reason})


def _open(app, aid) -> list[StageProposal]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(StageProposal).where(StageProposal.agreement_id == aid, StageProposal.keputusan == "")
            )
        )


def test_the_proposer_withdraws_its_own_open_proposal_with_a_reason(app, solok, sijunjung, ids):
    aid = ids["pks1"]  # both regencies are parties: a postponement is a proposal
    assert _propose(solok, aid).status_code == 302
    (p,) = _open(app, aid)
    withdraw = f"/pks/{aid}/usulan/{p.id}/tarik"
    assert "Tarik usulan" in solok.get(f"/pks/{aid}/tahap").text
    assert "Tarik usulan" not in sijunjung.get(f"/pks/{aid}/tahap").text
    # the other side cannot withdraw it (it confirms or rejects instead)
    assert sijunjung.post(withdraw, data={"alasan": "Bukan usulan kami"}).status_code == 404
    empty = solok.post(withdraw, data={"alasan": "  "})
    assert empty.status_code == 422 and "Tulis alasan penarikan usulan." in empty.text
    done = solok.post(withdraw, data={"alasan": "Anggaran sudah tersedia"}, follow_redirects=True)
    assert "Usulan ditunda ditarik; tahap tetap Siap tanda tangan." in done.text
    assert "Usulan ditunda ditarik: Anggaran sudah tersedia" in done.text  # in the history
    assert "Usulan ditunda: Menunggu anggaran perubahan" in done.text  # the proposal stays in it too
    with app.app_context():
        a = db.session.get(Agreement, aid)
        assert a.tahap == "siap_ttd" and not a.usul_terbuka
        row = db.session.get(StageProposal, p.id)
        assert (row.keputusan, row.keputusan_alasan) == ("ditarik", "Anggaran sudah tersedia")
        assert db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.object_type == "pks_stage_proposal",
                AuditEvent.object_id == str(p.id),
                AuditEvent.summary.contains("ditarik"),
            )
        )
    assert "menunggu keputusan daerah mitra" not in sijunjung.get(f"/pks/{aid}").text
    late = sijunjung.post(f"/pks/{aid}/usulan/{p.id}", data={"keputusan": "setuju"}, follow_redirects=True)
    assert "Usulan ini sudah ditarik." in late.text
    again = solok.post(withdraw, data={"alasan": "lagi"}, follow_redirects=True)
    assert "Usulan ini sudah ditarik." in again.text
    with app.app_context():
        assert db.session.get(Agreement, aid).tahap == "siap_ttd"
    assert _propose(solok, aid, "dibatalkan", "Tidak dilanjutkan").status_code == 302  # free to propose again


def test_the_database_holds_one_open_proposal_per_agreement(app, ids):
    with app.app_context():
        a = db.session.get(Agreement, ids["pks1"])

        def proposal(**over):
            values = dict(
                agreement_id=a.id,
                tahap="ditunda",
                dari_tahap=a.tahap,
                alasan="Uji",
                regency_id=a.parties[0].regency_id,
            )
            return StageProposal(**{**values, **over})

        with db.session.begin_nested():
            db.session.add(proposal())
            db.session.add(proposal(keputusan="tolak"))  # decided ones do not count
            db.session.add(proposal(keputusan="ditarik"))
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.add(proposal(tahap="dibatalkan"))
        db.session.rollback()


def test_a_proposal_racing_the_other_sides_gets_the_message_not_a_500(app, solok, ids):
    """Sijunjung's proposal saved a moment ago, after Solok's page read the agreement as having none (its
    ``usul_terbuka`` still unset): the index refuses Solok's, which reads the app's own message."""
    aid = ids["pks1"]
    sij = regency_id(app, "13.03")
    with app.app_context():
        db.session.add(
            StageProposal(
                agreement_id=aid, tahap="dibatalkan", dari_tahap="siap_ttd", alasan="Uji", regency_id=sij
            )
        )
        db.session.commit()
    r = _propose(solok, aid)
    assert r.status_code == 422
    assert "Masih ada usulan dibatalkan yang menunggu keputusan Kab. Solok." in r.text
    assert [p.regency_id for p in _open(app, aid)] == [sij]


# ---- parties: one per position, none twice, also in the database --------------------------------------


def _partner(aid, urutan, nama="Pemerintah Kota Solok", opd="Dinas Kesehatan", **over) -> Party:
    return Party(
        agreement_id=aid, regency_id=None, mitra_jenis="kota", mitra_nama=nama, opd=opd, urutan=urutan, **over
    )


def test_the_database_holds_one_party_per_position_and_no_party_twice(app, ids):
    with app.app_context():
        a = db.session.get(Agreement, ids["pks1"])
        taken = max(p.urutan for p in a.parties)
        sol_party = next(p for p in a.parties if p.organisation_id is not None)
        twice = [
            _partner(a.id, taken),  # a position already filled
            Party(  # the same regency's OPD from the list, at another position
                agreement_id=a.id,
                regency_id=sol_party.regency_id,
                organisation_id=sol_party.organisation_id,
                urutan=taken + 1,
            ),
            Party(
                agreement_id=a.id, regency_id=sol_party.regency_id, urutan=taken + 1
            ),  # the regency itself,
            Party(agreement_id=a.id, regency_id=sol_party.regency_id, urutan=taken + 2),  # twice
            _partner(a.id, taken + 1),  # the same outside partner and unit, twice
            _partner(a.id, taken + 2),
        ]
        for rows in ([twice[0]], [twice[1]], twice[2:4], twice[4:6]):
            with pytest.raises(IntegrityError), db.session.begin_nested():
                db.session.add_all(rows)
        with db.session.begin_nested():  # what the app allows stays allowed: the same partner, another unit
            db.session.add_all([_partner(a.id, taken + 1), _partner(a.id, taken + 2, opd="Dinas Sosial")])
        db.session.rollback()


def test_a_deleted_party_does_not_block_adding_it_again(app, solok, ids):
    aid = ids["pks1"]
    form = {
        **key("p"),
        "bagian": "pihak",
        "p-regency_id": "0",
        "p-mitra_jenis": "kota",
        "p-mitra_nama": "Pemerintah Kota Solok",
        "p-opd": "Dinas Kesehatan",
        "p-urutan": "5",
    }
    assert solok.post(f"/pks/{aid}/pihak", data=form).status_code == 302
    with app.app_context():
        party = db.session.scalar(select(Party).where(Party.agreement_id == aid, Party.urutan == 5))
        pid, v = party.id, party.version
    gone = solok.post(f"/pks/{aid}/pihak/{pid}/hapus", data={"version": v, "d-alasan": "Salah unit"})
    assert gone.status_code == 302
    assert solok.post(f"/pks/{aid}/pihak", data={**form, **key("p")}).status_code == 302  # hard-deleted: free


def test_a_party_racing_another_clerks_gets_the_field_message_not_a_500(app, ids):
    """Another clerk's party saved at position 5 after this form's check read the agreement's parties: the index
    refuses this one and the clerk reads the check's own message at the position field; nothing is stored."""
    from werkzeug.datastructures import MultiDict

    from blueprints.auth.models import User
    from blueprints.core.forms import new_submission_key
    from blueprints.pks.forms import PartyForm
    from blueprints.pks.parties import add_party, fill_party_form

    aid = ids["pks1"]
    with app.test_request_context(method="POST"), app.app_context():
        user = db.session.scalar(select(User).where(User.username == "kerjasama.solok"))
        a = db.session.get(Agreement, aid)
        assert all(p.urutan != 5 for p in a.parties)  # what this clerk's check reads
        form = PartyForm(
            MultiDict(
                {
                    "p-submission_key": new_submission_key(),
                    "p-regency_id": "0",
                    "p-mitra_jenis": "universitas",
                    "p-mitra_nama": "Universitas Andalas",
                    "p-urutan": "5",
                }
            ),
            prefix="p",
        )
        fill_party_form(form)
        assert form.validate(), form.errors
        # the other clerk's row, stored behind the loaded agreement's back
        db.session.execute(
            insert(Party).values(
                agreement_id=aid,
                regency_id=None,
                mitra_nama="Kota Solok",
                urutan=5,
                opd="",
                mitra_jenis="kota",
                menandatangani=True,
                version=1,
            )
        )
        out = add_party(a, form, user)
        assert not out.ok and out.record is None
        assert form.urutan.errors == ["Pihak kelima sudah diisi oleh Kota Solok; pilih kedudukan lain."]
        names = db.session.scalars(select(Party.mitra_nama).where(Party.agreement_id == aid))
        assert "Universitas Andalas" not in list(names)


def test_a_party_edit_racing_another_clerks_gets_the_field_message_not_a_500(app, ids):
    """The same race on an edit: moving a party to a position another clerk's party took a moment ago."""
    from werkzeug.datastructures import MultiDict

    from blueprints.auth.models import User
    from blueprints.pks.forms import PartyEditForm
    from blueprints.pks.parties import fill_party_form, save_party

    aid = ids["pks1"]
    with app.test_request_context(method="POST"), app.app_context():
        user = db.session.scalar(select(User).where(User.username == "kerjasama.solok"))
        a = db.session.get(Agreement, aid)
        party = next(p for p in a.parties if p.regency_id == user.regency_id)
        before = (party.urutan, party.version)
        form = PartyEditForm(
            MultiDict(
                {
                    "version": str(party.version),
                    "regency_id": str(party.regency_id),
                    "organisation_id": str(party.organisation_id),
                    "urutan": "6",
                    "menandatangani": "y",
                }
            )
        )
        fill_party_form(form)
        assert form.validate(), form.errors
        db.session.execute(
            insert(Party).values(
                agreement_id=aid, mitra_nama="Kota Solok", mitra_jenis="kota", urutan=6, opd="", version=1
            )
        )
        out = save_party(a, party, form, user)
        assert not out.ok and out.record is None
        assert form.urutan.errors == ["Pihak keenam sudah diisi oleh Kota Solok; pilih kedudukan lain."]
        db.session.refresh(party)
        assert (party.urutan, party.version) == before


def test_a_confirmation_racing_the_withdrawal_changes_nothing(app, solok, ids):
    """Sijunjung confirms a proposal Solok withdrew a moment ago (after Sijunjung's request read it open): only
    a proposal still open is closed, so the stage does not move and the withdrawal holds."""
    from blueprints.auth.models import User
    from blueprints.core.timeutil import today_local
    from blueprints.pks.proposals import decide

    aid = ids["pks1"]
    assert _propose(solok, aid).status_code == 302
    (p,) = _open(app, aid)
    with app.test_request_context(method="POST"), app.app_context():
        user = db.session.scalar(select(User).where(User.username == "kerjasama.sijunjung"))
        a = db.session.get(Agreement, aid)
        row = db.session.get(StageProposal, p.id)
        assert row.keputusan == ""  # what the confirming request read
        db.session.execute(
            update(StageProposal)
            .where(StageProposal.id == p.id)
            .values(keputusan="ditarik", keputusan_alasan="Ditarik")
            .execution_options(synchronize_session=False)
        )
        out = decide(a, row, "setuju", "Sepakat", user, today_local())
        assert out.repeated == "Usulan ini sudah ditarik." and out.record is None
        db.session.rollback()  # as the view does with a repeat
        assert db.session.get(Agreement, aid).tahap == "siap_ttd"
