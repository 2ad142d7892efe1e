"""flask rujukan seed-nonspesialis: load the non-specialist diagnosis list (reference data, versioned);
flask rujukan notify-expiring: the senders are told of letters that soon expire."""

import click

from blueprints.core.extensions import db

from . import bp
from .nonspecialist import seed_nonspecialist
from .notices import notify_expiring_letters


@bp.cli.command("seed-nonspesialis")
@click.option("--versi", default="144", show_default=True, help="Versi daftar (144 / 177 / 2022).")
def seed_nonspesialis(versi):
    """Load the bundled subset of the non-specialist (TACC) list. Idempotent."""
    added = seed_nonspecialist(versi)
    db.session.commit()
    click.echo(f"Daftar non-spesialistik versi {versi}: +{added} kode.")


@bp.cli.command("notify-expiring")
def notify_expiring():
    """Tell each sender which of its letters soon expire (worklist "Segera kedaluwarsa"), once per letter.
    Idempotent: run it daily (the background worker does, at 06.00 WIB)."""
    added = notify_expiring_letters()
    click.echo(f"Pemberitahuan segera kedaluwarsa: +{added}.")
