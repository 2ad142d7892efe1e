"""Absolute URLs (QR codes, links meant to leave the browser) point where people reach the app.

Behind nginx the app itself is at http://127.0.0.1:8000; ``PUBLIC_BASE_URL`` (https://sinergi.example.go.id) is
the address printed on paper. When it is set, every ``url_for(..., _external=True)`` in every module builds on it
(``Sinergi.url_for`` in app.py calls ``external``), inside a request or not. Without it, the request's own host
and scheme are used: with ``TRUSTED_PROXIES`` set, those are the ones the proxy reports.
"""

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def base_url(app=None) -> str:
    return ((app or current_app).config.get("PUBLIC_BASE_URL") or "").strip().rstrip("/")


def external(app, base: str, build_path, endpoint: str, values: dict, anchor=None, method=None) -> str:
    """``base`` + the path of ``endpoint``. ``build_path`` is Flask's own url_for (relative) in a request;
    outside one, the URL map is bound to ``base`` directly (no SERVER_NAME needed)."""
    if has_request_context():
        return base + build_path(endpoint, _anchor=anchor, _method=method, _external=False, **values)
    parts = urlsplit(base)
    adapter = app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    app.inject_url_defaults(endpoint, values)
    url = adapter.build(endpoint, values, method=method, force_external=True)
    return url + (f"#{anchor}" if anchor else "")


def external_url(endpoint: str, **values) -> str:
    """The public, absolute URL of ``endpoint``: for anything printed, sent or encoded in a QR code."""
    return url_for(endpoint, _external=True, **values)
