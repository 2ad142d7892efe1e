"""PKS fixtures: demo agreements by title, a logged-in client per regency."""

from datetime import date

import pytest
from sqlalchemy import select

from blueprints.auth.models import Regency
from blueprints.core.extensions import db
from blueprints.core.forms import new_submission_key
from blueprints.pks.demo import KSB_TITLE, PKS1_TITLE, PKS2_TITLE
from blueprints.pks.models import Agreement, Event

TODAY = date(2026, 11, 28)


def agreement_id(app, title):
    with app.app_context():
        return db.session.scalar(select(Agreement.id).where(Agreement.judul == title))


def key(prefix: str = "") -> dict:
    """A fresh submission key, as a create form (with this prefix, on a page of several forms) renders it."""
    return {(f"{prefix}-" if prefix else "") + "submission_key": new_submission_key()}


def real_pdf(title: str = "Naskah uji") -> bytes:
    """A real one-page PDF (the upload check reads PDFs with a parser); a different title gives other bytes."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def meeting_history(app, aid) -> list[str]:
    """The meeting lines of an agreement's history, oldest first."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(Event.reason)
                .where(Event.agreement_id == aid, Event.kind == "rapat")
                .order_by(Event.id)
            )
        )


def version_of(app, model, record_id) -> int:
    """The stored version of a record, as its edit form shows it."""
    with app.app_context():
        return db.session.get(model, record_id).version


def regency_id(app, code):
    with app.app_context():
        return db.session.scalar(select(Regency.id).where(Regency.code == code))


@pytest.fixture
def ids(app):
    return {
        "ksb": agreement_id(app, KSB_TITLE),
        "pks1": agreement_id(app, PKS1_TITLE),
        "pks2": agreement_id(app, PKS2_TITLE),
    }


@pytest.fixture
def solok(client, auth):
    auth.login("kerjasama.solok")
    return client


@pytest.fixture
def sijunjung(app):
    from tests.conftest import AuthActions

    other = app.test_client()
    AuthActions(other).login("kerjasama.sijunjung")
    return other


def make_signable(a, kuasa=True):
    """Give every signing party of ``a`` a number and a signatory (a Kepala OPD with a surat kuasa)."""
    from blueprints.pks.models import DocNumber, Signatory

    for i, p in enumerate(a.signing_parties, 1):
        db.session.add(
            DocNumber(agreement_id=a.id, party_id=p.id, nomor=f"{i:03d}/PKS-{p.regency.code}/IX/2024")
        )
        db.session.add(
            Signatory(
                party_id=p.id,
                nama=f"Kepala {p.short_label}",
                jabatan="Kepala Dinas",
                kuasa_nomor="SK-1" if kuasa else "",
                kuasa_tanggal=date(2024, 9, 1) if kuasa else None,
            )
        )
    a.dprd_perlu = False
    db.session.flush()
    db.session.expire(a)
    return a
