"""The kanban at 500 agreements: each stage shows its first cards and "n dari N — lihat semua" to the filtered
list, so the page and its htmx fragment stay within the byte budgets (tests/test_budgets.py) at any size."""

import re

from blueprints.core.extensions import db
from blueprints.pks.settings import DEFAULTS
from tests.conftest import HX
from tests.pks.scale import add_agreements
from tests.replay import logged_in
from tests.test_budgets import FRAGMENT_BUDGET, PAGE_BUDGET, gz


def _board_at_scale(app):
    with app.app_context():
        add_agreements(470, "PKS", seed=3)
        add_agreements(30, "KSB", seed=4)
        db.session.commit()
    return logged_in(app, "kerjasama.solok")


def test_board_at_500_agreements_fits_the_budgets_and_links_to_every_card(app):
    client = _board_at_scale(app)
    for url in ("/pks/papan", "/pks/papan?jenis=PKS&semua=1", "/pks/papan?jenis=KSB"):
        page, fragment = client.get(url), client.get(url, headers=HX)
        assert page.status_code == fragment.status_code == 200
        assert gz(page.data) <= PAGE_BUDGET, f"{url}: page {gz(page.data)} B gz"
        assert gz(fragment.data) <= FRAGMENT_BUDGET, f"{url}: fragment {gz(fragment.data)} B gz"
    html = client.get("/pks/papan").get_data(as_text=True)
    limit = DEFAULTS["PKS_BOARD_CARDS"]
    columns = re.findall(
        r'<section><h2>[^<]+ <small class="muted">(\d+)</small></h2>(.*?)</section>', html, re.S
    )
    assert columns
    for total, body in columns:
        cards = body.count('class="card"')
        assert cards == min(int(total), limit)
        if int(total) > limit:
            assert f"{limit} dari {total} — lihat semua" in body
    # "lihat semua" opens the list filtered to that stage and the board's kinds, holding every card of it
    link = re.search(r'<a href="([^"]+)">\d+ dari (\d+) — lihat semua', html)
    assert link and "tahap=" in link.group(1) and "jenis=ADENDUM" in link.group(1)
    listing = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    kinds = re.findall(r"<tr><td>([A-Z]+)</td>", listing)
    assert len(kinds) == min(20, int(link.group(2))) and set(kinds) <= {"PKS", "ADENDUM", "PERPANJANGAN"}
