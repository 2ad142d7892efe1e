"""Who may do what in SIDILAN: the module's permission rules, in one place. Scope (which records a user may
see at all) is core.scope; these say which role may write, decide and see a full NIK."""

from blueprints.core.roles import OPERATOR_DINSOS, VERIFIKATOR_DINSOS, VERIFIKATOR_NAGARI

from .settings import setting

ENTRY_ROLES = (OPERATOR_DINSOS,)  # register and edit persons, households, disability, assessments, assistance
STAFF_ROLES = (OPERATOR_DINSOS, VERIFIKATOR_DINSOS)  # workflow steps, assistance status, duplicate decisions
STEP_ROLES = (*STAFF_ROLES, VERIFIKATOR_NAGARI)  # who may post a workflow step (the step says which role)
PROGRAM_ROLES = (VERIFIKATOR_DINSOS,)  # the regency's assistance programs (reference data)
IMPORT_ROLES = (OPERATOR_DINSOS,)  # upload, map, dry-run and run a spreadsheet import
IMPORT_REPORT_ROLES = STAFF_ROLES  # an import batch's report and its rejected rows
# Workflow steps (docs/sidilan.md §9.1): the operator submits and sends back; the nagari verifier (for its
# nagari) verifies or rejects a submitted record; the Dinsos verifier approves or rejects a verified one, and
# never a record it verified itself. workflow.TRANSITIONS names these per step.
SUBMIT_ROLES = frozenset({OPERATOR_DINSOS})
NAGARI_VERIFY_ROLES = frozenset({VERIFIKATOR_NAGARI})
DINAS_VERIFY_ROLES = frozenset({VERIFIKATOR_DINSOS})
VERIFY_ROLES = NAGARI_VERIFY_ROLES | DINAS_VERIFY_ROLES


def may_write(user) -> bool:
    return user.role in ENTRY_ROLES


def may_staff(user) -> bool:
    return user.role in STAFF_ROLES


def may_edit_programs(user) -> bool:
    return user.role in PROGRAM_ROLES


def may_see_nik(user) -> bool:
    """The one NIK visibility rule: pages, printouts and exports show the full NIK / No. KK only to these
    roles (``SIDILAN_NIK_ROLES``); everyone else sees them masked."""
    return user.role in setting("SIDILAN_NIK_ROLES")
