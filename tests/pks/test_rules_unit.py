"""The pure rules of Kerja Sama, without an app or a database: who may open what, the stage machines, derived
validity, the reminder ladder, the signing dates, whose court, upload checks and the report period.

Agreements here are transient objects (never added to a session); every rule under test reads only them."""

from datetime import date

import pytest

from blueprints.core.fmt import tanggal
from blueprints.core.roles import ADMIN, KERJASAMA, PIMPINAN, SUPERADMIN
from blueprints.pks import access, checks, reminders, signing, stages, storage, validity, waiting
from blueprints.pks.agreements import SCOPE_NOT_OF_PARENT, parent_problems
from blueprints.pks.models import KLAUSUL, Agreement, Obligation, Report, ScopeItem
from blueprints.pks.reporting import Period, period_from

from .conftest import real_pdf

LADDER = (180, 90, 30, 7, 0)
TODAY = date(2026, 3, 2)


def agreement(jenis="PKS", tahap="penyusunan", **kw) -> Agreement:
    kw.setdefault("judul", "Uji")
    kw.setdefault("rujukan_rpjmd", "")
    return Agreement(id=kw.pop("id", 1), jenis=jenis, tahap=tahap, **kw)


def signed(start=date(2025, 1, 1), end=date(2027, 1, 1), **kw) -> Agreement:
    return agreement(tahap="ditandatangani", tgl_ttd=start, tgl_mulai=start, tgl_berakhir=end, **kw)


# ---- access -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "endpoint", "method", "expected"),
    [
        (KERJASAMA, "pks.new", "POST", True),
        (KERJASAMA, "pks.rules", "GET", True),
        (PIMPINAN, "pks.detail", "GET", True),
        (PIMPINAN, "pks.add_note", "POST", False),  # reads only
        (PIMPINAN, "pks.new", "GET", False),  # a page that is only a form does not exist for it
        (PIMPINAN, "pks.stage", "GET", False),
        (ADMIN, "pks.index", "GET", True),
        (ADMIN, "pks.rules", "POST", True),
        (ADMIN, "pks.detail", "GET", False),  # an admin reaches only the rule switches
        (ADMIN, None, "GET", False),
    ],
)
def test_who_may_open_what(role, endpoint, method, expected):
    assert access.allowed(role, endpoint, method) is expected


def test_who_writes_and_who_switches_rules():
    class U:
        def __init__(self, role):
            self.role = role

    assert access.can_write(U(KERJASAMA)) and not access.can_write(U(PIMPINAN))
    assert access.rules_only(U(ADMIN)) and not access.rules_only(U(SUPERADMIN))
    assert access.may_switch_rules(U(ADMIN)) and access.may_switch_rules(U(SUPERADMIN))
    assert not access.may_switch_rules(U(KERJASAMA))


# ---- stage machines -----------------------------------------------------------------------------


def test_ksb_and_pks_have_their_own_machines():
    assert stages.next_stages(agreement("KSB", "identifikasi")) == ["persiapan", "dibatalkan"]
    assert stages.next_stages(agreement("PKS", "diusulkan")) == ["penyusunan", "dibatalkan"]
    assert stages.next_stages(agreement("ADENDUM", "surat_kuasa")) == ["siap_ttd", "dibatalkan"]
    # signed: no cancelling any more; final: nowhere to go
    assert stages.next_stages(agreement("PKS", "ditandatangani")) == ["pelaksanaan", "berakhir"]
    assert stages.next_stages(agreement("PKS", "berakhir")) == []
    assert stages.next_stages(agreement("KSB", "dibatalkan")) == []
    assert stages.stage_order("KSB")[0] == "identifikasi" and stages.stage_order("KSB")[-1] == "dibatalkan"
    assert "review_hukum" in stages.stage_order("PERPANJANGAN")
    assert "review_hukum" not in stages.stage_order("KSB")


def test_first_stage_by_type():
    assert stages.FIRST_STAGE == {
        "KSB": "identifikasi",
        "PKS": "diusulkan",
        "ADENDUM": "penyusunan",
        "PERPANJANGAN": "penyusunan",
    }


