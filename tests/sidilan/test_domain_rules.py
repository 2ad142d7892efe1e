"""Domain rules that hold whoever writes the record: an open same-NIK duplicate case blocks approval, Barthel
items are chosen (never preset), one Kepala Keluarga per No. KK, a death needs its date."""

import re

import pytest
from sqlalchemy import func, select

from blueprints.core.extensions import db
from blueprints.sidilan.models import DuplicateCandidate, ElderlyAssessment, Person
from blueprints.sidilan.values import BARTHEL_ITEMS

from .conftest import browser_form, keyed, person_by_name, person_id_of, version_of
from .test_import import map_and_preview, result_rows, run, token_of, upload


def _status(app, pid):
    with app.app_context():
        return db.session.get(Person, pid).status_verifikasi


def _act(client, pid, action):
    return client.post(f"/sidilan/orang/{pid}/status", data={"action": action}, follow_redirects=True)


def _case_of(app, pid) -> int:
    with app.app_context():
        return db.session.scalar(
            select(DuplicateCandidate.id).where(
                DuplicateCandidate.keputusan.is_(None),
                (DuplicateCandidate.person_a_id == pid) | (DuplicateCandidate.person_b_id == pid),
            )
        )


# ---- an open exact-NIK duplicate blocks approval ------------------------------------------------


def test_open_nik_duplicate_blocks_verification_of_either_record(app, client, auth, person_data):
    auth.login("operator.solok")
    client.post("/sidilan/orang/baru", data=person_data())
    first = person_by_name(app, "Marlinda").id
    r = client.post("/sidilan/orang/baru", data=person_data(nama_lengkap="Marlinda Sari", no_kk=""))
    second = person_by_name(app, "Marlinda Sari").id
    case = _case_of(app, second)
    assert r.headers["Location"].endswith(f"/sidilan/duplikat/{case}")
    for pid in (first, second):
        _act(client, pid, "ajukan")
    auth.logout()
    auth.login("verifikator-nagari.solok")  # the nagari step (docs/sidilan.md §9.1)
    for pid, other in ((first, second), (second, first)):
        html = _act(client, pid, "verifikasi").get_data(as_text=True)
        assert _status(app, pid) == "diajukan"
        assert (
            f"Data ini belum dapat diverifikasi: kasus duplikat NIK #{case} (dengan data #{other}) belum "
            "diputuskan."
        ) in html
        assert f'href="/sidilan/duplikat/{case}"' not in html  # the case is the Dinsos staff's page
    auth.logout()
    auth.login("verifikator.solok")  # duplicate cases are the Dinsos staff's
    html = client.get(f"/sidilan/orang/{first}").get_data(as_text=True)
    assert client.post(f"/sidilan/duplikat/{case}", data=keyed(keputusan="bukan_duplikat")).status_code == 302
    auth.logout()
    auth.login("verifikator-nagari.solok")
    _act(client, first, "verifikasi")
    auth.logout()
    auth.login("verifikator.solok")
    _act(client, first, "setujui")
    assert _status(app, first) == "disetujui"


def test_open_nik_duplicate_blocks_the_final_approval_until_merged(app, client, auth, person_data):
    febri = person_id_of(app, "Febri")
    assert _status(app, febri) == "diverifikasi"
    with app.app_context():
        nik = db.session.get(Person, febri).nik
    auth.login("operator.solok")
    client.post(
        "/sidilan/orang/baru",
        data=person_data(
            nama_lengkap="Febri Yanto", nik=nik, jenis_kelamin="L", tanggal_lahir="2001-11-20", no_kk=""
        ),
    )
    twin = person_by_name(app, "Febri Yanto").id
    case = _case_of(app, twin)
    auth.logout()
    auth.login("verifikator.solok")
    html = _act(client, febri, "setujui").get_data(as_text=True)
    assert _status(app, febri) == "diverifikasi"
    assert f"belum dapat disetujui: kasus duplikat NIK #{case} (dengan data #{twin})" in html
    r = client.post(f"/sidilan/duplikat/{case}", data=keyed(keputusan="duplikat", keep=str(febri)))
    assert r.status_code == 302
    _act(client, febri, "setujui")
    assert _status(app, febri) == "disetujui"


