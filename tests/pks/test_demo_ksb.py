"""The demo's real KSB of 25 January 2023 carries its two parties, a number in each register (invented, so
marked "(contoh)") and the two Bupati who signed it."""

from blueprints.core.extensions import db
from blueprints.pks.checks import signing_gaps
from blueprints.pks.models import Agreement


def test_the_ksb_shows_its_parties_numbers_and_bupati_signatories(app, solok, ids):
    aid = ids["ksb"]
    page = solok.get(f"/pks/{aid}").get_data(as_text=True)
    assert "25 Januari 2023" in page
    assert "100.3/01/KSB-SLK/I/2023 (contoh)" in page and "100.3/01/KSB-SJJ/I/2023 (contoh)" in page
    parties = solok.get(f"/pks/{aid}/pihak").get_data(as_text=True)
    assert "Epyardi Asda" in parties and "Bupati Solok" in parties
    assert "Benny Dwifa Yuswir" in parties and "Bupati Sijunjung" in parties
    with app.app_context():
        ksb = db.session.get(Agreement, aid)
        assert signing_gaps(ksb) == []  # numbered and signed by both sides
        assert all(s.is_bupati for p in ksb.parties for s in p.signatories)  # no surat kuasa needed
