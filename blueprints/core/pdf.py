"""The project's only WeasyPrint import. PDFs are rendered from Jinja templates; the renderer may read
files under static/ and inline data: URLs, and never fetches anything over the network."""
from pathlib import Path

from flask import Response, current_app, render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from .export import download as file_response

PAPER = {"A4": "210mm 297mm", "F4": "215mm 330mm"}


class StaticOnlyFetcher(URLFetcher):
    def __init__(self, static_root: Path):
        super().__init__(allowed_protocols={"file", "data"})
        self._root = static_root.resolve()

    def fetch(self, url, headers=None):
        if url.startswith("file://"):
            path = Path(url.removeprefix("file://").split("?")[0]).resolve()
            if self._root not in path.parents:
                raise ValueError("PDF may only read files under static/")
        elif not url.startswith("data:"):
            raise ValueError("PDF may not fetch over the network")
        return super().fetch(url, headers)


def render_pdf(template: str, paper: str = "A4", **context) -> bytes:
    """Render ``template`` (HTML meant for print) to PDF bytes. ``paper`` is A4 or F4; the template
    receives ``page_size`` for its ``@page { size: ... }`` rule."""
    static_root = Path(current_app.root_path) / "static"
    html = render_template(template, page_size=PAPER.get(paper, PAPER["A4"]), paper=paper, **context)
    document = HTML(string=html, base_url=static_root.as_uri() + "/", url_fetcher=StaticOnlyFetcher(static_root))
    return document.write_pdf()


def pdf_response(data: bytes, filename: str, download: bool = False) -> Response:
    return file_response(data, filename, inline=not download)
