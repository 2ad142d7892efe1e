from itertools import groupby
from operator import itemgetter

from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    DateField,
    FileField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import Choice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget, Select

from blueprints.core.forms import CreateForm, EditForm, Form, not_future

from .models import (
    ACTIVITY_STATUS,
    DOC_KINDS,
    JENIS,
    KATEGORI,
    KLAUSUL,
    LETTER_DIRECTION,
    MEETING_DOC_ROLES,
    MITRA_JENIS,
    NOTE_KINDS,
    OBLIGATION_STATUS,
    PERAN_PIHAK,
    REKOMENDASI,
    REPORT_TO,
    TAHAP,
    URUSAN,
)


def _req(label):
    return DataRequired(f"{label} wajib diisi.")


def _date_req(message):
    """Required date: an empty field gets ``message``; an impossible one (2024-02-30) keeps "Tanggal tidak sah"."""
    return InputRequired(message)


def _len(n):
    return Length(max=n, message=f"Maksimal {n} karakter.")


class LongSelect(Select):
    """A select of many plain options (hundreds of agreements): each option written directly, the same HTML as
    WTForms' own, without its generic attribute rendering per option."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{escape(choice.value)}">{label}</option>')


class IdSelectField(SelectField):
    """A select of ``(id, label)`` pairs, possibly hundreds: each option is read once per use straight from
    ``choices``, lazily (the form macro reads only the first), instead of WTForms converting the whole list on
    every pass (groups check, rendering, iteration)."""

    widget = LongSelect()

    def has_groups(self):
        return False

    def iter_choices(self):
        coerce, data = self.coerce, self.data
        for value, label in self.choices or ():
            yield Choice(value, label, coerce(value) == data, {})


class GroupedIdSelectField(IdSelectField):
    """An ``IdSelectField`` whose options are ``(id, label, group)``: rendered under one ``<optgroup>`` per group
    (None: at the top, before any group), so that without JavaScript a long list reads by group. ``label`` stays
    the plain name (the history and the conflict page show it)."""

    def has_groups(self):
        return True

    def iter_choices(self):
        coerce, data = self.coerce, self.data
        for value, label, _ in self.choices or ():
            yield Choice(value, label, coerce(value) == data, {})

    def iter_groups(self):
        coerce, data = self.coerce, self.data
        for group, rows in groupby(self.choices or (), key=itemgetter(2)):
            yield group, [Choice(value, label, coerce(value) == data, {}) for value, label, _ in rows]


def _ids(label, message, field=IdSelectField):
    """A select of record ids that takes only one of its options: junk, unknown or negative ids get ``message``."""
    return field(
        label,
        coerce=int,
        choices=[],
        default=0,
        invalid_value_message=message,
        invalid_choice_message=message,
    )


REGENCY = "Pilih daerah yang tersedia."
INITIATOR_OPD = "Pilih OPD pemrakarsa dari daftar organisasi."
MEETING = "Pilih rapat yang membahas kesepakatan ini."
# A page with several forms tells them apart by the hidden "bagian" field; without it nothing can be saved.
UNKNOWN_FORM = "Formulir tidak dikenali. Muat ulang halaman lalu coba lagi."


class PlainVersionName:
    """Mixin for an edit form shown with a prefix next to other forms: its version keeps the plain name
    ``version``, which the conflict page posts back with the typed values; the element id stays prefixed.
    (Submission keys stay prefixed: each create form of a page keeps its own key when the page is shown again.)"""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            prefix = options.get("prefix") or ""
            if prefix and options.get("name") == "version":
                return unbound_field.bind(form=form, **{**options, "prefix": ""}, id=prefix + "version")
            return super().bind_field(form, unbound_field, options)


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AgreementForm(Form):
    jenis = SelectField("Jenis dokumen", choices=JENIS)
    parent_id = _ids(
        "Induk (KSB untuk PKS; naskah asal untuk adendum/perpanjangan)", "Induk tidak ditemukan."
    )
    scope_item_id = _ids("Ruang lingkup KSB yang dilaksanakan", "Ruang lingkup tidak ditemukan.")
    judul = StringField("Judul", validators=[_req("Judul"), _len(250)])
    objek = StringField("Objek", validators=[Optional(), _len(250)])
    urusan = MultiCheckbox("Urusan pemerintahan", choices=URUSAN)
    kategori = SelectField("Kategori", choices={"": "— belum ditentukan —", **KATEGORI}, default="")
    rujukan_rpjmd = StringField("Rujukan program RPJMD/RKPD", validators=[Optional(), _len(250)])
    # the initiator: a regency of the app and an OPD from its organisation list (grouped by regency; the use case
    # checks the pair). Changed on the edit form only before signing.
    pemrakarsa_regency_id = _ids("Daerah pemrakarsa", REGENCY)
    pemrakarsa_organisation_id = _ids("OPD pemrakarsa", INITIATOR_OPD, GroupedIdSelectField)
    klausul = MultiCheckbox("Daftar periksa klausul (daftar belum diverifikasi)", choices=KLAUSUL)
    tgl_keputusan_perpanjangan = DateField("Batas keputusan perpanjangan", validators=[Optional()])
    dprd_perlu = SelectField(
        "Perlu persetujuan DPRD?", choices={"": "— belum dicatat —", "ya": "Ya", "tidak": "Tidak"}, default=""
    )
    dprd_alasan = StringField(
        "Alasan (membebani masyarakat dan daerah / belum dianggarkan di APBD)",
        validators=[Optional(), _len(250)],
    )
    dprd_nomor = StringField("Nomor keputusan DPRD", validators=[Optional(), _len(100)])
    dprd_tanggal = DateField("Tanggal keputusan DPRD", validators=[Optional()])


REGISTER_STAGES = {"": "— baru (tahap awal) —", **{k: v for k, v in TAHAP.items() if k != "dibatalkan"}}


class NewAgreementForm(CreateForm, AgreementForm):
    """The new form also registers what already happened: the stage reached and the day it began, and for a
    signed one its signing date, place and term, and the scan of the signed text."""

    tahap = SelectField(
        "Tahap saat ini (untuk mencatat kesepakatan yang sudah berjalan)",
        choices=REGISTER_STAGES,
        default="",
        validate_choice=True,
    )
    tahap_sejak = DateField("Tanggal tahap itu dimulai (kosong = hari ini)", validators=[Optional()])
    tgl_ttd = DateField("Tanggal penandatanganan (bila sudah ditandatangani)", validators=[Optional()])
    tempat_ttd = StringField("Tempat penandatanganan", validators=[Optional(), _len(200)])
    tgl_mulai = DateField("Mulai berlaku (kosong = tanggal tanda tangan)", validators=[Optional()])
    tgl_berakhir = DateField("Berakhir", validators=[Optional()])
    jangka_bulan = IntegerField(
        "atau jangka waktu (bulan)",
        validators=[Optional(), NumberRange(min=1, max=600, message="Jangka waktu 1–600 bulan.")],
    )
    scan_ttd = FileField("Scan naskah bertanda tangan (PDF, JPG, PNG; bila sudah ditandatangani)")


class EditAgreementForm(EditForm, AgreementForm):
    pass


OUTSIDE_PARTNER = 0  # the "daerah" choice of a party that is not one of the app's regencies
REGENCY_LEVEL = 0  # the "OPD" choice of a regency's party signed by the regency itself (the Bupati)


class PartyFields:
    """A party: one of the app's regencies with an OPD from its organisation list, or an outside partner (a
    city, the province, a university, a company) named in free text."""

    regency_id = SelectField("Daerah", coerce=int, choices=[], default=OUTSIDE_PARTNER)
    organisation_id = _ids("OPD (dari daftar organisasi kabupaten)", "Pilih OPD dari daftar.")
    mitra_jenis = SelectField("Jenis mitra luar", choices={"": "—", **MITRA_JENIS}, default="")
    mitra_nama = StringField(
        "Nama mitra luar (mis. Pemerintah Kota Solok, Universitas Andalas)",
        validators=[Optional(), _len(200)],
    )
    opd = StringField("Unit / instansi mitra luar", validators=[Optional(), _len(150)])
    urutan = SelectField("Kedudukan", coerce=int, choices=PERAN_PIHAK)
    peran = StringField("Peran dalam kerja sama", validators=[Optional(), _len(120)])
    alamat = StringField("Alamat", validators=[Optional(), _len(250)])
    pic_nama = StringField("Nama PIC", validators=[Optional(), _len(120)])
    pic_jabatan = StringField("Jabatan PIC", validators=[Optional(), _len(150)])
    dasar_hukum = TextAreaField("Dasar hukum pihak", validators=[Optional(), _len(2000)])
    menandatangani = BooleanField("Ikut menandatangani (memberi nomor di registernya)", default=True)


class PartyForm(PartyFields, CreateForm):
    pass


class PartyEditForm(PartyFields, EditForm):
    alasan = TextAreaField("Keterangan perubahan", validators=[Optional(), _len(500)])


class PartyPick:
    party_id = SelectField("Pihak", coerce=int, choices=[], validators=[DataRequired("Pilih pihak.")])


class SignatoryFields:
    nama = StringField("Nama penandatangan", validators=[_req("Nama"), _len(120)])
    jabatan = StringField("Jabatan", validators=[_req("Jabatan"), _len(150)])
    is_bupati = BooleanField("Bupati (tanpa surat kuasa)")
    kuasa_nomor = StringField("Nomor surat kuasa", validators=[Optional(), _len(100)])
    kuasa_tanggal = DateField("Tanggal surat kuasa", validators=[Optional()])


class SignatoryForm(PartyPick, SignatoryFields, CreateForm):
    pass


class SignatoryEditForm(SignatoryFields, EditForm):
    # required after signing (a koreksi); optional before
    alasan = TextAreaField("Alasan perubahan / koreksi", validators=[Optional(), _len(500)])


class NumberFields:
    nomor = StringField("Nomor naskah di register pihak ini", validators=[_req("Nomor"), _len(120)])
    tanggal = DateField("Tanggal penomoran", validators=[Optional()])
    register = StringField("Register", validators=[Optional(), _len(150)])


class NumberForm(PartyPick, NumberFields, CreateForm):
    pass


class NumberEditForm(NumberFields, EditForm):
    alasan = TextAreaField("Alasan perubahan / koreksi", validators=[Optional(), _len(500)])


class RemoveForm(PlainVersionName, EditForm):
    """Deleting a party, a signatory or a number: on the version its page showed (a delete from a page showing
    an older version gets the conflict page), always with a reason, kept in the history. Shown (prefixed) under
    the record's edit form; its version keeps the plain name the conflict page posts back."""

    alasan = TextAreaField("Alasan penghapusan", validators=[_req("Alasan"), _len(500)])