def test_move_errors():
    draft = agreement("PKS", "penyusunan", dprd_perlu=False)
    assert stages.move_errors(draft, "review_hukum") == []
    assert stages.move_errors(draft, "pelaksanaan") == [
        "Perpindahan dari Penyusunan naskah ke Pelaksanaan tidak diizinkan."
    ]
    assert stages.move_errors(draft, "dibatalkan") == ["Alasan wajib diisi untuk dibatalkan."]
    assert stages.move_errors(draft, "dibatalkan", "mitra mundur") == []
    assert stages.move_errors(draft, "dibatalkan", "mitra\x00mundur") == [
        "Alasan berisi karakter yang tidak sah (karakter kendali atau karakter yang tidak terbaca)."
    ]
    assert stages.move_errors(signed(), "dibatalkan", "terlambat") == [
        "Pembatalan hanya dapat dilakukan sebelum penandatanganan."
    ]
    ready = agreement("PKS", "siap_ttd")
    assert stages.move_errors(ready, "ditandatangani") == [
        "Gunakan formulir penandatanganan (tanggal, tempat, masa berlaku)."
    ]


def test_ready_to_sign_needs_the_dprd_decision():
    assert stages.move_errors(agreement("PKS", "penyusunan"), "siap_ttd") == [
        "Keputusan DPRD (perlu atau tidak, beserta alasannya) belum dicatat."
    ]
    needed = agreement("PKS", "penyusunan", dprd_perlu=True, dprd_nomor="")
    assert stages.move_errors(needed, "siap_ttd") == [
        "Persetujuan DPRD diperlukan: nomor dan tanggal keputusan DPRD wajib dicatat."
    ]
    done = agreement(
        "PKS", "penyusunan", dprd_perlu=True, dprd_nomor="5/DPRD/2025", dprd_tanggal=date(2025, 5, 1)
    )
    assert stages.move_errors(done, "siap_ttd") == []


def test_stale_stage_message_names_both_stages():
    a = agreement("PKS", "siap_ttd")
    assert "Siap tanda tangan" in stages.stale_stage_message(a, "penyusunan")
    assert "Penyusunan naskah" in stages.stale_stage_message(a, "penyusunan")
    assert "tidak menyebut tahap asalnya" in stages.stale_stage_message(a, "bukan-tahap")


# ---- checks before signing ----------------------------------------------------------------------


def test_term_longer_than_five_years():
    assert not checks.too_long(date(2025, 1, 1), date(2030, 1, 1))
    assert checks.too_long(date(2025, 1, 1), date(2030, 1, 2))
    assert not checks.too_long(date(9996, 1, 1), date(9999, 12, 31))  # five years later is past the calendar


def test_missing_clauses():
    assert checks.missing_clauses(agreement("KSB")) == []  # the checklist is for PKS texts
    pks = agreement("PKS")
    pks.klausul = list(KLAUSUL)[:-1]
    assert checks.missing_clauses(pks) == [KLAUSUL["pengakhiran"]]
    pks.klausul = list(KLAUSUL)
    assert checks.missing_clauses(pks) == []


def test_signing_dates():
    ready = agreement("PKS", "siap_ttd")
    assert signing.date_errors(ready, date(2026, 3, 1), None, None, TODAY) == []
    assert signing.date_errors(ready, None, None, None, TODAY) == ["Tanggal penandatanganan wajib diisi."]
    assert signing.date_errors(ready, date(2026, 3, 3), None, None, TODAY) == [
        "Tanggal penandatanganan tidak boleh di masa depan."
    ]
    assert signing.date_errors(ready, TODAY, date(2026, 3, 2), date(2026, 3, 1), TODAY) == [
        "Tanggal berakhir tidak boleh sebelum tanggal mulai."
    ]
    draft = agreement("PKS", "penyusunan")
    assert signing.date_errors(draft, TODAY, None, None, TODAY) == [signing.NOT_READY_TO_SIGN]


def test_signing_term():
    assert signing.term(date(2026, 3, 2), None, None, 12) == (date(2026, 3, 2), date(2027, 3, 1), False)
    assert signing.term(date(2026, 3, 2), date(2026, 4, 1), date(2028, 1, 1), 12) == (
        date(2026, 4, 1),
        date(2028, 1, 1),
        False,
    )  # a typed end wins over the months
    assert signing.term(date(9999, 1, 1), None, None, 24) == (date(9999, 1, 1), None, True)
    ready = agreement("PKS", "siap_ttd", tgl_ttd=None)
    assert not signing.signed_already(ready, TODAY)
    assert signing.signed_already(signed(start=TODAY), TODAY)


# ---- derived validity ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "expected"),
    [
        (agreement("PKS", "penyusunan"), "belum_berlaku"),
        (agreement("PKS", "dibatalkan"), "dibatalkan"),
        (signed(start=date(2026, 4, 1)), "belum_berlaku"),  # signed, not started yet
        (signed(end=None), "aktif"),  # no end date
        (signed(end=date(2027, 1, 1)), "aktif"),
        (signed(end=date(2026, 6, 1)), "akan_berakhir"),  # within the window
        (signed(end=date(2026, 3, 1)), "kedaluwarsa"),
        (signed(tgl_diakhiri=date(2026, 2, 1)), "diakhiri"),
        (signed(tgl_diakhiri=date(2026, 4, 1)), "aktif"),  # ended from a later day
    ],
)
def test_status_berlaku(a, expected):
    assert validity.status_berlaku(a, TODAY, window=180) == expected


