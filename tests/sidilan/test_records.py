"""Disability (WG-SS flag, ganda) and elderly assessments (Barthel derivation, age >= 60, rows per visit)."""

from datetime import date

import pytest
from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.sidilan.assessments import barthel_category
from blueprints.sidilan.disability import wgss_flag
from blueprints.sidilan.models import Disability, ElderlyAssessment, Person
from blueprints.sidilan.values import BARTHEL_ITEMS

from .conftest import keyed, person_by_name, person_id_of, version_of


@pytest.mark.parametrize(
    "total, category",
    [
        (20, "mandiri"),
        (19, "ringan"),
        (12, "ringan"),
        (11, "sedang"),
        (9, "sedang"),
        (8, "berat"),
        (5, "berat"),
        (4, "total"),
        (0, "total"),
    ],
)
def test_barthel_category_boundaries(total, category):
    assert barthel_category(total) == category


def test_wgss_flag_at_the_cutoff(make_app):
    assert wgss_flag([1, 2, 2, 1, 1, 1], cutoff=3) is False
    assert wgss_flag([1, 2, 3, 1, 1, 1], cutoff=3) is True
    assert wgss_flag([None, 4, None, None, None, None], cutoff=3) is True
    assert wgss_flag([1, 3, 1, 1, 1, 1], cutoff=4) is False
    app = make_app(SIDILAN_WGSS_CUTOFF=2)
    with app.app_context():
        assert wgss_flag([1, 2, 1, 1, 1, 1]) is True


def _new_person(client, person_data, **over):
    r = client.post("/sidilan/orang/baru", data=person_data(**over))
    assert r.status_code == 302, r.get_data(as_text=True)[:300]


def test_disability_form_derives_ganda_and_shows_wg_flag(app, client, auth, person_data):
    auth.login("operator.solok")
    _new_person(client, person_data)
    pid = person_by_name(app, "Marlinda").id
    r = client.post(f"/sidilan/orang/{pid}/disabilitas", data={"derajat": "berat"})
    assert r.status_code == 422 and "Pilih sedikitnya satu ragam disabilitas." in r.get_data(as_text=True)
    r = client.post(
        f"/sidilan/orang/{pid}/disabilitas",
        data={
            "ragam": ["fisik", "sensorik"],
            "jenis_fisik": "paraplegi",
            "jenis_sensorik": "rungu",
            "derajat": "berat",
            "wg_berjalan": "4",
            "wg_mendengar": "2",
            "alat_bantu_dimiliki": ["kursi_roda"],
            "butuh_pendamping": "y",
            "ganda": "n",
        },
    )
    assert r.status_code == 302
    with app.app_context():
        d = db.session.scalar(select(Disability).where(Disability.person_id == pid))
        assert d.ganda is True and d.wg_berjalan == 4 and d.alat_bantu_dimiliki == "kursi_roda"
    html = client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)
    assert "Terindikasi disabilitas" in html and "ganda" in html and "Pengguna kursi roda" in html
    # a single ragam with a combined sub-type is also ganda; WG answers below the cut-off give no flag
    client.post(
        f"/sidilan/orang/{pid}/disabilitas",
        data={
            "ragam": ["sensorik"],
            "jenis_sensorik": "rungu-wicara",
            "wg_mendengar": "2",
            "version": version_of(app, Disability, d.id),
        },
    )
    with app.app_context():
        d = db.session.scalar(select(Disability).where(Disability.person_id == pid))
        assert d.ganda is True and d.ragam_fisik is False
    assert "Tidak terindikasi" in client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)
    bad = client.post(
        f"/sidilan/orang/{pid}/disabilitas",
        data={"ragam": ["fisik"], "wg_melihat": "7", "version": version_of(app, Disability, d.id)},
    )
    assert bad.status_code == 422 and "Pilihan tidak sah." in bad.get_data(as_text=True)


