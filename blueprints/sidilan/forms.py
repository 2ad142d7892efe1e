"""SIDILAN forms. Structure checks live here; NIK/KK levels and the rules across fields live in the use-case
modules (person.py, assessments.py, assistance.py ...)."""

from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from blueprints.core.forms import CreateForm, EditForm, Form, valid_birth_date
from blueprints.core.timeutil import today_local

from . import values as V

BLANK = [("", "— pilih —")]


def C(pairs) -> dict:
    """Choices as the {value: label} shorthand (tuple lists are deprecated in WTForms 3.3)."""
    return {str(k): v for k, v in pairs}


def _len(n: int, what: str = "Isian"):
    return Length(max=n, message=f"{what} maksimal {n} karakter.")


def not_future(form, field):
    if field.data and field.data > today_local():
        raise ValidationError("Tanggal tidak boleh di masa depan.")


def optional_choice():
    """Optional for a select or checkbox group: nothing chosen is fine, but a value of only spaces is not
    (the default Optional() would drop the 'not a valid choice' error for it and pass the spaces on)."""
    return Optional(strip_whitespace=False)


def finite(form, field):
    if field.data is not None and field.data != field.data:  # NaN passes every NumberRange
        raise ValidationError("Angka tidak sah.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        # WTForms' own wording for an unknown value is English and not in core.forms' table
        kwargs.setdefault("invalid_choice_message", "Pilihan tidak sah: '%(value)s'.")
        kwargs.setdefault("invalid_value_message", "Pilihan tidak sah.")
        super().__init__(*args, **kwargs)


class PersonForm(Form):
    # the order of templates/sidilan/person_form.html's sections, for the first-error focus (core.forms.first_error)
    PAGE_ORDER = (
        "nik",
        "alasan_tanpa_nik",
        "nama_lengkap",
        "jenis_kelamin",
        "tanggal_lahir",
        "tgl_lahir_perkiraan",
        "alamat",
        "rt",
        "rw",
        "no_kk",
        "hubungan_keluarga",
        "nama_panggilan",
        "tempat_lahir",
    )

    nik = StringField("NIK", validators=[Optional(), _len(30, "NIK")])
    alasan_tanpa_nik = SelectField(
        "Alasan tanpa NIK", choices=C(BLANK + V.ALASAN_TANPA_NIK), validators=[optional_choice()]
    )
    no_kk = StringField("No. KK", validators=[Optional(), _len(30, "No. KK")])
    hubungan_keluarga = SelectField(
        "Hubungan dalam keluarga (SHDK)", choices=C(BLANK + V.SHDK), validators=[optional_choice()]
    )
    nama_lengkap = StringField(
        "Nama lengkap", validators=[DataRequired("Nama lengkap wajib diisi."), _len(120, "Nama")]
    )
    nama_panggilan = StringField("Nama panggilan", validators=[Optional(), _len(60, "Nama panggilan")])
    jenis_kelamin = RadioField(
        "Jenis kelamin", choices=C(V.JENIS_KELAMIN), validators=[InputRequired("Pilih jenis kelamin.")]
    )
    tempat_lahir = StringField("Tempat lahir", validators=[Optional(), _len(80, "Tempat lahir")])
    tanggal_lahir = DateField(
        "Tanggal lahir", validators=[InputRequired("Tanggal lahir wajib diisi."), valid_birth_date]
    )
    tgl_lahir_perkiraan = BooleanField("Tanggal lahir perkiraan")
    agama = SelectField("Agama", choices=C(BLANK + V.AGAMA), validators=[optional_choice()])
    status_perkawinan = SelectField(
        "Status perkawinan", choices=C(BLANK + V.STATUS_PERKAWINAN), validators=[optional_choice()]
    )
    pendidikan_terakhir = StringField("Pendidikan terakhir", validators=[Optional(), _len(40)])
    pekerjaan = StringField("Pekerjaan", validators=[Optional(), _len(60)])
    nama_ibu_kandung = StringField("Nama ibu kandung", validators=[Optional(), _len(120)])
    no_hp = StringField(
        "No. HP",
        validators=[Optional(), Regexp(r"^\+?[0-9 \-]{6,20}$", message="No. HP hanya angka, 6–20 digit.")],
    )
    nama_pendamping = StringField("Nama pendamping / wali", validators=[Optional(), _len(120)])
    hubungan_pendamping = StringField("Hubungan pendamping", validators=[Optional(), _len(40)])
    status_hidup = SelectField("Status hidup", choices=C(V.STATUS_HIDUP), default="hidup")
    tgl_meninggal = DateField("Tanggal meninggal", validators=[Optional(), not_future])
    status_domisili = SelectField("Status domisili", choices=C(V.STATUS_DOMISILI), default="menetap")
    kepesertaan_jkn = SelectField(
        "Kepesertaan JKN", choices=C(BLANK + V.KEPESERTAAN_JKN), validators=[optional_choice()]
    )
    no_kpd = StringField("No. KPD", validators=[Optional(), _len(30)])
    alamat = StringField("Alamat", validators=[Optional(), _len(250, "Alamat")])
    rt = StringField(
        "RT", validators=[Optional(), Regexp(r"^[0-9]{1,3}$", message="RT berupa angka 1–3 digit.")]
    )
    rw = StringField(
        "RW", validators=[Optional(), Regexp(r"^[0-9]{1,3}$", message="RW berupa angka 1–3 digit.")]
    )
    sumber_data = SelectField("Sumber data", choices=C(V.SUMBER_DATA), default="lapangan")
    tags = MultiCheckboxField("Penanda", choices=C(V.TAGS), validators=[optional_choice()])
    persetujuan = BooleanField("Persetujuan pemrosesan data sudah diberikan")
    tgl_persetujuan = DateField("Tanggal persetujuan", validators=[Optional(), not_future])
    pemberi_persetujuan = StringField("Pemberi persetujuan", validators=[Optional(), _len(120)])

    def validate_persetujuan(self, field):
        if field.data and not (self.tgl_persetujuan.data and (self.pemberi_persetujuan.data or "").strip()):
            raise ValidationError("Isi tanggal dan pemberi persetujuan.")


class NewPersonForm(PersonForm, CreateForm):
    """Registration: the person fields plus the one-time submission key."""


class EditPersonForm(PersonForm, EditForm):
    """An edit of a stored person: the person fields plus the version the form showed."""


WG_CHOICES = [("", "— belum ditanyakan —")] + [(str(v), lab) for v, lab in V.WG_ANSWERS]


class WgssAnswers:
    """The six WG-SS questions, as the disability form and a WG-SS visit both ask them (templates render each
    field by name, so where the mixin puts them in the form's field order does not matter)."""

    wg_melihat = SelectField(V.WG_QUESTIONS[0][1], choices=C(WG_CHOICES), validators=[optional_choice()])
    wg_mendengar = SelectField(V.WG_QUESTIONS[1][1], choices=C(WG_CHOICES), validators=[optional_choice()])
    wg_berjalan = SelectField(V.WG_QUESTIONS[2][1], choices=C(WG_CHOICES), validators=[optional_choice()])
    wg_mengingat = SelectField(V.WG_QUESTIONS[3][1], choices=C(WG_CHOICES), validators=[optional_choice()])
    wg_merawat_diri = SelectField(V.WG_QUESTIONS[4][1], choices=C(WG_CHOICES), validators=[optional_choice()])
    wg_komunikasi = SelectField(V.WG_QUESTIONS[5][1], choices=C(WG_CHOICES), validators=[optional_choice()])


class DisabilityForm(WgssAnswers, EditForm):
    ragam = MultiCheckboxField("Ragam disabilitas", choices=C(V.RAGAM))
    jenis_fisik = SelectField(
        "Jenis (fisik)", choices=C(BLANK + [(j, j) for j in V.JENIS["fisik"]]), validators=[optional_choice()]
    )
    jenis_intelektual = SelectField(
        "Jenis (intelektual)",
        choices=C(BLANK + [(j, j) for j in V.JENIS["intelektual"]]),
        validators=[optional_choice()],
    )
    jenis_mental = SelectField(
        "Jenis (mental)",
        choices=C(BLANK + [(j, j) for j in V.JENIS["mental"]]),
        validators=[optional_choice()],
    )
    jenis_sensorik = SelectField(
        "Jenis (sensorik)",
        choices=C(BLANK + [(j, j) for j in V.JENIS["sensorik"]]),
        validators=[optional_choice()],
    )
    derajat = SelectField("Derajat", choices=C(BLANK + V.DERAJAT), validators=[optional_choice()])
    sejak = SelectField("Sejak", choices=C(BLANK + V.SEJAK), validators=[optional_choice()])
    tahun_mulai = IntegerField(
        "Tahun mulai", validators=[Optional(), NumberRange(1900, 2100, "Tahun tidak sah.")]
    )
    penyebab = StringField("Penyebab", validators=[Optional(), _len(200)])
    alat_bantu_dimiliki = MultiCheckboxField("Alat bantu yang dimiliki", choices=C(V.ALAT_BANTU))
    alat_bantu_dibutuhkan = MultiCheckboxField("Alat bantu yang dibutuhkan", choices=C(V.ALAT_BANTU))
    surat_penerbit = StringField("Surat keterangan disabilitas: penerbit", validators=[Optional(), _len(120)])
    surat_tanggal = DateField("Tanggal surat keterangan", validators=[Optional(), not_future])
    butuh_pendamping = BooleanField("Membutuhkan pendamping")
    kebutuhan_layanan = MultiCheckboxField("Kebutuhan layanan", choices=C(V.KEBUTUHAN_LAYANAN))

    def validate_ragam(self, field):
        if not field.data:
            raise ValidationError("Pilih sedikitnya satu ragam disabilitas.")


class WgssVisitForm(WgssAnswers, CreateForm):
    """One WG-SS visit (wgss.py): its date and the six answers, at least one of them given."""

    tgl_wawancara = DateField(
        "Tanggal wawancara WG-SS", validators=[InputRequired("Tanggal wawancara wajib diisi."), not_future]
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not any(self[f].data for f, _ in V.WG_QUESTIONS):
            # an empty select stops at optional_choice before any inline validator: checked here
            self.wg_melihat.errors = list(self.wg_melihat.errors) + ["Isi sedikitnya satu jawaban WG-SS."]
            return False
        return ok


class AssessmentForm(CreateForm):
    tgl_asesmen = DateField(
        "Tanggal asesmen", validators=[InputRequired("Tanggal asesmen wajib diisi."), not_future]
    )
    kategori_potensi = SelectField(
        "Kategori", choices=C(BLANK + V.KATEGORI_POTENSI), validators=[optional_choice()]
    )
    tinggal_dengan = SelectField(
        "Tinggal dengan", choices=C(BLANK + V.TINGGAL_DENGAN), validators=[optional_choice()]
    )
    terlantar = BooleanField("Lanjut usia terlantar")
    lawton_iadl = IntegerField(
        "Skor Lawton IADL (opsional)", validators=[Optional(), NumberRange(0, 8, "Skor Lawton 0–8.")]
    )
    penyakit_kronis = StringField("Penyakit kronis", validators=[Optional(), _len(300)])
    kebutuhan = StringField("Kebutuhan", validators=[Optional(), _len(300)])


def add_barthel_fields(options: dict[str, list[tuple[str, str]]]):
    """A form class with one radio group per Barthel item (choices from assessments.barthel_options). Nothing is
    preselected: an item the assessor did not choose is refused, never counted as 0."""
    attrs = {}
    for f, lab, _ in V.BARTHEL_ITEMS:
        top = len(options[f]) - 1
        attrs[f] = RadioField(
            f"{lab} (0–{top})",
            choices=C(options[f]),
            validators=[InputRequired("Pilih salah satu nilai untuk butir ini.")],
        )
    return type("BarthelAssessmentForm", (AssessmentForm,), attrs)


class AssistanceForm(CreateForm):
    program_id = SelectField("Program", coerce=int, validators=[DataRequired("Pilih program.")])
    untuk_keluarga = BooleanField("Untuk keluarga (KPM, berdasarkan No. KK)")
    komponen_atensi = SelectField(
        "Komponen ATENSI", choices=C(BLANK + V.KOMPONEN_ATENSI), validators=[optional_choice()]
    )
    tahun = IntegerField(
        "Tahun", validators=[InputRequired("Tahun wajib diisi."), NumberRange(2000, 2100, "Tahun tidak sah.")]
    )
    bulan = SelectField("Bulan", choices=C(BLANK + V.BULAN), validators=[optional_choice()])
    tahap_ke = IntegerField(
        "Tahap ke", validators=[Optional(), NumberRange(1, V.TAHAP_MAX, f"Tahap 1–{V.TAHAP_MAX}.")]
    )
    tgl_salur = DateField("Tanggal salur", validators=[Optional(), not_future])
    nilai_rp = IntegerField("Nilai (Rp)", validators=[Optional(), NumberRange(0, 10**10, "Nilai tidak sah.")])
    uraian_barang = StringField("Uraian barang", validators=[Optional(), _len(200)])
    jumlah = IntegerField("Jumlah", validators=[Optional(), NumberRange(0, 100000, "Jumlah tidak sah.")])
    sumber_dana = SelectField("Sumber dana", choices=C(BLANK + V.SUMBER_DANA), validators=[optional_choice()])
    penyalur = StringField("Penyalur", validators=[Optional(), _len(120)])
    catatan = StringField("Catatan", validators=[Optional(), _len(300)])
    # shown with the warning that the program and period are already recorded: the clerk saves anyway
    tetap_simpan = BooleanField("Tetap simpan: sudah saya periksa, ini bukan entri ganda")


class AssistanceStatusForm(EditForm):
    status = SelectField("Status baru", choices=C(V.STATUS_BANTUAN))


class WorkflowForm(Form):
    action = StringField(validators=[DataRequired(), _len(20)])
    note = TextAreaField("Catatan", validators=[Optional(), _len(500, "Catatan")])


class DuplicateDecisionForm(CreateForm):
    keputusan = RadioField(
        "Keputusan",
        choices=C([("duplikat", "Duplikat (gabungkan)"), ("bukan_duplikat", "Bukan duplikat")]),
        validators=[InputRequired("Pilih keputusan.")],
    )
    keep = RadioField("Data yang dipertahankan", coerce=int, validators=[Optional()], validate_choice=False)


class ProgramForm(Form):
    kode = StringField(
        "Kode",
        validators=[
            DataRequired("Kode wajib diisi."),
            _len(20, "Kode"),
            Regexp(r"^[A-Za-z0-9/\-]+$", message="Kode: huruf, angka, / atau -."),
        ],
    )
    nama = StringField("Nama program", validators=[DataRequired("Nama wajib diisi."), _len(120, "Nama")])
    sumber_dana = SelectField("Sumber dana", choices=C(BLANK + V.SUMBER_DANA), validators=[optional_choice()])
    jenis = SelectField("Jenis", choices=C(BLANK + V.JENIS_PROGRAM), validators=[optional_choice()])
    sasaran = SelectField("Sasaran", choices=C(V.SASARAN_PROGRAM), default="individu")
    punya_komponen = BooleanField("Memakai komponen ATENSI")
    periode = SelectField("Periode penyaluran", choices=C(V.PERIODE_PROGRAM), default="tahunan")
    aktif = BooleanField("Aktif", default=True)


class NewProgramForm(ProgramForm, CreateForm):
    pass


class EditProgramForm(ProgramForm, EditForm):
    pass


class HouseholdForm(EditForm):
    alamat = StringField("Alamat", validators=[Optional(), _len(250, "Alamat")])
    rt = StringField(
        "RT", validators=[Optional(), Regexp(r"^[0-9]{1,3}$", message="RT berupa angka 1–3 digit.")]
    )
    rw = StringField(
        "RW", validators=[Optional(), Regexp(r"^[0-9]{1,3}$", message="RW berupa angka 1–3 digit.")]
    )
    desil_dtsen = IntegerField(
        "Desil DTSEN", validators=[Optional(), NumberRange(1, 10, "Desil DTSEN harus 1–10.")]
    )
    tgl_cek_dtsen = DateField("Tanggal cek DTSEN", validators=[Optional(), not_future])
    lintang = FloatField(
        "Lintang", validators=[Optional(), finite, NumberRange(-11.0, 6.0, "Lintang di luar Indonesia.")]
    )
    bujur = FloatField(
        "Bujur", validators=[Optional(), finite, NumberRange(94.0, 142.0, "Bujur di luar Indonesia.")]
    )
    kondisi_rumah = StringField("Kondisi rumah", validators=[Optional(), _len(100)])
    sumber_penghasilan = StringField("Sumber penghasilan", validators=[Optional(), _len(100)])


def optional_text(value) -> str | None:
    """A text field's value as stored: stripped, and None when nothing is left (other values unchanged)."""
    value = value.strip() if isinstance(value, str) else value
    return value or None
