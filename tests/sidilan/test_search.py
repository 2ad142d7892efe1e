"""Search and lists: one box (NIK / No. KK / name prefix), filters, paging, htmx fragment, budgets, scoping."""

import re

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.sidilan.models import Person
from tests.conftest import HX
from tests.queries import statements

from .conftest import gz, keyed, person_id_of

PAGE_BUDGET, FRAGMENT_BUDGET = 14_000, 4_000


def _names(html: str) -> int:
    return len(re.findall(r'href="/sidilan/orang/\d+"', html))


def _list(html: str) -> str:
    return html[html.index('id="daftar-orang"') :]


def test_search_plain_and_htmx_paths(app, client, auth):
    auth.login("operator.solok")
    page = client.get("/sidilan/?q=ROSM")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html and "Rosmaniar" in html and "Syamsul" not in html
    assert gz(page.data) <= PAGE_BUDGET
    frag = client.get("/sidilan/?q=rosm", headers=HX)
    fhtml = frag.get_data(as_text=True)
    assert "<html" not in fhtml and 'id="daftar-orang"' in fhtml and "Rosmaniar" in fhtml
    assert gz(frag.data) <= FRAGMENT_BUDGET
    assert 'data-hx-push-url="true"' in html and "delay:400ms" in html


def test_search_by_nik_and_kk_prefix(app, client, auth):
    auth.login("operator.solok")
    with app.app_context():
        p = db.session.get(Person, person_id_of(app, "Rosmaniar"))
        nik, kk = p.nik, p.no_kk
    assert "Rosmaniar" in client.get("/sidilan/", query_string={"q": nik}).get_data(as_text=True)
    assert "Rosmaniar" in client.get("/sidilan/", query_string={"q": nik[:6] + " " + nik[6:10]}).get_data(
        as_text=True
    )
    by_kk = client.get("/sidilan/", query_string={"q": kk}).get_data(as_text=True)
    assert "Rosmaniar" in by_kk and "Syamsul Bahri" in by_kk  # the whole family card
    assert "Tidak ada data yang cocok." in client.get("/sidilan/?q=9999").get_data(as_text=True)


def test_paging_20_rows_more_link_and_page_links(app, client, auth):
    auth.login("operator.solok")
    first = client.get("/sidilan/").get_data(as_text=True)
    assert _names(first) == 20 and "Muat lagi" in first and "hal=2" in first
    second = client.get("/sidilan/?hal=2", headers=HX)
    assert _names(second.get_data(as_text=True)) > 0 and gz(second.data) <= FRAGMENT_BUDGET
    assert "Rosmaniar" not in client.get("/sidilan/?hal=abc&q=zzz").get_data(as_text=True)


def test_filters(app, client, auth):
    auth.login("operator.solok")
    html = client.get("/sidilan/?kecamatan=13.02.18&nagari=13.02.18.2004").get_data(as_text=True)
    assert "Rosmaniar" in html and "Tigo Jangko" in html  # jorong choices of the nagari are offered
    jid = db_jorong = None
    with app.app_context():
        jid = db.session.get(Person, person_id_of(app, "Rosmaniar")).jorong_id
    assert "Rosmaniar" in client.get(
        f"/sidilan/?kecamatan=13.02.18&nagari=13.02.18.2004&jorong={jid}"
    ).get_data(as_text=True)
    fisik = client.get("/sidilan/?ragam=fisik&q=rosm").get_data(as_text=True)
    assert "Rosmaniar" in fisik
    assert "Rosmaniar" not in client.get("/sidilan/?ragam=mental&q=rosm").get_data(as_text=True)
    assert "Syamsul Bahri" in client.get("/sidilan/?lansia=ya&q=syamsul").get_data(as_text=True)
    assert "Rosmaniar" not in client.get("/sidilan/?lansia=ya&q=rosm").get_data(as_text=True)
    assert "Rosmaniar" in client.get("/sidilan/?status=disetujui&q=rosm").get_data(as_text=True)
    assert "Rosmaniar" not in client.get("/sidilan/?status=draf&q=rosm").get_data(as_text=True)
    del db_jorong


def test_query_count_does_not_grow_with_rows(app, client, auth):
    auth.login("operator.solok")
    counts = []

    def run(url):
        with statements(app) as seen:
            client.get(url, headers=HX)
        return len(seen)

    counts = [run("/sidilan/?q=rosm"), run("/sidilan/")]
    assert counts[0] <= counts[1] <= 6  # a name search's first page counts its matches in the page's query


