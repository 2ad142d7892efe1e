from blueprints.core.forms import Form as FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from .passwords import MIN_LENGTH


class LoginForm(FlaskForm):
    username = StringField("Nama pengguna", validators=[
        DataRequired("Nama pengguna wajib diisi."), Length(max=50, message="Nama pengguna terlalu panjang.")])
    password = PasswordField("Kata sandi", validators=[
        DataRequired("Kata sandi wajib diisi."), Length(max=200, message="Kata sandi terlalu panjang.")])


class PasswordChangeForm(FlaskForm):
    current = PasswordField("Kata sandi sekarang", validators=[
        DataRequired("Kata sandi sekarang wajib diisi."), Length(max=200, message="Terlalu panjang.")])
    new = PasswordField("Kata sandi baru", validators=[
        DataRequired("Kata sandi baru wajib diisi."),
        Length(min=MIN_LENGTH, max=200, message=f"Kata sandi baru minimal {MIN_LENGTH} karakter (maksimal 200).")])
    confirm = PasswordField("Ulangi kata sandi baru", validators=[
        DataRequired("Ulangi kata sandi baru."), EqualTo("new", "Kedua kata sandi baru tidak sama.")])
