from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from blueprints.core.forms import Form as FlaskForm

from .passwords import MAX_LENGTH, StrongPassword


class LoginForm(FlaskForm):
    username = StringField(
        "Nama pengguna",
        validators=[
            DataRequired("Nama pengguna wajib diisi."),
            Length(max=50, message="Nama pengguna terlalu panjang."),
        ],
    )
    password = PasswordField(
        "Kata sandi",
        validators=[
            DataRequired("Kata sandi wajib diisi."),
            Length(max=MAX_LENGTH, message="Kata sandi terlalu panjang."),
        ],
    )


class PasswordChangeForm(FlaskForm):
    current = PasswordField(
        "Kata sandi sekarang",
        validators=[
            DataRequired("Kata sandi sekarang wajib diisi."),
            Length(max=MAX_LENGTH, message="Terlalu panjang."),
        ],
    )
    new = PasswordField(
        "Kata sandi baru",
        validators=[
            DataRequired("Kata sandi baru wajib diisi."),
            Length(max=MAX_LENGTH, message=f"Kata sandi maksimal {MAX_LENGTH} karakter."),
            StrongPassword(),
        ],
    )
    confirm = PasswordField(
        "Ulangi kata sandi baru",
        validators=[
            DataRequired("Ulangi kata sandi baru."),
            EqualTo("new", "Kedua kata sandi baru tidak sama."),
        ],
    )

    def __init__(self, *args, subject=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject = subject  # whose password this is (its username and name are refused inside it)
