"""Area coverage used by Rujukan: PKS 2 covers Jorong Tigo Jangko."""

from datetime import date

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.pks.demo import PKS2_TITLE
from blueprints.pks.public import covering_agreements
from blueprints.wilayah.models import Jorong

NAGARI = "13.02.18.2004"


def _jorong_id():
    return db.session.scalar(
        select(Jorong.id).where(Jorong.nagari_code == NAGARI, Jorong.name == "Tigo Jangko")
    )


def test_pks2_covers_tigo_jangko_but_is_not_in_force_before_signing(app):
    with app.app_context():
        found = covering_agreements(NAGARI, _jorong_id(), date(2024, 9, 1))
        assert [c.title for c in found] == [PKS2_TITLE]
        cov = found[0]
        assert cov.signed is False and cov.in_force is False
        assert cov.status_berlaku == "belum_berlaku" and cov.status_label == "Belum berlaku"
        assert len(cov.other_regency_ids) == 1


def test_whole_nagari_query_does_not_match_a_jorong_only_agreement(app):
    with app.app_context():
        assert covering_agreements(NAGARI, None, date(2024, 9, 1)) == []
        assert covering_agreements("13.02.18.2001", None, date(2024, 9, 1)) == []
