"""Dashboard (issue 3 item 9): every number matches the stored data, computed here from the database rows
(not through the dashboard's own queries); charts are inline SVG beside a table; scoped to the regency."""

import html
import re
from datetime import date, datetime, timedelta

from sqlalchemy import select

from blueprints.auth.models import Regency
from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.core.timeutil import WIB, today_local
from blueprints.sidilan import values as V
from blueprints.sidilan.models import Assistance, Disability, ElderlyAssessment, Person, Program
from blueprints.wilayah.models import Wilayah
from tests.conftest import HX
from tests.queries import statements
from tests.sidilan.conftest import barthel_items, gz

RECEIVING = {"disetujui", "disalurkan"}


def table(html: str, section: str) -> dict[str, list[int]]:
    """label -> numbers of one chart's table (body and foot rows)."""
    block = re.search(rf'<section aria-labelledby="{section}">(.*?)</section>', html, re.S).group(1)
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", block, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        if not cells or cells[0] in (
            "Ragam",
            "Kecamatan",
            "Umur (tahun)",
            "Kategori (asesmen terakhir)",
            "Program",
            "Kelompok",
        ):
            continue
        nums = []
        for c in cells[1:]:
            c = c.replace(".", "")
            nums.append(int(c) if c.isdigit() else c)
        out[cells[0].replace("&amp;", "&")] = nums
    return out


def age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def expected(app, regency_code: str) -> dict:
    today = today_local()
    with app.app_context():
        regency = db.session.scalar(select(Regency).where(Regency.code == regency_code))
        people = [
            p
            for p in db.session.scalars(select(Person).where(Person.regency_id == regency.id))
            if p.active and p.merged_into_id is None and p.status_hidup == "hidup"
        ]
        ids = {p.id for p in people}
        dis = {d.person_id: d for d in db.session.scalars(select(Disability)) if d.person_id in ids}
        out = {"total": len(people)}
        out["ragam"] = {
            label: sum(1 for d in dis.values() if getattr(d, f"ragam_{code}")) for code, label in V.RAGAM
        }
        out["ragam"]["Ganda"] = sum(1 for d in dis.values() if d.ganda)
        kec_names = {
            w.code: w.name
            for w in db.session.scalars(
                select(Wilayah).where(Wilayah.regency_id == regency.id, Wilayah.level == 3)
            )
        }
        kec = {name: [0, 0, 0] for name in kec_names.values()}
        for p in people:
            row = kec[kec_names[p.kecamatan_code]]
            row[0] += 1
            row[1] += p.id in dis and bool(dis[p.id].ragam_codes)
            row[2] += p.tanggal_lahir is not None and age(p.tanggal_lahir, today) >= 60
        out["kecamatan"] = kec
        bands = {"0–17": [0, 0], "18–59": [0, 0], "60–69": [0, 0], "70–79": [0, 0], "80+": [0, 0]}
        for p in people:
            a = age(p.tanggal_lahir, today)
            b = (
                "0–17"
                if a < 18
                else "18–59"
                if a < 60
                else "60–69"
                if a < 70
                else "70–79"
                if a < 80
                else "80+"
            )
            bands[b][0 if p.jenis_kelamin == "L" else 1] += 1
        out["usia"] = bands
        latest, latest_rows = {}, {}
        for a in db.session.scalars(
            select(ElderlyAssessment).order_by(ElderlyAssessment.tgl_asesmen, ElderlyAssessment.id)
        ):
            if a.person_id in ids:
                latest[a.person_id] = a.barthel_kategori
                latest_rows[a.person_id] = (a.barthel_total, a.kategori_potensi)
        out["barthel"] = {
            label: sum(1 for k in latest.values() if k == code) for code, label in V.BARTHEL_KATEGORI
        }
        out["barthel"]["Lansia belum diases"] = sum(
            1 for p in people if age(p.tanggal_lahir, today) >= 60 and p.id not in latest
        )
        hh_of = {p.id: p.household_id for p in people}
        cover: dict[int, set] = {}
        for a in db.session.scalars(select(Assistance).where(Assistance.status.in_(RECEIVING))):
            for pid, hh in hh_of.items():
                if a.person_id == pid or (a.household_id is not None and a.household_id == hh):
                    cover.setdefault(a.program_id, set()).add(pid)
        out["programs"] = {
            f"{p.kode} — {p.nama}": len(cover.get(p.id, set()))
            for p in db.session.scalars(select(Program).where(Program.regency_id == regency.id))
        }
        receiving = set().union(*cover.values()) if cover else set()
        out["covered"] = len(receiving)
        groups = {
            "Disabilitas berat": {pid for pid, d in dis.items() if d.derajat == "berat"},
            "Lansia Barthel ≤ 8": {pid for pid, (total, _) in latest_rows.items() if total <= 8},
            "Lansia tidak potensial": {pid for pid, (_, k) in latest_rows.items() if k == "tidak_potensial"},
        }
        out["targets"] = {g: [len(m), len(m & receiving), len(m - receiving)] for g, m in groups.items()}
        return out