def test_same_nik_without_a_case_gets_one_and_stays_blocked(app, client, auth):
    """A same-NIK record that never went through a save (e.g. a bulk load) still blocks: the case is opened
    on the approval attempt, and the link in the refusal leads to it."""
    syamsul = person_id_of(app, "Syamsul Bahri")
    with app.app_context():
        p = db.session.get(Person, syamsul)
        twin = Person(
            regency_id=p.regency_id,
            nik=p.nik,
            nama_lengkap="Samsul B.",
            name_search="samsul b.",
            name_key="samsulb",
            jenis_kelamin="L",
            tanggal_lahir=p.tanggal_lahir,
        )
        db.session.add(twin)
        db.session.commit()
        twin_id = twin.id
    assert _case_of(app, syamsul) is None
    auth.login("verifikator-nagari.solok")
    html = _act(client, syamsul, "verifikasi").get_data(as_text=True)
    case = _case_of(app, syamsul)
    assert case is not None and _status(app, syamsul) == "diajukan"
    assert f"kasus duplikat NIK #{case} (dengan data #{twin_id})" in html
    assert client.get(f"/sidilan/duplikat/{case}").status_code == 404  # cases are the Dinsos staff's
    auth.logout()
    auth.login("verifikator.solok")
    assert client.get(f"/sidilan/duplikat/{case}").status_code == 200


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
        assert (
            db.session.scalar(select(func.count(ElderlyAssessment.id))) == before
        )  # nothing reaches the dashboard


def test_barthel_items_chosen_are_kept_when_others_are_missing(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, "Syamsul Bahri")
    url = f"/sidilan/orang/{pid}/asesmen"
    r = client.post(url, data=keyed(tgl_asesmen="2024-08-29", barthel_makan="2", barthel_mandi="0"))
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


# ---- one Kepala Keluarga per No. KK -------------------------------------------------------------

HEAD = dict(
    nama_lengkap="Bagindo Marah",
    nik="1302180305500099",
    jenis_kelamin="L",
    tanggal_lahir="1950-05-03",
    hubungan_keluarga="Kepala Keluarga",
    pemberi_persetujuan="Bagindo Marah",
)


def _shdk_message(html: str) -> list[str]:
    m = re.search(
        r'<select[^>]*name="hubungan_keluarga".*?</select>((?:<span id="[^"]*">)?(?:<span class="err">[^<]*</span>)*)',
        html,
        re.S,
    )
    return re.findall(r'<span class="err">([^<]*)</span>', m.group(1))


def test_second_kepala_keluarga_is_refused_naming_the_first(app, client, auth, person_data):
    auth.login("operator.solok")
    assert client.post("/sidilan/orang/baru", data=person_data(**HEAD)).status_code == 302
    head = person_by_name(app, "Bagindo Marah").id
    message = f"No. KK ini sudah punya Kepala Keluarga: Bagindo Marah (#{head})."
    r = client.post("/sidilan/orang/baru", data=person_data(hubungan_keluarga="Kepala Keluarga"))
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and _shdk_message(html) == [message]
    assert 'value="Marlinda"' in html  # what was typed is kept
    assert person_by_name(app, "Marlinda") is None
    # as a child of the family she is saved; making her the head on edit is refused the same way
    assert client.post("/sidilan/orang/baru", data=person_data()).status_code == 302
    child = person_by_name(app, "Marlinda").id
    r = client.post(
        f"/sidilan/orang/{child}/ubah",
        data=person_data(hubungan_keluarga="Kepala Keluarga", version=version_of(app, Person, child)),
    )
    assert r.status_code == 422 and _shdk_message(r.get_data(as_text=True)) == [message]
    with app.app_context():
        assert db.session.get(Person, child).hubungan_keluarga == "Anak"
    # the head himself saves his record as Kepala Keluarga again
    r = client.post(
        f"/sidilan/orang/{head}/ubah",
        data=person_data(**HEAD, no_hp="081234567890", version=version_of(app, Person, head)),
    )
    assert r.status_code == 302


@pytest.mark.parametrize(
    "change",
    [{"active": False}, {"status_hidup": "meninggal"}, {"merged": True}],
    ids=["inactive", "deceased", "merged"],
)
def test_former_heads_do_not_count(app, client, auth, person_data, change):
    auth.login("operator.solok")
    client.post("/sidilan/orang/baru", data=person_data(**HEAD))
    with app.app_context():
        head = db.session.get(Person, person_by_name(app, "Bagindo Marah").id)
        if change.pop("merged", False):
            head.merged_into_id = person_id_of(app, "Syamsul Bahri")
        for k, v in change.items():
            setattr(head, k, v)
        db.session.commit()
    r = client.post("/sidilan/orang/baru", data=person_data(hubungan_keluarga="Kepala Keluarga"))
    assert r.status_code == 302