def test_a_signed_renewal_pushes_the_end_out():
    ksb = signed(end=date(2026, 4, 1))
    draft = Agreement(
        id=2, jenis="PERPANJANGAN", tahap="penyusunan", tgl_berakhir=date(2029, 4, 1), parent=ksb
    )
    assert validity.effective_end(ksb) == date(2026, 4, 1)  # a draft renewal does not count
    assert validity.status_berlaku(ksb, TODAY, window=90) == "akan_berakhir"
    draft.tahap, draft.tgl_ttd = "ditandatangani", date(2026, 2, 1)
    assert validity.effective_end(ksb) == date(2029, 4, 1)
    assert validity.status_berlaku(ksb, TODAY, window=90) == "aktif"


# ---- reminders ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "key_rung", "tone"),
    [
        (181, None, None),
        (180, 180, "warn"),
        (120, 180, "warn"),
        (90, 90, "warn"),
        (31, 90, "warn"),
        (30, 30, "danger"),
        (8, 30, "danger"),
        (7, 7, "danger"),
        (1, 7, "danger"),
        (0, 0, "danger"),
    ],
)
def test_expiry_ladder(days_left, key_rung, tone):
    end = date.fromordinal(TODAY.toordinal() + days_left)
    r = reminders.expiry_reminder(signed(end=end), TODAY, LADDER)
    if key_rung is None:
        assert r is None
    else:
        assert (r.key, r.tone) == (f"expiry:{key_rung}:{end.isoformat()}", tone)
        assert r.text == (
            "berakhir hari ini" if days_left == 0 else f"berakhir dalam {days_left} hari ({tanggal(end)})"
        )


def test_no_expiry_reminder_once_expired_or_ended():
    assert reminders.expiry_reminder(signed(end=date(2026, 3, 1)), TODAY, LADDER) is None
    assert reminders.expiry_reminder(signed(end=date(2026, 3, 20), tgl_diakhiri=TODAY), TODAY, LADDER) is None


def test_overdue_target_and_parent_ending():
    late = agreement(
        "PKS",
        "siap_ttd",
        target_mulai=date(2026, 2, 1),
        target_selesai=date(2026, 2, 28),
        target_presisi="bulan",
    )
    [r] = reminders.reminders_for(late, TODAY, LADDER)
    assert (r.kind, r.key, r.tone) == ("target", "target:2026-02-28", "danger")
    assert r.text == "target tanda tangan Februari 2026 terlewat 2 hari"
    ksb = signed(id=7, end=date(2026, 5, 1), jenis="KSB")
    pks = Agreement(id=8, jenis="PKS", tahap="penyusunan", judul="PKS", parent=ksb)
    assert [r.kind for r in reminders.reminders_for(pks, TODAY, LADDER)] == ["ksb_berakhir"]
    assert (
        reminders.reminders_for(
            Agreement(id=9, jenis="PKS", tahap="dibatalkan", judul="x", parent=ksb), TODAY, LADDER
        )
        == []
    )


def test_work_reminders():
    a = signed(end=None)
    ob_late = Obligation(id=1, text="Menyediakan tenaga", due=date(2026, 3, 1), status="belum")
    ob_done = Obligation(id=2, text="Membayar", due=date(2026, 3, 1), status="dipenuhi")
    rep_due = Report(id=3, periode="Semester I 2026", jatuh_tempo=date(2026, 3, 16))
    rep_later = Report(id=4, periode="Semester II 2026", jatuh_tempo=date(2026, 3, 17))
    rep_late = Report(id=5, periode="2025", jatuh_tempo=date(2026, 3, 1))
    got = reminders.reminders_for(
        a, TODAY, LADDER, obligations=[ob_late, ob_done], reports=[rep_due, rep_later, rep_late]
    )
    assert [(r.kind, r.key, r.tone) for r in got] == [
        ("kewajiban", "kw:1", "warn"),
        ("laporan", "lap:3", "warn"),
        ("laporan", "lap:5", "danger"),
    ]
    a.tahap = "berakhir"
    assert reminders.reminders_for(a, TODAY, LADDER, obligations=[ob_late], reports=[rep_late]) == []


