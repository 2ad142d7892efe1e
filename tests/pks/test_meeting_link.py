"""The meeting page's "Kesepakatan lain yang dibahas": it offers the meeting's KSB family, a search finds any
other agreement the user can see, and at most LINK_OFFERS options are listed (the page stays small at 500)."""

import re

from sqlalchemy import func, select, update

from blueprints.core.extensions import db
from blueprints.core.forms import new_submission_key
from blueprints.pks.minutes import LINK_OFFERS
from blueprints.pks.models import Agreement, Meeting, Party
from tests.pks.scale import add_agreements


def _meeting_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Meeting.id).order_by(Meeting.id))


def _offered(page: str) -> list[int]:
    select_html = (
        page[page.index('name="agreement_id"') :].split("</select>")[0]
        if 'name="agreement_id"' in page
        else ""
    )
    return [int(v) for v in re.findall(r'<option value="(\d+)"', select_html)]


def _other_ksb(app, judul: str, regency_code: str) -> int:
    with app.app_context():
        (aid,) = add_agreements(1, "KSB", seed=9)
        db.session.execute(update(Agreement).where(Agreement.id == aid).values(judul=judul, tahap="draf"))
        if regency_code:
            regency_ids = {
                r: i
                for r, i in db.session.execute(
                    select(Party.regency_id, Party.id).where(Party.agreement_id == aid)
                )
            }
            keep = next(i for r, i in regency_ids.items() if r == _regency(regency_code))
            db.session.execute(Party.__table__.delete().where(Party.agreement_id == aid, Party.id != keep))
        db.session.commit()
        return aid


def _regency(code: str) -> int:
    from blueprints.auth.models import Regency

    return db.session.scalar(select(Regency.id).where(Regency.code == code))


def test_offers_the_ksb_family_and_a_search_finds_the_rest(app, ids, solok):
    mid = _meeting_id(app)
    tourism = _other_ksb(app, "Kerja sama promosi pariwisata danau kembar", "")
    theirs = _other_ksb(app, "Kerja sama pariwisata khusus Sijunjung", "13.03")
    page = solok.get(f"/pks/rapat/{mid}").get_data(as_text=True)
    assert _offered(page) == [ids["ksb"]]  # the KSB of the PKS the meeting discusses, not an unrelated one

    found = solok.get(f"/pks/rapat/{mid}?cari=PARIWISATA").get_data(as_text=True)
    assert _offered(found) == [tourism]  # any case; another regency's agreement is never offered
    assert theirs not in _offered(found)
    assert _offered(solok.get(f"/pks/rapat/{mid}?cari={tourism}").get_data(as_text=True)) == [tourism]
    nothing = solok.get(f"/pks/rapat/{mid}?cari=100%25_x").get_data(as_text=True)
    assert _offered(nothing) == [] and "Tidak ada kesepakatan lain yang cocok" in nothing

    r = solok.post(
        f"/pks/rapat/{mid}/kesepakatan",
        data={"submission_key": new_submission_key(), "agreement_id": tourism},
    )
    assert r.status_code == 302
    with app.app_context():
        assert tourism in [a.id for a in db.session.get(Meeting, mid).agreements]
    refused = solok.post(
        f"/pks/rapat/{mid}/kesepakatan", data={"submission_key": new_submission_key(), "agreement_id": theirs}
    )
    assert refused.status_code == 422
    with app.app_context():
        assert theirs not in [a.id for a in db.session.get(Meeting, mid).agreements]


def test_lists_at_most_the_limit_and_says_so(app, ids, solok):
    mid = _meeting_id(app)
    with app.app_context():
        add_agreements(LINK_OFFERS + 10, "PKS", seed=2, parent_id=ids["ksb"])
        db.session.commit()
        open_siblings = db.session.scalar(
            select(func.count()).where(Agreement.parent_id == ids["ksb"], Agreement.tahap != "dibatalkan")
        )
    assert open_siblings - 2 > LINK_OFFERS  # the two the meeting discusses are not offered again
    page = solok.get(f"/pks/rapat/{mid}").get_data(as_text=True)
    assert len(_offered(page)) == LINK_OFFERS
    assert f"Hanya {LINK_OFFERS} pertama yang ditampilkan" in page


def test_a_search_or_choice_no_id_can_hold_is_answered_not_an_error(app, ids, solok):
    mid = _meeting_id(app)
    for cari in ("99999999999999999999", "²", "١٢"):
        r = solok.get(f"/pks/rapat/{mid}", query_string={"cari": cari})
        assert r.status_code == 200 and "Tidak ada kesepakatan lain yang cocok" in r.get_data(as_text=True)
    for chosen in ("99999999999999999999", "²"):
        r = solok.post(
            f"/pks/rapat/{mid}/kesepakatan",
            data={"submission_key": new_submission_key(), "agreement_id": chosen},
        )
        assert r.status_code == 422


def test_a_joint_meeting_names_only_the_agreements_the_reader_may_see(app, solok):
    """A joint meeting also discussed a Sijunjung-only agreement with a university: Solok's officer sees the
    meeting, but that agreement only as a count, on the page, in the upload choice and in the printed pack."""
    import subprocess

    from tests.pks.conftest import regency_id

    with app.app_context():
        a = Agreement(jenis="PKS", judul="RAHASIA Sijunjung dengan Universitas Andalas", tahap="penyusunan")
        db.session.add(a)
        db.session.flush()
        db.session.add(Party(agreement_id=a.id, regency_id=regency_id(app, "13.03"), urutan=1))
        m = db.session.scalar(select(Meeting).order_by(Meeting.id))
        m.agreements.append(a)
        db.session.commit()
        mid, aid = m.id, a.id
    page = solok.get(f"/pks/rapat/{mid}").get_data(as_text=True)
    assert "RAHASIA" not in page and f'/pks/{aid}"' not in page
    assert "dan 1 kesepakatan lain yang bukan wewenang daerah Anda" in page
    assert solok.get(f"/pks/{aid}").status_code == 404
    pdf = solok.get(f"/pks/rapat/{mid}/paket.pdf").data
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "RAHASIA" not in text and "kesepakatan lain" in text
