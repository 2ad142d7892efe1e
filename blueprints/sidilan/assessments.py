"""Elderly assessments (docs/sidilan.md §5.5, §8.2): one row per visit, with the modified Indonesian Barthel
index (0-20) whose item maxima are configurable."""

from flask import url_for
from sqlalchemy import func, select

from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome
from blueprints.core.scope import scoped

from . import values as V
from .forms import optional_text
from .models import ElderlyAssessment, Person
from .settings import setting


def latest_assessments(user):
    """Each person's latest assessment (by date, then id) in the user's scope, one row per person, as a subquery
    with ``person_id``, ``barthel_kategori``, ``barthel_total``, ``kategori_potensi``: read once by a report
    that joins it, never looked up per person."""
    ranked = scoped(
        ElderlyAssessment,
        user,
        ElderlyAssessment.person_id,
        ElderlyAssessment.barthel_kategori,
        ElderlyAssessment.barthel_total,
        ElderlyAssessment.kategori_potensi,
        func.row_number()
        .over(
            partition_by=ElderlyAssessment.person_id,
            order_by=(ElderlyAssessment.tgl_asesmen.desc(), ElderlyAssessment.id.desc()),
        )
        .label("rn"),
    ).subquery("ranked")
    return (
        select(
            ranked.c.person_id, ranked.c.barthel_kategori, ranked.c.barthel_total, ranked.c.kategori_potensi
        )
        .where(ranked.c.rn == 1)
        .subquery("latest")
    )


def barthel_maxima() -> dict[str, int]:
    """Per item, its maximum score: values.BARTHEL_ITEMS, as configured (unverified, docs/sidilan.md §8.2)."""
    maxima = {f: m for f, _, m in V.BARTHEL_ITEMS}
    maxima.update(setting("SIDILAN_BARTHEL_MAXIMA"))
    return maxima


def barthel_category(total: int) -> str:
    """docs/sidilan.md §8.2: 20 mandiri; 12-19 ringan; 9-11 sedang; 5-8 berat; 0-4 total."""
    if total >= 20:
        return "mandiri"
    if total >= 12:
        return "ringan"
    if total >= 9:
        return "sedang"
    if total >= 5:
        return "berat"
    return "total"


def barthel_options(maxima: dict[str, int]) -> dict[str, list[tuple[str, str]]]:
    """Per item, the choices 0..maximum with what each score means ("0 · tidak mampu"). An item whose maximum
    was configured away from the default gets generic wording, since the item's own levels no longer apply."""
    out = {}
    for f, _, _ in V.BARTHEL_ITEMS:
        top = maxima[f]
        meanings = V.BARTHEL_MEANINGS.get(f, [])
        if len(meanings) != top + 1:
            meanings = (
                ["tidak mampu"] + ["perlu bantuan"] * (top - 1) + ["mandiri"] if top else ["tidak mampu"]
            )
        out[f] = [(str(i), f"{i} · {meanings[i]}") for i in range(top + 1)]
    return out


def barthel_result(items: dict[str, int]) -> tuple[int, str]:
    total = sum(int(items.get(f) or 0) for f, _, _ in V.BARTHEL_ITEMS)
    return total, barthel_category(total)


def age_problem(age: int | None) -> str | None:
    """An elderly assessment is for a person of LANSIA_AGE or more on the day of the visit."""
    if age is not None and age >= V.LANSIA_AGE:
        return None
    shown = "tidak diketahui" if age is None else f"{age} tahun"
    return f"Usia pada tanggal asesmen {shown}; asesmen lansia hanya untuk usia {V.LANSIA_AGE} tahun ke atas."


def add_assessment(person: Person, form, user) -> Outcome:
    """One visit, a new row (a replay of the same submit adds none)."""
    if not form.validate():
        return Outcome()
    when = form.tgl_asesmen.data
    age = person.age_on(when)
    if problem := age_problem(age):
        form.tgl_asesmen.errors.append(problem)
        return Outcome()
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    items = {f: int(form[f].data) for f, _, _ in V.BARTHEL_ITEMS}
    total, kategori = barthel_result(items)
    row = ElderlyAssessment(
        regency_id=person.regency_id,
        person_id=person.id,
        tgl_asesmen=when,
        petugas_id=user.id,
        usia=age,
        kategori_potensi=form.kategori_potensi.data or None,
        tinggal_dengan=form.tinggal_dengan.data or None,
        terlantar=bool(form.terlantar.data),
        lawton_iadl=form.lawton_iadl.data,
        penyakit_kronis=optional_text(form.penyakit_kronis.data),
        kebutuhan=optional_text(form.kebutuhan.data),
        barthel_total=total,
        barthel_kategori=kategori,
        **items,
    )
    db.session.add(row)
    db.session.flush()
    audit.record("create", "sidilan_assessment", row.id, f"asesmen lansia orang #{person.id}", user=user)
    submission.remember(form.submission_key.data, url_for("sidilan.person_view", person_id=person.id))
    db.session.commit()
    return Outcome(record=row)
