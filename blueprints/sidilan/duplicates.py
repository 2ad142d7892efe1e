"""Duplicate review (docs/sidilan.md §9.4): candidate pairs found on every save and import, the review list,
and the two decisions: merge into the record kept, or 'not a duplicate' (never asked again)."""

from flask import url_for
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.outcome import RACED, Outcome
from blueprints.core.scope import scoped
from blueprints.core.timeutil import utcnow

from .history import current_user_id
from .models import Assistance, ChangeLog, DuplicateCandidate, ElderlyAssessment, Person, WgssVisit
from .names import keys_similar
from .search import live


class DecisionError(Exception):
    """A decision that cannot be taken (pair decided, record merged before, unknown choice)."""


REASON_LABELS = {
    "nik": "NIK sama",
    "kk_nama": "KK sama + nama mirip",
    "nama_lahir_nagari": "Nama + tgl lahir + nagari",
}
SCORES = {"nik": 100, "kk_nama": 80, "nama_lahir_nagari": 70}


def find_duplicates(person: Person) -> list[tuple[Person, str]]:
    """Candidates for ``person`` in its regency, skipping pairs already recorded (decided or pending). The
    rules are ``import_pairs``' (one row: this person), so an entry and an import open the same cases."""
    row = {c: getattr(person, c) for c in ("nik", "no_kk", "name_key", "tanggal_lahir", "nagari_code")}
    found: dict[int, str] = {}
    for pair, reason in import_pairs([row], person.regency_id).items():
        for kind, pid in pair:
            if kind == "p" and pid != person.id:
                found.setdefault(pid, reason)
    if not found:
        return []
    known = set()
    for a, b in db.session.execute(
        select(DuplicateCandidate.person_a_id, DuplicateCandidate.person_b_id).where(
            or_(
                and_(DuplicateCandidate.person_a_id == person.id, DuplicateCandidate.person_b_id.in_(found)),
                and_(DuplicateCandidate.person_b_id == person.id, DuplicateCandidate.person_a_id.in_(found)),
            )
        )
    ):
        known.add(b if a == person.id else a)
    others = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(found)))}
    return [(others[i], r) for i, r in found.items() if i not in known]


def record_duplicates(person: Person) -> list[DuplicateCandidate]:
    """Open review rows for new candidate pairs. Never blocks the save."""
    out = []
    for other, reason in find_duplicates(person):
        a, b = sorted((person.id, other.id))
        cand = DuplicateCandidate(
            regency_id=person.regency_id, person_a_id=a, person_b_id=b, alasan=reason, skor=SCORES[reason]
        )
        db.session.add(cand)
        out.append(cand)
    if out:
        db.session.flush()
    return out


def import_pairs(rows: list[dict], regency_id: int) -> dict[tuple, str]:
    """The duplicate cases ``record_duplicates`` would open for rows about to be inserted together (an import
    chunk: dicts with the person's columns), found before anything is written: the same three rules in three
    set-based queries (NIKs, No. KK, birth dates), and among the rows themselves. A pair is two refs,
    ``("p", person id)`` or ``("n", row index)``, with its reason; ``open_import_cases`` writes them."""
    base = live(
        select(
            Person.id, Person.nik, Person.no_kk, Person.name_key, Person.tanggal_lahir, Person.nagari_code
        ).where(Person.regency_id == regency_id)
    )
    entries = [
        (
            ("n", i),
            r.get("nik"),
            r.get("no_kk"),
            r.get("name_key"),
            r.get("tanggal_lahir"),
            r.get("nagari_code"),
        )
        for i, r in enumerate(rows)
    ]
    for column, keys in (
        (Person.nik, {r.get("nik") for r in rows}),
        (Person.no_kk, {r.get("no_kk") for r in rows if r.get("name_key")}),
        (
            Person.tanggal_lahir,
            {r.get("tanggal_lahir") for r in rows if r.get("nagari_code") and r.get("name_key")},
        ),
    ):
        keys = sorted(k for k in keys if k)
        for start in range(0, len(keys), 500):
            entries.extend(
                (("p", pid), *rest)
                for pid, *rest in db.session.execute(base.where(column.in_(keys[start : start + 500])))
            )
    by_nik, by_kk, by_born = {}, {}, {}
    for e in dict((e[0], e) for e in entries).values():
        ref, nik, kk, key, born, nagari = e
        if nik:
            by_nik.setdefault(nik, []).append(e)
        if kk:
            by_kk.setdefault(kk, []).append(e)
        if born and nagari:
            by_born.setdefault((born, nagari), []).append(e)
    pairs: dict[tuple, str] = {}
    for ref, nik, kk, key, born, nagari in entries[: len(rows)]:
        found = {e[0]: "nik" for e in by_nik.get(nik, ())} if nik else {}
        similar = []
        if kk and key:
            similar.append(("kk_nama", by_kk.get(kk, ())))
        if born and nagari and key:
            similar.append(("nama_lahir_nagari", by_born.get((born, nagari), ())))
        for reason, others in similar:
            for e in others:
                if keys_similar(key, e[3]):
                    found.setdefault(e[0], reason)
        for other, reason in found.items():
            if other != ref:
                pairs.setdefault(tuple(sorted((ref, other))), reason)
    return pairs


