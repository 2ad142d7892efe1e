"""Base forms for every module: WTForms' built-in messages in Indonesian, so no English reaches a clerk; one
date range; one status for an invalid form; the submission-key and version fields."""

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from flask import has_request_context, request
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import DateTimeField, DateTimeLocalField, HiddenField
from wtforms.validators import ValidationError

from .timeutil import from_local, local_naive, to_local, today_local

MESSAGES = {
    "CSRF failed.": "Token keamanan formulir tidak sah. Muat ulang halaman.",
    "CSRF token expired.": "Token keamanan formulir kedaluwarsa. Muat ulang halaman.",
    "CSRF token missing.": "Token keamanan formulir hilang. Muat ulang halaman.",
    "Invalid CSRF Token.": "Token keamanan formulir tidak sah. Muat ulang halaman.",
    "The CSRF token is missing.": "Token keamanan formulir hilang. Muat ulang halaman.",
    "The CSRF token is invalid.": "Token keamanan formulir tidak sah. Muat ulang halaman.",
    "Date must be at least %(min)s.": "Tanggal paling awal %(min)s.",
    "Date must be at most %(max)s.": "Tanggal paling akhir %(max)s.",
    "Date must be between %(min)s and %(max)s.": "Tanggal harus antara %(min)s dan %(max)s.",
    "Field must be equal to %(other_name)s.": "Isian harus sama dengan %(other_name)s.",
    "Invalid Choice: could not coerce.": "Pilihan tidak sah.",
    "Not a valid choice.": "Pilihan tidak sah.",
    "Invalid input.": "Isian tidak sah.",
    "Invalid email address.": "Alamat email tidak sah.",
    "Invalid URL.": "Alamat URL tidak sah.",
    "Invalid value, must be one of: %(values)s.": "Nilai harus salah satu dari: %(values)s.",
    "Invalid value, can't be any of: %(values)s.": "Nilai tidak boleh: %(values)s.",
    "Not a valid date value.": "Tanggal tidak sah (gunakan format tttt-bb-hh).",
    "Not a valid datetime value.": "Tanggal dan jam tidak sah.",
    "Not a valid time value.": "Jam tidak sah (gunakan format jj:mm).",
    "Not a valid decimal value.": "Angka desimal tidak sah.",
    "Not a valid float value.": "Angka tidak sah.",
    "Not a valid integer value.": "Harus berupa bilangan bulat.",
    "Number must be at least %(min)s.": "Angka paling kecil %(min)s.",
    "Number must be at most %(max)s.": "Angka paling besar %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Angka harus antara %(min)s dan %(max)s.",
    "This field is required.": "Wajib diisi.",
    "'%(value)s' is not a valid choice for this field.": "'%(value)s' bukan pilihan yang sah.",
    "'%(value)s' are not valid choices for this field.": "'%(value)s' bukan pilihan yang sah.",
    "Choices cannot be None.": "Pilihan belum tersedia.",
    "Field must be at least %(min)d character long.": "Minimal %(min)d karakter.",
    "Field must be at least %(min)d characters long.": "Minimal %(min)d karakter.",
    "Field cannot be longer than %(max)d character.": "Maksimal %(max)d karakter.",
    "Field cannot be longer than %(max)d characters.": "Maksimal %(max)d karakter.",
    "Field must be exactly %(max)d character long.": "Harus tepat %(max)d karakter.",
    "Field must be exactly %(max)d characters long.": "Harus tepat %(max)d karakter.",
    "Field must be between %(min)d and %(max)d characters long.": "Panjang harus %(min)d–%(max)d karakter.",
}


class IndonesianTranslations:
    def gettext(self, string):
        return MESSAGES.get(string, string)

    def ngettext(self, singular, plural, n):
        return MESSAGES.get(singular if n == 1 else plural, singular if n == 1 else plural)


_TRANSLATIONS = IndonesianTranslations()


#: Characters no clerk types: control characters (NUL cannot even be stored by PostgreSQL) and the replacement
#: character that undecodable bytes become.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
CONTROL_MESSAGE = "Isian berisi karakter yang tidak sah (karakter kendali atau karakter yang tidak terbaca)."


