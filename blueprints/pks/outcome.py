"""What a Kerja Sama use case answers besides ``core.outcome.Outcome`` (its refusals, rule warnings, repeats and
stale pages): ``Locked``, raised when a signed agreement would be changed."""


class Locked(Exception):
    """Raised when a signed (or cancelled) agreement would be changed."""

    message = "Naskah sudah ditandatangani dan terkunci; perubahan dilakukan melalui adendum."


def ensure_editable(a) -> None:
    if a.is_locked:
        raise Locked()
