"""WG-SS per visit (docs/sidilan.md §8.1, like the Barthel visits of §5.5): every answer set is a dated visit,
a new row, never overwritten. The person's disability row keeps a copy of the latest visit (by date, then id)
in its ``wg_*`` columns and ``wg_tanggal``, which the pages, the profile PDF and the flag read."""

from datetime import date

from flask import url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome

from .models import Disability, Person, WgssVisit


def visits_of(person: Person) -> list[WgssVisit]:
    """The person's WG-SS visits, latest first, with their petugas."""
    return list(
        db.session.scalars(
            select(WgssVisit)
            .options(joinedload(WgssVisit.petugas))
            .where(WgssVisit.person_id == person.id)
            .order_by(WgssVisit.tgl_wawancara.desc(), WgssVisit.id.desc())
        )
    )


def record_visit(person: Person, d: Disability | None, answers: dict, when: date, user) -> WgssVisit:
    """Add one visit (``answers``: WG field -> 1..4 or None) and, when it is the latest, copy it onto the
    disability row ``d``. Added and flushed, not committed."""
    visit = WgssVisit(
        regency_id=person.regency_id,
        person_id=person.id,
        tgl_wawancara=when,
        petugas_id=user.id if user is not None else None,
        **{f: answers.get(f) for f in WgssVisit.WG_FIELDS},
    )
    db.session.add(visit)
    db.session.flush()
    if d is not None and (d.wg_tanggal is None or when >= d.wg_tanggal):
        for f in WgssVisit.WG_FIELDS:
            setattr(d, f, answers.get(f))
        d.wg_tanggal = when
    return visit


def form_answers(form) -> dict:
    return {f: int(form[f].data) if form[f].data else None for f in WgssVisit.WG_FIELDS}


def add_wgss_visit(person: Person, form, user) -> Outcome:
    """One WG-SS visit typed on its own form (a replay of the same submit adds none). The answers go onto the
    disability row when the visit is its latest (the view offers this form only once the disability exists)."""
    if not form.validate():
        return Outcome()
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    visit = record_visit(person, person.disability, form_answers(form), form.tgl_wawancara.data, user)
    audit.record("create", "sidilan_wgss_visit", visit.id, f"kunjungan WG-SS orang #{person.id}", user=user)
    submission.remember(form.submission_key.data, url_for("sidilan.wgss_visits", person_id=person.id))
    db.session.commit()
    return Outcome(record=visit)


def first_visits(regency_id: int, when: date, user) -> int:
    """Answers held on a disability row without any visit yet (the demo's seeded rows) become its first visit
    on ``when``, as the migration did for the rows it found (0027_sidilan_wgss_visits). Added, not committed."""
    rows = db.session.scalars(
        select(Disability)
        .join(Person, Person.id == Disability.person_id)
        .where(
            Person.regency_id == regency_id,
            Disability.wg_tanggal.is_(None),
            or_(*[getattr(Disability, f).is_not(None) for f in Disability.WG_FIELDS]),
        )
        .order_by(Disability.id)
    ).all()
    for d in rows:
        db.session.add(
            WgssVisit(
                regency_id=regency_id,
                person_id=d.person_id,
                tgl_wawancara=when,
                petugas_id=user.id if user is not None else None,
                **{f: getattr(d, f) for f in Disability.WG_FIELDS},
            )
        )
        d.wg_tanggal = when
    return len(rows)
