"""Configurable SIDILAN rules (docs/sidilan.md §14; the unverified ones): read from app.config with these
defaults. Outside an app (unit tests of the pure rules, scripts) the default holds."""

from flask import current_app, has_app_context

from blueprints.core.roles import OPERATOR_DINSOS, VERIFIKATOR_DINSOS, VERIFIKATOR_NAGARI

DEFAULTS = {
    # WG-SS answer from which a domain counts as a disability (docs/sidilan.md §8.1, unverified cut-off).
    "SIDILAN_WGSS_CUTOFF": 3,
    # Barthel item maxima that differ from values.BARTHEL_ITEMS (docs/sidilan.md §8.2, unverified).
    "SIDILAN_BARTHEL_MAXIMA": {},
    # Roles that see the full NIK / No. KK; others (pimpinan) get them masked (docs/sidilan.md §11).
    "SIDILAN_NIK_ROLES": (OPERATOR_DINSOS, VERIFIKATOR_DINSOS, VERIFIKATOR_NAGARI),
    # Exports of more rows than this run as a background job with a progress page (docs/sidilan.md §12).
    "SIDILAN_EXPORT_JOB_ROWS": 2000,
    # Import files of more rows than this are checked (the dry run) by a background job with a progress page.
    "SIDILAN_IMPORT_DRY_RUN_JOB_ROWS": 2000,
    "SIDILAN_RECONCILE_JOB_BYTES": 200_000,  # a larger extract (about 2,000 rows and more) is matched by a job
    # A re-verification worksheet (daftar verval) of more persons than this is made by a background job.
    "SIDILAN_VERVAL_JOB_ROWS": 100,
    # who holds the nagari step is (unverified, docs/sidilan.md §9.1): for a nagari no active nagari verifier is
    # assigned to, a Dinsos verifier may take it (True), so its records do not wait forever; another Dinsos
    # verifier then approves (separation of duties). False: they wait for the admin to assign one.
    "SIDILAN_NAGARI_STEP_BY_DINSOS_WITHOUT_VERIFIER": True,
    # Age after which the stored dashboard summary is recomputed on the next view (docs/sidilan.md §12).
    "SIDILAN_DASHBOARD_MAX_AGE_MINUTES": 15,
    # Reports the public usulan page accepts per address (Flask-Limiter notation).
    "SIDILAN_USULAN_LIMIT": "10 per hour",
    # Cross-regency NIK checks per clerk (Flask-Limiter notation).
    "SIDILAN_NIK_CHECK_LIMIT": "30 per hour",
}


def setting(name: str):
    if not has_app_context():
        return DEFAULTS[name]
    return current_app.config.get(name, DEFAULTS[name])
