import math
import re

from wtforms import (
    BooleanField,
    DateField,
    FileField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from blueprints.core.forms import (
    CONTROL_CHARS,
    MAX_ID,
    CreateForm,
    EditForm,
    Form,
    LocalDateTimeField,
    valid_birth_date,
)

from . import lists as L
from .models import FACILITY_TYPES, PROFESSIONS

BP = Regexp(r"^\d{2,3}/\d{2,3}$", message="Tulis tekanan darah seperti 120/80.")
PHONE = Regexp(
    r"^\+?[0-9][0-9 -]{6,24}$", message="Tulis nomor seperti 0812 3456 7890 atau +62 812 3456 7890."
)
EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Alamat e-mail tidak sah, mis. igd@rsud.go.id.")
HHMM = Regexp(r"^([01]\d|2[0-3])[:.][0-5]\d$", message="Tulis jam seperti 14:05.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def search_text(value: str | None, limit: int = 60) -> str:
    """A search box or filter value from the query string, safe to compare in SQL: control characters (which
    PostgreSQL refuses in text) removed, trimmed, at most ``limit`` characters."""
    return CONTROL_CHARS.sub("", value or "").strip()[:limit]


class Finite:
    """Refuses NaN and infinity, which NumberRange lets through (NaN compares false with everything)."""

    def __call__(self, form, field):
        if isinstance(field.data, float) and not math.isfinite(field.data):
            raise StopValidation("Angka tidak sah.")


class IdSelectField(SelectField):
    """A select of database ids: anything that is not a small positive integer is 'not a valid choice' before
    the value can reach a query."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, coerce=_id, **kwargs)


def _id(value) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip()
        if not text.isascii() or not text.isdigit() or len(text) > 10:
            raise ValueError("not an id")
        number = int(text)
    if not 0 <= number <= MAX_ID:
        raise ValueError("not an id")
    return number


class PatientFields(Form):
    name = StringField("Nama pasien", validators=[DataRequired(), Length(max=120)], filters=[_strip])
    nik = StringField("NIK", validators=[Optional(), Length(max=30)], filters=[_strip])
    no_nik_reason = StringField(
        "Alasan tanpa NIK", validators=[Optional(), Length(max=120)], filters=[_strip]
    )
    no_jkn = StringField("No. Kartu JKN/BPJS", validators=[Optional(), Length(max=30)], filters=[_strip])
    status_peserta = SelectField(
        "Status peserta", choices=L.choices(L.STATUS_PESERTA, "—"), validate_choice=True
    )
    # empty by default ("belum diketahui"): a clerk who does not know it yet can still save (issue 14)
    jenis_kepesertaan = SelectField(
        "Jenis kepesertaan", choices=L.choices(L.KEPESERTAAN, "— belum diketahui —"), validate_choice=True
    )
    birth_date = DateField("Tanggal lahir", validators=[Optional(), valid_birth_date])
    sex = SelectField("Jenis kelamin", choices=L.choices(L.SEX), validators=[DataRequired()])
    home_regency = SelectField("Kabupaten asal", choices=[], validators=[DataRequired()])
    address = StringField("Alamat (jalan, RT/RW)", validators=[Optional(), Length(max=200)], filters=[_strip])
    phone = StringField(
        "No. HP",
        validators=[
            Optional(),
            Length(max=30),
            Regexp(r"^[0-9+ ()-]{6,30}$", message="Nomor telepon tidak sah."),
        ],
        filters=[_strip],
    )
    no_rm = StringField("No. RM", validators=[Optional(), Length(max=30)], filters=[_strip])


class NewPatientForm(CreateForm, PatientFields):
    pass


class EditPatientForm(EditForm, PatientFields):
    # Not an input (the kecamatan/nagari/jorong selects are the place cascade): the conflict page compares the
    # stored and the typed place through it.
    wilayah = StringField("Kecamatan / nagari / jorong")


class ReferralForm(Form):
    """The referral's fields; a new draft posts a submission key, an edit the version it showed."""

    # the order of templates/rujukan/referral_form.html's sections, for the first-error focus (core.forms.first_error)
    PAGE_ORDER = (
        *("jenis", "kategori", "tipe", "arah", "payer", "pcare_number", "bpjs_card", "referred_at"),
        *("destination_id", "poli_id"),
        *("destination_text", "dasar", "anamnesis", "physical_exam"),
        *("bp", "pulse", "rr", "temperature", "weight", "height", "consciousness", "gcs", "supporting"),
        *("diag1", "diag2", "diag3", "therapy_drug", "therapy_other", "bmhp", "procedures"),
        *("reason", "condition", "tacc", "tacc_time", "tacc_reason"),
        *("ambulance", "escort", "allergy", "planned_visit", "note"),
        *("consent", "consent_signer", "consent_relation", "consent_date"),
        *("igd_call_name", "igd_call_time", "igd_call_accepted", "nakes_id"),
    )

    jenis = SelectField("Jenis rujukan", choices=L.choices(L.JENIS, None))
    kategori = SelectField("Kategori (SISRUTE)", choices=L.choices(L.KATEGORI, None))
    tipe = SelectField("Tipe rujukan", choices=L.choices(L.TIPE, None))
    arah = SelectField("Arah", choices=L.choices(L.ARAH, None))
    payer = SelectField("Penjamin", choices=L.choices(L.PAYER, None))
    referred_at = LocalDateTimeField("Tanggal dan jam rujukan", validators=[Optional()])
    destination_id = IdSelectField("Faskes tujuan", choices=[])
    destination_text = StringField(
        "Tujuan di luar direktori (jika terpaksa)", validators=[Optional(), Length(max=150)], filters=[_strip]
    )
    poli_id = IdSelectField("Poli tujuan", choices=[], validate_choice=False)  # checked by the rules
    dasar = SelectField("Dasar rujukan lintas batas", choices=L.choices(L.DASAR, "— tidak lintas batas —"))
    anamnesis = TextAreaField("Anamnesa (keluhan)", validators=[DataRequired(), Length(max=3000)])
    physical_exam = TextAreaField("Pemeriksaan fisik", validators=[Optional(), Length(max=3000)])
    bp = StringField("Tekanan darah (mmHg)", validators=[Optional(), BP], filters=[_strip])
    pulse = IntegerField("Nadi (x/menit)", validators=[Optional(), NumberRange(20, 250)])
    rr = IntegerField("Napas (x/menit)", validators=[Optional(), NumberRange(4, 80)])
    temperature = FloatField("Suhu (°C)", validators=[Optional(), Finite(), NumberRange(30, 45)])
    weight = FloatField("Berat (kg)", validators=[Optional(), Finite(), NumberRange(0.3, 300)])
    height = FloatField("Tinggi (cm)", validators=[Optional(), Finite(), NumberRange(20, 250)])
    consciousness = SelectField("Kesadaran", choices=L.choices(L.CONSCIOUSNESS, "—"))
    gcs = IntegerField("GCS", validators=[Optional(), NumberRange(3, 15)])
    supporting = TextAreaField("Pemeriksaan penunjang", validators=[Optional(), Length(max=3000)])
    diag1 = StringField("Diagnosis 1 (ICD-10)", validators=[Optional(), Length(max=10)], filters=[_strip])
    diag2 = StringField("Diagnosis 2 (ICD-10)", validators=[Optional(), Length(max=10)], filters=[_strip])
    diag3 = StringField("Diagnosis 3 (ICD-10)", validators=[Optional(), Length(max=10)], filters=[_strip])
    therapy_drug = TextAreaField("Terapi obat", validators=[Optional(), Length(max=2000)])
    therapy_other = TextAreaField("Terapi non-obat", validators=[Optional(), Length(max=2000)])
    bmhp = TextAreaField("BMHP", validators=[Optional(), Length(max=1000)])
    procedures = TextAreaField("Tindakan", validators=[Optional(), Length(max=1000)])
    reason = TextAreaField("Alasan rujuk", validators=[DataRequired(), Length(max=2000)])
    tacc = SelectField("TACC", choices=L.choices(L.TACC, "—"))
    tacc_time = SelectField("TACC: lama keluhan", choices=L.choices(L.TACC_TIME, "—"))
    tacc_reason = StringField("Alasan TACC", validators=[Optional(), Length(max=300)], filters=[_strip])
    condition = TextAreaField("Keadaan saat dirujuk / stabilisasi", validators=[Optional(), Length(max=2000)])
    ambulance = BooleanField("Dengan ambulans")
    escort = StringField("Pendamping", validators=[Optional(), Length(max=150)], filters=[_strip])
    allergy = StringField(
        "Alergi (makanan, udara, obat)", validators=[Optional(), Length(max=200)], filters=[_strip]
    )
    note = TextAreaField("Catatan", validators=[Optional(), Length(max=2000)])
    planned_visit = DateField("Tgl. rencana berkunjung", validators=[Optional()])
    consent = SelectField("Persetujuan pasien/keluarga", choices=L.choices(L.CONSENT, "— belum dicatat —"))
    consent_signer = StringField(
        "Ditandatangani oleh", validators=[Optional(), Length(max=120)], filters=[_strip]
    )
    consent_relation = StringField(
        "Hubungan dengan pasien", validators=[Optional(), Length(max=40)], filters=[_strip]
    )
    consent_date = DateField("Tanggal persetujuan", validators=[Optional()])
    igd_call_name = StringField(
        "Petugas IGD yang ditelepon", validators=[Optional(), Length(max=120)], filters=[_strip]
    )
    igd_call_time = StringField("Jam telepon", validators=[Optional(), HHMM], filters=[_strip])
    igd_call_accepted = SelectField(
        "IGD dapat menerima?", choices=L.C([("", "—"), ("ya", "Ya"), ("tidak", "Tidak")])
    )
    nakes_id = IdSelectField("Tenaga kesehatan perujuk", choices=[])
    # BPJS bridging fields (docs/rujukan.md §4.8), format checked by the referral rules (bridging.py)
    pcare_number = StringField(
        "No. rujukan P-Care (19 karakter, jika dibuat di P-Care)",
        validators=[Optional(), Length(max=40)],
        filters=[_strip],
    )
    bpjs_card = StringField(
        "No. Kartu BPJS (13 digit)", validators=[Optional(), Length(max=30)], filters=[_strip]
    )


class NewReferralForm(CreateForm, ReferralForm):
    pass


class EditReferralForm(EditForm, ReferralForm):
    pass


class MultiCheckbox(SelectMultipleField):
    """A checklist: one checkbox per choice; a value outside the choices is 'not a valid choice'."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EmergencyForm(CreateForm):
    """The emergency short form (docs/rujukan.md §4.5): saved and issued in one step as a ``jenis = igd`` letter.
    The fields it shares with the referral form carry the same names and validators, so the referral rules
    (validation.py) answer at the same fields."""

    PAGE_ORDER = (
        *("destination_id", "dasar", "anamnesis", "diag1", "reason", "therapy_drug"),
        *("depart_bp", "depart_pulse", "depart_rr", "depart_temperature", "depart_spo2", "depart_gcs"),
        *("depart_consciousness", "stabilisation", "igd_call_name", "igd_called_at", "igd_call_accepted"),
        *(
            "departed_at",
            "ambulance",
            "escort",
            "escort_role",
            "consent",
            "consent_signer",
            "consent_relation",
        ),
        "nakes_id",
    )

    destination_id = ReferralForm.destination_id
    dasar = ReferralForm.dasar
    anamnesis = TextAreaField("Keluhan utama", validators=[DataRequired(), Length(max=3000)])
    diag1 = StringField(
        "Diagnosis kerja (kode ICD-10)", validators=[Optional(), Length(max=10)], filters=[_strip]
    )
    reason = TextAreaField("Alasan rujuk", validators=[Optional(), Length(max=2000)])
    therapy_drug = TextAreaField(
        "Obat / tindakan yang telah diberikan", validators=[Optional(), Length(max=2000)]
    )
    depart_bp = StringField("TD saat berangkat (mmHg)", validators=[Optional(), BP], filters=[_strip])
    depart_pulse = IntegerField("Nadi (x/menit)", validators=[Optional(), NumberRange(20, 250)])
    depart_rr = IntegerField("Napas (x/menit)", validators=[Optional(), NumberRange(4, 80)])
    depart_temperature = FloatField("Suhu (°C)", validators=[Optional(), Finite(), NumberRange(30, 45)])
    depart_spo2 = IntegerField("SpO2 (%)", validators=[Optional(), NumberRange(40, 100)])
    depart_gcs = IntegerField("GCS", validators=[Optional(), NumberRange(3, 15)])
    depart_consciousness = SelectField("Kesadaran", choices=L.choices(L.CONSCIOUSNESS, "—"))
    stabilisation = MultiCheckbox("Stabilisasi sebelum berangkat", choices=L.choices(L.STABILISASI, None))
    igd_call_name = ReferralForm.igd_call_name
    igd_called_at = LocalDateTimeField("Waktu telepon ke IGD", validators=[Optional()])
    igd_call_accepted = ReferralForm.igd_call_accepted
    departed_at = LocalDateTimeField("Waktu berangkat", validators=[Optional()])
    ambulance = BooleanField("Dengan ambulans")
    escort = StringField("Nama pendamping", validators=[Optional(), Length(max=150)], filters=[_strip])
    escort_role = SelectField("Pendamping sebagai", choices=L.choices(L.PENDAMPING, "—"))
    consent = ReferralForm.consent
    consent_signer = ReferralForm.consent_signer
    consent_relation = ReferralForm.consent_relation
    nakes_id = IdSelectField("Tenaga kesehatan perujuk", choices=[])


class ActionForm(CreateForm):
    """A lifecycle step; each step's form on the detail page has its own submission key."""

    channel = SelectField("Saluran", choices=L.choices(L.CHANNEL, None))
    note = StringField("Alasan / catatan", validators=[Optional(), Length(max=300)], filters=[_strip])
    redirect_to_id = IdSelectField("Dialihkan ke", choices=[], validate_choice=False)


class SepForm(EditForm):
    """The receiving hospital's SEP number, after arrival (docs/rujukan.md §4.8); posts the letter's version."""

    sep_number = StringField(
        "No. SEP (19 karakter)", validators=[DataRequired("Isi No. SEP."), Length(max=40)], filters=[_strip]
    )


class AttachmentForm(CreateForm):
    kind = SelectField(
        "Jenis lampiran",
        choices=L.choices(L.LAMPIRAN),
        validators=[DataRequired("Pilih jenis lampiran.")],
    )
    berkas = FileField("Foto atau PDF")


class RemoveAttachmentForm(Form):
    """A repeat is a no-op (the attachment is gone or marked removed already): no submission key."""

    reason = StringField("Alasan menghapus", validators=[Optional(), Length(max=300)], filters=[_strip])


class ReplyForm(CreateForm):
    channel = SelectField("Saluran", choices=L.choices(L.CHANNEL, None))
    reply_diag = StringField(
        "Diagnosis (ICD-10)", validators=[DataRequired(), Length(max=10)], filters=[_strip]
    )
    reply_therapy = TextAreaField("Terapi yang diberikan", validators=[Optional(), Length(max=2000)])
    reply_advice = TextAreaField("Anjuran", validators=[Optional(), Length(max=2000)])
    reply_control_date = DateField("Kontrol ke RS tanggal", validators=[Optional()])
    reply_inpatient = BooleanField("Perlu rawat inap")
    reply_finished = BooleanField("Konsultasi selesai")
    # the answering facility's staff (replies.doctor_choices); free text only when it lists none
    reply_doctor_id = IdSelectField("Dokter yang menjawab", choices=[])
    reply_doctor = StringField(
        "Nama dokter yang menjawab", validators=[Optional(), Length(max=120)], filters=[_strip]
    )


class FacilityForm(EditForm):
    """Posts the organisation's version: every directory save updates that row (see facilities.save_facility)."""

    phone = StringField("Telepon", validators=[Optional(), Length(max=30)], filters=[_strip])
    whatsapp = StringField("WhatsApp", validators=[Optional(), Length(max=30), PHONE], filters=[_strip])
    email = StringField("E-mail", validators=[Optional(), Length(max=120), EMAIL], filters=[_strip])
    address = StringField("Alamat", validators=[Optional(), Length(max=250)], filters=[_strip])
    ambulance = StringField("Kontak ambulans", validators=[Optional(), Length(max=120)], filters=[_strip])
    travel_note = TextAreaField(
        "Waktu tempuh dari wilayah perbatasan (musim / kondisi jalan)",
        validators=[Optional(), Length(max=300)],
    )
    capacity_note = StringField(
        "Catatan kapasitas hari ini (tempat tidur, ICU)",
        validators=[Optional(), Length(max=300)],
        filters=[_strip],
    )
    paper = SelectField("Ukuran kertas surat", choices=L.C([("A4", "A4"), ("F4", "F4 (215 × 330 mm)")]))
    bpjs_office = StringField("Kantor cabang BPJS", validators=[Optional(), Length(max=80)], filters=[_strip])


# The directory form's "Tingkat": FKTP / FKTL, and tersier = an FKTL of level 3 (facilities.LEVELS).
DIRECTORY_LEVELS = {
    "FKTP": "FKTP (tingkat pertama)",
    "FKTL": "FKTL (rujukan tingkat lanjut)",
    "tersier": "Tersier",
}
# The BPJS PPK code's format (checked by facilities._identity_rules on a new or changed code, so the demo's
# placeholder codes stay saveable).
PPK_CODE = re.compile(r"^[0-9A-Z]{8}$")
PPK_CODE_MESSAGE = "Kode PPK BPJS: 8 huruf besar/angka, mis. 0302R001."


OUTSIDE_LABEL = "Di luar Kabupaten Solok dan Sijunjung"


def _upper(value):
    return value.strip().upper() if isinstance(value, str) else value


class FacilityIdentityFields(Form):
    """What only Dinas Kesehatan sets: the facility's name, type, level, BPJS code and where it is."""

    name = StringField("Nama faskes", validators=[DataRequired(), Length(max=150)], filters=[_strip])
    facility_type = SelectField(
        "Jenis faskes", choices=L.choices(FACILITY_TYPES), validators=[DataRequired()]
    )
    level = SelectField("Tingkat", choices=L.choices(DIRECTORY_LEVELS), validators=[DataRequired()])
    facility_code = StringField("Kode PPK BPJS", validators=[Optional(), Length(max=20)], filters=[_upper])
    wilayah = SelectField(
        "Wilayah",
        choices=L.C([("dalam", "Kabupaten sendiri"), ("luar", OUTSIDE_LABEL)]),
    )
    outside_area = StringField(
        "Kota/kabupaten (untuk faskes di luar wilayah)",
        validators=[Optional(), Length(max=120)],
        filters=[_strip],
    )


class FacilityEditByDinkesForm(FacilityForm, FacilityIdentityFields):
    """The directory entry as Dinas Kesehatan edits it: identity and contacts together."""


class FacilityCreateForm(CreateForm, FacilityIdentityFields):
    phone = FacilityForm.phone
    whatsapp = FacilityForm.whatsapp
    email = FacilityForm.email
    address = FacilityForm.address
    ambulance = FacilityForm.ambulance
    capacity_note = FacilityForm.capacity_note
    bpjs_office = FacilityForm.bpjs_office


class FacilityOffForm(EditForm):
    reason = StringField(
        "Alasan penonaktifan", validators=[DataRequired(), Length(min=5, max=300)], filters=[_strip]
    )


class FacilityOnForm(EditForm):
    """Reactivation: only the version."""


class PoliForm(CreateForm):
    name = StringField("Nama poli", validators=[DataRequired(), Length(max=100)], filters=[_strip])
    schedule = StringField("Jadwal praktek", validators=[Optional(), Length(max=200)], filters=[_strip])


class NakesForm(CreateForm):
    name = StringField("Nama", validators=[DataRequired(), Length(max=120)], filters=[_strip])
    profession = SelectField("Profesi", choices=L.choices(PROFESSIONS, None))
    sip = StringField("Nomor SIP", validators=[Optional(), Length(max=60)], filters=[_strip])
