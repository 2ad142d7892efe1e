"""Fingerprinted static URLs: /static/<hash>/<file>, cached for a year, immutable.

Files are read once and served from memory, so Flask-Compress can compress them.
"""

import hashlib
import mimetypes
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, url_for

from . import audit
from .auth_gate import public

bp = Blueprint("assets", __name__)

_CACHE: dict[str, tuple[str, bytes]] = {}
ONE_YEAR = 31536000


def _load(filename: str) -> tuple[str, bytes] | None:
    if filename in _CACHE and not current_app.debug:
        return _CACHE[filename]
    root = Path(current_app.root_path) / "static"
    path = (root / filename).resolve()
    if not path.is_file() or root.resolve() not in path.parents:
        return None
    data = path.read_bytes()
    entry = (hashlib.sha256(data).hexdigest()[:12], data)
    _CACHE[filename] = entry
    return entry


def asset_url(filename: str) -> str:
    entry = _load(filename)
    if entry is None:
        raise FileNotFoundError(filename)
    return url_for("assets.static", fingerprint=entry[0], filename=filename)


@bp.route("/static/<fingerprint>/<path:filename>")
@audit.not_sensitive
@public
def static(fingerprint: str, filename: str):
    entry = _load(filename)
    if entry is None or entry[0] != fingerprint:
        abort(404)
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if mimetype.startswith("text/") or mimetype in ("application/javascript", "image/svg+xml"):
        mimetype += "; charset=utf-8"
    response = Response(entry[1], mimetype=mimetype)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def static_path(filename: str) -> Path:
    """Filesystem path of a static file (for the PDF renderer, which never fetches over the network)."""
    return Path(current_app.root_path) / "static" / filename
