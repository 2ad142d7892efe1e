"""The public usulan (docs/sidilan.md §13.10): family or a Wali Jorong reports a person who may belong in the
registry; the report waits for a clerk of that regency ("Usulan masuk"), who accepts it (the person form opens
prefilled) or rejects it with a reason. The reporter gets a reference number back and nothing else.

Also the cross-regency NIK check (§13.9): which regency has registered a NIK, nothing more."""

import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from blueprints.auth.models import Regency
from blueprints.auth.models import regency_choices as auth_regency_choices
from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.images import ImageProblem, clean_image
from blueprints.core.nik import nik_fingerprint
from blueprints.core.outcome import Outcome
from blueprints.core.timeutil import utcnow
from blueprints.core.uploads import upload_area, write_private
from blueprints.wilayah.models import LEVEL_NAGARI, Wilayah

from .models import Person
from .search import live
from .usulan_models import BARU, DITERIMA, DITOLAK, Usulan

PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_SIDE = 1600
PHOTO_REFUSED = "Foto harus berupa gambar JPEG atau PNG yang dapat dibaca (maksimal 8 MB)."
_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def clean_photo(data: bytes) -> bytes | None:
    """The photo as ``core.images.clean_image`` keeps every photo (upright, at most PHOTO_MAX_SIDE px, a fresh
    JPEG without EXIF); None when it is not an image or is over PHOTO_MAX_BYTES."""
    if not data or len(data) > PHOTO_MAX_BYTES:
        return None
    try:
        return clean_image(data, max_edge=PHOTO_MAX_SIDE, quality=85).data
    except ImageProblem:
        return None


def _area() -> Path:
    return upload_area("sidilan_usulan")


def new_reference() -> str:
    return "US-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))


def regency_choices() -> list[tuple[str, str]]:
    """The regencies for the public form's select (auth's cached list, ids as text)."""
    return [(str(rid), name) for rid, name in auth_regency_choices()]


def nagari_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """(regency name, [(nagari code, nagari name)]) for the public form's grouped select."""
    rows = db.session.execute(
        select(Regency.name, Wilayah.code, Wilayah.name)
        .join(Regency, Regency.id == Wilayah.regency_id)
        .where(Wilayah.level == LEVEL_NAGARI)
        .order_by(Regency.name, Wilayah.name)
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for regency, code, name in rows:
        groups.setdefault(regency, []).append((code, name))
    return list(groups.items())


def submit_usulan(form) -> Outcome:
    """Store a public report (no login). ``Outcome.record`` is the report. The honeypot is checked by the view."""
    if not form.validate():
        return Outcome()
    nagari = db.session.get(Wilayah, form.nagari.data)
    if nagari is None or nagari.level != LEVEL_NAGARI or str(nagari.regency_id) != form.kabupaten.data:
        form.nagari.errors.append("Pilih nagari di kabupaten yang dipilih.")
        return Outcome()
    photo = None
    upload = form.foto.data
    if upload is not None and getattr(upload, "filename", ""):
        photo = clean_photo(upload.read())
        if photo is None:
            form.foto.errors.append(PHOTO_REFUSED)
            return Outcome()
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    row = Usulan(
        regency_id=nagari.regency_id,
        reference=new_reference(),
        nama=form.nama.data.strip(),
        nagari_code=nagari.code,
        jorong=(form.jorong.data or "").strip() or None,
        pelapor_nama=form.pelapor_nama.data.strip(),
        pelapor_hubungan=form.pelapor_hubungan.data,
        pelapor_kontak=form.pelapor_kontak.data.strip(),
        kebutuhan=form.kebutuhan.data.strip(),
        status=BARU,
    )
    db.session.add(row)
    db.session.flush()
    if photo is not None:
        name = f"{row.id}-{secrets.token_hex(8)}.jpg"
        write_private(_area() / name, photo)
        row.photo = name
    from flask import url_for

    submission.remember(form.submission_key.data, url_for("sidilan_public.usulan_thanks", ref=row.reference))
    audit.record(
        "create", "sidilan_usulan", row.id, f"usulan publik #{row.id} masuk", regency_id=row.regency_id
    )
    return Outcome(record=row)


def photo_path(row: Usulan) -> Path | None:
    if not row.photo:
        return None
    path = _area() / row.photo
    return path if path.is_file() else None


ALREADY_REVIEWED = "Usulan ini sudah ditinjau sebelumnya; tidak ada yang diubah."


def review(row: Usulan, decision: str, user, reason: str = "") -> Outcome:
    """Accept or reject a new report (audited). A report already decided is left as it is: the decision is a
    compare-and-set on the status, so of two clerks deciding at once only the first one's lands."""
    status = DITERIMA if decision == DITERIMA else DITOLAK
    decided = db.session.execute(
        update(Usulan)
        .where(Usulan.id == row.id, Usulan.status == BARU)
        .values(
            status=status,
            reviewed_by_id=user.id,
            reviewed_at=utcnow(),
            reject_reason=reason.strip()[:500] if status == DITOLAK else None,
        )
        .execution_options(synchronize_session="fetch")
    )
    if decided.rowcount != 1:
        return Outcome(refusals=[ALREADY_REVIEWED])
    verb = "menerima" if status == DITERIMA else "menolak"
    audit.record("update", "sidilan_usulan", row.id, f"{verb} usulan #{row.id}", user=user)
    return Outcome(record=row)


# ---- cross-regency NIK check -------------------------------------------------------------------------------


def regencies_with_nik(nik: str, user) -> list[str]:
    """Names of the regencies whose live registry holds ``nik`` (no person, no link), audited with the NIK's
    keyed fingerprint (``core.nik.nik_fingerprint``): which NIK was asked is traceable, the NIK itself is never
    written to the log."""
    names = list(
        db.session.scalars(
            live(select(Regency.name).select_from(Person))
            .join(Regency, Regency.id == Person.regency_id)
            .where(Person.nik == nik)
            .distinct()
            .order_by(Regency.name)
        )
    )
    audit.record(
        "view",
        "sidilan_nik_check",
        None,
        f"cek NIK lintas kabupaten (sidik {nik_fingerprint(nik, current_app.config['SECRET_KEY'])}): "
        + ("terdaftar" if names else "tidak terdaftar"),
        user=user,
    )
    return names


# ---- demo ---------------------------------------------------------------------------------------------------


def load_demo(regency, slug: str) -> None:
    """Two public reports waiting in each regency (one with a Jorong the form can prefill)."""
    nagari = db.session.scalars(
        select(Wilayah)
        .where(Wilayah.regency_id == regency.id, Wilayah.level == LEVEL_NAGARI)
        .order_by(Wilayah.code)
        .limit(2)
    ).all()
    for i, (place, name) in enumerate(zip(nagari, ("Syafrizal (demo)", "Nurlela (demo)"), strict=False)):
        db.session.add(
            Usulan(
                regency_id=regency.id,
                reference=f"US-DEMO{slug[:3].upper()}{i + 1}",
                nama=name,
                nagari_code=place.code,
                jorong=None,
                pelapor_nama="Wali Jorong (demo)",
                pelapor_hubungan="wali_jorong",
                pelapor_kontak="081200000000",
                kebutuhan="Tidak dapat berjalan sejak stroke; butuh kursi roda dan pendataan. (demo)",
                status=BARU,
            )
        )
