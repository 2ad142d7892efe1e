"""``flask pks …`` commands."""

from datetime import date

import click

from blueprints import notify
from blueprints.core.extensions import db
from blueprints.core.timeutil import today_local

from . import bp
from .reminders import run_reminders


@bp.cli.command("reminders")
@click.option("--tanggal", default=None, help="Hitung untuk tanggal ini (tttt-bb-hh); bawaan hari ini (WIB).")
def reminders_command(tanggal):
    """Compute today's PKS reminders (daily cron job); each reminder is logged once."""
    today = date.fromisoformat(tanggal) if tanggal else today_local()
    new = run_reminders(today)
    db.session.commit()
    notify.send_pending()
    click.echo(f"Pengingat kerja sama {today.isoformat()}: {len(new)} baru.")
    for aid, text in new:
        click.echo(f"  #{aid} {text}")
