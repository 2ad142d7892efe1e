"""Bulk steps on the worklists: the same workflow step, or the same verval outcome, for the records a verifier
ticked, with one note. Each record is checked as a single step would be (scope, its version as the list showed
it, the step's rules) and is done or skipped on its own; the result says how many were done and why each
skipped one was."""

from dataclasses import dataclass, field

from blueprints.core.extensions import db
from blueprints.core.forms import record_id
from blueprints.core.scope import scoped

from .models import Person
from .workflow import step

MAX_ITEMS = 100  # ticked records per submit (a worklist page shows fewer)
STALE = "Data telah diubah orang lain sejak daftar dibuka; buka lagi daftar dan periksa datanya."
NOT_FOUND = "Data tidak ditemukan di wilayah Anda."


@dataclass
class BulkResult:
    done: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (person id, reason)

    def as_dict(self) -> dict:
        return {"done": self.done, "skipped": [list(s) for s in self.skipped]}


def parse_items(values) -> list[tuple[int, str]]:
    """The ticked boxes ('<id>:<version>'), each once, in order; malformed ones are ignored."""
    seen, out = set(), []
    for value in values:
        text, _, version = str(value).partition(":")
        pid = record_id(text)
        if pid is None or record_id(version) is None or pid in seen:
            continue
        seen.add(pid)
        out.append((pid, version))
    return out[:MAX_ITEMS]


def load_current(user, pid: int, version: str) -> tuple[Person | None, str | None]:
    """The record in the user's scope at the version the list showed, else the reason to skip it."""
    person = db.session.scalar(scoped(Person, user).where(Person.id == pid))
    if person is None:
        return None, NOT_FOUND
    if str(person.version) != version:
        return None, STALE
    return person, None


def bulk_step(user, items: list[tuple[int, str]], action: str, note: str | None) -> BulkResult:
    """One workflow step (workflow.step: rules, audit, commit) for each ticked record."""
    result = BulkResult()
    for pid, version in items:
        person, reason = load_current(user, pid, version)
        if person is None:
            result.skipped.append((pid, reason))
            continue
        out = step(person, action, note, user)
        if out.record is not None:
            result.done += 1
        else:
            result.skipped.append((pid, out.error or out.repeated or "Tidak diubah."))
    return result


def names_of(user, ids) -> dict[int, str]:
    """Names of the skipped records to list them (scoped: ids that are not the user's stay nameless)."""
    if not ids:
        return {}
    stmt = scoped(Person, user, Person.id, Person.nama_lengkap).where(Person.id.in_(list(ids)))
    return dict(db.session.execute(stmt).all())