class _BaseForm(FlaskForm):
    class Meta:
        def wrap_formdata(self, form, formdata):
            """The pages post HTML forms only: a JSON body is read as an empty form, so each field answers with
            its own message instead of numbers, lists or objects reaching fields that expect text."""
            if (
                has_request_context()
                and request.method in ("POST", "PUT", "PATCH", "DELETE")
                and request.is_json
                and formdata is not None
                and not hasattr(formdata, "getlist")
            ):
                formdata = ImmutableMultiDict()
            wrapped = super().wrap_formdata(form, formdata)
            if wrapped is None and has_request_context() and request.method == "GET":
                from .recovery import restored_formdata  # a form posted after the session ended, given back

                return restored_formdata(form)
            return wrapped

        def get_translations(self, form):
            return _TRANSLATIONS


# ---- shared rules every form gets -------------------------------------------------------------------------

#: The largest id a database INTEGER column holds; a larger one in a URL or a select is "not found".
MAX_ID = 2**31 - 1

#: The one status for a form shown again because of what was typed.
FORM_INVALID = 422

#: Dates a clerk can mean: nothing before 1900, no event more than five years ahead.
MIN_DATE = date(1900, 1, 1)
YEARS_AHEAD = 5


def max_date() -> date:
    today = today_local()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def date_range_message() -> str:
    from .fmt import tanggal  # fmt imports timeutil only; kept local to keep this module's imports light

    return f"Tanggal di luar rentang yang wajar ({tanggal(MIN_DATE)} – {tanggal(max_date())})."


def not_future(form, field):
    """For dates that cannot lie ahead (birth dates)."""
    if isinstance(field.data, date) and field.data > today_local():
        raise ValidationError("Tanggal tidak boleh melewati hari ini.")


def birth_date_problem(value, today: date | None = None) -> str | None:
    """The one birth-date rule (forms, importer, patient and person alike): not after today, inside the range
    every date field keeps. None when the date is fine or absent."""
    if not isinstance(value, date):
        return None
    if value > (today or today_local()):
        return "Tanggal lahir tidak boleh melewati hari ini."
    if out_of_range(value):
        return "Tanggal lahir: " + date_range_message()
    return None


def valid_birth_date(form, field):
    """Form validator for a birth date (``birth_date_problem``)."""
    problem = birth_date_problem(field.data)
    if problem:
        raise ValidationError(problem)


def out_of_range(value) -> bool:
    if isinstance(value, datetime):
        value = (to_local(value) if value.tzinfo else value).date()
    return isinstance(value, date) and not (MIN_DATE <= value <= max_date())


