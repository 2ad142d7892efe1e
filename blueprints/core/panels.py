"""'Perlu perhatian hari ini' panels on the home page, contributed by each module (``Module.panels``)."""

from dataclasses import dataclass, field

from .modules import installed, may_use


@dataclass
class Panel:
    title: str
    items: list[tuple[str, str]] = field(default_factory=list)  # (text, url)
    empty: str = "Tidak ada yang perlu ditindaklanjuti."
    more_url: str | None = None
    tone: str = ""  # "" or "warn" / "danger" for banners


def collect_panels(user) -> list[Panel]:
    panels: list[Panel] = []
    for module in installed().values():
        if module.panels is not None and may_use(module.name, user):
            panels.extend(module.panels(user))
    return panels