def _items(**over):
    """Every Barthel item at its maximum, and the fresh submission key of a newly opened form."""
    data = {f: str(m) for f, _, m in BARTHEL_ITEMS}
    data.update(over)
    return keyed(data)


def test_barthel_total_derived_never_typed_and_rows_kept(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, "Syamsul Bahri", "13.02")
    with app.app_context():
        before = db.session.scalar(
            select(db.func.count(ElderlyAssessment.id)).where(ElderlyAssessment.person_id == pid)
        )
    r = client.post(
        f"/sidilan/orang/{pid}/asesmen",
        data={
            "tgl_asesmen": "2024-08-29",
            **_items(barthel_berpindah="0", barthel_mobilitas="1", barthel_mandi="0", barthel_tangga="0"),
            "barthel_total": "20",
            "barthel_kategori": "mandiri",
        },
    )
    assert r.status_code == 302
    r = client.post(f"/sidilan/orang/{pid}/asesmen", data={"tgl_asesmen": "2024-09-30", **_items()})
    assert r.status_code == 302
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(ElderlyAssessment)
                .where(ElderlyAssessment.person_id == pid)
                .order_by(ElderlyAssessment.tgl_asesmen)
            )
        )
        assert len(rows) == before + 2
        first = next(a for a in rows if a.tgl_asesmen == date(2024, 8, 29))
        assert (first.barthel_total, first.barthel_kategori) == (20 - 3 - 2 - 1 - 2, "ringan")
        second = next(a for a in rows if a.tgl_asesmen == date(2024, 9, 30))
        assert second.barthel_total == 20 and second.barthel_kategori == "mandiri"
    html = client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)
    assert "29 Agustus 2024" in html and "Ketergantungan ringan" in html
    over = client.post(
        f"/sidilan/orang/{pid}/asesmen", data={"tgl_asesmen": "2024-09-30", **_items(barthel_mandi="3")}
    )
    assert over.status_code == 422 and "Pilihan tidak sah." in over.get_data(as_text=True)


def test_age_59_refused_60_accepted_on_assessment_date(app, client, auth, person_data):
    auth.login("operator.solok")
    _new_person(
        client,
        person_data,
        nama_lengkap="Hampir Lansia",
        nik="1302180208640001",
        jenis_kelamin="L",
        tanggal_lahir="1964-08-02",
    )
    pid = person_by_name(app, "Hampir Lansia").id
    r = client.post(f"/sidilan/orang/{pid}/asesmen", data={"tgl_asesmen": "2024-08-01", **_items()})
    html = r.get_data(as_text=True)
    assert (
        r.status_code == 422 and "Usia pada tanggal asesmen 59 tahun" in html and 'value="2024-08-01"' in html
    )
    r = client.post(f"/sidilan/orang/{pid}/asesmen", data={"tgl_asesmen": "2024-08-02", **_items()})
    assert r.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(ElderlyAssessment).where(ElderlyAssessment.person_id == pid))
        assert row.usia == 60


def test_assessment_bad_input(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, "Syamsul Bahri", "13.02")
    for value in ("", "2024-02-31", "2999-01-01", "<script>x</script>"):
        r = client.post(
            f"/sidilan/orang/{pid}/asesmen",
            data={"tgl_asesmen": value, "penyakit_kronis": "y" * 10_000, **_items()},
        )
        assert r.status_code == 422
        assert "<script>x" not in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Person, pid) is not None


def test_unknown_checkbox_values_get_indonesian_message(app, client, auth, person_data):
    auth.login("operator.solok")
    _new_person(client, person_data)
    pid = person_by_name(app, "Marlinda").id
    r = client.post(f"/sidilan/orang/{pid}/disabilitas", data={"ragam": ["fisik", "<b>x</b>"]})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Pilihan tidak sah: &#39;&lt;b&gt;x&lt;/b&gt;&#39;." in html
    r = client.post("/sidilan/orang/baru", data=person_data(tags=["terlantar", "palsu"], jenis_kelamin="X"))
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Pilihan tidak sah" in html and "not a valid" not in html
