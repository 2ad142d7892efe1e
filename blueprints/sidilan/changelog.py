"""How a person's stored fields read on screen: ONE table of Indonesian field labels (taken from the forms'
labels, plus the few fields no form has), the values formatted (dates, value-list codes, places), internal
fields hidden and the role's masking applied. The change log on the person page and the duplicate comparison
both read through here (docs/sidilan.md §5.8, §11)."""

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import String, and_, bindparam, cast, func, select
from sqlalchemy.orm import aliased, joinedload
from wtforms import BooleanField, DateField, SelectFieldBase, SelectMultipleField
from wtforms.fields.core import UnboundField

from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal
from blueprints.core.nik import mask_nik
from blueprints.wilayah.models import Jorong, Wilayah

from . import values as V
from .forms import DisabilityForm, HouseholdForm, PersonForm
from .models import ChangeLog

# what a role that may not see them reads instead (the person page's wording)
MASKED_NUMBERS = frozenset({"nik", "no_kk"})  # shown through core.nik.mask_nik
RESTRICTED = frozenset({"nama_ibu_kandung"})
RESTRICTED_TEXT = "(disamarkan)"
# derived or technical columns: never shown as a change
INTERNAL = frozenset(
    {
        "id",
        "version",
        "name_key",
        "name_search",
        "nik_rev",
        "kk_rev",
        "household_id",
        "regency_id",
        "person_id",
        "created_at",
        "updated_at",
        "created_by_id",
        "updated_by_id",
    }
)
EMPTY = "—"


@dataclass(frozen=True)
class FieldInfo:
    label: str
    kind: str = "text"  # text / date / bool / code / codes / wilayah / jorong / ref
    choices: dict | None = None


def _form_fields(form_cls) -> dict[str, FieldInfo]:
    """The fields of a form class as FieldInfo: its label, and its choices' labels for a select or checkboxes."""
    out = {}
    for name in dir(form_cls):
        f = getattr(form_cls, name, None)
        if not isinstance(f, UnboundField) or name in ("submission_key", "version", "csrf_token"):
            continue
        label = str(f.args[0] if f.args else f.kwargs.get("label", name))
        cls = f.field_class
        if issubclass(cls, DateField):
            out[name] = FieldInfo(label, "date")
        elif issubclass(cls, BooleanField):
            out[name] = FieldInfo(label, "bool")
        elif issubclass(cls, SelectFieldBase):
            choices = {str(k): str(v) for k, v in dict(f.kwargs.get("choices") or {}).items() if k != ""}
            out[name] = FieldInfo(label, "codes" if issubclass(cls, SelectMultipleField) else "code", choices)
        else:
            out[name] = FieldInfo(label)
    return out


def _choices(pairs) -> dict:
    return {str(k): str(v) for k, v in pairs}


_PLACES = {
    "kecamatan_code": FieldInfo("Kecamatan", "wilayah"),
    "nagari_code": FieldInfo("Nagari", "wilayah"),
    "jorong_id": FieldInfo("Jorong", "jorong"),
}
PERSON_FIELDS: dict[str, FieldInfo] = {
    **_form_fields(PersonForm),
    **_PLACES,
    "status_verifikasi": FieldInfo("Status verifikasi", "code", _choices(V.STATUS_VERIFIKASI)),
    "catatan_verifikasi": FieldInfo("Catatan verifikasi"),
    "active": FieldInfo("Aktif", "bool"),
    "merged_into_id": FieldInfo("Digabung ke", "ref"),
    "digabung_dari": FieldInfo("Digabung dari", "ref"),
    "dibuat": FieldInfo("Data dibuat"),
    "impor dibatalkan": FieldInfo("Impor dibatalkan"),
}
DISABILITY_FIELDS: dict[str, FieldInfo] = {
    **_form_fields(DisabilityForm),
    **{f"ragam_{r}": FieldInfo(f"Ragam {lab.lower()}", "bool") for r, lab in V.RAGAM},
    **{f: FieldInfo(f"WG-SS: {q.split(' (')[0]}", "code", _choices(V.WG_ANSWERS)) for f, q in V.WG_QUESTIONS},
    "wg_tanggal": FieldInfo("Tanggal WG-SS terakhir", "date"),
    "ganda": FieldInfo("Ganda", "bool"),
    "dibuat": FieldInfo("Data dibuat (ragam)", "codes", _choices(V.RAGAM)),
}
HOUSEHOLD_FIELDS: dict[str, FieldInfo] = {
    **_form_fields(HouseholdForm),
    **_PLACES,
    "no_kk": FieldInfo("No. KK"),
}
# entity of a ChangeLog row -> (what its label starts with, its fields)
ENTITIES = {
    "person": ("", PERSON_FIELDS),
    "disability": ("Disabilitas: ", DISABILITY_FIELDS),
    "household": ("Keluarga: ", HOUSEHOLD_FIELDS),
}


def hidden(field: str) -> bool:
    """An internal column (derived, technical or an id of no meaning to the clerk): never shown."""
    return field in INTERNAL or (field.endswith("_id") and field not in PERSON_FIELDS)