class StageForm(Form):
    to = SelectField("Pindah ke tahap", choices=[], validators=[DataRequired("Pilih tahap.")])
    dari = HiddenField()  # the stage the page showed: a move from a stage the agreement has left is stale
    reason = TextAreaField("Alasan / keterangan", validators=[Optional(), _len(2000)])
    tanggal = DateField("Tanggal terjadinya (kosong = hari ini)", validators=[Optional()])


class SignForm(Form):
    tgl_ttd = DateField(
        "Tanggal penandatanganan", validators=[_date_req("Tanggal penandatanganan wajib diisi.")]
    )
    tempat = StringField("Tempat", validators=[Optional(), _len(200)])
    tgl_mulai = DateField("Mulai berlaku (kosong = tanggal tanda tangan)", validators=[Optional()])
    tgl_berakhir = DateField("Berakhir", validators=[Optional()])
    jangka_bulan = IntegerField(
        "atau jangka waktu (bulan)",
        validators=[Optional(), NumberRange(min=1, max=600, message="Jangka waktu 1–600 bulan.")],
    )


class TargetForm(CreateForm):
    target = StringField("Target tanda tangan", validators=[_req("Target"), _len(60)])
    alasan = TextAreaField("Alasan penundaan (wajib bila target diubah)", validators=[Optional(), _len(2000)])
    diputuskan_oleh = StringField("Diputuskan oleh", validators=[Optional(), _len(200)])
    meeting_id = _ids("Rapat sumber keputusan", MEETING)
    tanggal = DateField("Tanggal keputusan (kosong = tanggal rapat atau hari ini)", validators=[Optional()])
    tempat = StringField("Tempat / acara penandatanganan", validators=[Optional(), _len(200)])


