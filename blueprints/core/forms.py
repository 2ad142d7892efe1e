"""Base form for every module: WTForms' built-in messages in Indonesian, so no English reaches a clerk."""
from flask_wtf import FlaskForm

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


class Form(FlaskForm):
    """Use this instead of FlaskForm."""

    class Meta:
        def get_translations(self, form):
            return _TRANSLATIONS