def test_import_refuses_a_second_kepala_keluarga(app, client, auth):
    syamsul = person_id_of(app, "Syamsul Bahri")
    with app.app_context():
        kk = db.session.get(Person, syamsul).no_kk
    new_kk = "1302180101248888"
    head = "NIK;NO KK;NAMA;JK;TGL LAHIR;NAGARI;KECAMATAN;HUBUNGAN KELUARGA\n"
    rows = (
        f"1302180101600501;{kk};Datuak Batuah;L;01-01-1960;Tanjung Balik Sumiso;Tigo Lurah;Kepala Keluarga\n"
        f"1302180101600502;{new_kk};Sutan Mudo;L;01-01-1960;Tanjung Balik Sumiso;Tigo Lurah;Kepala Keluarga\n"
        f"1302180101600503;{new_kk};Malin Kayo;L;01-01-1960;Tanjung Balik Sumiso;Tigo Lurah;Kepala Keluarga\n"
        f"1302184101600504;{new_kk};Upiak Sari;P;01-01-1960;Tanjung Balik Sumiso;Tigo Lurah;Istri\n"
    )
    auth.login("operator.solok")
    token = token_of(upload(client, name="kepala.csv", data=(head + rows).encode()))
    map_and_preview(client, token)
    text = client.get(f"/sidilan/impor/{token}/uji").text
    assert result_rows(text) == {2: "Ditolak", 3: "Akan dibuat", 4: "Ditolak", 5: "Akan dibuat"}
    assert f"No. KK ini sudah punya Kepala Keluarga: Syamsul Bahri (#{syamsul})." in text
    assert "No. KK ini sudah punya Kepala Keluarga: Sutan Mudo (baris 3 dalam berkas ini)." in text
    run(client, token)
    with app.app_context():
        heads = db.session.scalars(
            select(Person.nama_lengkap).where(
                Person.no_kk.in_([kk, new_kk]), Person.hubungan_keluarga == "Kepala Keluarga"
            )
        ).all()
    assert sorted(heads) == ["Sutan Mudo", "Syamsul Bahri"]


# ---- "meninggal" requires the date of death -----------------------------------------------------


def _field_errors(html: str, name: str) -> list[str]:
    m = re.search(
        rf'<input[^>]*name="{name}"[^>]*>((?:<small[^>]*>[^<]*</small>)?(?:<span id="[^"]*">)?(?:<span class="err">[^<]*</span>)*)',
        html,
    )
    return re.findall(r'<span class="err">([^<]*)</span>', m.group(1))


def test_meninggal_requires_the_date_of_death(app, client, auth, person_data):
    auth.login("operator.solok")
    r = client.post("/sidilan/orang/baru", data=person_data(status_hidup="meninggal"))
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and _field_errors(html, "tgl_meninggal") == [
        "Status meninggal: isi tanggal meninggal."
    ]
    assert 'value="Marlinda"' in html and person_by_name(app, "Marlinda") is None
    r = client.post(
        "/sidilan/orang/baru", data=person_data(status_hidup="meninggal", tgl_meninggal="1980-01-01")
    )
    assert r.status_code == 422
    assert _field_errors(r.get_data(as_text=True), "tgl_meninggal") == [
        "Tanggal meninggal tidak boleh sebelum tanggal lahir."
    ]
    assert client.post("/sidilan/orang/baru", data=person_data()).status_code == 302
    pid = person_by_name(app, "Marlinda").id
    r = client.post(
        f"/sidilan/orang/{pid}/ubah",
        data=person_data(status_hidup="meninggal", version=version_of(app, Person, pid)),
    )
    assert r.status_code == 422
    with app.app_context():
        assert db.session.get(Person, pid).status_hidup == "hidup"
    r = client.post(
        f"/sidilan/orang/{pid}/ubah",
        data=person_data(
            status_hidup="meninggal", tgl_meninggal="2024-08-01", version=version_of(app, Person, pid)
        ),
    )
    assert r.status_code == 302
    with app.app_context():
        p = db.session.get(Person, pid)
        assert (p.status_hidup, p.tgl_meninggal.isoformat()) == ("meninggal", "2024-08-01")


# ---- the demo keeps the rules ---------------------------------------------------------------------


def test_demo_data_keeps_the_rules(app):
    with app.app_context():
        heads = db.session.execute(
            select(Person.regency_id, Person.no_kk, func.count(Person.id))
            .where(
                Person.hubungan_keluarga == "Kepala Keluarga",
                Person.no_kk.is_not(None),
                Person.active.is_(True),
                Person.merged_into_id.is_(None),
                Person.status_hidup == "hidup",
            )
            .group_by(Person.regency_id, Person.no_kk)
        ).all()
        assert heads and all(n == 1 for _, _, n in heads)
        assert (
            db.session.scalar(
                select(func.count(Person.id)).where(
                    Person.status_hidup == "meninggal", Person.tgl_meninggal.is_(None)
                )
            )
            == 0
        )
        visits = db.session.scalars(select(ElderlyAssessment)).all()
        assert visits
        for a in visits:
            assert a.barthel_total == sum(getattr(a, f) for f, _, _ in BARTHEL_ITEMS)
