"""The outgoing and incoming lists page by keyset, newest first: the next page continues where the last one
ended (no row twice, none skipped), on both databases (the cursor holds a UTC instant)."""

import html
import re

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.rujukan.models import Referral
from tests.replay import logged_in

from .conftest import org
from .test_queries import _grow

NEXT = re.compile(r'href="([^"]*setelah=[^"]*)"')
ROW = re.compile(r'href="/rujukan/(\d+)"')


def _walk(client, url: str) -> list[int]:
    ids = []
    while url:
        page = client.get(url).get_data(as_text=True)
        ids += [int(x) for x in ROW.findall(page)]
        found = NEXT.search(page)
        url = html.unescape(found.group(1)) if found else None
    return ids


def test_outgoing_and_incoming_pages_follow_on(app):
    _grow(app, 0, 50)
    with app.app_context():
        pkm, rsud = org("pkm").id, org("rsud").id
        outgoing = db.session.scalars(
            select(Referral.id)
            .where(Referral.origin_id == pkm)
            .order_by(Referral.created_at.desc(), Referral.id.desc())
        ).all()
        incoming = db.session.scalars(
            select(Referral.id)
            .where(Referral.destination_id == rsud, Referral.status != "draf")
            .order_by(Referral.issued_at.desc(), Referral.id.desc())
        ).all()
    assert len(outgoing) > 40 and len(incoming) > 40
    assert _walk(logged_in(app, "faskes.solok"), "/rujukan/") == outgoing
    assert _walk(logged_in(app, "faskes.rsud.sijunjung"), "/rujukan/masuk") == incoming
