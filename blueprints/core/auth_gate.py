"""What happens to a request without a valid session: redirect to login, or HX-Redirect for htmx."""

from flask import flash, make_response, redirect, request, url_for
from flask_login import current_user

from .extensions import login_manager


def login_redirect():
    target = url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None)
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 200)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def require_login():
    if not current_user.is_authenticated:
        return login_redirect()
    return None


@login_manager.unauthorized_handler
def _unauthorized():
    flash("Silakan masuk terlebih dahulu.", "info")
    return login_redirect()


def public(view):
    """Mark a view as reachable without login (login page, static files, health check, QR verification).
    The access test reads this mark; every other view must redirect an anonymous user to login."""
    view.is_public = True
    return view