def open_import_cases(pairs: dict[tuple, str], ids: list[int], regency_id: int) -> int:
    """Write the pairs of ``import_pairs`` once the rows have their ids (``ids[row index]``), in one INSERT."""
    values = []
    for (x, y), reason in pairs.items():
        a, b = sorted(ids[i] if kind == "n" else i for kind, i in (x, y))
        values.append(
            dict(regency_id=regency_id, person_a_id=a, person_b_id=b, alasan=reason, skor=SCORES[reason])
        )
    if values:
        db.session.connection().execute(DuplicateCandidate.__table__.insert(), values)
    return len(values)


def open_nik_duplicates(person: Person) -> list[DuplicateCandidate]:
    """Undecided duplicate cases of ``person`` that concern the same NIK: opened as 'NIK sama', or between two
    records that carry the same NIK now. Opens the case first for a same-NIK record that has none yet."""
    if person.nik:
        record_duplicates(person)
    cases = db.session.scalars(
        select(DuplicateCandidate)
        .where(
            DuplicateCandidate.keputusan.is_(None),
            or_(DuplicateCandidate.person_a_id == person.id, DuplicateCandidate.person_b_id == person.id),
        )
        .order_by(DuplicateCandidate.id)
    )
    out = []
    for cand in cases:
        other = cand.person_b if cand.person_a_id == person.id else cand.person_a
        if other.merged_into_id or not other.active:
            continue
        if cand.alasan == "nik" or (person.nik and other.nik == person.nik):
            out.append(cand)
    return out


def decide(cand: DuplicateCandidate, decision: str, user, keep_id: int | None = None) -> None:
    """'bukan_duplikat' remembers the pair; 'duplikat' merges the other record into ``keep_id``."""
    if cand.keputusan:
        raise DecisionError("Pasangan ini sudah diputuskan.")
    if decision == "bukan_duplikat":
        cand.keputusan = decision
    elif decision == "duplikat":
        if keep_id not in (cand.person_a_id, cand.person_b_id):
            raise DecisionError("Pilih data yang dipertahankan.")
        keep = cand.person_a if keep_id == cand.person_a_id else cand.person_b
        gone = cand.person_b if keep is cand.person_a else cand.person_a
        if keep.merged_into_id or gone.merged_into_id:
            raise DecisionError("Salah satu data sudah digabung sebelumnya.")
        merge(gone, keep)
        cand.keputusan = decision
    else:
        raise DecisionError("Keputusan tidak dikenal.")
    cand.decided_by_id = user.id
    cand.decided_at = utcnow()
    audit.record(
        "update",
        "sidilan_duplicate",
        cand.id,
        f"duplikat orang #{cand.person_a_id} dan #{cand.person_b_id}: {decision}",
        user=user,
        regency_id=cand.regency_id,
    )


