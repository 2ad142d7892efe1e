"""Forms of the reconciliation, the public usulan, its review and the cross-regency NIK check."""

from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from blueprints.core.forms import CreateForm, Form

from .reconcile import SOURCES

PELAPOR = [
    ("keluarga", "Keluarga"),
    ("wali_jorong", "Wali Jorong"),
    ("wali_nagari", "Perangkat nagari"),
    ("tetangga", "Tetangga / kenalan"),
    ("lainnya", "Lainnya"),
]


def _len(n: int, label: str):
    return Length(max=n, message=f"{label} maksimal {n} karakter.")


class ReconcileForm(CreateForm):
    sumber = RadioField(
        "Sumber data", choices=dict(SOURCES), default="dtsen", validators=[DataRequired("Pilih sumber.")]
    )
    berkas = FileField(
        "Berkas ekstrak (.xlsx atau .csv)",
        validators=[FileRequired("Pilih berkas .xlsx atau .csv untuk diunggah.")],
    )


class PublicUsulanForm(CreateForm):
    nama = StringField(
        "Nama orang yang diusulkan",
        validators=[DataRequired("Isi nama orang yang diusulkan."), _len(120, "Nama")],
    )
    kabupaten = SelectField("Kabupaten", validators=[DataRequired("Pilih kabupaten.")])
    nagari = SelectField("Nagari", validators=[DataRequired("Pilih nagari.")], validate_choice=False)
    jorong = StringField("Jorong", validators=[Optional(), _len(80, "Jorong")])
    kebutuhan = TextAreaField(
        "Apa yang dibutuhkan",
        validators=[DataRequired("Tuliskan kondisi dan kebutuhannya."), _len(1000, "Kebutuhan")],
    )
    pelapor_nama = StringField(
        "Nama Anda (pelapor)", validators=[DataRequired("Isi nama Anda."), _len(120, "Nama pelapor")]
    )
    pelapor_hubungan = SelectField(
        "Hubungan Anda dengan orang tersebut",
        choices=dict(PELAPOR),
        validators=[DataRequired("Pilih hubungan.")],
    )
    pelapor_kontak = StringField(
        "No. HP / WhatsApp Anda",
        validators=[
            DataRequired("Isi nomor yang dapat dihubungi petugas."),
            Regexp(r"^[0-9+ ()-]{8,20}$", message="Isi nomor HP dengan angka, 8–20 digit."),
        ],
    )
    foto = FileField("Foto (boleh dikosongkan)")
    # honeypot: hidden from people (class "vh", aria-hidden, no tab stop); a bot that fills it stores nothing
    website = StringField("Jangan diisi", validators=[Optional()])


class RejectForm(Form):
    alasan = TextAreaField(
        "Alasan penolakan",
        validators=[DataRequired("Isi alasan penolakan."), _len(500, "Alasan")],
    )


class AcceptForm(Form):
    """The accept button (CSRF only)."""


class NikCheckForm(Form):
    nik = StringField(
        "NIK",
        validators=[
            DataRequired("Isi NIK (16 angka)."),
            Regexp(r"^\s*\d{16}\s*$", message="NIK harus 16 angka."),
        ],
    )
