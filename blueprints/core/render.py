"""The one place that decides page vs fragment (contact.app style: the page includes the fragment)."""

from flask import make_response, render_template, request


def wants_fragment() -> bool:
    """An htmx request that targets part of the page and is not a history restore."""
    h = request.headers
    return (
        h.get("HX-Request") == "true"
        and h.get("HX-History-Restore-Request") != "true"
        and h.get("HX-Request-Type", "partial") != "full"
    )


def render(page_template: str, fragment_template: str | None = None, /, status: int = 200, **context):
    """Render the page, or the fragment when htmx asks for a part. The page template must include
    the fragment template, so the two never drift. (Every HTML answer varies on HX-Request: app.py adds it.)"""
    template = fragment_template if fragment_template and wants_fragment() else page_template
    return make_response(render_template(template, **context), status)
