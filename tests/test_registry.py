"""One module registry: every module package is listed once, and the nav, the gate, the home panels and the demo
loader all read the installed list (a module added there appears everywhere, and nowhere else needs a change)."""

import pkgutil
from importlib import import_module

from flask import Blueprint
from sqlalchemy import func, select

import blueprints
from blueprints.core import roles as R
from blueprints.core.extensions import db
from blueprints.core.modules import Module, install, installed
from blueprints.core.panels import Panel
from blueprints.demo import load_demo
from blueprints.registry import MODULES


def test_every_module_package_is_in_the_registry_once():
    declared = []
    for info in pkgutil.iter_modules(blueprints.__path__):
        if info.ispkg and getattr(import_module(f"blueprints.{info.name}"), "MODULE", None) is not None:
            declared.append(info.name)
    names = [m.name for m in MODULES]
    assert sorted(declared) == sorted(names) == sorted(set(names))
    assert names == ["sidilan", "rujukan", "pks", "admin"]  # nav order


def test_the_app_installs_the_registry(app):
    with app.app_context():
        assert list(installed()) == [m.name for m in MODULES]
        for module in MODULES:
            assert module.blueprint.name in app.blueprints


def _extra_module(calls):
    bp = Blueprint("contoh", __name__, url_prefix="/contoh")

    @bp.route("/")
    def index():
        return "halaman contoh"

    def demo(ctx):
        calls.append(sorted(ctx.users))

    def panels(user):
        return [Panel("Panel contoh", [("butir contoh", "/contoh/")])]

    return Module("contoh", "Modul Contoh", frozenset({R.OPERATOR_DINSOS}), bp, demo=demo, panels=panels)


def test_nav_gate_panels_and_demo_read_the_installed_list(make_app, auth):
    calls = []
    app = make_app()
    install(app, [_extra_module(calls)])
    client = app.test_client()
    assert client.get("/contoh/").status_code == 302  # the gate: login first
    with client:
        client.post("/masuk", data={"username": "operator.solok", "password": "sinergi-demo-2024"})
        home = client.get("/").get_data(as_text=True)
        assert ">Modul Contoh</a>" in home and "Panel contoh" in home and "butir contoh" in home
        assert client.get("/contoh/").get_data(as_text=True) == "halaman contoh"
        client.post("/keluar")
        client.post("/masuk", data={"username": "verifikator.solok", "password": "sinergi-demo-2024"})
        assert client.get("/contoh/").status_code == 404  # a role the module does not list
        home = client.get("/").get_data(as_text=True)
        assert "Modul Contoh" not in home and "Panel contoh" not in home
    with app.app_context():
        from blueprints.auth.models import User

        users = db.session.scalar(select(func.count(User.id)))
        load_demo(modules=("contoh",))  # idempotent for the base rows; runs only the named module's demo
        assert db.session.scalar(select(func.count(User.id))) == users
        db.session.rollback()
    assert calls and "operator.solok" in calls[0]


def test_demo_loads_a_module_after_the_modules_it_requires():
    from blueprints.core.modules import dependency_order

    order = [m.name for m in dependency_order(MODULES)]
    assert order.index("rujukan") > order.index("sidilan") and order.index("rujukan") > order.index("pks")
    bp = Blueprint("a", __name__)
    loop = [
        Module("a", "A", frozenset(), bp, requires=("b",)),
        Module("b", "B", frozenset(), Blueprint("b", __name__), requires=("a",)),
    ]
    import pytest

    with pytest.raises(ValueError, match="require each other"):
        dependency_order(loop)
