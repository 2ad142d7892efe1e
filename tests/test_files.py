"""Files: the PDF renderer reads only static/ (no encoded escapes, no symlinks out, no attachments), uploads are
checked for zip bombs and fake PDFs, downloads are never stored, and files on disk are private."""

import io
import os
import stat
import tracemalloc
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app import _instance_secret, create_app
from blueprints.core.extensions import db
from blueprints.core.pdf import FetchRefused, StaticOnlyFetcher, html_to_pdf
from blueprints.core.uploads import pdf_problem, spreadsheet_problem, write_private
from blueprints.pks.models import Document
from tests.archives import zeros, zip_of
from tests.conftest import make_config
from tests.pks.conftest import PKS1_TITLE, agreement_id
from tests.replay import form_key, logged_in

STATIC = Path(__file__).resolve().parent.parent / "static"
SECRET = Path("/etc/passwd")


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# ---- the PDF fetcher --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"file://{STATIC}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",  # the bypass measured on main
        f"file://{STATIC}/%2E%2E/%2E%2E/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        f"file://{STATIC}/%252e%252e/%252e%252e/%252e%252e/%252e%252e/%252e%252e/etc/passwd",  # double encoded
        f"file://{STATIC}/../../../../../../etc/passwd",
        f"file://{STATIC}/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        f"file://{STATIC}%2f..%2f..%2f..%2f..%2f..%2fetc/passwd",
        f"file://{STATIC}/app.css%00.png",
        "file:///etc/passwd",
        f"file://{STATIC}",
        "http://127.0.0.1:8000/static/app.css",
        "https://example.org/x.png",
    ],
)
def test_fetcher_refuses_everything_outside_static(url):
    fetcher = StaticOnlyFetcher(STATIC)
    with pytest.raises(ValueError):
        fetcher.fetch(url)


def test_fetcher_reads_static_files_even_through_harmless_dots():
    fetcher = StaticOnlyFetcher(STATIC)
    assert fetcher.fetch(f"file://{STATIC}/app.css").read() == (STATIC / "app.css").read_bytes()
    assert (
        fetcher.fetch(f"file://{STATIC}/rujukan/../app.css?v=1").read() == (STATIC / "app.css").read_bytes()
    )
    assert fetcher.fetch("data:text/plain,halo").read() == b"halo"


def test_fetcher_refuses_symlinks_out_of_static(tmp_path):
    root = tmp_path / "static"
    root.mkdir()
    (root / "inside.css").write_text("b{}")
    outside = tmp_path / "secret.txt"
    outside.write_text("rahasia")
    (root / "link-out.txt").symlink_to(outside)
    (root / "link-in.css").symlink_to(root / "inside.css")
    (root / "dir-out").symlink_to(tmp_path)
    fetcher = StaticOnlyFetcher(root)
    for name in ("link-out.txt", "dir-out/secret.txt", "dir-out/static/inside.css/../../secret.txt"):
        with pytest.raises(FetchRefused):
            fetcher.fetch(f"file://{root}/{name}")
    assert fetcher.fetch(f"file://{root}/link-in.css").read() == b"b{}"


