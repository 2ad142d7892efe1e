"""'Perlu perhatian hari ini' panels on the home page, contributed by each module.

A module package may hold ``home.py`` with ``panels(user) -> list[Panel]``; the home page collects them.
"""
from dataclasses import dataclass, field
from importlib import import_module

from .roles import MODULES, may_use


@dataclass
class Panel:
    title: str
    items: list[tuple[str, str]] = field(default_factory=list)  # (text, url)
    empty: str = "Tidak ada yang perlu ditindaklanjuti."
    more_url: str | None = None
    tone: str = ""  # "" or "warn" / "danger" for banners


def collect_panels(user) -> list[Panel]:
    panels: list[Panel] = []
    for module in MODULES:
        if not may_use(module, user):
            continue
        try:
            home = import_module(f"blueprints.{module}.home")
        except ModuleNotFoundError:
            continue
        panels.extend(home.panels(user))
    return panels