class WaitingForm(PlainVersionName, EditForm):
    menunggu = SelectField(
        "Menunggu siapa", choices=[], invalid_choice_message="Pilih salah satu (atau “— tidak ada —”)."
    )
    opd = StringField("atau menunggu OPD (nama)", validators=[Optional(), _len(150)])
    apa = StringField("Yang ditunggu (mis. paraf, tanggapan draf)", validators=[Optional(), _len(80)])


class ReviewForm(PlainVersionName, EditForm):
    """The result of the review hukum: who cleared the text, their notes, the day it was cleared."""

    review_oleh = StringField("Peninjau (nama dan jabatan)", validators=[_req("Peninjau"), _len(120)])
    review_catatan = TextAreaField("Catatan review", validators=[Optional(), _len(4000)])
    review_tanggal = DateField("Tanggal selesai direview (kosong = hari ini)", validators=[Optional()])


class NoteForm(CreateForm):
    kind = SelectField("Jenis", choices=NOTE_KINDS)
    internal = BooleanField("Internal (hanya daerah saya)", default=True)
    text = TextAreaField("Isi catatan", validators=[_req("Isi catatan"), _len(4000)])


class ScopeItemForm(CreateForm):
    nama = StringField("Ruang lingkup", validators=[_req("Ruang lingkup"), _len(250)])
    urusan_code = SelectField("Urusan", choices={"": "—", **URUSAN}, default="")


