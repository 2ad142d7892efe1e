"""'Menunggu siapa' moves with the stage (a default per stage, configurable) and says what is awaited."""

from datetime import timedelta

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.pks.models import Agreement, Event, Party
from tests.clock import TODAY

from .conftest import key, regency_id, version_of


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


def _with_outside_partner_only(app, ids):
    """A PKS of Solok with a university as its only partner (no other app regency)."""
    aid = _pks(app, ids)
    with app.app_context():
        other = db.session.scalar(
            select(Party).where(Party.agreement_id == aid, Party.regency_id != regency_id(app, "13.02"))
        )
        other.regency_id, other.mitra_nama, other.mitra_jenis, other.opd = (
            None,
            "Universitas Andalas",
            "universitas",
            "",
        )
        db.session.commit()
    return aid


def _turn(app, aid):
    with app.app_context():
        a = db.session.get(Agreement, aid)
        return a.menunggu, a.menunggu_apa


def test_with_only_an_outside_partner_the_turn_is_that_partner_not_the_previous_stage(app, solok, ids):
    aid = _with_outside_partner_only(app, ids)
    assert "menunggu tanggapan draf naskah Universitas Andalas" in _move(
        solok, aid, "diusulkan", "penyusunan"
    )
    assert "menunggu paraf Bagian Hukum Solok" in _move(solok, aid, "penyusunan", "review_hukum")
    r = solok.post(
        f"/pks/{aid}/tahap",
        data={"t-dari": "review_hukum", "t-to": "penyusunan", "t-reason": "Pasal pembiayaan diubah"},
        follow_redirects=True,
    )
    assert "menunggu tanggapan draf naskah Universitas Andalas" in r.get_data(as_text=True)
    assert _turn(app, aid) == ("opd:Universitas Andalas", "tanggapan draf naskah")


def test_with_no_partner_recorded_the_partners_stage_clears_the_turn(app, solok, ids):
    aid = _pks(app, ids, "review_hukum")
    with app.app_context():
        db.session.delete(
            db.session.scalar(
                select(Party).where(Party.agreement_id == aid, Party.regency_id != regency_id(app, "13.02"))
            )
        )
        a = db.session.get(Agreement, aid)
        a.menunggu, a.menunggu_apa, a.menunggu_sejak = "opd:Bagian Hukum Solok", "paraf", TODAY
        db.session.commit()
    r = solok.post(
        f"/pks/{aid}/tahap",
        data={"t-dari": "review_hukum", "t-to": "penyusunan", "t-reason": "Pasal pembiayaan diubah"},
        follow_redirects=True,
    )
    assert "menunggu paraf Bagian Hukum Solok" not in r.get_data(as_text=True)
    assert _turn(app, aid) == ("", "")


def test_an_agreement_registered_at_a_stage_waits_as_a_move_to_it_would(app, solok, ids):
    began = TODAY - timedelta(days=12)
    r = solok.post(
        "/pks/baru",
        data={
            **key(),
            "jenis": "PKS",
            "parent_id": str(ids["ksb"]),
            "judul": "PKS Pariwisata dicatat susulan",
            "dprd_perlu": "tidak",
            "tahap": "review_hukum",
            "tahap_sejak": began.isoformat(),
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    page = solok.get(r.headers["Location"]).get_data(as_text=True)
    assert "menunggu paraf Bagian Hukum Solok" in page
    with app.app_context():
        a = db.session.scalar(select(Agreement).where(Agreement.judul == "PKS Pariwisata dicatat susulan"))
        assert (a.menunggu, a.menunggu_apa, a.menunggu_sejak) == ("opd:Bagian Hukum Solok", "paraf", began)
        logged = db.session.scalars(
            select(Event).where(Event.agreement_id == a.id, Event.kind == "menunggu")
        ).all()
        assert [(e.reason, e.on_date) for e in logged] == [("menunggu paraf Bagian Hukum Solok", began)]
