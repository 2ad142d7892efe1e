"""Jorong import (issue 13, part 7): an admin imports jorong per nagari from a CSV/xlsx with a dry run, then
applies it; the demo seeds plausible jorong (flagged demo) for the nagari it uses."""

import html
import io
import re

from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.core.forms import new_submission_key
from blueprints.rujukan.demo import TIGO_JANGKO
from blueprints.sidilan.demo import TIGO_JANGKO_NAGARI
from blueprints.wilayah.demo import DEMO_JORONG
from blueprints.wilayah.models import LEVEL_NAGARI, Jorong, Wilayah

HEADER = "nama_jorong,kode_nagari,kode_jorong"
# Kab. Solok: Nagari Tanjung Balik Sumiso (13.02.18.2004, holds Tigo Jangko), Nagari Simanau (13.02.18.2005);
# Kab. Sijunjung: Nagari Muaro (13.03.04.2001)
MIXED = "\n".join(
    [
        HEADER,
        "Lubuak Sariak,13.02.18.2004,01",  # new
        "  jorong  TIGO   jangko ,1302182004,",  # already exists: case, spaces, the word "Jorong", no dots
        "Lubuak Sariak,13.02.18.2004,",  # duplicate of row 2 in the file
        ",13.02.18.2005,",  # empty name
        "Koto Ranah,13.02.99.2999,",  # no such nagari
        "Pasar Muaro,13.03.04.2001,",  # Sijunjung's nagari
        "Ateh Guguak,1302182005,02",  # new, code without dots
    ]
)


def csv_upload(text: str, name: str = "jorong.csv") -> dict:
    return {"berkas": FileStorage(io.BytesIO(text.encode("utf-8")), filename=name)}


def dry_run(client, payload: dict):
    return client.post("/admin/jorong/impor", data=payload, content_type="multipart/form-data")


def apply_form(page: str) -> dict:
    """The hidden inputs of the dry run's apply form, as the browser would send them."""
    form = page.split('action="/admin/jorong/impor/terapkan"', 1)[1].split("</form>", 1)[0]
    return {
        m.group(1): html.unescape(m.group(2))
        for m in re.finditer(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', form)
    }


def result_of(page: str) -> dict[int, str]:
    """File row number -> the dry run's verdict, from the table the admin reads."""
    body = page.split("Hasil uji coba per baris", 1)[1]
    out = {}
    for row in re.findall(r"<tr><td class=\"num\">(\d+)</td>(.*?)</tr>", body, re.S):
        verdict = re.findall(r"<td>(.*?)</td>", row[1], re.S)[-1]
        out[int(row[0])] = re.sub(r"<[^>]+>", "", verdict)
    return out


def jorong_names(app, nagari_code: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Jorong.name).where(Jorong.nagari_code == nagari_code).order_by(Jorong.name)
            )
        )


def test_dry_run_says_what_each_row_would_do_and_saves_nothing(app, client, auth):
    auth.login("admin.solok")
    before = jorong_names(app, "13.02.18.2004")
    r = dry_run(client, csv_upload(MIXED))
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert result_of(page) == {
        2: "Baru",
        3: "Sudah ada",
        4: "Ganda dalam berkas",
        5: "Nama jorong kosong",
        6: "Nagari tidak dikenal",
        7: "Nagari di luar kabupaten Anda",
        8: "Baru",
    }
    assert "Baru: <b>2</b>" in page and "Simpan 2 jorong baru" in page
    assert "Muaro" not in page.replace("Pasar Muaro", "")  # the other regency's nagari is not named
    assert jorong_names(app, "13.02.18.2004") == before


