"""Jorong: the admin keeps the list of jorong per nagari of their regency (the superadmin picks a regency)."""

from flask import url_for
from sqlalchemy import func
from sqlalchemy.orm import contains_eager

from blueprints.auth.models import Regency, regencies
from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome
from blueprints.core.scope import scoped
from blueprints.wilayah.models import Jorong, Wilayah
from blueprints.wilayah.service import clean_jorong_name, jorong_key

DUPLICATE = "Jorong dengan nama ini sudah ada di nagari tersebut."


def regency_for(actor, source) -> Regency:
    """The admin's own regency; the superadmin (no regency) picks one, the first by code unless asked."""
    if actor.regency is not None:
        return actor.regency
    rows = regencies()
    return next((r for r in rows if r.code == source.get("_cascade_regency")), rows[0])


def back_args(actor, regency: Regency) -> dict:
    """What the superadmin's links carry to stay on the chosen regency."""
    return {"_cascade_regency": regency.code} if actor.regency is None else {}


def add_jorong(form, cascade, back: dict) -> Outcome:
    name = clean_jorong_name(form.name.data)
    dup = db.session.scalar(
        scoped(Jorong).where(
            Jorong.nagari_code == cascade.nagari, func.lower(Jorong.name) == jorong_key(name)
        )
    )
    if dup is not None:
        return Outcome(errors={"name": DUPLICATE})
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    nagari = db.session.get(Wilayah, cascade.nagari)
    row = Jorong(nagari_code=nagari.code, name=name, regency_id=nagari.regency_id)
    db.session.add(row)
    db.session.flush()
    audit.record("create", "jorong", row.id, f"menambah jorong {name} di {nagari.name}")
    target = url_for("admin.jorong", kecamatan=cascade.kecamatan, nagari=cascade.nagari, **back)
    submission.remember(form.submission_key.data, target)
    db.session.commit()
    return Outcome(record=row, data={"url": target})


def set_active(row: Jorong, wanted: str | None, actor) -> Outcome:
    """The form says which state it wants, so a repeated submit does not flip it back. ``data["url"]``: the
    list of the jorong's nagari, on its regency for the superadmin."""
    row.active = (not row.active) if wanted not in ("0", "1") else wanted == "1"
    audit.record(
        "update", "jorong", row.id, f"jorong {row.name} {'diaktifkan' if row.active else 'dinonaktifkan'}"
    )
    db.session.commit()
    back = back_args(actor, db.session.get(Regency, row.regency_id)) if actor.regency is None else {}
    url = url_for("admin.jorong", kecamatan=row.nagari.parent_code, nagari=row.nagari_code, **back)
    return Outcome(record=row, data={"url": url})


def list_stmt(regency: Regency, cascade):
    stmt = (
        scoped(Jorong)
        .join(Jorong.nagari)
        .options(contains_eager(Jorong.nagari))  # the list shows each row's nagari: no query per row
        .where(Jorong.regency_id == regency.id)
        .order_by(Wilayah.name, Jorong.name)
    )
    if cascade.nagari:
        stmt = stmt.where(Jorong.nagari_code == cascade.nagari)
    elif cascade.kecamatan:
        stmt = stmt.where(Wilayah.parent_code == cascade.kecamatan)
    return stmt
