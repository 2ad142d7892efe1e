"""A typed referral time is WIB on screen and on paper and UTC in storage, on SQLite and PostgreSQL alike."""

import io
import re
from datetime import UTC, datetime

from pypdf import PdfReader
from sqlalchemy import text

from blueprints.core.extensions import db
from blueprints.core.timeutil import WIB, to_local
from blueprints.rujukan.models import Referral

from .conftest import form_data, patient_named


def test_typed_time_survives_three_saves_and_prints_the_same(app, faskes):
    with app.app_context():
        patient_id = patient_named("Rosmaniar").id
    resp = faskes.post(
        f"/rujukan/pasien/{patient_id}/rujukan/baru", data=form_data(app, referred_at="2026-11-20T12:43")
    )
    assert resp.status_code in (302, 303), resp.text[:500]
    ref_id = int(re.search(r"/rujukan/(\d+)", resp.headers["Location"]).group(1))
    for _ in range(3):
        page = faskes.get(f"/rujukan/{ref_id}/ubah")
        shown = re.search(r'name="referred_at"[^>]*value="([^"]*)"', page.text).group(1)
        assert shown == "2026-11-20T12:43"
        version = re.search(r'name="version"[^>]*value="([^"]*)"', page.text).group(1)
        saved = faskes.post(
            f"/rujukan/{ref_id}/ubah", data=form_data(app, referred_at=shown, version=version)
        )
        assert saved.status_code in (302, 303), saved.text[:500]
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        assert ref.referred_at == datetime(2026, 11, 20, 5, 43, tzinfo=UTC)
        assert to_local(ref.referred_at) == datetime(2026, 11, 20, 12, 43, tzinfo=WIB)
        raw = db.session.execute(
            text("SELECT referred_at FROM rujukan_referral WHERE id = :i"), {"i": ref_id}
        ).scalar()
        if isinstance(raw, str):  # SQLite keeps the UTC wall time as text
            assert raw.startswith("2026-11-20 05:43")
    detail = faskes.get(f"/rujukan/{ref_id}")
    assert "20 November 2026 12.43" in detail.text
    printed = faskes.get(f"/rujukan/{ref_id}/cetak")
    assert printed.mimetype == "application/pdf"
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(printed.data)).pages)
    assert "12.43" in pdf_text and "19.43" not in pdf_text
