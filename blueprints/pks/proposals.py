"""Two-sided stage moves (docs/pks.md §6.2): cancelling, postponing or ending an agreement that two regencies are
party to is proposed by one side, with its reason, and confirmed or rejected by the other side's Bagian
Kerjasama; both are kept in the history. Until the other side confirms, nothing changes. An agreement with the
parties of one regency only moves directly (``stages.move``)."""

from datetime import date

from flask import abort
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import CONTROL_CHARS
from blueprints.core.outcome import Outcome
from blueprints.core.timeutil import utcnow

from .events import log
from .models import TAHAP, Agreement, StageProposal

TWO_SIDED = frozenset({"dibatalkan", "ditunda", "berakhir"})
DECISIONS = {"setuju": "Disetujui", "tolak": "Ditolak"}
WITHDRAWN = "ditarik"  # the proposing side took its proposal back (with its reason)
CLOSED = {**DECISIONS, WITHDRAWN: "Ditarik"}
WITHDRAW_NEEDS_REASON = "Tulis alasan penarikan usulan."


def is_shared(a: Agreement) -> bool:
    """More than one regency of the app is party to ``a`` (an outside partner has no account here to confirm)."""
    return len({p.regency_id for p in a.parties if p.regency_id is not None}) > 1


def needs_other_side(a: Agreement, to: str) -> bool:
    return to in TWO_SIDED and is_shared(a)


def open_proposal(a: Agreement) -> StageProposal | None:
    """The proposal awaiting a decision (read only when the agreement says one does)."""
    return _pending(a) if a.usul_terbuka else None


def _pending(a: Agreement) -> StageProposal | None:
    """The open proposal as the database holds it (also when this session's agreement does not know of it yet)."""
    return db.session.scalar(
        select(StageProposal)
        .where(StageProposal.agreement_id == a.id, StageProposal.keputusan == "")
        .order_by(StageProposal.id.desc())
    )


def other_side(a: Agreement, regency_id: int) -> str:
    names = sorted(
        {p.regency.short_name for p in a.parties if p.regency is not None and p.regency_id != regency_id}
    )
    return ", ".join(f"Kab. {n}" for n in names)


def _still_open(a: Agreement, pending: StageProposal) -> Outcome:
    return Outcome(
        refusals=[
            f"Masih ada usulan {TAHAP[pending.tahap].lower()} yang menunggu keputusan "
            f"{other_side(a, pending.regency_id)}."
        ]
    )


