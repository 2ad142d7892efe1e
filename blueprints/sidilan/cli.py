"""SIDILAN's flask commands: `flask sidilan seed` and `flask sidilan bulk`."""

import click

from blueprints.auth.models import regencies
from blueprints.core.extensions import db
from blueprints.wilayah.service import regency_by_code

from . import bp
from .demo import bulk
from .programs import seed_programs

BULK_REGENCIES = {"solok": "13.02", "sijunjung": "13.03"}


@bp.cli.command("seed")
def seed_command():
    """`flask sidilan seed`: the assistance programs of docs/sidilan.md §5.1 for every regency. Idempotent."""
    added = sum(seed_programs(r.id) for r in regencies())
    db.session.commit()
    click.echo(f"Program bantuan ditambahkan: {added}")


@bp.cli.command("bulk")
@click.option("--persons", default=100_000, show_default=True, help="Jumlah orang sintetis.")
@click.option("--kabupaten", type=click.Choice(sorted(BULK_REGENCIES)), default="solok", show_default=True)
def bulk_command(persons: int, kabupaten: str):
    """`flask sidilan bulk`: synthetic persons for benchmarks (never for a production database)."""
    regency = regency_by_code(BULK_REGENCIES[kabupaten])
    if regency is None:
        raise click.ClickException("Wilayah belum ada; jalankan `flask seed` dahulu.")
    n = bulk(regency, max(0, min(persons, 1_000_000)))
    db.session.commit()
    click.echo(f"{n} orang sintetis ditambahkan ke {regency.name}.")