class LocalDateTimeField(DateTimeLocalField):
    """A ``datetime-local`` input in WIB whose data is a UTC instant: the only place a typed time is converted.
    It shows an instant in WIB, and a naive value (a default built from WIB wall time) as it is."""

    def __init__(self, label=None, validators=None, format="%Y-%m-%dT%H:%M", **kwargs):
        super().__init__(label, validators, format=format, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            if out_of_range(self.data):  # year 1 or 9999 cannot even be converted
                self.data = None
                raise ValueError(date_range_message())
            self.data = from_local(self.data)

    def process_data(self, value):
        super().process_data(value)
        if isinstance(self.data, datetime):
            self.data = from_local(self.data)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if not isinstance(self.data, datetime):
            return ""
        local = local_naive(self.data) if self.data.tzinfo else self.data
        return local.strftime(self.strptime_format[0])


def new_submission_key() -> str:
    return secrets.token_urlsafe(18)


SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class Form(_BaseForm):
    """Use this instead of FlaskForm: Indonesian messages, and every date field refuses dates outside
    ``MIN_DATE`` .. ``max_date()`` with one message."""

    def hidden_tag(self, *fields):
        """The hidden fields, plus the errors of hidden fields (which have no place of their own on the page)."""
        html = super().hidden_tag(*fields)
        errors = [
            e
            for f in self
            if f.type in ("HiddenField", "SubmissionKeyField", "CSRFTokenField")
            for e in f.errors
        ]
        if not errors:
            return html
        return Markup(html) + Markup(
            "".join(f'<p class="flash error" role="alert">{escape(e)}</p>' for e in dict.fromkeys(errors))
        )

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for f in self:
            if isinstance(f, DateTimeField) and not f.errors and out_of_range(f.data):
                f.errors = list(f.errors) + [date_range_message()]
                ok = False
            elif any(isinstance(v, str) and CONTROL_CHARS.search(v) for v in [*(f.raw_data or []), f.data]):
                f.errors = list(f.errors) + [CONTROL_MESSAGE]
                ok = False
            if len(f.errors) > 1:  # "could not coerce" and "not a valid choice" say the same thing
                f.errors = list(dict.fromkeys(f.errors))
        return ok


KEY_MISSING = (
    "Formulir ini tidak lengkap (kunci pengiriman hilang). Periksa isian lalu tekan Simpan sekali lagi."
)


class SubmissionKeyField(HiddenField):
    """The one-time key of a create form. A form shown again keeps the key it was sent with (so a resubmit
    after fixing a typo is still the same submission); a missing or malformed key gets a fresh one and an error,
    so the clerk only has to press Simpan again."""

    def __init__(self, label=None, **kwargs):
        kwargs.setdefault("default", new_submission_key)
        super().__init__(label, **kwargs)

    def pre_validate(self, form):
        # raw_data is empty when the key was not sent at all (data then holds a fresh default)
        if not self.raw_data or not isinstance(self.data, str) or not SUBMISSION_KEY.match(self.data):
            self.data = new_submission_key()
            raise ValidationError(KEY_MISSING)


class CreateForm(Form):
    """A form that creates something. Its hidden one-time key (rendered by ``hidden_tag()``) lets the server
    recognise a replay of the same submit: see ``core.submission``."""

    submission_key = SubmissionKeyField()


class VersionField(HiddenField):
    """The version the form showed. On a post it is only what was posted: a post without one is stale, never
    silently the record's own version (which ``obj=`` would otherwise fill in)."""

    def process_formdata(self, valuelist):
        self.data = valuelist[0] if valuelist else None


class EditForm(Form):
    """A form that edits a versioned record: it posts back the version it showed. A missing or stale version
    is not a typing error; the view answers with the conflict page (``core.versioning``)."""

    version = VersionField()


@dataclass(frozen=True)
class Section:
    """What one section of a long form holds (issue 11 item 6): how many of its fields are filled, whether one
    has an error, and whether one differs from its default (an optional section then renders open)."""

    filled: int
    total: int
    errors: bool
    changed: bool

    @property
    def summary(self) -> str:
        return f"{self.filled} dari {self.total} terisi"

    @property
    def open(self) -> bool:
        return self.errors or self.changed


def _has_value(value) -> bool:
    return value not in (None, "", 0, False, [], ()) and not (isinstance(value, str) and not value.strip())


def form_section(*items) -> Section:
    """The state of a form section from its WTForms fields; a plain value (a cascade level) counts as a field
    that is filled when it holds something, and ``(value, error)`` pairs carry an error from outside the form."""
    filled = errors = changed = 0
    for item in items:
        if hasattr(item, "data"):
            value, error, default = item.data, bool(item.errors), item.default
        elif isinstance(item, tuple):
            (value, error), default = item, None
        else:
            value, error, default = item, False, None
        if _has_value(value):
            filled += 1
            changed += value != default
        errors += bool(error)
    return Section(filled, len(items), errors > 0, changed > 0)


HIDDEN_FIELD_TYPES = ("CSRFTokenField", "HiddenField", "SubmissionKeyField", "VersionField")


def first_error(form) -> str | None:
    """The id of the form's first visible field with an error (where focus goes after a failed submit). A form
    whose page shows its fields in another order than the class declares them (the sectioned person and
    referral forms) names that order in ``PAGE_ORDER``; fields it leaves out follow in class order."""
    if form is None or not form.errors:
        return None
    order = [form[name] for name in getattr(form, "PAGE_ORDER", ()) if name in form]
    for f in order + [f for f in form if f not in order]:
        if f.errors and f.type not in HIDDEN_FIELD_TYPES:
            return f.id
    return None


MAX_ID = 2**31 - 1  # the largest value an INTEGER column holds (a record id, a version)


def record_id(text) -> int | None:
    """A record id sent as text (a query argument, a ticked box), or None: ASCII digits only (``str.isdigit``
    also takes '²', which ``int`` refuses) and within what the database's integer holds."""
    text = str(text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or int(text) > MAX_ID:
        return None
    return int(text)
