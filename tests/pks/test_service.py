"""Stage machines, signing preconditions, locking, adendum, derived validity and the reminder ladder."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.pks import agreements, outcome, reminders, settings, signing, slips, stages, validity
from blueprints.pks.models import KLAUSUL, SIGNED_STAGES, Agreement, Event, Slip
from blueprints.pks.rules import set_blocking
from blueprints.pks.settings import DEFAULTS
from blueprints.pks.target import format_target, parse_target

from .conftest import make_signable

DAY = date(2024, 9, 12)

DEFAULT_LADDER = DEFAULTS["PKS_REMINDER_LADDER"]


def _a(ids, key):
    return db.session.get(Agreement, ids[key])


def _fresh_pks(ids, tahap="penyusunan"):
    ksb = _a(ids, "ksb")
    a = Agreement(jenis="PKS", parent_id=ksb.id, judul="PKS uji", tahap=tahap)
    db.session.add(a)
    db.session.flush()
    from blueprints.pks.models import Party

    for p in ksb.parties:
        db.session.add(Party(agreement_id=a.id, regency_id=p.regency_id, urutan=p.urutan, opd=p.opd))
    db.session.flush()
    db.session.expire(a)
    return a


STAGE_CASES = [
    ("diusulkan", "penyusunan", True),
    ("diusulkan", "siap_ttd", False),
    ("penyusunan", "review_hukum", True),
    ("siap_ttd", "ditunda", True),
    ("ditunda", "siap_ttd", True),
    ("ditunda", "pelaksanaan", False),
    ("pelaksanaan", "pelaporan", True),
    ("berakhir", "pelaksanaan", False),
    ("penyusunan", "dibatalkan", True),
    ("pelaksanaan", "dibatalkan", False),
    ("dibatalkan", "penyusunan", False),
]


def test_pks_stage_machine(app, ids):
    with app.app_context():
        for start, to, allowed in STAGE_CASES:
            _check_stage(ids, start, to, allowed)


def _check_stage(ids, start, to, allowed):
    a = _fresh_pks(ids, start)
    a.dprd_perlu = False
    a.tgl_ttd = DAY if start in SIGNED_STAGES or start == "berakhir" else None
    a.klausul = list(KLAUSUL)
    a.rujukan_rpjmd = "RPJMD 2021-2026"
    events = db.session.scalar(
        select(db.func.count()).select_from(Event).where(Event.agreement_id == a.id, Event.kind == "tahap")
    )
    out = stages.transition(a, to, "alasan uji", None, DAY)
    assert out.ok is allowed
    assert (a.tahap == to) is allowed
    after = db.session.scalar(
        select(db.func.count()).select_from(Event).where(Event.agreement_id == a.id, Event.kind == "tahap")
    )
    assert after == events + (1 if allowed else 0)
    if not allowed:
        assert "tidak diizinkan" in out.refusals[0] or "sebelum penandatanganan" in out.refusals[0], (
            start,
            to,
        )


def test_ksb_machine_goes_through_penawaran(app, ids):
    with app.app_context():
        ksb = Agreement(jenis="KSB", judul="KSB uji", tahap="identifikasi", rujukan_rpjmd="x")
        db.session.add(ksb)
        db.session.flush()
        assert stages.next_stages(ksb) == ["persiapan", "dibatalkan"]
        assert not stages.transition(ksb, "penawaran", "", None, DAY).ok
        for to in ("persiapan", "penawaran", "penyusunan"):
            assert stages.transition(ksb, to, "", None, DAY).ok


def test_cancel_after_signing_refused_and_reason_required(app, ids):
    with app.app_context():
        ksb = _a(ids, "ksb")
        out = stages.transition(ksb, "dibatalkan", "tidak jadi", None, DAY)
        assert not out.ok and out.refusals == ["Pembatalan hanya dapat dilakukan sebelum penandatanganan."]
        assert ksb.tahap == "ditandatangani"
        pks = _a(ids, "pks1")
        out = stages.transition(pks, "dibatalkan", "  ", None, DAY)
        assert not out.ok and "Alasan wajib diisi" in out.refusals[0]
        assert pks.tahap == "siap_ttd"


def test_siap_ttd_needs_the_dprd_decision(app, ids):
    with app.app_context():
        a = _fresh_pks(ids)
        out = stages.transition(a, "siap_ttd", "", None, DAY)
        assert "Keputusan DPRD" in out.refusals[0] and a.tahap == "penyusunan"
        a.dprd_perlu = True
        out = stages.transition(a, "siap_ttd", "", None, DAY)
        assert "nomor dan tanggal keputusan DPRD" in out.refusals[0]
        a.dprd_nomor, a.dprd_tanggal = "12/DPRD/2024", DAY
        assert stages.transition(a, "siap_ttd", "", None, DAY).ok


def test_signing_refused_until_numbers_signatories_and_date(app, ids):
    with app.app_context():
        a = _a(ids, "pks1")
        out = signing.sign(a, DAY, "Solok", None, None, 36, None, DAY)
        assert not out.ok
        text = " ".join(out.refusals)
        assert "Nomor naskah dari Dinas Sosial Kabupaten Sijunjung" in text
        assert "Nomor naskah dari Dinas Sosial Kabupaten Solok" in text
        assert "Penandatangan untuk" in text
        assert a.tahap == "siap_ttd" and a.tgl_ttd is None
        make_signable(a, kuasa=False)
        out = signing.sign(a, DAY, "Solok", None, None, 36, None, DAY)
        assert [e for e in out.refusals if "surat kuasa" in e] and len(out.refusals) == 4
        for p in a.signing_parties:
            for s in p.signatories:
                s.kuasa_nomor, s.kuasa_tanggal = "SK/1", DAY
        assert signing.sign(a, None, "Solok", None, None, 36, None, DAY).refusals == [
            "Tanggal penandatanganan wajib diisi."
        ]
        assert (
            "masa depan"
            in signing.sign(a, DAY + timedelta(days=1), "", None, None, 36, None, DAY).refusals[0]
        )
        out = signing.sign(a, DAY, "Solok", None, None, 36, None, DAY)
        assert out.ok, out.refusals
        assert a.tahap == "ditandatangani" and a.tgl_mulai == DAY and a.tgl_berakhir == date(2027, 9, 11)
        assert a.is_locked


def test_signed_version_is_locked(app, ids):
    with app.app_context():
        ksb = _a(ids, "ksb")
        with pytest.raises(outcome.Locked):
            outcome.ensure_editable(ksb)
        out = slips.set_target(ksb, parse_target("Oktober 2024"), "x", "", None)
        assert out.refusals == [outcome.Locked.message]


def test_adendum_path_links_to_the_original_and_needs_its_own_numbers(app, ids):
    with app.app_context():
        ksb = _a(ids, "ksb")
        child = agreements.create_child(ksb, "ADENDUM", "Adendum I KSB", None, DAY)
        assert child.parent_id == ksb.id and child.tahap == "penyusunan"
        assert {p.regency_id for p in child.parties} == {p.regency_id for p in ksb.parties}
        assert child.numbers == []
        child.dprd_perlu = False
        assert stages.transition(child, "siap_ttd", "", None, DAY).ok
        out = signing.sign(child, DAY, "", None, None, 12, None, DAY)
        assert any("Nomor naskah" in e for e in out.refusals)


def test_renewal_extends_validity_and_clears_expiry_reminders(app, ids):
    with app.app_context():
        ksb = _a(ids, "ksb")  # demo: ends 2028-01-24
        near = date(2028, 1, 24) - timedelta(days=20)
        assert validity.status_berlaku(ksb, near) == "akan_berakhir"
        assert reminders.expiry_reminder(ksb, near, DEFAULT_LADDER).key == "expiry:30:2028-01-24"
        assert validity.show_banner(ksb, near)
        ext = agreements.create_child(ksb, "PERPANJANGAN", "Perpanjangan KSB", None, near)
        make_signable(ext)
        ext.tahap = "siap_ttd"
        assert signing.sign(ext, near, "", date(2028, 1, 25), date(2033, 1, 24), None, None, near).ok
        db.session.expire(ksb)
        assert validity.effective_end(ksb) == date(2033, 1, 24)
        assert validity.status_berlaku(ksb, near) == "aktif"
        assert reminders.expiry_reminder(ksb, near, DEFAULT_LADDER) is None
        assert not validity.show_banner(ksb, near)


LADDER_CASES = [
    (181, "aktif", None, False),
    (180, "akan_berakhir", 180, False),
    (91, "akan_berakhir", 180, False),
    (90, "akan_berakhir", 90, False),
    (31, "akan_berakhir", 90, False),
    (30, "akan_berakhir", 30, True),
    (7, "akan_berakhir", 7, True),
    (1, "akan_berakhir", 7, True),
    (0, "akan_berakhir", 0, True),
    (-1, "kedaluwarsa", None, False),
]


def test_status_and_ladder_at_the_boundaries(app, ids):
    with app.app_context():
        ksb = _a(ids, "ksb")
        for case in LADDER_CASES:
            _check_ladder(ksb, *case)


def _check_ladder(ksb, days_left, status, rung, banner):
    today = ksb.tgl_berakhir - timedelta(days=days_left)
    assert validity.status_berlaku(ksb, today) == status
    r = reminders.expiry_reminder(ksb, today, DEFAULT_LADDER)
    assert (r.key.split(":")[1] if r else None) == (str(rung) if rung is not None else None)
    assert validity.show_banner(ksb, today) is banner
    if days_left == 0:
        assert r.text == "berakhir hari ini"


def test_status_before_start_without_end_and_after_termination(app, ids):
    with app.app_context():
        ksb = _a(ids, "ksb")
        assert validity.status_berlaku(ksb, date(2023, 1, 24)) == "belum_berlaku"
        assert validity.status_berlaku(ksb, date(2023, 1, 25)) == "aktif"
        ksb.tgl_berakhir = None
        assert validity.status_berlaku(ksb, date(2099, 1, 1)) == "aktif"  # no end date: never expiring
        assert reminders.expiry_reminder(ksb, date(2099, 1, 1), DEFAULT_LADDER) is None
        ksb.tgl_berakhir = date(2028, 1, 24)
        assert stages.transition(ksb, "berakhir", "kesepakatan para pihak", None, date(2027, 12, 1)).ok
        assert ksb.tgl_diakhiri == date(2027, 12, 1)
        assert validity.status_berlaku(ksb, date(2027, 12, 10)) == "diakhiri"
        assert reminders.reminders_for(ksb, date(2027, 12, 10), DEFAULT_LADDER) == []


def test_configured_ladder(make_app):
    app = make_app(PKS_REMINDER_LADDER=[60, 14])
    with app.app_context():
        ksb = db.session.scalar(select(Agreement).where(Agreement.jenis == "KSB"))
        end = ksb.tgl_berakhir
        assert settings.ladder() == (60, 14)
        assert validity.status_berlaku(ksb, end - timedelta(days=61)) == "aktif"
        assert reminders.expiry_reminder(ksb, end - timedelta(days=20), settings.ladder()).key.startswith(
            "expiry:60:"
        )
        assert reminders.expiry_reminder(ksb, end - timedelta(days=14), settings.ladder()).key.startswith(
            "expiry:14:"
        )


@pytest.mark.parametrize(
    ("text", "start", "end", "precision", "label"),
    [
        (
            "minggu ke-2 September 2024",
            date(2024, 9, 8),
            date(2024, 9, 14),
            "minggu",
            "minggu ke-2 September 2024",
        ),
        (
            "minggu kedua september 2024",
            date(2024, 9, 8),
            date(2024, 9, 14),
            "minggu",
            "minggu ke-2 September 2024",
        ),
        (
            "minggu ke-5 September 2024",
            date(2024, 9, 29),
            date(2024, 9, 30),
            "minggu",
            "minggu ke-5 September 2024",
        ),
        ("September 2024", date(2024, 9, 1), date(2024, 9, 30), "bulan", "September 2024"),
        ("12 September 2024", date(2024, 9, 12), date(2024, 9, 12), "hari", "12 September 2024"),
        ("2024-09-12", date(2024, 9, 12), date(2024, 9, 12), "hari", "12 September 2024"),
        ("15/10/2024", date(2024, 10, 15), date(2024, 10, 15), "hari", "15 Oktober 2024"),
        ("5-1-2025", date(2025, 1, 5), date(2025, 1, 5), "hari", "5 Januari 2025"),
        ("awal Oktober 2024", date(2024, 10, 1), date(2024, 10, 10), "dasarian", "awal Oktober 2024"),
        (
            "pertengahan Oktober 2024",
            date(2024, 10, 11),
            date(2024, 10, 20),
            "dasarian",
            "pertengahan Oktober 2024",
        ),
        ("akhir Oktober 2024", date(2024, 10, 21), date(2024, 10, 31), "dasarian", "akhir Oktober 2024"),
        ("akhir Februari 2024", date(2024, 2, 21), date(2024, 2, 29), "dasarian", "akhir Februari 2024"),
        ("triwulan IV 2024", date(2024, 10, 1), date(2024, 12, 31), "triwulan", "triwulan IV 2024"),
        ("TW 1 2025", date(2025, 1, 1), date(2025, 3, 31), "triwulan", "triwulan I 2025"),
        ("semester II 2024", date(2024, 7, 1), date(2024, 12, 31), "semester", "semester II 2024"),
        ("Semester 1 2025", date(2025, 1, 1), date(2025, 6, 30), "semester", "semester I 2025"),
        ("Sept 2024", date(2024, 9, 1), date(2024, 9, 30), "bulan", "September 2024"),
        ("12 Sept 2024", date(2024, 9, 12), date(2024, 9, 12), "hari", "12 September 2024"),
        ("12 Sept. 2024", date(2024, 9, 12), date(2024, 9, 12), "hari", "12 September 2024"),
        ("3 Agust 2024", date(2024, 8, 3), date(2024, 8, 3), "hari", "3 Agustus 2024"),
        (
            "minggu 2 September 2024",
            date(2024, 9, 8),
            date(2024, 9, 14),
            "minggu",
            "minggu ke-2 September 2024",
        ),
        (
            "minggu ke 3 Sept 2024",
            date(2024, 9, 15),
            date(2024, 9, 21),
            "minggu",
            "minggu ke-3 September 2024",
        ),
    ],
)
def test_fuzzy_target(text, start, end, precision, label):
    t = parse_target(text)
    assert (t.mulai, t.selesai, t.presisi) == (start, end, precision)
    assert t.label() == label == format_target(start, end, precision)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "besok",
        "minggu ke-6 Februari 2025",
        "31 Februari 2024",
        "31/02/2024",
        "triwulan V 2024",
        "semester III 2024",
        "akhir Oktobr 2024",
        "x" * 10000,
        "<script>alert(1)</script>",
    ],
)
def test_fuzzy_target_rejects_with_a_message(text):
    with pytest.raises(ValueError) as e:
        parse_target(text)
    assert str(e.value)


def test_a_week_number_without_ke_is_read_and_a_missing_week_is_named():
    assert parse_target("minggu 2 September 2024").label() == "minggu ke-2 September 2024"
    with pytest.raises(ValueError) as e:
        parse_target("minggu 6 Februari 2025")
    assert str(e.value) == "Bulan itu tidak punya minggu ke-6."  # not "Tulis minggu ke berapa"


def test_slip_ledger_is_append_only_and_totals(app, ids):
    with app.app_context():
        a = _a(ids, "pks2")
        assert slips.set_target(a, parse_target("Oktober 2024"), "", "", None).refusals == [
            "Penundaan wajib disertai alasan."
        ]
        assert slips.set_target(
            a, parse_target("minggu ke-1 Oktober 2024"), "Bupati dinas luar", "Sekda", None
        ).ok
        ledger = slips.slips_of(a)
        assert [s.days for s in ledger] == [45, 23]  # Juli 2024 -> 14 Sep (+45), 14 Sep -> 7 Okt (+23)
        summary = slips.slip_summary(a, ledger)
        assert (summary.count, summary.total_days, summary.first_target, summary.current_target) == (
            2,
            68,
            "Juli 2024",
            "minggu ke-1 Oktober 2024",
        )
        db.session.commit()
        ledger[0].alasan = "diubah"
        with pytest.raises(RuntimeError):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(RuntimeError):
            db.session.delete(db.session.get(Slip, ledger[0].id))
            db.session.flush()
        db.session.rollback()


def test_only_a_later_end_is_a_postponement(app, ids):
    """Saving the same target again, or a narrower or earlier one, makes the target more precise: no slip and
    no reason needed. A target that ends later is a slip, with its reason."""
    with app.app_context():
        a = _a(ids, "pks2")  # the demo: target minggu ke-2 September 2024, after one slip
        assert a.target_selesai == date(2024, 9, 14)
        before = len(slips.slips_of(a))
        assert slips.set_target(a, parse_target("minggu kedua September 2024"), "", "", None).ok  # the same
        assert slips.set_target(a, parse_target("12/09/2024"), "", "", None).ok  # narrower
        assert slips.set_target(a, parse_target("15/07/2024"), "", "", None).ok  # earlier
        assert len(slips.slips_of(a)) == before
        assert (a.target_mulai, a.target_selesai, a.target_presisi) == (
            date(2024, 7, 15),
            date(2024, 7, 15),
            "hari",
        )
        assert slips.set_target(a, parse_target("triwulan IV 2024"), "", "", None).refusals == [
            "Penundaan wajib disertai alasan."
        ]
        assert slips.set_target(a, parse_target("triwulan IV 2024"), "Menunggu DPRD", "Sekda", None).ok
        ledger = slips.slips_of(a)
        assert len(ledger) == before + 1
        assert (ledger[-1].old_selesai, ledger[-1].new_selesai) == (date(2024, 7, 15), date(2024, 12, 31))
        db.session.rollback()


def test_unverified_rule_warns_then_blocks_when_switched(app, ids):
    with app.app_context():
        a = _a(ids, "pks1")
        make_signable(a)
        out = signing.sign(a, DAY, "", DAY, date(2030, 9, 11), None, None, DAY)  # 6 years, past the KSB
        assert out.ok
        codes = {w.rule.code for w in out.warnings}
        assert {"durasi_5_tahun", "melewati_ksb", "klausul"} <= codes
        assert all("Sumber:" in w.text for w in out.warnings)
        db.session.rollback()
        a = _a(ids, "pks1")
        set_blocking("durasi_5_tahun", True, None, a.pemrakarsa_regency_id)
        make_signable(a)
        out = signing.sign(a, DAY, "", DAY, date(2030, 9, 11), None, None, DAY)
        assert not out.ok and a.tahap == "siap_ttd"
        assert any(
            "Jangka waktu lebih dari 5 tahun" in m and "Permendagri 22/2020" in m for m in out.messages()
        )