def test_apply_creates_the_new_rows_audited_and_reimport_creates_nothing(app, client, auth):
    auth.login("admin.solok")
    form = apply_form(dry_run(client, csv_upload(MIXED)).get_data(as_text=True))
    r = client.post("/admin/jorong/impor/terapkan", data=form)
    assert r.status_code == 303
    done = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Impor selesai: 2 jorong baru disimpan." in done and "dilewati" not in done
    with app.app_context():
        row = db.session.scalar(select(Jorong).where(Jorong.name == "Lubuak Sariak"))
        assert (row.nagari_code, row.code, row.is_demo, row.active) == ("13.02.18.2004", "01", False, True)
        assert db.session.scalar(select(Jorong.code).where(Jorong.name == "Ateh Guguak")) == "02"
        assert db.session.scalar(select(func.count()).where(Jorong.name == "Tigo Jangko")) == 1
        assert db.session.scalar(select(func.count()).where(Jorong.name == "Pasar Muaro")) == 0
        summaries = set(
            db.session.scalars(select(AuditEvent.summary).where(AuditEvent.object_type.like("jorong%")))
        )
        assert "impor jorong Lubuak Sariak di Tanjung Balik Sumiso" in summaries
        assert any(s == "impor jorong dari jorong.csv: 2 baru" for s in summaries)
        count = db.session.scalar(select(func.count()).select_from(Jorong))
    # the same apply form again (a double tap): the first result, nothing new
    again = client.post("/admin/jorong/impor/terapkan", data=form)
    assert again.status_code == 303
    # the same file again: every row that was new now "Sudah ada", and there is nothing to save
    page = dry_run(client, csv_upload(MIXED)).get_data(as_text=True)
    assert result_of(page)[2] == "Sudah ada" and result_of(page)[8] == "Sudah ada"
    assert "Tidak ada jorong baru" in page and "terapkan" not in page
    # a stale apply form from before (a fresh key) re-checks its rows and creates nothing
    stale = client.post("/admin/jorong/impor/terapkan", data={**form, "submission_key": new_submission_key()})
    assert stale.status_code == 303
    assert "Impor selesai: 0 jorong baru disimpan. 2 baris ternyata sudah ada" in client.get(
        stale.headers["Location"]
    ).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Jorong)) == count


def test_other_regency_nagari_refused_even_when_the_apply_form_is_edited(app, client, auth):
    auth.login("admin.sijunjung")
    page = dry_run(client, csv_upload(MIXED)).get_data(as_text=True)
    verdicts = result_of(page)
    assert verdicts[2] == verdicts[3] == verdicts[8] == "Nagari di luar kabupaten Anda"
    assert verdicts[7] == "Baru"  # its own nagari Muaro
    form = apply_form(page)
    form["rows"] = '[[2, "Sisipan Solok", "13.02.18.2004", ""], [7, "Pasar Muaro", "13.03.04.2001", ""]]'
    assert client.post("/admin/jorong/impor/terapkan", data=form).status_code == 303
    assert "Sisipan Solok" not in jorong_names(app, "13.02.18.2004")
    assert "Pasar Muaro" in jorong_names(app, "13.03.04.2001")


def test_superadmin_imports_into_either_regency(app, client, auth):
    auth.login("superadmin")
    verdicts = result_of(dry_run(client, csv_upload(MIXED)).get_data(as_text=True))
    assert verdicts[7] == "Baru" and verdicts[2] == "Baru" and verdicts[6] == "Nagari tidak dikenal"


def test_xlsx_with_a_title_row_and_numeric_codes(app, client, auth):
    book = Workbook()
    ws = book.active
    ws.append(["Daftar jorong Kecamatan Tigo Lurah"])
    ws.append([])
    ws.append(["No", "Nama Jorong", "Kode Nagari", "Kode Jorong"])
    ws.append([1, "Jorong Koto Tuo Simanau", 1302182005, 3])
    out = io.BytesIO()
    book.save(out)
    auth.login("admin.solok")
    payload = {"berkas": FileStorage(io.BytesIO(out.getvalue()), filename="jorong.xlsx")}
    page = dry_run(client, payload).get_data(as_text=True)
    assert result_of(page) == {4: "Baru"}
    assert "Koto Tuo Simanau" in page and "Simanau" in page


def test_bad_files_are_refused_with_a_reason(client, auth):
    auth.login("admin.solok")
    cases = [
        (csv_upload("nama,alamat\nA,B", "salah.csv"), "Kolom nama jorong dan kode nagari tidak ditemukan"),
        (csv_upload(HEADER + "\n", "kosong.csv"), "tidak berisi baris jorong"),
        ({"berkas": FileStorage(io.BytesIO(b"PK\x03\x04rusak"), filename="x.xlsx")}, "rusak"),
        ({"berkas": FileStorage(io.BytesIO(b"\xd0\xcf\x11"), filename="lama.xls")}, "Format .xls lama"),
        ({"berkas": FileStorage(io.BytesIO(b"%PDF-1.4"), filename="a.pdf")}, "Jenis berkas tidak dikenali"),
        ({}, "Pilih berkas"),
    ]
    for payload, reason in cases:
        r = dry_run(client, payload)
        assert r.status_code == 422, reason
        assert reason in r.get_data(as_text=True)
    assert client.post("/admin/jorong/impor/terapkan", data={"rows": "[]"}).status_code == 422


