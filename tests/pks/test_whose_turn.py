"""'Menunggu siapa' moves with the stage (a default per stage, configurable) and says what is awaited."""

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.pks.models import Agreement, Event, Party
from tests.clock import TODAY

from .conftest import regency_id, version_of


def _pks(app, ids, tahap="diusulkan"):
    solok, sijunjung = regency_id(app, "13.02"), regency_id(app, "13.03")
    with app.app_context():
        a = Agreement(
            jenis="PKS",
            parent_id=ids["ksb"],
            judul="PKS Pengembangan SDM Aparatur",
            tahap=tahap,
            tahap_sejak=TODAY,
            dprd_perlu=False,
            pemrakarsa_regency_id=solok,
            rujukan_rpjmd="RPJMD 2021-2026",
        )
        db.session.add(a)
        db.session.flush()
        db.session.add_all(
            [
                Party(agreement_id=a.id, regency_id=solok, opd="BKPSDM", urutan=1),
                Party(agreement_id=a.id, regency_id=sijunjung, opd="BKPSDM", urutan=2),
            ]
        )
        db.session.commit()
        return a.id


def _move(client, aid, dari, to):
    r = client.post(f"/pks/{aid}/tahap", data={"t-dari": dari, "t-to": to}, follow_redirects=True)
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_the_turn_moves_with_each_stage_and_says_what_is_awaited(app, solok, ids):
    aid = _pks(app, ids)
    assert "menunggu tanggapan draf naskah Kab. Sijunjung" in _move(solok, aid, "diusulkan", "penyusunan")
    assert "menunggu paraf Bagian Hukum Solok" in _move(solok, aid, "penyusunan", "review_hukum")
    assert "menunggu tanda tangan pimpinan" in _move(solok, aid, "review_hukum", "siap_ttd")
    with app.app_context():
        a = db.session.get(Agreement, aid)
        logged = db.session.scalars(
            select(Event.reason).where(Event.agreement_id == aid, Event.kind == "menunggu").order_by(Event.id)
        ).all()
        assert logged == [
            "menunggu tanggapan draf naskah Kab. Sijunjung",
            "menunggu paraf Bagian Hukum Solok",
            "menunggu tanda tangan pimpinan",
        ]
        assert (a.menunggu, a.menunggu_apa, a.menunggu_sejak) == ("pimpinan", "tanda tangan", TODAY)


def test_the_default_per_stage_is_configurable(app, solok, ids):
    app.config["PKS_MENUNGGU_TAHAP"] = {"penyusunan": ("pemrakarsa", "penyusunan draf pertama")}
    aid = _pks(app, ids)
    assert "menunggu penyusunan draf pertama Kab. Solok" in _move(solok, aid, "diusulkan", "penyusunan")
    page = _move(solok, aid, "penyusunan", "review_hukum")  # not listed: the turn stays as it was
    assert "menunggu penyusunan draf pertama Kab. Solok" in page


def test_set_by_hand_with_what_is_awaited(app, solok, ids):
    aid = _pks(app, ids, "penyusunan")
    r = solok.post(
        f"/pks/{aid}/menunggu",
        data={
            "version": version_of(app, Agreement, aid),
            "w-menunggu": "",
            "w-opd": "Dinas Sosial Kabupaten Sijunjung",
            "w-apa": "data penerima manfaat",
        },
        follow_redirects=True,
    )
    assert "menunggu data penerima manfaat Dinas Sosial Kabupaten Sijunjung" in r.get_data(as_text=True)
    stage = solok.get(f"/pks/{aid}/tahap").get_data(as_text=True)
    assert 'value="data penerima manfaat"' in stage  # the form shows what is stored


def test_signing_stages_clear_the_turn(app, solok, ids):
    aid = _pks(app, ids, "pelaksanaan")
    with app.app_context():
        a = db.session.get(Agreement, aid)
        a.menunggu, a.menunggu_apa, a.menunggu_sejak = "dprd", "persetujuan", TODAY
        a.tgl_ttd = TODAY
        db.session.commit()
    _move(solok, aid, "pelaksanaan", "evaluasi")
    with app.app_context():
        a = db.session.get(Agreement, aid)
        assert (a.menunggu, a.menunggu_apa, a.menunggu_sejak) == ("", "", None)
