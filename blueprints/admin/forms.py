from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from blueprints.auth.passwords import MAX_LENGTH, StrongPassword
from blueprints.core.forms import CreateForm, EditForm
from blueprints.core.forms import Form as FlaskForm

USERNAME_RE = r"^[a-z0-9][a-z0-9._-]{2,49}$"


class UserForm(FlaskForm):
    username = StringField(
        "Nama pengguna",
        validators=[
            DataRequired("Nama pengguna wajib diisi."),
            Length(max=50, message="Nama pengguna maksimal 50 karakter."),
            Regexp(
                USERNAME_RE, message="Gunakan 3–50 huruf kecil, angka, titik, garis bawah atau tanda hubung."
            ),
        ],
    )
    name = StringField(
        "Nama lengkap",
        validators=[
            DataRequired("Nama lengkap wajib diisi."),
            Length(max=120, message="Nama maksimal 120 karakter."),
        ],
    )
    # required for every role but the superadmin, which belongs to no organisation (checked by the view)
    organisation_id = SelectField("Organisasi", coerce=int, validate_choice=True)
    role = SelectField("Peran", validators=[DataRequired("Pilih peran.")])
    active = BooleanField("Aktif", default=True)
    # the nagari a Verifikator Nagari verifies; accounts._save_nagari checks them (own regency); other roles: none
    nagari = SelectMultipleField(
        "Nagari yang diverifikasi (khusus Verifikator Nagari)", validate_choice=False
    )
    password = PasswordField(
        "Kata sandi awal",
        validators=[
            Optional(),
            Length(max=MAX_LENGTH, message=f"Kata sandi maksimal {MAX_LENGTH} karakter."),
            StrongPassword(),
        ],
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject = user
        self.organisation_id.choices = []
        self.role.choices = []
        self.nagari.choices = []


class NewUserForm(CreateForm, UserForm):
    pass


class EditUserForm(EditForm, UserForm):
    pass


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "Kata sandi baru",
        validators=[
            DataRequired("Kata sandi baru wajib diisi."),
            Length(max=MAX_LENGTH, message=f"Kata sandi maksimal {MAX_LENGTH} karakter."),
            StrongPassword(),
        ],
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject = user  # whose password is being reset


class JorongForm(CreateForm):
    name = StringField(
        "Nama jorong",
        validators=[
            DataRequired("Nama jorong wajib diisi."),
            Length(max=100, message="Nama jorong maksimal 100 karakter."),
        ],
    )


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter

    user = SelectField("Pengguna", validate_choice=False)
    action = SelectField("Tindakan", validate_choice=False)
    date_from = DateField("Dari tanggal", validators=[Optional()])
    date_to = DateField("Sampai tanggal", validators=[Optional()])


class JorongUploadForm(FlaskForm):
    """The jorong import's dry run: only reads the file, so no submission key (the apply step has one)."""

    berkas = FileField(
        "Berkas spreadsheet (.xlsx atau .csv)",
        validators=[FileRequired("Pilih berkas .xlsx atau .csv untuk diunggah.")],
    )


class JorongApplyForm(CreateForm):
    """The apply button of a dry run: the rows it found new travel back with it and are checked again."""

    rows = HiddenField(validators=[DataRequired("Tidak ada jorong baru untuk disimpan.")])
    filename = HiddenField(validators=[Optional(), Length(max=200)])
