"""Export of the filtered list (issue 3 item 8): same filters as the list page, NIK masked unless the role
may see it, watermarked, audited, scoped."""

import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from blueprints.auth.models import Regency
from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.sidilan.models import Person
from tests.offers import job_count, offer_page, press, start_offered

NIK16 = re.compile(r"(?<!\d)\d{16}(?!\d)")


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def people(app, regency_code: str, **where) -> list[Person]:
    with app.app_context():
        stmt = (
            select(Person)
            .join(Regency, Regency.id == Person.regency_id)
            .where(Regency.code == regency_code, Person.active.is_(True))
        )
        for key, value in where.items():
            stmt = stmt.where(getattr(Person, key) == value)
        rows = list(db.session.scalars(stmt))
        db.session.expunge_all()
        return rows


def test_operator_csv_has_every_row_in_scope_with_full_nik(app, client, auth):
    auth.login("operator.solok")
    r = client.get("/sidilan/ekspor.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = read_csv(r)
    assert "diekspor oleh operator.solok" in rows[0][0] and "RAHASIA" in rows[0][0]
    assert rows[1][:4] == ["No", "NIK", "No. KK", "Nama lengkap"]
    solok = people(app, "13.02")
    assert len(rows) - 2 == len(solok) > 0
    assert {r[1] for r in rows[2:] if r[1]} == {p.nik for p in solok if p.nik}
    sijunjung = people(app, "13.03")
    exported_names = {r[3] for r in rows[2:]}
    assert not exported_names & ({p.nama_lengkap for p in sijunjung} - {p.nama_lengkap for p in solok})
    assert not {r[1] for r in rows[2:]} & {p.nik for p in sijunjung if p.nik}


def test_filters_are_the_list_pages(app, client, auth):
    auth.login("operator.solok")
    rows = read_csv(client.get("/sidilan/ekspor.csv?kecamatan=13.02.18"))
    assert {r[1] for r in rows[2:] if r[1]} == {
        p.nik for p in people(app, "13.02", kecamatan_code="13.02.18") if p.nik
    }
    assert all(r[9] == "Tigo Lurah" for r in rows[2:])
    # the list page shows the same rows for the same query string
    listed = client.get("/sidilan/?kecamatan=13.02.18&status=draf")
    draf = read_csv(client.get("/sidilan/ekspor.csv?kecamatan=13.02.18&status=draf"))
    assert all(r[15] == "Draf" for r in draf[2:])
    for r in draf[2:]:
        assert r[3] in listed.text
    lansia = read_csv(client.get("/sidilan/ekspor.csv?lansia=ya"))
    assert lansia[2:] and all(r[14] == "Ya" and int(r[7]) >= 60 for r in lansia[2:])


def test_pimpinan_export_masks_nik_and_kk(app, client, auth):
    auth.login("pimpinan.solok")
    r = client.get("/sidilan/ekspor.csv")
    assert r.status_code == 200
    text = r.data.decode("utf-8-sig")
    assert not NIK16.search(text)
    rows = read_csv(r)
    masked = [row[1] for row in rows[2:] if row[1]]
    assert masked and all(re.fullmatch(r"\d{4}\*{8}\d{4}", m) for m in masked)
    x = client.get("/sidilan/ekspor.xlsx")
    cells = [
        c
        for row in load_workbook(io.BytesIO(x.data), read_only=True).active.iter_rows(values_only=True)
        for c in row
        if c is not None
    ]
    assert not any(NIK16.search(str(c)) for c in cells)


def test_xlsx_export_keeps_nik_as_text(app, client, auth):
    auth.login("verifikator.solok")
    r = client.get("/sidilan/ekspor.xlsx?kecamatan=13.02.18")
    assert r.status_code == 200 and r.data[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(r.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "diekspor oleh verifikator.solok" in rows[0][0]
    assert rows[2][:2] == ("No", "NIK")
    niks = [row[1] for row in rows[3:] if row[1]]
    assert niks and all(isinstance(n, str) and len(n) == 16 for n in niks)
    assert len(rows) - 3 == len(people(app, "13.02", kecamatan_code="13.02.18"))


def test_export_is_audited_without_personal_data(app, client, auth):
    auth.login("operator.solok")
    client.get("/sidilan/ekspor.csv?q=1302&kecamatan=13.02.18")
    client.get("/sidilan/ekspor.xlsx")
    with app.app_context():
        events = list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
            )
        )
        users = [e.user.username for e in events]
    assert len(events) == 2 and users == ["operator.solok", "operator.solok"]
    assert "(csv)" in events[0].summary and "kecamatan=13.02.18" in events[0].summary
    assert "dengan kata kunci" in events[0].summary and "1302" not in events[0].summary.replace(
        "13.02.18", ""
    )
    assert events[0].object_type == "sidilan_person"


def test_formula_cells_are_neutralised(app, client, auth):
    with app.app_context():
        p = db.session.scalar(
            select(Person)
            .join(Regency, Regency.id == Person.regency_id)
            .where(Regency.code == "13.02")
            .order_by(Person.id)
        )
        p.alamat = '=HYPERLINK("http://contoh.invalid")'
        db.session.commit()
    auth.login("operator.solok")
    rows = read_csv(client.get("/sidilan/ekspor.csv"))
    alamat = [r[8] for r in rows[2:] if "HYPERLINK" in r[8]]
    assert alamat == ['\'=HYPERLINK("http://contoh.invalid")']


def test_export_other_format_and_roles(client, auth):
    auth.login("operator.solok")
    assert client.get("/sidilan/ekspor.pdf").status_code == 404
    auth.logout()
    auth.login("faskes.solok")
    assert client.get("/sidilan/ekspor.csv").status_code == 404


def test_export_with_bad_filter_values_never_fails(client, auth):
    auth.login("operator.solok")
    r = client.get(
        "/sidilan/ekspor.csv",
        query_string={"q": "<script>" + "x" * 10000, "jorong": "abc", "program": "1;drop", "ragam": "<b>"},
    )
    assert r.status_code == 200
    assert len(read_csv(r)) == 2  # watermark and header, no rows


# ---- large exports: a background job, and a constant number of queries (issue 12 item 4) --------------------


def add_people(app, regency_code: str, n: int) -> None:
    """``n`` more active people in the regency, copies of one demo person (and its disability row), each with
    its own NIK and name."""
    from sqlalchemy import insert

    if n == 0:
        return

    from blueprints.sidilan.models import Disability

    with app.app_context():
        template = db.session.scalars(
            select(Person)
            .join(Regency, Regency.id == Person.regency_id)
            .join(Disability, Disability.person_id == Person.id)
            .where(Regency.code == regency_code, Person.active.is_(True), Person.merged_into_id.is_(None))
            .order_by(Person.id)
        ).first()
        person_row = {c.key: getattr(template, c.key) for c in Person.__table__.columns if c.key != "id"}
        person_row.pop("version_id", None)
        first = db.session.scalar(select(db.func.max(Person.id))) + 1
        db.session.execute(
            insert(Person),
            [
                {
                    **person_row,
                    "id": first + i,
                    "nik": f"9{i:015d}",
                    "nama_lengkap": f"Salinan Uji {i}",
                    "name_search": f"salinan uji {i}",
                }
                for i in range(n)
            ],
        )
        dis_row = {
            c.key: getattr(template.disability, c.key)
            for c in Disability.__table__.columns
            if c.key not in ("id", "person_id")
        }
        db.session.execute(insert(Disability), [{**dis_row, "person_id": first + i} for i in range(n)])
        db.session.commit()


def test_the_export_runs_the_same_queries_for_more_rows(app, client, auth):
    from tests.queries import statements

    auth.login("operator.solok")
    counts = []
    for extra in (0, 1200):
        add_people(app, "13.02", extra)
        with statements(app) as seen:
            r = client.get("/sidilan/ekspor.csv")
        assert r.status_code == 200
        counts.append((len(seen), len(read_csv(r))))
    assert counts[0][0] == counts[1][0], counts
    assert counts[1][1] == counts[0][1] + 1200


def test_an_export_over_the_threshold_is_a_job_with_the_same_file(app, client, auth):
    auth.login("operator.solok")
    inline = read_csv(client.get("/sidilan/ekspor.csv?kecamatan=13.02.18"))
    app.config["SIDILAN_EXPORT_JOB_ROWS"] = 2
    before = job_count(app)
    action = offer_page(client, "/sidilan/ekspor.csv?kecamatan=13.02.18")
    client.get("/sidilan/ekspor.csv?kecamatan=13.02.18")  # a reload, a crawler, a prefetch: nothing starts
    assert job_count(app) == before and action == "/sidilan/ekspor.csv?kecamatan=13.02.18"
    r = press(client, action)
    job_page = client.get(r.headers["Location"])
    html = job_page.get_data(as_text=True)
    assert "Ekspor daftar SIDILAN" in html and "Selesai" in html
    rows_count = len(inline) - 2
    assert (
        f"{rows_count} baris diekspor" in html
        and f'<progress max="{rows_count}" value="{rows_count}">' in html
    )
    (link,) = re.findall(r'href="(/pekerjaan/\d+/unduh)"', html)
    got = client.get(link)
    assert got.status_code == 200 and got.mimetype == "text/csv"
    queued = read_csv(got)
    assert queued[1:] == inline[1:] and "diekspor oleh operator.solok" in queued[0][0]
    with app.app_context():
        summaries = db.session.scalars(
            select(AuditEvent.summary).where(AuditEvent.action == "export").order_by(AuditEvent.id)
        ).all()
    job_id = link.split("/")[2]
    assert summaries[-2].startswith(f"pekerjaan #{job_id}: ekspor daftar SIDILAN {rows_count} baris (csv)")
    assert summaries[-1].startswith(f"unduh hasil pekerjaan #{job_id}")


def test_a_large_xlsx_export_job_keeps_the_masking(app, client, auth):
    app.config["SIDILAN_EXPORT_JOB_ROWS"] = 2
    auth.login("pimpinan.solok")
    r = start_offered(client, "/sidilan/ekspor.xlsx")
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    (link,) = re.findall(r'href="(/pekerjaan/\d+/unduh)"', html)
    book = load_workbook(io.BytesIO(client.get(link).data), read_only=True)
    cells = [str(c) for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert cells and not any(NIK16.search(c) for c in cells)