class ChildForm(CreateForm):
    jenis = SelectField("Jenis", choices={"ADENDUM": "Adendum", "PERPANJANGAN": "Perpanjangan"})
    judul = StringField("Judul", validators=[_req("Judul"), _len(250)])


class MeetingFields(Form):
    tanggal = DateField("Tanggal", validators=[_date_req("Tanggal rapat wajib diisi.")])
    jam = TimeField("Jam", validators=[Optional()])
    tempat = StringField("Tempat", validators=[Optional(), _len(200)])
    tautan = StringField("Tautan daring", validators=[Optional(), _len(300)])
    host_regency_id = _ids("Tuan rumah", REGENCY)
    agenda = TextAreaField("Agenda", validators=[Optional(), _len(4000)])
    undangan_nomor = StringField("Nomor surat undangan", validators=[Optional(), _len(120)])


class MeetingForm(CreateForm, MeetingFields):
    pass


class MeetingEditForm(EditForm, MeetingFields):
    pass


class MeetingRemoveForm(PlainVersionName, EditForm):
    """Delete a meeting recorded by mistake: on the version shown, with a reason kept in the history. Shown
    (prefixed) under the meeting's edit form."""

    alasan = TextAreaField("Alasan penghapusan rapat", validators=[_req("Alasan penghapusan"), _len(2000)])


class UnlinkAgreementForm(Form):
    """Take an agreement off a meeting that did not discuss it: with a reason kept in the history."""

    alasan = TextAreaField("Alasan melepas", validators=[_req("Alasan melepas"), _len(2000)])


class AttendeeFields(Form):
    nama = StringField("Nama", validators=[_req("Nama"), _len(150)])
    jabatan = StringField("Jabatan", validators=[Optional(), _len(200)])
    opd = StringField("OPD", validators=[Optional(), _len(200)])
    regency_id = _ids("Daerah", REGENCY)
    keterangan = StringField("Keterangan", validators=[Optional(), _len(200)])


class AttendeeForm(CreateForm, AttendeeFields):
    pass


class AttendeeEditForm(EditForm, AttendeeFields):
    pass


class DecisionFields(Form):
    text = TextAreaField("Keputusan", validators=[_req("Keputusan"), _len(4000)])


class DecisionForm(CreateForm, DecisionFields):
    pass


class DecisionEditForm(EditForm, DecisionFields):
    pass


class ActionFields(Form):
    """The owner is an organisation of the parties' regencies (its regency follows), or a regency alone (its
    Bagian Kerjasama), or someone outside the app's regencies named in free text."""

    text = TextAreaField("Tindak lanjut", validators=[_req("Tindak lanjut"), _len(2000)])
    organisation_id = _ids("Penanggung jawab (OPD dari daftar organisasi)", "Pilih OPD dari daftar.")
    owner_regency_id = _ids("Daerah penanggung jawab", REGENCY)
    owner = StringField(
        "Penanggung jawab di luar daerah pengguna Sinergi (isian bebas)", validators=[Optional(), _len(200)]
    )
    due = DateField("Tenggat", validators=[Optional()])