def propose(a: Agreement, to: str, reason: str, user, on: date | None) -> Outcome:
    """Record the proposal (the stage move's own checks already passed); the stage stays as it is. One open
    proposal per agreement: a second is refused, also when both sides propose at the same moment (the database's
    index, uq_pks_stage_proposal_open, refuses the later one: the same message)."""
    if (pending := open_proposal(a)) is not None:
        return _still_open(a, pending)
    p = StageProposal(
        agreement_id=a.id,
        tahap=to,
        dari_tahap=a.tahap,
        alasan=reason,
        on_date=on,
        regency_id=user.regency_id,
        proposed_by_id=user.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(p)
    except IntegrityError:  # the other side's proposal was saved a moment ago
        pending = _pending(a)
        if pending is None:
            raise
        return _still_open(a, pending)
    a.usul_terbuka = True
    log(a, "usul", user, a.tahap, to, f"Usulan {TAHAP[to].lower()}: {reason}", on_date=on)
    db.session.flush()
    audit.record("create", "pks_stage_proposal", p.id, f"kesepakatan #{a.id}: usul {to}", user=user)
    waiting_for = other_side(a, user.regency_id)
    return Outcome(
        record=p,
        data={
            "message": f"Usulan {TAHAP[to].lower()} dicatat; tahap berubah setelah dikonfirmasi {waiting_for}."
        },
    )


def proposal_of(a: Agreement, proposal_id: int, user) -> StageProposal:
    """The open proposal of ``a`` that ``user`` may decide: the other side's. The proposer's own side, a decided
    or an unknown proposal: 404 (there is nothing for them to decide)."""
    p = db.session.get(StageProposal, proposal_id)
    if p is None or p.agreement_id != a.id or p.regency_id == user.regency_id:
        abort(404)
    return p


def own_proposal_of(a: Agreement, proposal_id: int, user) -> StageProposal:
    """A proposal of ``a`` made by ``user``'s regency, which only that side may withdraw. The other side's or an
    unknown proposal: 404."""
    p = db.session.get(StageProposal, proposal_id)
    if p is None or p.agreement_id != a.id or p.regency_id != user.regency_id:
        abort(404)
    return p


def _close(p: StageProposal, keputusan: str, reason: str, user) -> bool:
    """Close ``p`` as decided or withdrawn, only while it is still open: False when another officer's decision
    or withdrawal landed first (the row is no longer open)."""
    done = db.session.execute(
        update(StageProposal)
        .where(StageProposal.id == p.id, StageProposal.keputusan == "")
        .values(keputusan=keputusan, keputusan_alasan=reason, decided_by_id=user.id, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(p)
    return done.rowcount == 1


def withdraw(a: Agreement, p: StageProposal, reason: str, user) -> Outcome:
    """The proposing side takes its open proposal back, with a reason kept in the history (and audited); the
    stage stays as it is and either side may propose again. A proposal decided or withdrawn already answers
    ``repeated``."""
    reason = " ".join((reason or "").split())[:2000]
    if p.keputusan:
        return Outcome(repeated=f"Usulan ini sudah {CLOSED[p.keputusan].lower()}.")
    if CONTROL_CHARS.search(reason):
        return Outcome(errors={"alasan": "Alasan berisi karakter yang tidak sah."})
    if not reason:
        return Outcome(errors={"alasan": WITHDRAW_NEEDS_REASON})
    if not _close(p, WITHDRAWN, reason, user):
        return Outcome(repeated=f"Usulan ini sudah {CLOSED[p.keputusan].lower()}.")
    a.usul_terbuka = False
    label = TAHAP[p.tahap].lower()
    log(a, "usul_tarik", user, p.dari_tahap, p.tahap, f"Usulan {label} ditarik: {reason}")
    db.session.flush()
    audit.record(
        "update", "pks_stage_proposal", p.id, f"kesepakatan #{a.id}: usul {p.tahap} ditarik", user=user
    )
    return Outcome(record=p, data={"message": f"Usulan {label} ditarik; tahap tetap {a.tahap_label}."})


def decide(a: Agreement, p: StageProposal, keputusan: str, reason: str, user, today: date) -> Outcome:
    """Confirm (the stage moves, on the day the proposal named) or reject (with a reason) the other side's
    proposal. A proposal decided already answers ``repeated``."""
    from .stages import transition  # the move itself: stages imports this module to route two-sided moves

    reason = (reason or "").strip()[:2000]
    if p.keputusan:
        return Outcome(repeated=f"Usulan ini sudah {CLOSED[p.keputusan].lower()}.")
    if keputusan not in DECISIONS:
        return Outcome(errors={"keputusan": "Pilih setujui atau tolak."})
    if CONTROL_CHARS.search(reason):
        return Outcome(errors={"alasan": "Alasan berisi karakter yang tidak sah."})
    if keputusan == "tolak" and not reason:
        return Outcome(errors={"alasan": "Tulis alasan penolakan."})
    if keputusan == "setuju":
        if a.tahap != p.dari_tahap:
            return Outcome(
                refusals=[
                    f"Tahap sudah berubah menjadi {a.tahap_label} sejak usulan dibuat; tolak usulan ini "
                    "lalu usulkan lagi bila masih perlu."
                ]
            )
        out = transition(a, p.tahap, p.alasan, user, today, p.on_date)
        if not out.ok:
            return out
    if not _close(p, keputusan, reason, user):  # withdrawn or decided by another officer a moment ago
        return Outcome(repeated=f"Usulan ini sudah {CLOSED[p.keputusan].lower()}.")
    a.usul_terbuka = False
    label = TAHAP[p.tahap].lower()
    text = f"Usulan {label} {DECISIONS[keputusan].lower()}" + (f": {reason}" if reason else "")
    log(a, "usul_" + keputusan, user, p.dari_tahap, p.tahap, text)
    db.session.flush()
    audit.record(
        "update", "pks_stage_proposal", p.id, f"kesepakatan #{a.id}: usul {p.tahap} {keputusan}", user=user
    )
    message = (
        f"Usulan {label} disetujui; tahap sekarang: {a.tahap_label}."
        if keputusan == "setuju"
        else (f"Usulan {label} ditolak; tahap tetap {a.tahap_label}.")
    )
    return Outcome(record=p, data={"message": message})
