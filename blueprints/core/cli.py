"""Command-line entry points of core: flask backup, flask restore (blueprints/demo.py adds seed and demo load;
modules add their own groups)."""

import click
from flask import Flask


def register_commands(app: Flask) -> None:
    @app.cli.command("backup")
    @click.argument("directory", type=click.Path(file_okay=False))
    @click.option(
        "--secret-file",
        type=click.Path(dir_okay=False),
        help="Where the secret key is written (default: DIRECTORY/secret_key).",
    )
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
    @click.option(
        "--secret-file",
        type=click.Path(exists=True, dir_okay=False),
        help="The secret key file written by `flask backup` (restores it).",
    )
    def restore_command(archive, force, secret_file):
        """Restore ARCHIVE (made by `flask backup`) after checking its manifest. Stop the app first."""
        from .backup import BackupError, restore

        try:
            report = restore(archive, force=force, secret_file=secret_file)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(
            f"Dipulihkan dari {report.path}: {len(report.counts)} tabel, "
            f"{sum(report.counts.values())} baris, sesuai manifest."
        )
        for note in report.notes:
            click.echo(note)