def label(field: str, entity: str = "person") -> str:
    prefix, fields = ENTITIES.get(entity, ("", PERSON_FIELDS))
    info = fields.get(field) or PERSON_FIELDS.get(field)
    return prefix + (info.label if info else field.replace("_", " ").capitalize())


def _as_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def shown(field: str, value, show_nik: bool, entity: str = "person", name: str | None = None) -> str:
    """``value`` of ``field`` as the page shows it to a user with (or without) the NIK view: masked or hidden
    the way the rest of the record page does it, then formatted. ``value`` is the stored one (typed, or the
    ChangeLog's text); ``name`` is a place's name when the caller has resolved it."""
    if value is None or value == "":
        return EMPTY
    if field in MASKED_NUMBERS and not show_nik:
        return mask_nik(str(value))
    if field in RESTRICTED and not show_nik:
        return RESTRICTED_TEXT
    info = ENTITIES.get(entity, ("", PERSON_FIELDS))[1].get(field) or PERSON_FIELDS.get(field)
    kind = info.kind if info else "text"
    if kind == "date":
        day = _as_date(value)
        return tanggal(day) if day else str(value)
    if kind == "bool":
        return "Ya" if value is True or str(value).lower() in ("ya", "true", "1") else "Tidak"
    if kind == "code":
        return info.choices.get(str(value), str(value))
    if kind == "codes":
        codes = value if isinstance(value, (list, tuple)) else str(value).split(",")
        return ", ".join(info.choices.get(c, c) for c in codes if c) or EMPTY
    if kind in ("wilayah", "jorong"):
        return name or (f"#{value}" if kind == "jorong" else str(value))
    if kind == "ref":
        return f"#{value}"
    return str(value)


# ---- the change log ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    at: datetime
    user: object
    label: str
    old: str
    new: str


@cache
def _change_statement():
    """The change log's statement, built once (its aliases and joins cost more to build than to run); the person
    and the limit are bound parameters."""
    old_w, new_w, old_j, new_j = aliased(Wilayah), aliased(Wilayah), aliased(Jorong), aliased(Jorong)
    place = ChangeLog.field.in_(("kecamatan_code", "nagari_code"))
    jorong = ChangeLog.field == "jorong_id"
    return (
        select(ChangeLog, func.coalesce(old_w.name, old_j.name), func.coalesce(new_w.name, new_j.name))
        .options(joinedload(ChangeLog.user))
        .outerjoin(old_w, and_(place, old_w.code == ChangeLog.old_value))
        .outerjoin(new_w, and_(place, new_w.code == ChangeLog.new_value))
        .outerjoin(old_j, and_(jorong, cast(old_j.id, String) == ChangeLog.old_value))
        .outerjoin(new_j, and_(jorong, cast(new_j.id, String) == ChangeLog.new_value))
        .where(ChangeLog.person_id == bindparam("person_id"), ChangeLog.field.not_in(sorted(INTERNAL)))
        .order_by(ChangeLog.at.desc(), ChangeLog.id.desc())
        .limit(bindparam("limit"))
    )


def change_rows(person_id: int, show_nik: bool, limit: int = 30) -> list[ChangeRow]:
    """The person's latest changes as the page shows them, internal fields left out, in ONE statement: the
    names of the kecamatan, nagari and jorong a change names are joined in."""
    stmt = _change_statement()
    rows = []
    for c, old_name, new_name in db.session.execute(stmt, {"person_id": person_id, "limit": limit}):
        if hidden(c.field):
            continue
        rows.append(
            ChangeRow(
                at=c.at,
                user=c.user,
                label=label(c.field, c.entity),
                old=shown(c.field, c.old_value, show_nik, c.entity, old_name),
                new=shown(c.field, c.new_value, show_nik, c.entity, new_name),
            )
        )
    return rows


# ---- the duplicate comparison ----------------------------------------------------------------------

COMPARE_FIELDS = (
    "nik",
    "no_kk",
    "nama_lengkap",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "nama_ibu_kandung",
    "hubungan_keluarga",
    "alamat",
    "kecamatan_code",
    "nagari_code",
    "jorong_id",
    "status_verifikasi",
    "sumber_data",
)
_PLACE_RELATION = {"kecamatan_code": "kecamatan", "nagari_code": "nagari", "jorong_id": "jorong"}


@dataclass(frozen=True)
class CompareRow:
    label: str
    a: str
    b: str
    differs: bool


def _place_name(person, field: str) -> str | None:
    rel = _PLACE_RELATION.get(field)
    place = getattr(person, rel) if rel else None  # loaded with the pair (views/duplicates.py)
    return place.name if place is not None else None


def compare_rows(a, b, show_nik: bool) -> list[CompareRow]:
    """Two persons side by side, field by field, labelled, formatted and masked like the change log."""
    rows = []
    for f in COMPARE_FIELDS:
        va, vb = getattr(a, f), getattr(b, f)
        rows.append(
            CompareRow(
                label=label(f),
                a=shown(f, va, show_nik, name=_place_name(a, f)),
                b=shown(f, vb, show_nik, name=_place_name(b, f)),
                differs=va != vb,
            )
        )
    return rows