def test_dashboard_numbers_match_the_database(app, client, auth):
    auth.login("operator.solok")
    r = client.get("/sidilan/dasbor")
    assert r.status_code == 200
    exp = expected(app, "13.02")
    assert exp["total"] > 0
    ragam = table(r.text, "c-ragam")
    assert {k: v[0] for k, v in ragam.items()} == exp["ragam"]
    kec = table(r.text, "c-kec")
    assert kec.pop("Jumlah")[0] == exp["total"]
    assert {k: v for k, v in kec.items()} == exp["kecamatan"]
    usia = table(r.text, "c-usia")
    assert usia.pop("Jumlah") == [
        sum(v[0] for v in exp["usia"].values()),
        sum(v[1] for v in exp["usia"].values()),
    ]
    assert usia == exp["usia"]
    barthel = table(r.text, "c-barthel")
    assert {k: v[0] for k, v in barthel.items()} == exp["barthel"]
    bantuan = table(r.text, "c-bantuan")
    covered = bantuan.pop("Menerima sedikitnya satu program")
    assert covered[0] == exp["covered"]
    assert {k: v[0] for k, v in bantuan.items()} == exp["programs"]
    sasaran = {k: v[:3] for k, v in table(r.text, "c-sasaran").items()}
    assert sasaran == exp["targets"]
    assert any(v[0] for v in sasaran.values())


def test_a_new_person_is_counted(app, client, auth):
    """Adding one elderly woman in Tigo Lurah moves exactly the cells she belongs to."""
    auth.login("verifikator.solok")
    before = client.get("/sidilan/dasbor").text
    with app.app_context():
        regency = db.session.scalar(select(Regency).where(Regency.code == "13.02"))
        p = Person(
            regency_id=regency.id,
            nama_lengkap="Uji Dasbor",
            name_search="uji dasbor",
            name_key="ujidasbor",
            jenis_kelamin="P",
            tanggal_lahir=date(today_local().year - 72, 1, 1),
            kecamatan_code="13.02.18",
            nagari_code="13.02.18.2004",
        )
        db.session.add(p)
        db.session.flush()
        db.session.add(Disability(person_id=p.id, ragam_fisik=True, ragam_sensorik=True, ganda=True))
        db.session.commit()
    assert table(client.get("/sidilan/dasbor").text, "c-kec") == table(before, "c-kec")  # the stored summary
    assert client.post("/sidilan/dasbor/hitung-ulang").status_code == 302
    after = client.get("/sidilan/dasbor").text
    kb, ka = table(before, "c-kec"), table(after, "c-kec")
    assert ka["Tigo Lurah"] == [kb["Tigo Lurah"][0] + 1, kb["Tigo Lurah"][1] + 1, kb["Tigo Lurah"][2] + 1]
    assert table(after, "c-usia")["70–79"] == [
        table(before, "c-usia")["70–79"][0],
        table(before, "c-usia")["70–79"][1] + 1,
    ]
    rb, ra = table(before, "c-ragam"), table(after, "c-ragam")
    assert ra["Fisik"][0] == rb["Fisik"][0] + 1 and ra["Ganda"][0] == rb["Ganda"][0] + 1
    assert ra["Mental"] == rb["Mental"]
    assert (
        table(after, "c-barthel")["Lansia belum diases"][0]
        == table(before, "c-barthel")["Lansia belum diases"][0] + 1
    )


