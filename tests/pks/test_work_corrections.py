"""An officer corrects what was recorded of an agreement's implementation: an activity, an obligation, a
report or an evaluation is edited on the version it was shown at (every changed field in the history) or
deleted with a reason (the history and the audit log keep what it said); a report entered without its
submission date is marked submitted later."""

from datetime import timedelta

from sqlalchemy import select

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal
from blueprints.pks.models import Activity, Evaluation, Obligation, Report
from tests.clock import TODAY
from tests.replay import logged_in

from .conftest import key, version_of


def _add(client, aid, section, prefix, **fields):
    data = {**key(prefix), "bagian": section, **{f"{prefix}-{k}": v for k, v in fields.items()}}
    r = client.post(f"/pks/{aid}/pelaksanaan", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]


def _only(app, model, aid):
    with app.app_context():
        return db.session.scalar(select(model.id).where(model.agreement_id == aid).order_by(model.id.desc()))


def _history(client, aid) -> str:
    return client.get(f"/pks/{aid}").get_data(as_text=True)


def test_a_report_entered_without_a_date_is_marked_submitted_later(app, solok, ids):
    aid = ids["ksb"]
    _add(solok, aid, "laporan", "r", periode="Semester I 2025", kepada="")
    page = solok.get(f"/pks/{aid}/pelaksanaan").get_data(as_text=True)
    assert "Semester I 2025" in page and "tandai disampaikan" in page
    rid = _only(app, Report, aid)
    day = TODAY - timedelta(days=3)
    r = solok.post(
        f"/pks/{aid}/laporan/{rid}/disampaikan",
        data={"version": version_of(app, Report, rid), "disampaikan_pada": day.isoformat()},
    )
    assert r.status_code == 302
    page = solok.get(r.headers["Location"]).get_data(as_text=True)
    assert "Laporan ditandai sudah disampaikan." in page and tanggal(day) in page
    assert "tandai disampaikan" not in page
    assert f"Laporan #{rid} (Semester I 2025) disampaikan: belum → {tanggal(day)}" in _history(solok, aid)


def test_a_submission_date_in_the_future_or_empty_is_refused(app, solok, ids):
    aid = ids["ksb"]
    _add(solok, aid, "laporan", "r", periode="Triwulan III 2025")
    rid = _only(app, Report, aid)
    v = version_of(app, Report, rid)
    ahead = solok.post(
        f"/pks/{aid}/laporan/{rid}/disampaikan",
        data={"version": v, "disampaikan_pada": (TODAY + timedelta(days=1)).isoformat()},
    )
    assert ahead.status_code == 422 and "Tanggal tidak boleh melewati hari ini." in ahead.get_data(
        as_text=True
    )
    empty = solok.post(f"/pks/{aid}/laporan/{rid}/disampaikan", data={"version": v, "disampaikan_pada": ""})
    assert empty.status_code == 422 and "Tanggal penyampaian wajib diisi." in empty.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Report, rid).disampaikan_pada is None


def test_an_activity_is_corrected_and_the_history_names_each_change(app, solok, ids):
    aid = ids["ksb"]
    day = TODAY - timedelta(days=10)
    _add(
        solok,
        aid,
        "kegiatan",
        "k",
        tanggal=day.isoformat(),
        jenis="Rapat koordinsi",
        peserta="12",
        status="direncanakan",
    )
    kid = _only(app, Activity, aid)
    form = solok.get(f"/pks/{aid}/pelaksanaan/kegiatan/{kid}").get_data(as_text=True)
    assert 'value="Rapat koordinsi"' in form and "Hapus kegiatan" in form
    r = solok.post(
        f"/pks/{aid}/pelaksanaan/kegiatan/{kid}",
        data={
            "version": version_of(app, Activity, kid),
            "tanggal": day.isoformat(),
            "jenis": "Rapat koordinasi",
            "peserta": "15",
            "status": "selesai",
        },
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/pks/{aid}/pelaksanaan")
    page = solok.get(r.headers["Location"]).get_data(as_text=True)
    assert "Kegiatan diperbarui." in page and "Rapat koordinasi" in page and "koordinsi" not in page
    story = _history(solok, aid)
    assert "Kegiatan: Rapat koordinsi → Rapat koordinasi" in story
    assert "Jumlah peserta: 12 → 15" in story
    with app.app_context():
        ev = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "update").order_by(AuditEvent.id.desc())
        )
        assert ev.object_type == "pks_activity" and "Jumlah peserta: 12 → 15" in ev.summary


def test_an_edit_on_an_old_version_gets_the_conflict_page(app, solok, sijunjung, ids):
    aid = ids["ksb"]
    _add(solok, aid, "kewajiban", "o", text="Menyediakan ruang rapat", status="belum")
    oid = _only(app, Obligation, aid)
    v = version_of(app, Obligation, oid)
    first = sijunjung.post(
        f"/pks/{aid}/pelaksanaan/kewajiban/{oid}",
        data={
            "version": v,
            "party_id": "0",
            "text": "Menyediakan ruang rapat dan konsumsi",
            "status": "belum",
        },
    )
    assert first.status_code == 302
    late = solok.post(
        f"/pks/{aid}/pelaksanaan/kewajiban/{oid}",
        data={"version": v, "party_id": "0", "text": "Menyediakan aula", "status": "belum"},
    )
    body = late.get_data(as_text=True)
    assert (
        late.status_code == 409
        and "Menyediakan ruang rapat dan konsumsi" in body
        and "Menyediakan aula" in body
    )
    with app.app_context():
        assert db.session.get(Obligation, oid).text == "Menyediakan ruang rapat dan konsumsi"