def test_renewal_decision_reminder():
    a = signed(end=date(2027, 1, 1), tgl_keputusan_perpanjangan=date(2026, 4, 1))
    assert [r.key for r in reminders.reminders_for(a, TODAY, LADDER)] == ["keputusan:2026-04-01"]
    a.tgl_keputusan_perpanjangan = date(2026, 4, 2)  # 31 days ahead: not yet
    assert reminders.reminders_for(a, TODAY, LADDER) == []


# ---- whose court --------------------------------------------------------------------------------


def test_waiting_value_and_label():
    names = {1: "Solok", 2: "Sijunjung"}
    assert waiting.waiting_value("regency:2", "") == "regency:2"
    assert waiting.waiting_value("dprd", " Dinas Kesehatan ") == "opd:Dinas Kesehatan"  # a named OPD wins
    a = agreement(menunggu="regency:2", menunggu_sejak=date(2026, 2, 20))
    assert waiting.menunggu_label(a, names) == "menunggu Kab. Sijunjung"
    assert waiting.waiting_days(a, TODAY) == 10
    assert waiting.waiting_parts(a) == ("regency:2", "")
    a.menunggu = "opd:Bappeda"
    assert waiting.menunggu_label(a, names) == "menunggu OPD Bappeda"
    assert waiting.waiting_parts(a) == ("", "Bappeda")
    a.menunggu = "regency:99"
    assert waiting.menunggu_label(a, names) == ""
    a.menunggu = ""
    assert waiting.waiting_days(a, TODAY) is None
    assert waiting.menunggu_choices(names)[:3] == [
        ("", "— tidak ada —"),
        ("regency:1", "menunggu Kab. Solok"),
        ("regency:2", "menunggu Kab. Sijunjung"),
    ]


# ---- the parent of a new agreement --------------------------------------------------------------


def test_parent_problems():
    ksb = agreement("KSB", "ditandatangani", id=3)
    ksb.scope_items = [ScopeItem(id=11, nama="Layanan kesehatan")]
    pks = agreement("PKS", id=4)
    assert parent_problems("PKS", ksb, 11) == {}
    needs_ksb = {"parent_id": "PKS wajib merujuk Kesepakatan Bersama induknya."}
    assert parent_problems("PKS", None, None) == needs_ksb
    assert parent_problems("PKS", pks, None) == needs_ksb
    assert parent_problems("ADENDUM", None, None) == {
        "parent_id": "Adendum dan perpanjangan wajib merujuk naskah asalnya."
    }
    assert parent_problems("KSB", ksb, None) == {"parent_id": "Kesepakatan Bersama tidak memiliki induk."}
    assert parent_problems("PKS", ksb, 12) == {"scope_item_id": SCOPE_NOT_OF_PARENT}


# ---- uploads ------------------------------------------------------------------------------------


def test_upload_name_and_content():
    assert storage.name_problem("") == "Pilih berkas yang akan diunggah."
    assert storage.name_problem("../naskah.pdf").startswith("Nama berkas tidak sah")
    assert storage.name_problem("naskah.exe").startswith("Jenis berkas tidak diizinkan")
    assert storage.name_problem("Naskah.PDF") is None
    assert storage.content_problem(real_pdf(), "pdf", 10_000) is None
    assert "PDF" in storage.content_problem(b"%PDF-1.7 <html>", "pdf", 1000)  # must parse as a PDF
    assert storage.content_problem(b"", "pdf", 1000) == "Berkas kosong."
    assert storage.content_problem(b"%PDF-" + b"x" * 1000, "pdf", 1000) == "Berkas melebihi batas 1 MB."
    assert storage.content_problem(b"\x89PNG\r\n\x1a\n....", "pdf", 1000) == (
        "Isi berkas tidak sesuai dengan ekstensi .pdf (isinya PNG)."
    )
    assert storage.content_problem(b"MZ....", "docx", 1000) == (
        "Isi berkas tidak sesuai dengan ekstensi .docx (isi tidak dikenali)."
    )
    assert storage.content_problem(b"\xff\xd8\xff\xe0", "jpeg", 1000) is None  # .jpeg and .jpg are one type


# ---- report period ------------------------------------------------------------------------------


def test_report_period():
    assert period_from({}, TODAY) == Period(2026, 0)
    assert period_from({"tahun": "2025", "semester": "2"}, TODAY) == Period(2025, 2)
    assert period_from({"tahun": "abc", "semester": "9"}, TODAY) == Period(2026, 0)
    assert period_from({"tahun": "1900"}, TODAY) == Period(2000, 0)
    s1 = Period(2025, 1)
    assert (s1.start, s1.end, s1.label) == (date(2025, 1, 1), date(2025, 6, 30), "Semester I 2025")
    year = Period(2025, 0)
    assert (year.start, year.end, year.label) == (date(2025, 1, 1), date(2025, 12, 31), "Tahun 2025")
