"""Service areas (wilayah layanan, docs/pks.md §10): the nagari or jorong an agreement serves, read by Rujukan
through ``public.covering_agreements``."""

from flask import url_for
from sqlalchemy import select

from blueprints.auth.models import Regency
from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome

from .models import Agreement, ServiceArea
from .saving import creates_once

LOCKED_AREA = "Naskah terkunci; perubahan wilayah melalui adendum."


def area_regency(a: Agreement, wanted: int | None, user) -> tuple[Regency, list[Regency]]:
    """(regency whose nagari the form lists, the agreement's party regencies): the one asked for if it is a
    party, else the user's."""
    regencies = {p.regency_id: p.regency for p in a.parties if p.regency is not None}
    regency = (
        regencies.get(wanted) or regencies.get(user.regency_id) or db.session.get(Regency, user.regency_id)
    )
    return regency, list(regencies.values())


def area_errors(a: Agreement, cascade) -> dict[str, str]:
    errors = cascade.errors()
    if a.is_locked:
        errors["wnagari"] = LOCKED_AREA
    return errors


def add_area(a: Agreement, cascade, key: str, key_error: str | None) -> Outcome:
    """Add the place the cascade names, once per submission ``key`` (``key_error`` when the form posted none
    that is valid): refused while the cascade is incomplete or the text is locked."""
    errors = area_errors(a, cascade)
    if errors or key_error:
        return Outcome(errors=errors, refusals=[key_error] if key_error else [])
    return _add_place(a, cascade.nagari, cascade.jorong_id, key=key)


@creates_once
def _add_place(a: Agreement, nagari: str, jorong_id: int | None, key: str):
    """Add the place once: the same nagari (or jorong) again changes nothing."""
    same_jorong = ServiceArea.jorong_id.is_(None) if jorong_id is None else ServiceArea.jorong_id == jorong_id
    exists = db.session.scalar(
        select(ServiceArea.id).where(
            ServiceArea.agreement_id == a.id, ServiceArea.nagari_code == nagari, same_jorong
        )
    )
    if exists is None:
        row = ServiceArea(agreement_id=a.id, nagari_code=nagari, jorong_id=jorong_id)
        db.session.add(row)
        db.session.flush()
        audit.record("create", "pks_service_area", row.id, f"wilayah layanan #{row.id} kesepakatan #{a.id}")
    return url_for("pks.service_area", agreement_id=a.id), "Wilayah layanan disimpan."


def areas_of(a: Agreement) -> list[ServiceArea]:
    return list(
        db.session.scalars(
            select(ServiceArea).where(ServiceArea.agreement_id == a.id).order_by(ServiceArea.id)
        )
    )
