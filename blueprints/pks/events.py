"""The agreement's append-only event log (``pks_event``): every state change and recorded fact, for the
timeline. Adds, never commits."""

from datetime import date

from blueprints.core.extensions import db

from .models import Agreement, Event

# The kinds of event that move an agreement's stage (``stages.transition``, ``signing.sign``, ``register``):
# a proposal ("usul", "usul_setuju", ...) names the stages it is about but moves nothing itself.
STAGE_MOVES = ("tahap", "ttd")


def log(
    a: Agreement,
    kind: str,
    user=None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    on_date: date | None = None,
) -> Event:
    ev = Event(
        agreement_id=a.id,
        kind=kind,
        actor_id=getattr(user, "id", None),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        on_date=on_date,
    )
    db.session.add(ev)
    return ev
