"""Who may do what inside the module, in one place: facility staff, Dinas Kesehatan officers, and the two sides
(sender, receiver) of a letter. The view-side guards answer 404, never 403: outside one's scope nothing exists."""

from flask import abort
from flask_login import current_user


def is_dinkes(user) -> bool:
    """A Dinas Kesehatan officer (organisation of kind ``dinkes``): directory and recap, no clinical content."""
    org = getattr(user, "organisation", None)
    return org is not None and org.kind == "dinkes"


def is_facility(user=None) -> bool:
    user = user or current_user
    return user.organisation is not None and user.organisation.facility_level is not None


def require_facility():
    if not is_facility():
        abort(404)


def require_dinkes():
    if not is_dinkes(current_user):
        abort(404)


def side_of(ref, user) -> str | None:
    """``sender`` (the issuing facility), ``receiver`` (the destination) or None."""
    if user.organisation_id == ref.origin_id:
        return "sender"
    if ref.destination_id is not None and user.organisation_id == ref.destination_id:
        return "receiver"
    return None


def require_sender(ref, user=None) -> None:
    """Drafts, edits, issue, copy and the consent form belong to the issuing facility only."""
    if side_of(ref, user or current_user) != "sender":
        abort(404)


def may_edit_facility(org, user=None) -> bool:
    """Staff edit their own facility's directory entry; Dinas Kesehatan edits its regency's facilities."""
    user = user or current_user
    return user.organisation_id == org.id or (is_dinkes(user) and user.regency_id == org.regency_id)
