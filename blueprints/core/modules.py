"""The module registry's shape. A module package (sidilan, rujukan, pks, admin) declares one ``Module`` in its
``__init__.py``; ``blueprints/registry.py`` lists them in nav order and the app factory installs that list. The nav,
the login/role gate, the home panels and the demo loader all read the installed list, so a module is added in one
place and ``core`` never imports a module."""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint, Flask, abort, current_app, has_app_context
from flask_login import current_user

from .auth_gate import require_login

_KEY = "sinergi.modules"


@dataclass(frozen=True)
class Module:
    name: str  # the blueprint's name; its index view is "<name>.index"
    label: str  # nav label
    roles: frozenset[str]  # roles that may open the module (others get 404)
    blueprint: Blueprint
    demo: Callable | None = None  # demo(ctx) adds the module's demo rows
    panels: Callable | None = None  # panels(user) -> list[core.panels.Panel] for the home page
    extra_blueprints: tuple[Blueprint, ...] = field(default=())  # outside the gate (e.g. a public page)
    requires: tuple[str, ...] = ()  # modules whose data this one links to (their demo loads first)

    def __post_init__(self):
        _gate(self.blueprint, self.name)


def _gate(bp: Blueprint, name: str) -> None:
    """Login + role check for every view of a module, before the module's own request hooks. A role without
    access gets 404, not 403."""

    def _module_gate():
        response = require_login()
        if response is not None:
            return response
        if not may_use(name):
            abort(404)

    bp.before_request_funcs.setdefault(None, []).insert(0, _module_gate)


def install(app: Flask, modules) -> None:
    """Register each module's blueprints and add it to the app's list (in the given order, after any already
    installed)."""
    registry = app.extensions.setdefault(_KEY, {})
    for module in modules:
        registry[module.name] = module
        app.register_blueprint(module.blueprint)
        for extra in module.extra_blueprints:
            app.register_blueprint(extra)


def installed() -> dict[str, Module]:
    return current_app.extensions.get(_KEY, {}) if has_app_context() else {}


def dependency_order(modules) -> list[Module]:
    """``modules`` with every module after the ones it ``requires`` (registry order otherwise)."""
    by_name = {m.name: m for m in modules}
    ordered: list[Module] = []

    def visit(module: Module, path: tuple[str, ...] = ()) -> None:
        if module in ordered:
            return
        if module.name in path:
            raise ValueError(f"modules require each other: {' -> '.join(path + (module.name,))}")
        for name in module.requires:
            if name in by_name:
                visit(by_name[name], path + (module.name,))
        ordered.append(module)

    for module in modules:
        visit(module)
    return ordered


def may_use(name: str, user=None) -> bool:
    user = user or current_user
    module = installed().get(name)
    return bool(module and getattr(user, "is_authenticated", False) and user.role in module.roles)


def nav_modules(user=None) -> list[tuple[str, str]]:
    """(endpoint, label) pairs for the modules this user may open, in registry order."""
    return [(f"{m.name}.index", m.label) for m in installed().values() if may_use(m.name, user)]