def test_dashboard_is_scoped(app, client, auth):
    auth.login("operator.sijunjung")
    r = client.get("/sidilan/dasbor")
    exp = expected(app, "13.03")
    kec = table(r.text, "c-kec")
    assert kec.pop("Jumlah")[0] == exp["total"]
    assert set(kec) == set(exp["kecamatan"])  # only Sijunjung's kecamatan
    assert "Tigo Lurah" not in r.text
    # a Sijunjung person never moves Solok's numbers
    auth.logout()
    auth.login("pimpinan.solok")
    before = table(client.get("/sidilan/dasbor").text, "c-kec")["Jumlah"]
    with app.app_context():
        sij = db.session.scalar(select(Regency).where(Regency.code == "13.03"))
        db.session.add(
            Person(
                regency_id=sij.id,
                nama_lengkap="Orang Sijunjung",
                jenis_kelamin="L",
                tanggal_lahir=date(1950, 1, 1),
                kecamatan_code="13.03.04",
                nagari_code="13.03.04.2001",
            )
        )
        db.session.commit()
    assert client.post("/sidilan/dasbor/hitung-ulang").status_code == 302
    assert table(client.get("/sidilan/dasbor").text, "c-kec")["Jumlah"] == before


def test_each_chart_is_svg_beside_a_table(client, auth):
    auth.login("pimpinan.solok")
    r = client.get("/sidilan/dasbor")
    for section in ("c-ragam", "c-kec", "c-usia", "c-barthel", "c-bantuan", "c-sasaran"):
        block = re.search(rf'<section aria-labelledby="{section}">(.*?)</section>', r.text, re.S).group(1)
        assert re.search(r'<div class="chart"><figure><svg [^>]*role="img"', block)
        assert "<table>" in block and "<rect" in block
    assert "<script" not in r.text.split("</head>")[1]


def test_dashboard_byte_budget_and_roles(client, auth):
    auth.login("operator.solok")
    r = client.get("/sidilan/dasbor")
    assert gz(r.data) <= 14000
    auth.logout()
    auth.login("faskes.solok")
    assert client.get("/sidilan/dasbor").status_code == 404


def test_dashboard_htmx_request_gets_the_page(client, auth):
    """There is no fragment: an htmx history restore or boosted request still gets a full, valid page."""
    auth.login("operator.solok")
    r = client.get("/sidilan/dasbor", headers=HX)
    assert r.status_code == 200 and "c-ragam" in r.text


