"""SIDILAN dashboard, import/export and printouts (views registered on the sidilan blueprint)."""
import segno
from flask import request
from flask_login import current_user

from blueprints.core.extensions import db
from blueprints.core.pdf import pdf_response, render_pdf
from blueprints.core.render import render
from blueprints.wilayah.models import Jorong, Wilayah
from blueprints.wilayah.service import Cascade

from . import bp
from . import values as V


# ---- blank paper form per jorong (sidilan.md §12) -----------------------------------------------

def form_number(nagari_code: str, jorong_id: int | None) -> str:
    """Short, human-copyable: 'F-0218-2004-J7' (kecamatan + nagari digits, jorong id)."""
    digits = nagari_code.replace(".", "")
    return f"F-{digits[2:6]}-{digits[6:]}" + (f"-J{jorong_id}" if jorong_id else "")


@bp.route("/cetak/formulir")
def paper_form():
    cascade = Cascade.build(current_user.regency, request.args, required=True)
    errors = {}
    if request.args.get("cetak") and "_cascade" not in request.args:
        errors = cascade.errors()
        if not errors:
            nagari = db.session.get(Wilayah, cascade.nagari)
            jorong = db.session.get(Jorong, cascade.jorong_id) if cascade.jorong_id else None
            number = form_number(nagari.code, jorong.id if jorong else None)
            qr = segno.make(f"SIDILAN|{nagari.code}|{jorong.id if jorong else ''}|{number}", error="m")
            barthel_max = max(m for _, _, m in V.BARTHEL_ITEMS)
            pdf = render_pdf("sidilan/pdf_form.html", regency=current_user.regency, kecamatan=nagari.parent,
                             nagari=nagari, jorong=jorong, form_no=number, qr=qr.svg_data_uri(scale=3),
                             v=V, barthel_max=barthel_max, footer=f"SIDILAN · {number}")
            name = (jorong.name if jorong else nagari.name).replace(" ", "_")
            return pdf_response(pdf, f"formulir-sidilan-{name}.pdf")
    return render("sidilan/report_form.html", cascade=cascade, errors=errors, status=400 if errors else 200)