def test_an_invalid_correction_keeps_what_was_typed(app, solok, ids):
    aid = ids["ksb"]
    _add(
        solok,
        aid,
        "evaluasi",
        "e",
        tanggal=TODAY.isoformat(),
        temuan="Jadwal bergeser",
        rekomendasi="dilanjutkan",
    )
    eid = _only(app, Evaluation, aid)
    r = solok.post(
        f"/pks/{aid}/pelaksanaan/evaluasi/{eid}",
        data={
            "version": version_of(app, Evaluation, eid),
            "tanggal": "",
            "temuan": "Jadwal mundur dua bulan",
        },
    )
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "Tanggal wajib diisi." in body and "Jadwal mundur dua bulan" in body
    with app.app_context():
        assert db.session.get(Evaluation, eid).temuan == "Jadwal bergeser"


def test_each_record_is_deleted_only_with_a_reason_kept_in_the_history(app, solok, ids):
    aid = ids["ksb"]
    _add(
        solok,
        aid,
        "kegiatan",
        "k",
        tanggal=TODAY.isoformat(),
        jenis="Uji format kegiatan",
        status="direncanakan",
    )
    _add(solok, aid, "kewajiban", "o", text="Uji format kewajiban", status="belum")
    _add(solok, aid, "laporan", "r", periode="Uji format laporan")
    _add(
        solok,
        aid,
        "evaluasi",
        "e",
        tanggal=TODAY.isoformat(),
        temuan="Uji format evaluasi",
        rekomendasi="dilanjutkan",
    )
    for section, model, noun in (
        ("kegiatan", Activity, "Kegiatan"),
        ("kewajiban", Obligation, "Kewajiban"),
        ("laporan", Report, "Laporan"),
        ("evaluasi", Evaluation, "Evaluasi"),
    ):
        rid = _only(app, model, aid)
        url = f"/pks/{aid}/pelaksanaan/{section}/{rid}/hapus"
        v = version_of(app, model, rid)
        bare = solok.post(url, data={"version": v, "alasan": ""})
        assert bare.status_code == 422 and "Tulis alasan penghapusan." in bare.get_data(as_text=True), section
        r = solok.post(url, data={"version": v, "alasan": "salah ketik, entri uji"})
        assert r.status_code == 302, section
        assert f"{noun} dihapus." in solok.get(r.headers["Location"]).get_data(as_text=True)
        with app.app_context():
            assert db.session.get(model, rid) is None
            ev = db.session.scalar(
                select(AuditEvent).where(
                    AuditEvent.action == "delete",
                    AuditEvent.object_type == model.__tablename__,
                    AuditEvent.object_id == str(rid),
                )
            )
            assert ev is not None and "salah ketik" in ev.summary
        assert f"{noun} #{rid} (" in _history(solok, aid)
    page = solok.get(f"/pks/{aid}/pelaksanaan").get_data(as_text=True)
    assert "Uji format" not in page
    story = _history(solok, aid)
    assert "Uji format kewajiban) dihapus: salah ketik, entri uji" in story


def test_corrections_stay_in_scope_and_read_only_roles_cannot_make_them(app, solok, ids):
    aid = ids["ksb"]
    _add(solok, aid, "kegiatan", "k", tanggal=TODAY.isoformat(), jenis="Sosialisasi", status="direncanakan")
    kid = _only(app, Activity, aid)
    assert (
        solok.get(f"/pks/{ids['pks1']}/pelaksanaan/kegiatan/{kid}").status_code == 404
    )  # another agreement's
    assert solok.get(f"/pks/{aid}/pelaksanaan/lain/{kid}").status_code == 404
    assert solok.get(f"/pks/{aid}/pelaksanaan/kegiatan/999999").status_code == 404
    client = logged_in(app, "pimpinan.solok")
    assert "ubah/hapus" not in client.get(f"/pks/{aid}/pelaksanaan").get_data(as_text=True)
    assert client.get(f"/pks/{aid}/pelaksanaan/kegiatan/{kid}").status_code == 404
    r = client.post(f"/pks/{aid}/pelaksanaan/kegiatan/{kid}/hapus", data={"version": "1", "alasan": "coba"})
    assert r.status_code == 404


def test_the_correction_page_is_small(app, solok, ids):
    import gzip

    aid = ids["ksb"]
    _add(solok, aid, "kewajiban", "o", text="Menyampaikan laporan semester", status="belum")
    oid = _only(app, Obligation, aid)
    r = solok.get(f"/pks/{aid}/pelaksanaan/kewajiban/{oid}")
    assert r.status_code == 200 and "Hapus kewajiban" in r.get_data(as_text=True)
    assert len(gzip.compress(r.data)) <= 4_000
