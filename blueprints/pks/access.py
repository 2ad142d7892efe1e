"""Who may do what in Kerja Sama (docs/pks.md §1.3): the one place for the module's permission rules.

Bagian Kerjasama reads and writes the agreements of its regency (the regency scope itself is the models'
``scope_clause``); Pimpinan reads the same records and writes nothing; an admin reaches only the rule
switches; the superadmin belongs to no regency (it is not a role of the module, see ``__init__.py``).
"""

from flask_login import current_user

from blueprints.core.roles import ADMIN, PIMPINAN, SUPERADMIN

READ_ONLY_ROLES = frozenset({PIMPINAN})
# Pages that are nothing but a form: a read-only role has nothing to read there (what they show is on the
# record page), so they do not exist for it.
FORM_PAGES = frozenset(
    {
        "pks.new",
        "pks.edit",
        "pks.child",
        "pks.scope_item",
        "pks.meeting_new",
        "pks.stage",
        "pks.work_row",
        "pks.meeting_entry",
        "pks.meeting_notulen",
        "pks.meeting_edit",
    }
)
# All an admin sees of the module: the rule switches and the reminder addresses (the home page shows them too).
ADMIN_PAGES = frozenset({"pks.index", "pks.rules", "pks.reminder_contact_save", "pks.opd_contacts_save"})
RULE_SWITCHERS = frozenset({ADMIN, SUPERADMIN})


def allowed(role: str, endpoint: str | None, method: str) -> bool:
    """May a user of ``role`` open ``endpoint`` with ``method``? (Otherwise the page does not exist: 404.)"""
    if role == ADMIN and endpoint not in ADMIN_PAGES:
        return False
    return not (role in READ_ONLY_ROLES and (method != "GET" or endpoint in FORM_PAGES))


def can_write(user=None) -> bool:
    """Whether pages show their forms and buttons to ``user`` (the current user by default)."""
    return (user or current_user).role not in READ_ONLY_ROLES


def rules_only(user=None) -> bool:
    """An admin's Kerja Sama is the rules page: no agreements, no home panel."""
    return (user or current_user).role == ADMIN


def may_switch_rules(user=None) -> bool:
    return (user or current_user).role in RULE_SWITCHERS


def owns_party(party, user=None) -> bool:
    """Each party owns its part: a regency's Bagian Kerjasama records and corrects only its own party (its row,
    number, signatories and surat kuasa). An outside partner (a city, the province, a university, a company)
    has no account here: the agreement's initiating regency records its part, or, when the initiator is not
    among the parties (none recorded, or not added yet), any regency that is a party to the agreement."""
    user = user or current_user
    if not can_write(user) or user.regency_id is None:
        return False
    if party.regency_id is not None:
        return party.regency_id == user.regency_id
    a = party.agreement
    regencies = {p.regency_id for p in a.parties if p.regency_id is not None}
    if (
        a.pemrakarsa_regency_id in regencies
    ):  # an initiator that is not (yet) a party cannot see the agreement
        return a.pemrakarsa_regency_id == user.regency_id
    return user.regency_id in regencies
