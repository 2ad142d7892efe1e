"""Proposed matches of the dry run (docs/sidilan.md §5.8): a row that is probably a person already registered
although the NIKs differ (or one is missing): No. KK + similar name, or name + birth date + nagari. The clerk
confirms or rejects each in the dry run (plan.DryRun.decide). Candidates are read in bulk: one query per 500
No. KK, one per 500 birth dates (the (regency, birth date) index)."""

from rapidfuzz import fuzz

from blueprints.core.extensions import db
from blueprints.core.scope import scoped

from ..models import Person
from ..names import name_key, names_similar

CLOSE = (
    85  # rapidfuzz ratio of the spelling-folded names: 'Nasrul' / 'Nasrun' is 83, 'Siti Aminah' / 'Amina' 100
)
BY_KK = "No. KK + nama mirip"
BY_BIRTH = "nama + tgl lahir + nagari"


def names_close(a: str | None, b: str | None) -> bool:
    """The same name as far as a clerk's typing goes: names.names_similar, or nearly the same letters."""
    if names_similar(a, b):
        return True
    ka, kb = name_key(a), name_key(b)
    return bool(ka and kb) and fuzz.ratio(ka, kb) >= CLOSE


def _chunks(values: list, size: int = 500):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _candidates(rows, user) -> tuple[dict[str, list], dict[tuple, list]]:
    """Live records in the user's scope by No. KK and by (birth date, nagari): (id, name, NIK) each."""
    kks = sorted({r.values["no_kk"] for r in rows if r.values.get("no_kk")})
    births = sorted({r.values["tanggal_lahir"] for r in rows if r.values.get("tanggal_lahir")})
    nagari = sorted({r.values["nagari_code"] for r in rows if r.values.get("nagari_code")})
    by_kk: dict[str, list] = {}
    by_birth: dict[tuple, list] = {}
    cols = (Person.id, Person.merged_into_id, Person.nama_lengkap, Person.nik)
    for chunk in _chunks(kks):
        stmt = scoped(Person, user, *cols, Person.no_kk).where(
            Person.no_kk.in_(chunk), Person.active.is_(True)
        )
        for pid, merged, name, nik, kk in db.session.execute(stmt.order_by(Person.id)):
            by_kk.setdefault(kk, []).append((merged or pid, name, nik))
    for chunk in _chunks(births) if nagari else ():
        stmt = scoped(Person, user, *cols, Person.tanggal_lahir, Person.nagari_code).where(
            Person.tanggal_lahir.in_(chunk), Person.nagari_code.in_(nagari), Person.active.is_(True)
        )
        for pid, merged, name, nik, born, code in db.session.execute(stmt.order_by(Person.id)):
            if code:
                by_birth.setdefault((born, code), []).append((merged or pid, name, nik))
    return by_kk, by_birth


def propose_matches(rows, user, proposed_status: str) -> None:
    """Rows still to be created that look like a registered person get ``proposed_status`` and the person."""
    if not rows:
        return
    by_kk, by_birth = _candidates(rows, user)
    for r in rows:
        v = r.values
        name, nik = v["nama_lengkap"], v.get("nik")
        hit = None
        if v.get("no_kk"):
            hit = next(
                ((pid, BY_KK) for pid, other, _ in by_kk.get(v["no_kk"], ()) if names_close(name, other)),
                None,
            )
        if hit is None and v.get("tanggal_lahir"):
            hit = next(
                (
                    (pid, BY_BIRTH)
                    for pid, other, other_nik in by_birth.get((v["tanggal_lahir"], v.get("nagari_code")), ())
                    if names_close(name, other)
                ),
                None,
            )
        if hit:
            r.status, (r.match_id, r.match_by) = proposed_status, hit
            if nik:
                r.match_by += " (NIK berbeda)"
