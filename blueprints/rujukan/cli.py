"""flask rujukan seed-nonspesialis: load the non-specialist diagnosis list (reference data, versioned)."""

import click

from blueprints.core.extensions import db

from . import bp
from .nonspecialist import seed_nonspecialist


@bp.cli.command("seed-nonspesialis")
@click.option("--versi", default="144", show_default=True, help="Versi daftar (144 / 177 / 2022).")
def seed_nonspesialis(versi):
    """Load the bundled subset of the non-specialist (TACC) list. Idempotent."""
    added = seed_nonspecialist(versi)
    db.session.commit()
    click.echo(f"Daftar non-spesialistik versi {versi}: +{added} kode.")