def test_bar_chart_helper_scales_and_escapes():
    from blueprints.core.charts import bar_chart, percent

    svg = str(bar_chart([("<b>A</b>", 10), ("B", 5)], "Judul <x>"))
    widths = [float(w) for w in re.findall(r'<rect x="\d+" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths[0] == 2 * widths[1] > 0
    assert "<b>" not in svg and "&lt;b&gt;A&lt;/b&gt;" in svg and "Judul &lt;x&gt;" in svg
    grouped = str(bar_chart([("0–17", (3, 0))], "Umur", series=("L", "P")))
    assert grouped.count("<rect") == 2 + 2  # two legend keys, two bars
    assert "Belum ada data" in str(bar_chart([], "Kosong"))
    assert percent(1, 3) == "33,3%" and percent(1, 0) == "–"


def test_dashboard_query_count_does_not_grow_with_data(app, client, auth):
    """A fixed number of aggregate queries, whatever the registry size (no per-row or per-kecamatan query):
    computing the summary ('Hitung ulang') and serving the stored one."""

    auth.login("operator.solok")

    def count_queries(url):
        with statements(app) as seen:
            if url.endswith("hitung-ulang"):
                assert client.post(url).status_code == 302
            else:
                assert client.get(url).status_code == 200
        return len([s for s in seen if s.lstrip().upper().startswith("SELECT")])

    before = count_queries("/sidilan/dasbor/hitung-ulang")
    served = count_queries("/sidilan/dasbor")
    with app.app_context():
        regency = db.session.scalar(select(Regency).where(Regency.code == "13.02"))
        for i in range(50):
            p = Person(
                regency_id=regency.id,
                nama_lengkap=f"Tambahan {i}",
                jenis_kelamin="LP"[i % 2],
                tanggal_lahir=date(1940 + i, 1, 1),
                kecamatan_code="13.02.07",
                nagari_code="13.02.07.2001",
            )
            db.session.add(p)
            db.session.flush()
            db.session.add(
                ElderlyAssessment(
                    regency_id=regency.id,
                    person_id=p.id,
                    tgl_asesmen=date(2024, 1, 1),
                    usia=60,
                    barthel_total=i % 21,
                    barthel_kategori="ringan",
                    **barthel_items(i % 21),
                )
            )
        db.session.commit()
    assert count_queries("/sidilan/dasbor/hitung-ulang") == before <= 6
    assert count_queries("/sidilan/dasbor") == served <= 2  # the user and the stored summary


def test_unassisted_tile_and_list_match_a_row_by_row_count(app, client, auth):
    """The 'tanpa bantuan' rule is evaluated two ways (the dashboard's joined pass, the list's per-row look-ups):
    both give the people a row-by-row reading of the stored data gives."""
    from blueprints.auth.models import User
    from blueprints.sidilan.assistance import unassisted_stmt

    active = {"disalurkan"}  # only aid paid out takes a person off the list (issue 13 part 5)
    with app.app_context():
        regency = db.session.scalar(select(Regency).where(Regency.code == "13.02"))
        people = [
            p
            for p in db.session.scalars(select(Person).where(Person.regency_id == regency.id))
            if p.active and p.merged_into_id is None and p.status_hidup == "hidup"
        ]
        severe = {d.person_id for d in db.session.scalars(select(Disability)) if d.derajat == "berat"}
        latest = {}
        for a in db.session.scalars(
            select(ElderlyAssessment).order_by(ElderlyAssessment.tgl_asesmen, ElderlyAssessment.id)
        ):
            latest[a.person_id] = a.barthel_total
        aid = [a for a in db.session.scalars(select(Assistance)) if a.status in active]
        own = {a.person_id for a in aid if a.person_id}
        family = {a.household_id for a in aid if a.household_id}
        expected = {
            p.id
            for p in people
            if (p.id in severe or latest.get(p.id, 99) <= 8)
            and p.id not in own
            and p.household_id not in family
        }
        user = db.session.scalar(select(User).where(User.username == "operator.solok"))
        listed = {p.id for p in db.session.scalars(unassisted_stmt(user))}
    assert expected and listed == expected
    auth.login("operator.solok")
    tile = re.search(r"([\d.]+) <small class=\"muted\">berat / Barthel", client.get("/sidilan/dasbor").text)
    assert int(tile.group(1).replace(".", "")) == len(expected)


SUMMARY_AT = datetime(2026, 12, 1, 17, 5, tzinfo=WIB)


def _add_elderly_person(app, name: str) -> None:
    with app.app_context():
        regency = db.session.scalar(select(Regency).where(Regency.code == "13.02"))
        db.session.add(
            Person(
                regency_id=regency.id,
                nama_lengkap=name,
                jenis_kelamin="P",
                tanggal_lahir=date(1950, 1, 1),
                kecamatan_code="13.02.18",
                nagari_code="13.02.18.2004",
            )
        )
        db.session.commit()


def test_dashboard_is_served_from_a_labelled_summary(app, client, auth, time_machine):
    """The page says when its counts were computed (WIB); served again, the stored numbers equal the live
    one-pass numbers they were computed from."""
    time_machine.move_to(SUMMARY_AT, tick=False)
    auth.login("operator.solok")
    first = client.get("/sidilan/dasbor").text
    assert "Dihitung pukul 17.05 WIB, 1 Desember 2026" in first
    assert re.search(r'<form method="post" action="/sidilan/dasbor/hitung-ulang"[^>]*>', first)
    assert '<input type="hidden" name="csrf_token"' in first and "Hitung ulang</button>" in first
    time_machine.move_to(SUMMARY_AT + timedelta(minutes=3), tick=False)
    again = client.get("/sidilan/dasbor").text  # the stored summary
    assert "Dihitung pukul 17.05 WIB" in again
    for section in ("c-ragam", "c-kec", "c-usia", "c-barthel", "c-bantuan", "c-sasaran"):
        assert table(again, section) == table(first, section)
    exp = expected(app, "13.02")
    assert table(again, "c-kec")["Jumlah"][0] == exp["total"]


def test_recompute_button_counts_now_and_is_audited(app, client, auth, time_machine):
    time_machine.move_to(SUMMARY_AT, tick=False)
    auth.login("pimpinan.solok")
    before = table(client.get("/sidilan/dasbor").text, "c-kec")["Jumlah"][0]
    _add_elderly_person(app, "Uji Hitung Ulang")
    time_machine.move_to(SUMMARY_AT + timedelta(minutes=2), tick=False)
    assert table(client.get("/sidilan/dasbor").text, "c-kec")["Jumlah"][0] == before  # not invalidated
    r = client.post("/sidilan/dasbor/hitung-ulang")
    assert r.status_code == 302 and r.headers["Location"].endswith("/sidilan/dasbor")
    page = client.get("/sidilan/dasbor").text
    assert table(page, "c-kec")["Jumlah"][0] == before + 1
    assert "Dihitung pukul 17.07 WIB, 1 Desember 2026" in page
    with app.app_context():
        ev = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "sidilan_dashboard_summary")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert ev.action == "update" and ev.summary == "hitung ulang dasbor SIDILAN"
        assert "Uji" not in ev.summary


def test_a_stale_summary_is_recomputed_on_the_next_view(app, client, auth, time_machine):
    time_machine.move_to(SUMMARY_AT, tick=False)
    auth.login("operator.solok")
    before = table(client.get("/sidilan/dasbor").text, "c-kec")["Jumlah"][0]
    _add_elderly_person(app, "Uji Kedaluwarsa")
    time_machine.move_to(SUMMARY_AT + timedelta(minutes=14), tick=False)
    page = client.get("/sidilan/dasbor").text
    assert table(page, "c-kec")["Jumlah"][0] == before and "17.05 WIB" in page
    time_machine.move_to(SUMMARY_AT + timedelta(minutes=15), tick=False)
    page = client.get("/sidilan/dasbor").text
    assert table(page, "c-kec")["Jumlah"][0] == before + 1
    assert "Dihitung pukul 17.20 WIB, 1 Desember 2026" in page


def test_summaries_are_per_regency(app, client, auth, time_machine):
    """Sijunjung's stored summary never answers Solok's page, nor the superadmin's (all regencies)."""
    time_machine.move_to(SUMMARY_AT, tick=False)
    auth.login("operator.sijunjung")
    sij = table(client.get("/sidilan/dasbor").text, "c-kec")["Jumlah"][0]
    auth.logout()
    auth.login("operator.solok")
    sol = table(client.get("/sidilan/dasbor").text, "c-kec")["Jumlah"][0]
    assert sij == expected(app, "13.03")["total"] and sol == expected(app, "13.02")["total"]


def test_recompute_needs_the_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    login = client.get("/masuk").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    client.post(
        "/masuk", data={"username": "operator.solok", "password": "sinergi-demo-2024", "csrf_token": token}
    )
    page = client.get("/sidilan/dasbor").get_data(as_text=True)
    assert client.post("/sidilan/dasbor/hitung-ulang").status_code == 400
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/sidilan/dasbor/hitung-ulang", data={"csrf_token": form_token}).status_code == 302


def test_unassisted_list_takes_its_total_from_the_summary(app, client, auth, time_machine):
    """'Tanpa bantuan' never counts the registry: its total is the stored summary's, with when it was computed;
    one row past the page says whether a next page follows."""
    time_machine.move_to(SUMMARY_AT, tick=False)
    auth.login("operator.solok")
    with statements(app) as seen:
        first = client.get("/sidilan/tanpa-bantuan").text
    assert 'id="jumlah"' not in first  # nothing computed yet: no total claimed
    assert not [s for s in seen if "count(*)" in s.lower()]
    shown = len(set(re.findall(r'href="/sidilan/orang/(\d+)"', first)))
    with app.app_context():
        regency = db.session.scalar(select(Regency).where(Regency.code == "13.02"))
        for i in range(25):
            p = Person(
                regency_id=regency.id,
                nama_lengkap=f"Zz Tanpa Bantuan {i:02d}",
                jenis_kelamin="L",
                tanggal_lahir=date(1980, 1, 1),
                kecamatan_code="13.02.18",
                nagari_code="13.02.18.2004",
            )
            db.session.add(p)
            db.session.flush()
            db.session.add(Disability(person_id=p.id, ragam_fisik=True, derajat="berat"))
        db.session.commit()
    client.get("/sidilan/dasbor")
    page1 = client.get("/sidilan/tanpa-bantuan").text
    total = shown + 25
    assert f"± {total} orang. Dihitung pukul 17.05 WIB, 1 Desember 2026" in page1
    assert len(set(re.findall(r'href="/sidilan/orang/(\d+)"', page1))) == 20
    following = re.search(r'href="([^"]*hal=2[^"]*)"[^>]*>Berikutnya', page1)
    assert following and "setelah=" in following.group(1)  # a keyset link: page 2 starts after page 1's last
    page2 = client.get(html.unescape(following.group(1))).text
    assert len(set(re.findall(r'href="/sidilan/orang/(\d+)"', page2))) == total - 20
    assert "hal=3" not in page2
    no_cursor = client.get("/sidilan/tanpa-bantuan?hal=2").text  # a page number alone is the first page
    assert re.findall(r'href="/sidilan/orang/(\d+)"', no_cursor) == re.findall(
        r'href="/sidilan/orang/(\d+)"', page1
    )