def _embedded(pdf: bytes) -> tuple[dict, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = b"".join(obj.get_object().get_data() for obj in _streams(reader)).decode("latin-1")
    return dict(reader.attachments), text


def _streams(reader):
    for number in range(1, len(reader.xref_objStm) + 2000):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: BLE001  (an object number that does not exist)
            continue
        if obj is not None and hasattr(obj, "get_data"):
            yield obj.indirect_reference or obj


def test_a_pdf_never_embeds_a_file(app):
    html = f"""<html><body><p>Surat</p>
    <a rel="attachment" href="file://{STATIC}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd">lampiran</a>
    <a rel="attachment" href="app.css">gaya</a>
    <link rel="attachment" href="file://{STATIC}/app.css">
    <img src="file://{STATIC}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd">
    </body></html>"""
    with app.app_context():
        pdf = html_to_pdf(html, STATIC)
    attachments, content = _embedded(pdf)
    assert attachments == {}
    assert b"/EmbeddedFile" not in pdf and "root:x:0:0" not in content
    assert SECRET.read_text()[:20] not in pdf.decode("latin-1")


# ---- uploads ------------------------------------------------------------------------------------------------


def test_the_sample_spreadsheet_passes():
    assert (
        spreadsheet_problem(Path("tests/data/sidilan_import_sample.xlsx").read_bytes(), "contoh.xlsx") is None
    )
    assert (
        spreadsheet_problem(Path("tests/data/sidilan_import_sample.csv").read_bytes(), "contoh.csv") is None
    )


def test_a_zip_bomb_is_refused_without_unpacking_it():
    bomb = zip_of({"[Content_Types].xml": b"<Types/>", "xl/sharedStrings.xml": zeros(300)})
    assert len(bomb) < 400_000  # a few hundred KB that would unpack to 300 MB
    tracemalloc.start()
    problem = spreadsheet_problem(bomb, "bom.xlsx")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert problem and "tidak wajar" in problem
    assert peak < 5 * 1024 * 1024


def test_too_much_unpacked_data_is_refused():
    noise = os.urandom(
        2 * 1024 * 1024
    )  # does not compress: the ratio rule does not apply, the size rule does
    problem = spreadsheet_problem(zip_of({"xl/media/image1.png": noise}), "x.xlsx", max_unpacked=1024 * 1024)
    assert problem and "terlalu besar" in problem


def test_a_sheet_with_too_many_rows_is_refused_while_streaming():
    def rows(fh):
        fh.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        for n in range(1, 30_001):
            fh.write(b'<row r="%d"/>' % n)
        fh.write(b"</sheetData></worksheet>")

    sheet = zip_of({"xl/worksheets/sheet1.xml": rows})
    tracemalloc.start()
    problem = spreadsheet_problem(sheet, "baris.xlsx")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert problem and "lebih dari 20.000 baris" in problem
    assert peak < 5 * 1024 * 1024
    assert spreadsheet_problem(b"nama;nik\n" + b"a;1\n" * 50, "x.csv", max_rows=20) is not None


def test_only_a_real_pdf_is_a_pdf(app):
    with app.app_context():
        real = html_to_pdf("<p>Naskah</p>", STATIC)
    assert pdf_problem(real) is None
    for fake in (
        b"%PDF-1.7\n<html><script>alert(1)</script></html>",
        b"%PDF-" + os.urandom(2000),
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        b"<html>PDF</html>",
        real[: len(real) // 3],
    ):
        assert pdf_problem(fake) is not None


# ---- downloads and modes ------------------------------------------------------------------------------------


def test_uploaded_documents_are_no_store_and_private_on_disk(app):
    client = logged_in(app, "kerjasama.solok")
    with app.app_context():
        real = html_to_pdf("<p>Draf</p>", STATIC)
    aid = agreement_id(app, PKS1_TITLE)
    key = form_key(client, f"/pks/{aid}/dokumen")
    response = client.post(
        f"/pks/{aid}/dokumen",
        data={"submission_key": key, "kind": "draf", "berkas": (io.BytesIO(real), "draf.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        doc = db.session.scalar(select(Document).where(Document.agreement_id == aid))
        stored = Path(app.config["UPLOAD_DIR"]) / "pks" / doc.stored_name
    assert (
        _mode(stored) == 0o600 and _mode(stored.parent) == 0o700 and _mode(app.config["UPLOAD_DIR"]) == 0o700
    )
    download = client.get(f"/pks/dokumen/{doc.id}/unduh")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"


def test_generated_files_are_no_store(app):
    client = logged_in(app, "operator.solok")
    export = client.get("/sidilan/ekspor.csv")
    assert export.status_code == 200 and export.headers["Cache-Control"] == "no-store"
    page = client.get("/")
    assert page.headers["Cache-Control"] == "no-store"


def test_database_instance_and_secret_are_created_private(tmp_path, monkeypatch):
    path = tmp_path / "baru" / "sinergi.sqlite"
    path.parent.mkdir()
    app = create_app(make_config("sqlite:///" + str(path)))
    with app.app_context():
        db.create_all()
        db.session.execute(db.text("CREATE TABLE t (x)"))
        db.session.execute(db.text("INSERT INTO t VALUES (1)"))
        db.session.commit()
        wal = Path(str(path) + "-wal")
        assert _mode(path) == 0o600 and (not wal.exists() or _mode(wal) == 0o600)
        db.engine.dispose()
    assert _mode(app.instance_path) == 0o700
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "secret_key"))
    assert len(_instance_secret(app)) == 64 and _mode(tmp_path / "secret_key") == 0o600
    assert _mode(write_private(tmp_path / "f", b"x")) == 0o600
