"""Domain rules that hold whoever writes the record: an open same-NIK duplicate case blocks approval, Barthel
items are chosen (never preset), one Kepala Keluarga per No. KK, a death needs its date."""
import re

import pytest
from sqlalchemy import func, select

from blueprints.core.extensions import db
from blueprints.sidilan.models import DuplicateCandidate, ElderlyAssessment, Person
from blueprints.sidilan.values import BARTHEL_ITEMS

from .conftest import browser_form, person_by_name, person_id_of
from .test_import import map_and_preview, result_rows, token_of, upload


def _status(app, pid):
    with app.app_context():
        return db.session.get(Person, pid).status_verifikasi


def _act(client, pid, action):
    return client.post(f"/sidilan/orang/{pid}/status", data={"action": action}, follow_redirects=True)


def _case_of(app, pid) -> int:
    with app.app_context():
        return db.session.scalar(select(DuplicateCandidate.id).where(
            DuplicateCandidate.keputusan.is_(None),
            (DuplicateCandidate.person_a_id == pid) | (DuplicateCandidate.person_b_id == pid)))


# ---- Barthel items have no default --------------------------------------------------------------

def _item_group(html: str, field: str) -> str:
    """The fieldset of one Barthel item (legend, options and its messages)."""
    for block in re.findall(r"<fieldset[^>]*>.*?</fieldset>", html, re.S):
        if f'name="{field}"' in block:
            return block
    raise AssertionError(field)


def test_barthel_visit_with_only_a_date_is_refused_at_each_item(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, "Syamsul Bahri")
    url = f"/sidilan/orang/{pid}/asesmen"
    with app.app_context():
        before = db.session.scalar(select(func.count(ElderlyAssessment.id)))
    form = browser_form(client.get(url).get_data(as_text=True), url)
    assert not [k for k in form if k.startswith("barthel_")]  # nothing is preset
    form["tgl_asesmen"] = "2024-08-29"
    r = client.post(url, data=form)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'value="2024-08-29"' in html
    for f, _, _ in BARTHEL_ITEMS:
        assert "Pilih salah satu nilai untuk butir ini." in _item_group(html, f), f
    with app.app_context():
        assert db.session.scalar(select(func.count(ElderlyAssessment.id))) == before  # nothing reaches the dashboard


def test_barthel_items_chosen_are_kept_when_others_are_missing(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, "Syamsul Bahri")
    url = f"/sidilan/orang/{pid}/asesmen"
    r = client.post(url, data={"tgl_asesmen": "2024-08-29", "barthel_makan": "2", "barthel_mandi": "0"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    again = browser_form(html, url)
    assert again["barthel_makan"] == "2" and again["barthel_mandi"] == "0"
    assert "Pilih salah satu" not in _item_group(html, "barthel_makan")
    assert "Pilih salah satu nilai untuk butir ini." in _item_group(html, "barthel_bab")


def test_each_barthel_option_shows_its_meaning(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, "Syamsul Bahri")
    html = client.get(f"/sidilan/orang/{pid}/asesmen").get_data(as_text=True)
    makan = _item_group(html, "barthel_makan")
    for option in ("0 · tidak mampu", "1 · perlu bantuan (mis. memotong makanan)", "2 · mandiri"):
        assert option in makan
    assert "3 · mandiri (boleh dengan tongkat)" in _item_group(html, "barthel_mobilitas")
    for f, _, top in BARTHEL_ITEMS:
        labels = re.findall(rf'<input [^>]*name="{f}"[^>]*> ([^<]+)</label>', html)
        assert [lab.split(" · ")[0] for lab in labels] == [str(i) for i in range(top + 1)], f
        assert all(len(lab.split(" · ")[1]) > 3 for lab in labels), f


def test_configured_maximum_gets_plain_meanings(make_app, auth):
    app = make_app(SIDILAN_BARTHEL_MAXIMA={"barthel_mandi": 2})
    client = app.test_client()
    client.post("/masuk", data={"username": "operator.solok", "password": "sinergi-demo-2024"})
    pid = person_id_of(app, "Syamsul Bahri")
    mandi = _item_group(client.get(f"/sidilan/orang/{pid}/asesmen").get_data(as_text=True), "barthel_mandi")
    assert "0 · tidak mampu" in mandi and "1 · perlu bantuan" in mandi and "2 · mandiri" in mandi


# ---- the demo keeps the rules ---------------------------------------------------------------------

def test_demo_data_keeps_the_rules(app):
    with app.app_context():
        heads = db.session.execute(
            select(Person.regency_id, Person.no_kk, func.count(Person.id))
            .where(Person.hubungan_keluarga == "Kepala Keluarga", Person.no_kk.is_not(None),
                   Person.active.is_(True), Person.merged_into_id.is_(None), Person.status_hidup == "hidup")
            .group_by(Person.regency_id, Person.no_kk)).all()
        assert heads and all(n == 1 for _, _, n in heads)
        assert db.session.scalar(select(func.count(Person.id)).where(
            Person.status_hidup == "meninggal", Person.tgl_meninggal.is_(None))) == 0
        visits = db.session.scalars(select(ElderlyAssessment)).all()
        assert visits
        for a in visits:
            assert a.barthel_total == sum(getattr(a, f) for f, _, _ in BARTHEL_ITEMS)
