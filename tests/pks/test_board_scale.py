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
        cards = len(re.findall(r'class="card[ "]', body))
        assert cards == min(int(total), limit)
        if int(total) > limit:
            assert f"{limit} dari {total} — lihat semua" in body
    # "lihat semua" opens the list filtered to that stage and the board's kinds, holding every card of it
    link = re.search(r'<a href="([^"]+)">\d+ dari (\d+) — lihat semua', html)
    assert link and "tahap=" in link.group(1) and "jenis=ADENDUM" in link.group(1)
    listing = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    kinds = re.findall(r"<tr><td>([A-Z]+)</td>", listing)
    assert len(kinds) == min(20, int(link.group(2))) and set(kinds) <= {"PKS", "ADENDUM", "PERPANJANGAN"}


def _dashboard_at_scale(app):
    """500 agreements, 300 of them signed PKS ending within three weeks (300 expiry reminders)."""
    from datetime import timedelta

    from sqlalchemy import update

    from blueprints.core.timeutil import today_local
    from blueprints.pks.models import Agreement

    with app.app_context():
        today = today_local()
        signed = add_agreements(300, "PKS", seed=5)
        add_agreements(170, "PKS", seed=6)
        add_agreements(30, "KSB", seed=7)
        db.session.execute(
            update(Agreement)
            .where(Agreement.id.in_(signed))
            .values(
                tahap="pelaksanaan",
                tgl_ttd=today - timedelta(days=300),
                tgl_mulai=today - timedelta(days=300),
                tgl_berakhir=today + timedelta(days=20),
            )
        )
        db.session.commit()
    return logged_in(app, "kerjasama.solok")


def test_dashboard_at_500_agreements_caps_each_list_and_links_to_it_in_full(app):
    from blueprints.pks.home import DASHBOARD_ROWS

    client = _dashboard_at_scale(app)
    page = client.get("/pks/")
    assert page.status_code == 200 and gz(page.data) <= PAGE_BUDGET, f"/pks/: {gz(page.data)} B gz"
    html = page.get_data(as_text=True)
    more = dict(re.findall(r'<a href="(/pks/perhatian/\w+)">\d+ dari (\d+) — lihat semua</a>', html))
    assert "/pks/perhatian/reminders" in more and int(more["/pks/perhatian/reminders"]) >= 300
    assert f"{DASHBOARD_ROWS} dari {more['/pks/perhatian/reminders']} — lihat semua" in html
    for url, total in more.items():
        seen, n = 0, 1
        while True:
            full = client.get(f"{url}?hal={n}")
            assert full.status_code == 200 and gz(full.data) <= PAGE_BUDGET, f"{url}?hal={n}"
            rows = full.get_data(as_text=True).count("<li>") + full.get_data(as_text=True).count("<tr><td>")
            seen += rows
            if "Berikutnya" not in full.get_data(as_text=True):
                break
            n += 1
        assert seen == int(total), url  # page by page, the full list holds every row
    assert client.get("/pks/perhatian/lain").status_code == 404


def test_other_lists_at_500_agreements_fit_the_page_budget(app):
    from sqlalchemy import select

    from blueprints.pks.models import Meeting

    client = _dashboard_at_scale(app)
    with app.app_context():
        meeting = db.session.scalar(select(Meeting.id).order_by(Meeting.id))
    for url in ("/pks/cakupan", "/pks/laporan", "/pks/menunggu", "/", f"/pks/rapat/{meeting}"):
        page = client.get(url)
        assert page.status_code == 200 and gz(page.data) <= PAGE_BUDGET, f"{url}: {gz(page.data)} B gz"
