"""What a Kerja Sama use case answers: an ``Outcome`` (errors, rule warnings, replay, stale), or ``Locked``."""

from dataclasses import dataclass, field

from .rules import RuleHit


class Locked(Exception):
    """Raised when a signed (or cancelled) agreement would be changed."""

    message = "Naskah sudah ditandatangani dan terkunci; perubahan dilakukan melalui adendum."


def ensure_editable(a) -> None:
    if a.is_locked:
        raise Locked()


@dataclass
class Outcome:
    errors: list[str] = field(default_factory=list)
    warnings: list[RuleHit] = field(default_factory=list)
    repeated: bool = False  # the move was already made (a double tap, a replay): nothing changed
    stale: bool = False  # the page showed another stage than the stored one: nothing changed

    @property
    def ok(self) -> bool:
        return not self.errors and not self.repeated and not any(w.blocking for w in self.warnings)

    def messages(self) -> list[str]:
        """Errors, then blocking rules, as the user reads them."""
        return self.errors + [w.text for w in self.warnings if w.blocking]
