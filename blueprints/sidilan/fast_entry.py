"""Fast entry (issue 13 part 3): what the NIK decoder fills into an empty person form, the household a new
member's form starts from, and the paper form's field order for the "entri cepat" screen. Saving goes through
``person.save_person`` like every registration; nothing here validates."""

from dataclasses import dataclass
from datetime import date

from blueprints.core.extensions import db
from blueprints.core.nik import NikCheck
from blueprints.wilayah.models import LEVEL_KECAMATAN, Wilayah
from blueprints.wilayah.service import nagari_of

from .forms import NewPersonForm


@dataclass
class NikFill:
    """The values the decoded NIK gives for fields that are still empty (None: leave the field alone)."""

    sex: str | None = None
    birth_date: date | None = None
    kecamatan: str | None = None
    nagari: str | None = None

    def __bool__(self) -> bool:
        return any((self.sex, self.birth_date, self.kecamatan, self.nagari))


def nik_fill(chk: NikCheck | None, regency, *, sex="", birth="", kecamatan="", nagari="") -> NikFill:
    """What a valid NIK fills: the sex (digits 7-8), the birth date (digits 7-12, when a real date) and the
    kecamatan of first registration (digits 1-6) when it is one of this regency's; the nagari only when that
    kecamatan has a single one (the NIK names no nagari). A field already filled (``sex``, ``birth`` as typed,
    ``kecamatan``, ``nagari``) is never given a value, so nothing typed is overwritten."""
    out = NikFill()
    if chk is None or not chk.ok:
        return out
    if not (sex or "").strip():
        out.sex = chk.sex
    if not (birth or "").strip() and chk.birth_date:
        out.birth_date = chk.birth_date
    if not (kecamatan or "").strip() and chk.region_code:
        kec = db.session.get(Wilayah, chk.region_code)
        if kec is not None and kec.level == LEVEL_KECAMATAN and kec.regency_id == regency.id:
            out.kecamatan = kec.code
            if not (nagari or "").strip():
                under = nagari_of(kec.code)
                if len(under) == 1:
                    out.nagari = under[0].code
    return out


def apply_fill(form, fill: NikFill) -> None:
    """Put the filled values onto a person form about to be shown again (the no-JS "Isi dari NIK" round trip)."""
    if fill.sex:
        form.jenis_kelamin.data = fill.sex
    if fill.birth_date:
        form.tanggal_lahir.data = fill.birth_date
        form.tanggal_lahir.raw_data = [fill.birth_date.isoformat()]


def place_after_fill(values, fill: NikFill) -> dict:
    """The cascade's values (kecamatan, nagari, jorong) as submitted, with the filled ones added."""
    out = {k: (values.get(k) or "") for k in ("kecamatan", "nagari", "jorong")}
    if fill.kecamatan:
        out["kecamatan"] = fill.kecamatan
        out["nagari"] = fill.nagari or ""
        out["jorong"] = ""
    return out


def household_values(row) -> dict:
    """The household fields a new member's form starts with, from a household or from a member of one."""
    return dict(no_kk=row.no_kk or "", alamat=row.alamat or "", rt=row.rt or "", rw=row.rw or "")


# the fields of the paper form (templates/sidilan/pdf_form.html, sections A and B) in its order
PAPER_ORDER = (
    "no_kk",
    "alamat",
    "rt",
    "rw",
    "nik",
    "alasan_tanpa_nik",
    "nama_lengkap",
    "nama_panggilan",
    "hubungan_keluarga",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "tgl_lahir_perkiraan",
    "agama",
    "status_perkawinan",
    "pendidikan_terakhir",
    "pekerjaan",
    "nama_ibu_kandung",
    "no_hp",
    "nama_pendamping",
    "hubungan_pendamping",
    "status_hidup",
    "tgl_meninggal",
    "status_domisili",
    "kepesertaan_jkn",
    "no_kpd",
    "sumber_data",
    "tags",
    "persetujuan",
    "pemberi_persetujuan",
    "tgl_persetujuan",
)


class FastEntryForm(NewPersonForm):
    """The registration form as the entri cepat screen lays it out (the first error gets focus in that order)."""

    PAGE_ORDER = PAPER_ORDER
