"""A worker that prints all day keeps its memory: PDFs share one font configuration per thread (core/pdf.py).
With a new one per document, 300 one-paragraph PDFs grew the process by about 69 MiB; shared, by under 1 MiB."""

import os
from pathlib import Path

from blueprints.core.pdf import html_to_pdf

STATIC = Path(__file__).resolve().parent.parent / "static"
PARAGRAPH = "<html><body><p>Surat uji: satu paragraf untuk mengukur memori.</p></body></html>"


def _rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_two_hundred_pdfs_leave_the_worker_about_as_large_as_before():
    for _ in range(10):  # fonts, caches and the allocator settle first
        html_to_pdf(PARAGRAPH, STATIC)
    before = _rss_mib()
    for _ in range(200):
        assert html_to_pdf(PARAGRAPH, STATIC).startswith(b"%PDF-")
    growth = _rss_mib() - before
    assert growth < 12, f"the process grew by {growth:.1f} MiB over 200 PDFs"


def test_a_process_that_printed_exits_cleanly():
    """The kept font configuration is given back before the interpreter's last clean-up (core.pdf); left to
    it, the process died of a segfault on exit after its first PDF (a worker, a CLI command, a job consumer)."""
    import subprocess
    import sys

    code = (
        "from pathlib import Path\n"
        "from app import create_app\n"
        "from blueprints.core.pdf import html_to_pdf\n"
        "app = create_app({'SECRET_KEY': 'x', 'SQLALCHEMY_DATABASE_URI': 'sqlite://'})\n"
        "with app.app_context():\n"
        "    assert html_to_pdf('<p>x</p>', Path(app.root_path) / 'static').startswith(b'%PDF-')\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
