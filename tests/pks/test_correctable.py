"""Records trusted by mechanism ("Kerja Sama, correctable"): a slip of a signed agreement is voided as an
audited koreksi; the proposer withdraws its own open stage proposal; the database holds one open proposal per
agreement and one party per position, and a race answers the app's own message."""

import re

from sqlalchemy import func, select

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.pks.models import Agreement, Event, Slip, SlipVoid

from .conftest import make_signable


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
        assert event.reason.endswith("dibatalkan. Alasan: Tercatat dua kali")
        audited = db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.object_type == "pks_slip",
                AuditEvent.object_id == str(slip_id),
                AuditEvent.summary.contains("koreksi penundaan"),
            )
        )
        assert audited == 1
    assert "Koreksi: Catatan penundaan" in detail
