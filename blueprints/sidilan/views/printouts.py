"""SIDILAN printouts: the blank paper form per jorong (docs/sidilan.md §12) and the profile PDF."""

from flask import request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from blueprints.auth.models import Regency
from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.pdf import pdf_response, render_pdf
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.timeutil import today_local
from blueprints.wilayah.models import Jorong, Wilayah
from blueprints.wilayah.service import Cascade

from .. import bp, exporter
from .. import values as V
from ..access import may_see_nik
from ..assistance import assistance_for
from ..disability import wgss_flag
from ..models import Person, VerificationEvent
from ..paper_form import paper_form_pdf

# ---- blank paper form per jorong (docs/sidilan.md §12) ------------------------------------------


@bp.route("/cetak/formulir")
@audit.not_sensitive
def paper_form():
    cascade = Cascade.build(current_user.regency, request.args, required=True)
    errors = {}
    if request.args.get("cetak") and "_cascade" not in request.args:
        errors = cascade.errors()
        if not errors:
            nagari = db.session.get(Wilayah, cascade.nagari)
            jorong = db.session.get(Jorong, cascade.jorong_id) if cascade.jorong_id else None
            pdf = paper_form_pdf(current_user.regency, nagari, jorong)
            name = (jorong.name if jorong else nagari.name).replace(" ", "_")
            return pdf_response(pdf, f"formulir-sidilan-{name}.pdf")
    return render("sidilan/report_form.html", cascade=cascade, errors=errors, status=422 if errors else 200)


# ---- profile PDF (item 10) ----------------------------------------------------------------------

PROFILE_ROWS = 4  # assessments / assistance rows that keep the profile on one page


@bp.route("/orang/<int:person_id>/profil.pdf")
@audit.reads("sidilan_person", "cetak profil orang")
def profile_pdf(person_id: int):
    person = get_scoped_or_404(
        Person,
        person_id,
        options=(
            joinedload(Person.disability),
            joinedload(Person.kecamatan),
            joinedload(Person.nagari),
            joinedload(Person.jorong),
            joinedload(Person.assessments),
        ),
    )
    assistance = list(db.session.scalars(assistance_for(person, current_user)))
    events = list(
        db.session.scalars(
            select(VerificationEvent)
            .where(VerificationEvent.person_id == person.id)
            .order_by(VerificationEvent.at.desc(), VerificationEvent.id.desc())
            .limit(1)
        )
    )
    show_nik = may_see_nik(current_user)
    today = today_local()
    pdf = render_pdf(
        "sidilan/pdf_profile.html",
        p=person,
        v=V,
        show_nik=show_nik,
        today=today,
        regency=db.session.get(Regency, person.regency_id),
        age=person.age_on(today),
        assessments=person.assessments,
        assistance=assistance,
        last_event=events[0] if events else None,
        limit=PROFILE_ROWS,
        wg_flag=wgss_flag(person.disability.wg_answers) if person.disability else False,
        mark=exporter.watermark(current_user, "dicetak"),
        footer=f"SIDILAN #{person.id}",
    )
    response = pdf_response(pdf, f"profil-sidilan-{person.id}.pdf")
    audit.record("print", "sidilan_person", person.id, f"cetak profil orang #{person.id}")
    db.session.commit()
    return response