def test_without_javascript_template_upload_apply(app, client, auth):
    """The whole flow is plain forms and links: no htmx attribute, a download, two posts and a redirect."""
    auth.login("admin.solok")
    page = client.get("/admin/jorong").get_data(as_text=True)
    assert 'href="/admin/jorong/impor"' in page
    start = client.get("/admin/jorong/impor")
    text = start.get_data(as_text=True)
    assert start.status_code == 200 and "data-hx-" not in text.split("<main", 1)[-1]
    assert 'enctype="multipart/form-data"' in text and 'href="/admin/jorong/impor/templat.csv"' in text
    template = client.get("/admin/jorong/impor/templat.csv")
    assert template.headers["Content-Disposition"].endswith("templat-jorong.csv")
    lines = template.get_data().decode("utf-8-sig").splitlines()
    assert lines[0] == "nama_jorong,kode_nagari,kode_jorong,nama_nagari"
    assert ",13.02.18.2004,,Tanjung Balik Sumiso" in lines
    assert not any(",13.03." in line for line in lines)  # only the admin's regency
    with app.app_context():
        solok_nagari = db.session.scalar(
            select(func.count()).where(Wilayah.level == LEVEL_NAGARI, Wilayah.code.like("13.02.%"))
        )
    assert len(lines) == 1 + solok_nagari
    # the clerk fills one row of the template and uploads the whole file back
    filled = "\n".join(line.replace(",13.02.18.2001,", "Sungai Batang,13.02.18.2001,", 1) for line in lines)
    page = dry_run(client, csv_upload(filled)).get_data(as_text=True)
    assert "Baru: <b>1</b>" in page and f"Nama jorong kosong: <b>{solok_nagari - 1}</b>" in page
    done = client.post("/admin/jorong/impor/terapkan", data=apply_form(page), follow_redirects=True)
    assert "1 jorong baru disimpan" in done.get_data(as_text=True)
    assert "Sungai Batang" in jorong_names(app, "13.02.18.2001")


def test_demo_seeds_jorong_for_each_demo_nagari(app, client, auth):
    with app.app_context():
        used = {TIGO_JANGKO_NAGARI, TIGO_JANGKO[0]}
        # the nagari the Rujukan demo puts patients in: the first other nagari of Tigo Lurah, Sijunjung's first
        used.add(
            db.session.scalar(
                select(Wilayah.code)
                .where(Wilayah.parent_code == "13.02.18", Wilayah.level == 4, Wilayah.code != TIGO_JANGKO[0])
                .order_by(Wilayah.code)
            )
        )
        used.add(
            db.session.scalar(
                select(Wilayah.code)
                .where(Wilayah.code.like("13.03.%"), Wilayah.level == 4)
                .order_by(Wilayah.code)
            )
        )
        assert used <= set(DEMO_JORONG)
        for code in DEMO_JORONG:
            rows = db.session.scalars(select(Jorong).where(Jorong.nagari_code == code)).all()
            demo = [j for j in rows if j.is_demo]
            assert 3 <= len(demo) <= 8, code
            assert len({j.name.lower() for j in rows}) == len(rows)
        tigo = db.session.scalar(select(Jorong).where(Jorong.name == "Tigo Jangko"))
        assert tigo.is_demo is False  # the real one stays real
    auth.login("admin.solok")
    page = client.get("/admin/jorong?kecamatan=13.02.18&nagari=13.02.18.2004").get_data(as_text=True)
    assert "Tigo Jangko</td>" in page and "Sumiso <small>(demo)</small>" in page


def test_apply_with_malformed_rows_creates_nothing(app, client, auth):
    auth.login("admin.solok")
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Jorong))
    for rows in (
        "bukan json",
        "{}",
        '[["x"]]',
        "[[1, 2, 3, 4]]",
        '[[1, "' + "x" * 5000 + '", "13.02.18.2004", ""]]',
        '[[1, "Nama", "13.02.18.2004", "' + "9" * 30 + '"]]',
        '[[1, "\u0000", "13.02.18.2004", ""]]',
    ):
        r = client.post(
            "/admin/jorong/impor/terapkan", data={"rows": rows, "submission_key": new_submission_key()}
        )
        assert r.status_code in (303, 422), rows
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Jorong)) == count