class ActionForm(CreateForm, ActionFields):
    pass


class ActionEditForm(EditForm, ActionFields):
    pass


class EntryRemoveForm(PlainVersionName, EditForm):
    """Delete an entry of a meeting's minutes: on the version shown, with a reason kept in the history. Shown
    (prefixed) under the entry's edit form."""

    alasan = TextAreaField("Alasan penghapusan", validators=[_req("Alasan penghapusan"), _len(2000)])


class NotulenForm(EditForm):
    notulen = TextAreaField("Notulen", validators=[Optional(), _len(20000)])


# made before UploadForm's fields, so that the meeting page's upload asks first where the file belongs
_UPLOAD_AGREEMENT = _ids("Berkas milik kesepakatan", "Pilih kesepakatan yang dibahas dalam rapat ini.")


class UploadForm(CreateForm):
    kind = SelectField("Jenis berkas", choices=DOC_KINDS)
    ringkasan = TextAreaField("Ringkasan perubahan", validators=[Optional(), _len(2000)])
    meeting_id = _ids("Rapat terkait", MEETING)
    meeting_role = SelectField("Kaitan dengan rapat", choices=MEETING_DOC_ROLES, default="berkas")
    berkas = FileField("Berkas (PDF, DOCX, ODT, JPG, PNG)")


class MeetingUploadForm(UploadForm):
    """An upload from the meeting page: the meeting is the page's own; the file belongs to one of the agreements
    the meeting discussed."""

    meeting_id = HiddenField()
    agreement_id = _UPLOAD_AGREEMENT


class ActivityFields(Form):
    tanggal = DateField("Tanggal", validators=[_date_req("Tanggal wajib diisi.")])
    jenis = StringField("Kegiatan", validators=[_req("Kegiatan"), _len(150)])
    peserta = IntegerField(
        "Jumlah peserta", validators=[Optional(), NumberRange(min=0, max=100000, message="0–100.000.")]
    )
    pic_solok = StringField("PIC Kab. Solok", validators=[Optional(), _len(150)])
    pic_sijunjung = StringField("PIC Kab. Sijunjung", validators=[Optional(), _len(150)])
    status = SelectField("Status", choices=ACTIVITY_STATUS)


class ObligationFields(Form):
    party_id = _ids("Pihak", "Pilih pihak kesepakatan ini.")
    text = TextAreaField(
        "Kewajiban (dari pasal hak dan kewajiban)", validators=[_req("Kewajiban"), _len(2000)]
    )
    due = DateField("Tenggat", validators=[Optional()])
    status = SelectField("Status", choices={k: v for k, v in OBLIGATION_STATUS.items() if k != "lewat"})
    bukti = StringField("Bukti", validators=[Optional(), _len(500)])


class ReportFields(Form):
    periode = StringField("Periode (mis. Semester I 2025)", validators=[_req("Periode"), _len(60)])
    jatuh_tempo = DateField("Jatuh tempo", validators=[Optional()])
    disampaikan_pada = DateField("Disampaikan pada", validators=[Optional(), not_future])
    kepada = SelectField("Disampaikan kepada", choices={"": "—", **REPORT_TO}, default="")
    penyusun = StringField("Penyusun", validators=[Optional(), _len(150)])
    sipgwpp = BooleanField("Sudah diisi di SIPGWPP")


class EvaluationFields(Form):
    tanggal = DateField("Tanggal", validators=[_date_req("Tanggal wajib diisi.")])
    temuan = TextAreaField("Temuan", validators=[_req("Temuan"), _len(4000)])
    rekomendasi = SelectField("Rekomendasi", choices=REKOMENDASI)


class ActivityForm(CreateForm, ActivityFields):
    pass


class ObligationForm(CreateForm, ObligationFields):
    pass


class ReportForm(CreateForm, ReportFields):
    pass


class EvaluationForm(CreateForm, EvaluationFields):
    pass


class ActivityEditForm(EditForm, ActivityFields):
    pass


class ObligationEditForm(EditForm, ObligationFields):
    pass


