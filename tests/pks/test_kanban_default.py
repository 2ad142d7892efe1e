"""The kanban by default: only the stages that hold an agreement, a plain link to show every stage, and on each
card its signing target, with no lateness while the target is still ahead (a passed target:
tests/pks/test_pages.py, test_kanban_cards_show_age_target_and_lateness)."""

import re
from html import unescape

from blueprints.core.extensions import db
from blueprints.pks.models import Agreement, Party

from .conftest import key, regency_id


def _columns(html: str) -> list[str]:
    return re.findall(r"<section><h2>([^<]+?) <small", html)


def _card(html: str, title: str) -> str:
    return next(c for c in html.split('<div class="card') if title in c)


def test_a_new_stage_column_appears_with_its_card_and_every_stage_is_one_plain_link_away(app, solok, ids):
    before = solok.get("/pks/papan").text
    assert "Diusulkan" not in _columns(before)
    with app.app_context():
        a = Agreement(jenis="PKS", parent_id=ids["ksb"], judul="PKS Pariwisata Danau", tahap="diusulkan")
        db.session.add(a)
        db.session.flush()
        db.session.add(Party(agreement_id=a.id, regency_id=regency_id(app, "13.02"), opd="Dinas Pariwisata"))
        db.session.commit()
        aid = a.id
    page = solok.get("/pks/papan").text
    assert "Diusulkan" in _columns(page) and len(_columns(page)) == len(_columns(before)) + 1
    link = re.search(r'<a href="([^"]+)">Tampilkan semua tahap', page).group(1)
    every = solok.get(unescape(link)).text
    assert len(_columns(every)) > len(_columns(page)) and "Sembunyikan" in every

    # a target still ahead: shown on the card, no lateness
    r = solok.post(f"/pks/{aid}/target", data={**key("g"), "g-target": "Desember 2030"})
    assert r.status_code == 302
    card = _card(solok.get("/pks/papan").text, "PKS Pariwisata Danau")
    assert card.startswith('">') and "target Desember 2030" in card and "lewat" not in card


def test_a_cancelled_or_ended_card_is_not_flagged_late_as_the_reminders_agree(app, solok, ids):
    from datetime import timedelta

    from blueprints.pks.reminders import _target_reminder
    from tests.clock import TODAY

    past = TODAY - timedelta(days=40)
    made = {}
    with app.app_context():
        for title, tahap in (
            ("PKS Batal Pariwisata", "dibatalkan"),
            ("PKS Berakhir Pariwisata", "berakhir"),
            ("PKS Terbuka Pariwisata", "penyusunan"),
        ):
            a = Agreement(
                jenis="PKS",
                parent_id=ids["ksb"],
                judul=title,
                tahap=tahap,
                tahap_sejak=past,
                target_mulai=past - timedelta(days=6),
                target_selesai=past,
                target_presisi="minggu",
            )
            db.session.add(a)
            db.session.flush()
            db.session.add(
                Party(agreement_id=a.id, regency_id=regency_id(app, "13.02"), opd="Dinas Pariwisata")
            )
            made[title] = a.id
        db.session.commit()
        assert [_target_reminder(db.session.get(Agreement, made[t]), TODAY) is not None for t in made] == [
            False,
            False,
            True,
        ]
    page = solok.get("/pks/papan", query_string={"semua": 1}).text
    assert "lewat" not in _card(page, "PKS Batal Pariwisata")
    assert "lewat" not in _card(page, "PKS Berakhir Pariwisata")
    open_card = _card(page, "PKS Terbuka Pariwisata")
    assert open_card.startswith(' late">') and "<b>lewat 40 hari</b>" in open_card
