"""Issue 10: a URL leads to blueprints/rujukan/views/<resource>.py in one hop."""


def test_every_rujukan_view_lives_in_views_package(app):
    endpoints = {
        ep: fn for ep, fn in app.view_functions.items() if ep.split(".")[0] in ("rujukan", "rujukan_verify")
    }
    assert "rujukan.detail" in endpoints and "rujukan_verify.verify" in endpoints
    misplaced = {
        ep: fn.__module__
        for ep, fn in endpoints.items()
        if not fn.__module__.startswith("blueprints.rujukan.views.")
    }
    assert misplaced == {}