def merge(gone: Person, keep: Person) -> None:
    """Move what hangs on ``gone`` to ``keep``; ``gone`` stays findable, marked 'digabung ke #keep'."""
    for a in db.session.scalars(select(ElderlyAssessment).where(ElderlyAssessment.person_id == gone.id)):
        a.person_id = keep.id
    for a in db.session.scalars(select(Assistance).where(Assistance.person_id == gone.id)):
        a.person_id = keep.id
    for v in db.session.scalars(select(WgssVisit).where(WgssVisit.person_id == gone.id)):
        v.person_id = keep.id
    if gone.disability is not None and keep.disability is None:
        gone.disability.person_id = keep.id
    for field in ("nik", "no_kk", "tanggal_lahir", "nagari_code", "kecamatan_code", "jorong_id", "no_hp"):
        if getattr(keep, field) is None and getattr(gone, field) is not None:
            setattr(keep, field, getattr(gone, field))
    gone.merged_into_id = keep.id
    db.session.add(
        ChangeLog(
            person_id=gone.id,
            entity="person",
            field="merged_into_id",
            old_value=None,
            new_value=str(keep.id),
            user_id=current_user_id(),
        )
    )
    db.session.add(
        ChangeLog(
            person_id=keep.id,
            entity="person",
            field="digabung_dari",
            old_value=None,
            new_value=str(gone.id),
            user_id=current_user_id(),
        )
    )
    # pending pairs that involved the merged record are moot
    for cand in db.session.scalars(
        select(DuplicateCandidate).where(
            DuplicateCandidate.keputusan.is_(None),
            or_(DuplicateCandidate.person_a_id == gone.id, DuplicateCandidate.person_b_id == gone.id),
        )
    ):
        cand.keputusan = "digabung"
    db.session.flush()


# ---- the decision, as a use case ---------------------------------------------------------------------

DECIDED = "Pasangan ini sudah diputuskan."


def decide_duplicate(cand, form, user) -> Outcome:
    """A merge or 'not a duplicate': once per pair. A replay of the same submit lands where the first did."""
    valid = form.validate()
    keep = form.keep.data
    if valid and form.keputusan.data == "duplikat" and keep not in (cand.person_a_id, cand.person_b_id):
        form.keep.errors = list(form.keep.errors) + ["Pilih data yang dipertahankan."]
        valid = False
    if not valid:  # a decided pair has no form left to correct
        return Outcome(refusals=[DECIDED]) if cand.keputusan else Outcome()
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    if cand.keputusan:
        db.session.rollback()
        return Outcome(refusals=[DECIDED])
    try:
        decide(cand, form.keputusan.data, user, keep)
        if form.keputusan.data == "duplikat":
            url = url_for("sidilan.person_view", person_id=keep)
        else:
            url = url_for("sidilan.duplicates")
        submission.remember(form.submission_key.data, url)
        db.session.commit()
    except DecisionError as e:
        db.session.rollback()
        return Outcome(refusals=[str(e)])
    except StaleDataError:  # another decision on this pair (or a merge of one of its records) came first
        db.session.rollback()
        return Outcome(refusals=[DECIDED if cand.keputusan else RACED])
    return Outcome(record=cand, redirect=url)


def open_cases_stmt(user):
    """The review list: undecided pairs in the user's scope, the likeliest first."""
    return (
        scoped(DuplicateCandidate, user)
        .where(DuplicateCandidate.keputusan.is_(None))
        .options(joinedload(DuplicateCandidate.person_a), joinedload(DuplicateCandidate.person_b))
        .order_by(DuplicateCandidate.skor.desc(), DuplicateCandidate.id)
    )


def open_cases_of(person: Person) -> list[DuplicateCandidate]:
    """Undecided pairs one of which is ``person`` (the record page)."""
    return list(
        db.session.scalars(
            select(DuplicateCandidate).where(
                DuplicateCandidate.keputusan.is_(None),
                (DuplicateCandidate.person_a_id == person.id) | (DuplicateCandidate.person_b_id == person.id),
            )
        )
    )
