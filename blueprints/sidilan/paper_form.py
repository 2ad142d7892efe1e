"""The blank paper form per jorong (docs/sidilan.md §12): its number, its QR code and the PDF."""

from functools import lru_cache

import segno

from blueprints.core.pdf import render_pdf

from . import values as V
from .assessments import barthel_maxima


def form_number(nagari_code: str, jorong_id: int | None) -> str:
    """Short, human-copyable: 'F-0218-2004-J7' (kecamatan + nagari digits, jorong id)."""
    digits = nagari_code.replace(".", "")
    return f"F-{digits[2:6]}-{digits[6:]}" + (f"-J{jorong_id}" if jorong_id else "")


@lru_cache(maxsize=1024)
def form_qr(nagari_code: str, jorong_id: int | None, number: str) -> str:
    """The form's QR code as a PNG data URI, one pixel a module (the PDF scales it up without smoothing).
    The same for every print of one jorong's form, and choosing its mask pattern costs more than the rest
    of the request around the PDF, so it is kept (a regency has a few thousand jorong)."""
    payload = f"SIDILAN|{nagari_code}|{jorong_id or ''}|{number}"
    return segno.make(payload, error="m").png_data_uri(scale=1)


def paper_form_pdf(regency, nagari, jorong) -> bytes:
    """The blank form of ``nagari`` (a Wilayah) and ``jorong`` (or None: the whole nagari) as PDF bytes."""
    number = form_number(nagari.code, jorong.id if jorong else None)
    return render_pdf(
        "sidilan/pdf_form.html",
        regency=regency,
        kecamatan=nagari.parent,
        nagari=nagari,
        jorong=jorong,
        form_no=number,
        qr=form_qr(nagari.code, jorong.id if jorong else None, number),
        v=V,
        maxima=barthel_maxima(),  # configurable (unverified item maxima, docs/sidilan.md §8.2)
        footer=f"SIDILAN · {number}",
    )