class ReportEditForm(EditForm, ReportFields):
    pass


class EvaluationEditForm(EditForm, EvaluationFields):
    pass


class ReportSubmittedForm(EditForm):
    """A report entered without its submission date, marked submitted later."""

    disampaikan_pada = DateField(
        "Disampaikan pada", validators=[_date_req("Tanggal penyampaian wajib diisi."), not_future]
    )


def _reason(what: str):
    return TextAreaField(
        f"Alasan {what}",
        validators=[
            DataRequired(f"Tulis alasan {what}."),
            Length(min=3, max=2000, message="Alasan 3–2.000 karakter."),
        ],
    )


class DeleteRowForm(EditForm):
    """Deleting an implementation record: always with a reason, kept in the history."""

    alasan = _reason("penghapusan")


class WithdrawDocumentForm(EditForm):
    """Withdrawing a document: always with a reason; the file and its hash stay."""

    alasan = _reason("penarikan")


class FinalVersionForm(EditForm):
    """Marking a version of the text final: only its version."""


class LetterForm(CreateForm):
    arah = SelectField("Arah", choices=LETTER_DIRECTION)
    nomor = StringField("Nomor surat", validators=[_req("Nomor surat"), _len(120)])
    tanggal = DateField("Tanggal surat", validators=[_date_req("Tanggal surat wajib diisi.")])
    perihal = StringField("Perihal", validators=[_req("Perihal"), _len(250)])
    pengirim = StringField("Pengirim", validators=[Optional(), _len(200)])
    penerima = StringField("Penerima", validators=[Optional(), _len(200)])
    tembusan = TextAreaField("Tembusan (satu per baris)", validators=[Optional(), _len(2000)])


class LinkAgreementForm(CreateForm):
    agreement_id = _ids("Kesepakatan lain yang dibahas", "Pilih kesepakatan yang tersedia.")


class ObligationStatusForm(EditForm):
    status = SelectField(
        "Status kewajiban",
        choices={k: v for k, v in OBLIGATION_STATUS.items() if k != "lewat"},
        invalid_choice_message="Status kewajiban tidak sah; pilih salah satu dari daftar.",
    )


class ActionDoneForm(Form):
    """The wanted state of an action item (posting it twice does not flip it back)."""

    done = SelectField(
        "Status tindak lanjut",
        choices={"1": "Selesai", "0": "Terbuka"},
        invalid_choice_message="Status tindak lanjut tidak dikenali. Muat ulang halaman lalu coba lagi.",
    )


def _reminder_email(label: str, example: str) -> StringField:
    """An optional reminder address (empty: in-app only), checked as an e-mail address."""
    return StringField(
        label,
        validators=[
            Optional(),
            _len(120),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=f"Alamat e-mail tidak sah, mis. {example}."),
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )


class ReminderContactForm(PlainVersionName, EditForm):
    """A regency admin's address for the regency's Kerja Sama reminders (empty: in-app only)."""

    email = _reminder_email("E-mail Bagian Kerjasama untuk pengingat", "kerjasama@solokkab.go.id")


def opd_contact_form(opds) -> Form:
    """A regency admin's addresses for the reminders of its OPDs (``opds``: (organisation, its stored contact)
    pairs), in one form: for each OPD its address ``e<id>`` and the version it was shown at ``v<id>``
    (prefixed ``o-``). Filled from the stored rows; a POST fills it from what was typed."""
    fields = {}
    for org, _row in opds:
        fields[f"e{org.id}"] = _reminder_email(org.name, "sekretariat@dinsos.solokkab.go.id")
        fields[f"v{org.id}"] = HiddenField()
    data = {}
    for org, row in opds:
        data[f"e{org.id}"], data[f"v{org.id}"] = row.email, str(row.version)
    return type("OpdContactForm", (Form,), fields)(prefix="o", data=data)


class RuleForm(EditForm):
    """An admin's switch of one rule, posting the wanted level (posting it twice does not flip it back)."""

    code = HiddenField()
    blocking = SelectField(
        "Tingkat",
        choices={"0": "Peringatan", "1": "Memblokir"},
        invalid_choice_message="Tingkat aturan tidak dikenali. Muat ulang halaman lalu coba lagi.",
    )