def test_scoping_other_regency_is_404_and_never_listed(app, client, auth):
    auth.login("operator.sijunjung")
    pid = person_id_of(app, "Rosmaniar", "13.02")
    with app.app_context():
        nik = db.session.get(Person, pid).nik
        assert db.session.scalar(select(Person.id).where(Person.id == pid)) is not None
    for url in (
        f"/sidilan/orang/{pid}",
        f"/sidilan/orang/{pid}/ubah",
        f"/sidilan/orang/{pid}/disabilitas",
        f"/sidilan/orang/{pid}/asesmen",
        f"/sidilan/orang/{pid}/bantuan",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/sidilan/orang/{pid}/status", data={"action": "ajukan"}).status_code == 404
    for q in ("Rosmaniar", nik, nik[:8]):
        assert f'/sidilan/orang/{pid}"' not in _list(
            client.get("/sidilan/", query_string={"q": q}).get_data(as_text=True)
        )
    assert "sudah terdaftar" not in client.get(
        "/sidilan/cek-nik", query_string={"nik": nik}, headers=HX
    ).get_data(as_text=True)
    assert f'/sidilan/orang/{pid}"' not in client.get("/sidilan/tanpa-bantuan").get_data(as_text=True)


def test_program_filter(app, client, auth):
    from blueprints.sidilan.models import Assistance, Program

    auth.login("operator.solok")
    with app.app_context():
        pid = person_id_of(app, "Febri")
        p = db.session.get(Person, pid)
        aspd = db.session.scalar(
            select(Program.id).where(Program.kode == "ASPD", Program.regency_id == p.regency_id)
        )
        before = db.session.scalar(
            select(Assistance.id).where(Assistance.person_id == pid, Assistance.program_id == aspd)
        )
    assert before is None
    url = f"/sidilan/?program={aspd}&q=febri"
    assert f'/sidilan/orang/{pid}"' not in client.get(url).get_data(as_text=True)
    client.post(f"/sidilan/orang/{pid}/bantuan", data=keyed(program_id=str(aspd), tahun="2024"))
    assert f'/sidilan/orang/{pid}"' in client.get(url).get_data(as_text=True)


def test_bulk_command_adds_searchable_rows(app, runner, client, auth):
    result = runner.invoke(args=["sidilan", "bulk", "--persons", "120", "--kabupaten", "sijunjung"])
    assert result.exit_code == 0 and "120 orang sintetis" in result.output
    auth.login("operator.sijunjung")
    html = client.get("/sidilan/?q=1303", headers=HX).get_data(as_text=True)
    assert _names(html) == 20
    auth.logout()
    auth.login("operator.solok")
    assert "Tidak ada data yang cocok." in client.get("/sidilan/?q=1303").get_data(as_text=True)


# ---- any-word, spelling-variant and number-suffix search (issue 12 item 3) --------------------------------


def _add_people(app, regency_code: str, names_niks: list[tuple[str, str | None, str | None]]) -> dict:
    """Persons written straight to the table (their derived name columns as every writer sets them)."""
    from blueprints.auth.models import Regency
    from blueprints.sidilan.names import person_name_columns

    with app.app_context():
        regency = db.session.scalar(select(Regency).where(Regency.code == regency_code))
        ids = {}
        for name, nik, kk in names_niks:
            p = Person(
                regency_id=regency.id,
                nik=nik,
                no_kk=kk,
                nama_lengkap=name,
                jenis_kelamin="L",
                **person_name_columns(name),
            )
            db.session.add(p)
            db.session.flush()
            ids[name] = p.id
        db.session.commit()
        return ids


def _ids_listed(client, q: str) -> set[int]:
    html = _list(client.get("/sidilan/", query_string={"q": q}).get_data(as_text=True))
    return {int(i) for i in re.findall(r'href="/sidilan/orang/(\d+)"', html)}


def test_any_word_of_the_name_finds_the_person(app, client, auth):
    ids = _add_people(app, "13.02", [("Bujang Kayo", None, None), ("Siti Rahmah Koto", None, None)])
    auth.login("operator.solok")
    assert ids["Bujang Kayo"] in _ids_listed(client, "kayo")
    assert ids["Bujang Kayo"] in _ids_listed(client, "KAYO")
    assert ids["Siti Rahmah Koto"] in _ids_listed(client, "koto")
    assert ids["Siti Rahmah Koto"] in _ids_listed(client, "rahmah")
    assert ids["Bujang Kayo"] not in _ids_listed(client, "koto")


def test_spelling_variants_find_each_other(app, client, auth):
    ids = _add_people(
        app,
        "13.02",
        [("Syamsul Arifin", None, None), ("Nurhayati Putri", None, None), ("Yusup Malin", None, None)],
    )
    auth.login("operator.solok")
    assert ids["Syamsul Arifin"] in _ids_listed(client, "samsul")
    assert ids["Nurhayati Putri"] in _ids_listed(client, "nur hayati")
    assert ids["Yusup Malin"] in _ids_listed(client, "yusuf")
    ids2 = _add_people(app, "13.02", [("Samsul Bahri Kayo", None, None), ("Nur Hayati", None, None)])
    assert ids2["Samsul Bahri Kayo"] in _ids_listed(client, "syamsul")
    assert ids2["Nur Hayati"] in _ids_listed(client, "nurhayati")


def test_nik_and_kk_suffix_as_well_as_prefix(app, client, auth):
    ids = _add_people(app, "13.02", [("Rajo Batuah", "1302181506700777", "1302180101248765")])
    pid = ids["Rajo Batuah"]
    auth.login("operator.solok")
    for q in ("1302181506700777", "130218150670", "700777", "0777", "1302180101248765", "248765", "8765"):
        assert pid in _ids_listed(client, q), q
    assert pid not in _ids_listed(client, "700778")


def test_text_search_is_scoped(app, client, auth):
    ids = _add_people(app, "13.02", [("Bujang Kayo", "1302181506700777", "1302180101248765")])
    pid = ids["Bujang Kayo"]
    auth.login("operator.sijunjung")
    for q in ("kayo", "bujang", "700777", "248765", "1302181506700777"):
        assert pid not in _ids_listed(client, q), q


def test_text_index_follows_updates_and_deletes(app, client, auth):
    ids = _add_people(app, "13.02", [("Bujang Kayo", "1302181506700777", None)])
    pid = ids["Bujang Kayo"]
    from blueprints.sidilan.names import person_name_columns

    with app.app_context():
        p = db.session.get(Person, pid)
        p.nama_lengkap = "Bujang Gadang"
        for k, v in person_name_columns(p.nama_lengkap).items():
            setattr(p, k, v)
        p.nik = "1302181506700888"
        db.session.commit()
    auth.login("operator.solok")
    assert pid not in _ids_listed(client, "kayo") and pid in _ids_listed(client, "gadang")
    assert pid not in _ids_listed(client, "700777") and pid in _ids_listed(client, "700888")
    with app.app_context():
        db.session.delete(db.session.get(Person, pid))
        db.session.commit()
    assert pid not in _ids_listed(client, "gadang")


# ---- keyset paging ------------------------------------------------------------------------------------


def test_keyset_pages_walk_the_whole_list_forward_and_back(app, client, auth):
    """Berikutnya from page 1 to the end and Sebelumnya back give every row once, in the list's order, and the
    count says how many there are."""
    from html import unescape

    auth.login("operator.solok")
    _add_people(app, "13.02", [(f"Uji Halaman {i:02d}", None, None) for i in range(45)])
    url, seen, pages = "/sidilan/?q=uji+halaman", [], []
    while url:
        html = client.get(url).get_data(as_text=True)
        rows = re.findall(r'href="/sidilan/orang/\d+">(Uji Halaman \d+)<', html)
        seen += rows
        pages.append(rows)
        assert "45 data" in html
        nxt = re.search(r'<a href="([^"]+)">Berikutnya', html)
        url = unescape(nxt.group(1)) if nxt else None
    assert seen == [f"Uji Halaman {i:02d}" for i in range(45)] and len(pages) == 3
    back = re.search(r'<a href="([^"]+)">‹ Sebelumnya', html)
    html2 = client.get(unescape(back.group(1))).get_data(as_text=True)
    assert re.findall(r'href="/sidilan/orang/\d+">(Uji Halaman \d+)<', html2) == pages[1]
    assert "<b>2</b>" in html2


def test_a_bad_cursor_is_the_first_page(app, client, auth):
    auth.login("operator.solok")
    first = _names(client.get("/sidilan/").get_data(as_text=True))
    for cursor in ("x", "WyJhIl0", "W1tdLDFd", "WyJhIiwiYiJd", "WyJhIiw5OTk5OTk5OTk5OTld", "%00" * 3):
        r = client.get(f"/sidilan/?setelah={cursor}&sebelum={cursor}")
        assert r.status_code == 200 and _names(r.get_data(as_text=True)) == first, cursor


def test_count_is_capped_with_a_clear_label(app, client, auth, monkeypatch):
    from blueprints.core import pagination

    monkeypatch.setattr(pagination, "COUNT_CAP", 10)
    auth.login("operator.solok")
    html = client.get("/sidilan/").get_data(as_text=True)
    assert "lebih dari 10 data" in html and "Berikutnya" in html


def test_a_name_search_counts_its_matches_with_the_same_cap(app, client, auth, monkeypatch):
    """A name search's first page counts its matches in the page's own query: the label is the one of the
    separate count (the exact number, or 'lebih dari' past the cap), and the next page says the same."""
    from html import unescape

    from blueprints.core import pagination

    auth.login("operator.solok")
    _add_people(app, "13.02", [(f"Uji Hitung {i:02d}", None, None) for i in range(25)])
    first = client.get("/sidilan/?q=uji+hitung").get_data(as_text=True)
    second = client.get(unescape(re.search(r'<a href="([^"]+)">Berikutnya', first).group(1)))
    assert "25 data" in first and "25 data" in second.get_data(as_text=True)
    monkeypatch.setattr(pagination, "COUNT_CAP", 10)
    capped = client.get("/sidilan/?q=uji+hitung").get_data(as_text=True)
    assert "lebih dari 10 data" in capped and len(re.findall(r">Uji Hitung \d+<", capped)) == 20


def test_list_statements_flat_at_5_and_50_rows_with_distinct_places(app, client, auth):
    """The list page runs the same few statements whether its page holds 5 or 50 persons of 50 different
    nagari, each with a disability row (the nagari and the ragam shown per row)."""
    from blueprints.auth.models import Regency
    from blueprints.sidilan.models import Disability
    from blueprints.sidilan.names import person_name_columns
    from blueprints.wilayah.models import LEVEL_NAGARI, Wilayah

    def add(n: int, word: str):
        with app.app_context():
            regency = db.session.scalar(select(Regency).where(Regency.code == "13.02"))
            nagari = db.session.scalars(
                select(Wilayah)
                .where(Wilayah.regency_id == regency.id, Wilayah.level == LEVEL_NAGARI)
                .limit(n)
            ).all()
            assert len(nagari) == n
            for i, nag in enumerate(nagari):
                name = f"{word} {i:02d}"
                p = Person(
                    regency_id=regency.id,
                    nama_lengkap=name,
                    jenis_kelamin="P",
                    kecamatan_code=nag.parent_code,
                    nagari_code=nag.code,
                    **person_name_columns(name),
                )
                db.session.add(p)
                db.session.flush()
                db.session.add(Disability(person_id=p.id, ragam_fisik=True))
            db.session.commit()

    add(5, "Lima Baris")
    add(50, "Limapuluh Baris")
    auth.login("operator.solok")
    counts = []
    for q, rows in (("lima baris", 5), ("limapuluh baris", 50)):
        with statements(app) as seen:
            html = client.get("/sidilan/", query_string={"q": q, "ragam": "fisik"}).get_data(as_text=True)
        assert _names(_list(html)) == min(rows, 20)
        counts.append(len(seen))
    assert counts[0] == counts[1] <= 6, counts


def test_the_list_shows_its_count_on_every_page_and_past_the_end(app, client, auth, monkeypatch):
    """The list's page carries its capped count in its own query: the label is the number of active persons
    of the user's regency, on the first page, the next one, and a page past the last name (which shows no row
    and counts on its own)."""
    from html import unescape

    from blueprints.auth.models import Regency
    from blueprints.core import pagination
    from blueprints.core.fmt import angka
    from blueprints.core.pagination import encode_cursor

    auth.login("operator.solok")
    _add_people(app, "13.02", [(f"Uji Jumlah {i:02d}", None, None) for i in range(25)])
    with app.app_context():
        regency_id = db.session.scalar(select(Regency.id).where(Regency.code == "13.02"))
        n = len(
            db.session.scalars(
                select(Person.id).where(Person.regency_id == regency_id, Person.active.is_(True))
            ).all()
        )
    label = f"{angka(n)} data"
    first = client.get("/sidilan/").get_data(as_text=True)
    assert label in first
    nxt = unescape(re.search(r'<a href="([^"]+)">Berikutnya', first).group(1))
    assert label in client.get(nxt).get_data(as_text=True)
    past = client.get(f"/sidilan/?hal=9&setelah={encode_cursor(['~~~~', 0])}").get_data(as_text=True)
    assert label in past and "Tidak ada data yang cocok." in past
    monkeypatch.setattr(pagination, "COUNT_CAP", n - 1)
    assert f"lebih dari {angka(n - 1)} data" in client.get("/sidilan/").get_data(as_text=True)
