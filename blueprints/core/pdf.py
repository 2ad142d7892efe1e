"""The project's only WeasyPrint import. PDFs are rendered from Jinja templates; the renderer may read regular
files under static/ and inline data: URLs, never fetches anything over the network and never embeds a file a
document names; the only embedded files are the ones the caller hands over as ``EmbeddedFile`` (bytes built by
code, e.g. the machine-readable referral of an issued letter), written as a PDF/A-3 document when asked.

The file check works on the path the file system would open: the URL's path is percent-decoded once (as
urllib does), refused if it still holds an escape (double encoding), normalised, and resolved through symlinks;
only a regular file whose real location is inside static/ is read, and it is read by this fetcher, not handed
back to urllib to be decoded a second time.
"""

import atexit
import io
import mimetypes
import os
import re
import threading
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Response, current_app, has_request_context, render_template
from flask_login import current_user
from weasyprint import CSS, HTML, Attachment
from weasyprint.css import ColorProfile
from weasyprint.html import UA, UA_COUNTER_STYLE, UA_FORM_STYLESHEET
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .export import download as file_response
from .fmt import tanggal_jam
from .timeutil import utcnow

PAPER = {"A4": "210mm 297mm", "F4": "215mm 330mm"}
# The archival variants a caller may ask for (WeasyPrint's names). PDF/A-3 is the one that may carry an embedded
# file of any type (ISO 19005-3), linked from the catalogue with its relationship (/AF).
VARIANTS = ("pdf/a-3b",)
# The sRGB output intent PDF/A asks for, read once. WeasyPrint's own ("srgb") opens its ICC file for every PDF
# and never closes it (a ResourceWarning per document); ours is the same profile under another key.
_SRGB_ICC = (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()
_INTENT = "sinergi-srgb"


@dataclass(frozen=True)
class EmbeddedFile:
    """A file embedded in a PDF: ``name`` with its extension (the MIME type is guessed from it), the bytes,
    a description, and its relationship to the document (ISO 32000-2 7.11.3: Data, Source, Alternative,
    Supplement, Unspecified)."""

    name: str
    data: bytes
    description: str = ""
    relationship: str = "Data"


class FetchRefused(ValueError):
    pass


class StaticOnlyFetcher(URLFetcher):
    def __init__(self, static_root: Path):
        super().__init__(allowed_protocols={"file", "data"})
        self._root = Path(static_root).resolve()

    def allowed_path(self, url: str) -> Path:
        """The real path ``url`` names, when it is a regular file inside static/; else FetchRefused."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise FetchRefused("PDF may only read files under static/")
        path = unquote(parts.path)
        if "%" in path or "\x00" in path or "\\" in path:
            raise FetchRefused("encoded or unusual characters in a file path")
        path = os.path.normpath(path)
        try:
            real = Path(path).resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            raise FetchRefused("no such file") from exc
        if not real.is_relative_to(self._root) or real == self._root or not real.is_file():
            raise FetchRefused("PDF may only read files under static/")
        return real

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        real = self.allowed_path(url)
        mimetype = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
        return URLFetcherResponse(real.as_uri(), body=real.read_bytes(), headers={"Content-Type": mimetype})


def _lean_ua_sheet(ua: str) -> str:
    """WeasyPrint's HTML stylesheet without the rules that give *every* element a ``::marker`` and five
    footnote and note pseudo-elements: WeasyPrint computes a style for each one (six per element, most of the
    cascade's time on a form of many small boxes), and no Sinergi PDF has footnotes. Markers stay on list items.
    Unchanged when the rules are not found (another WeasyPrint): slower, never wrong."""
    lean = re.sub(r"^::(footnote|note)-[a-z]+ \{[^}]*\}\n", "", ua, flags=re.M)
    return lean.replace("\n::marker {", "\nli::marker {", 1)


_UA_SHEET = CSS(string=_lean_ua_sheet(UA), counter_style=UA_COUNTER_STYLE)


class _HTML(HTML):
    def _ua_stylesheets(self, forms=False):
        return [_UA_SHEET, UA_FORM_STYLESHEET] if forms else [_UA_SHEET]


_FONTS = threading.local()


@atexit.register
def _release_fonts() -> None:
    """Give this thread's font configuration back while Python still runs: left to the interpreter's last
    clean-up, its Pango font map is unreferenced after the libraries it needs are gone (a segfault at exit)."""
    if hasattr(_FONTS, "config"):
        del _FONTS.config


def _font_config() -> FontConfiguration:
    """One font configuration per thread, kept for the process: a new one per document (WeasyPrint's default)
    is never given back, so a worker grew by about 0.25 MiB a PDF and each render re-read the fonts."""
    config = getattr(_FONTS, "config", None)
    if config is None:
        config = _FONTS.config = FontConfiguration()
    return config


def html_to_pdf(
    html: str, static_root: Path, embedded: tuple[EmbeddedFile, ...] = (), variant: str | None = None
) -> bytes:
    """Render ``html`` with ``static_root`` as the only readable place. ``<a rel="attachment">`` and
    ``<link rel="attachment">`` are dropped before writing: a file the document names is never embedded.
    ``embedded``: the files to embed (only with an archival ``variant``, e.g. "pdf/a-3b"); without a variant the
    PDF is written exactly as before."""
    if variant is not None and variant not in VARIANTS:
        raise ValueError(f"unsupported PDF variant {variant!r}")
    if embedded and variant is None:
        raise ValueError("embedded files need an archival variant (pdf/a-3b)")
    options = {"pdf_variant": variant, "output_intent": _INTENT} if variant else {}
    document = _HTML(
        string=html, base_url=static_root.as_uri() + "/", url_fetcher=StaticOnlyFetcher(static_root)
    ).render(font_config=_font_config(), **options)
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]
    if variant:
        document.color_profiles[_INTENT] = ColorProfile(
            io.BytesIO(_SRGB_ICC), "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"])
        )
    if embedded:
        now = utcnow()  # WeasyPrint writes these as UTC ("...Z"); its default would be the naive local clock
        options["attachments"] = [
            Attachment(
                string=f.data,
                name=f.name,
                description=f.description or None,
                relationship=f.relationship,
                created=now,
                modified=now,
            )
            for f in embedded
        ]
    return document.write_pdf(**options)


def render_pdf(
    template: str,
    paper: str = "A4",
    printed_for=None,
    embedded: tuple[EmbeddedFile, ...] = (),
    variant: str | None = None,
    **context,
) -> bytes:
    """Render ``template`` (HTML meant for print, extending print/_base.html) to PDF bytes. ``paper`` is A4 or
    F4. The base receives ``page_size`` for its ``@page { size: ... }`` rule, and for its running footer who
    prints (``printed_by``) and when (``printed_at``, WIB); its letterhead is ``letterhead``: the printing
    user's organisation unless the view passes another. ``printed_for``: the user who prints when that is not the
    request's (a background job's owner, core.jobs). ``embedded``, ``variant``: see html_to_pdf."""
    static_root = Path(current_app.root_path) / "static"
    if printed_for is not None:
        user = printed_for
    else:
        user = current_user if has_request_context() and current_user.is_authenticated else None
    context.setdefault("letterhead", user.organisation if user else None)
    html = render_template(
        template,
        page_size=PAPER.get(paper, PAPER["A4"]),
        paper=paper,
        printed_by=user.name if user else "",
        printed_at=f"{tanggal_jam(utcnow())} WIB",
        **context,
    )
    return html_to_pdf(html, static_root, embedded=embedded, variant=variant)


def pdf_response(data: bytes, filename: str, download: bool = False) -> Response:
    return file_response(data, filename, inline=not download)
