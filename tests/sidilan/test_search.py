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
    assert counts[0] == counts[1] and counts[1] <= 6


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
