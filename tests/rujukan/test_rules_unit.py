"""Rujukan's pure rules, tested without an app: the number format, the lifecycle table, validity, the JKN card
rule, border coverage, the non-specialist list match and the verification code's MAC."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from blueprints.rujukan.border import best_coverage, is_border_jorong
from blueprints.rujukan.lifecycle import (
    COPYABLE,
    TRANSITIONS,
    TransitionError,
    allowed_steps,
    duration_text,
    step_refusal,
    valid_until,
)
from blueprints.rujukan.models import STATUS_LABELS
from blueprints.rujukan.nonspecialist import is_nonspecialist
from blueprints.rujukan.numbering import BPJS_LIKE_MESSAGE, facility_code, number_text
from blueprints.rujukan.patients import JKN_DIGITS_MESSAGE, JKN_REQUIRED_MESSAGE, jkn_problems
from blueprints.rujukan.verification import code_mac

DEFAULT_FORMAT = "{urut:04d}/RJK/{kode}/{romawi}/{tahun}"


# ---- numbering ----------------------------------------------------------------------------------------------


def test_number_text_fills_the_pattern():
    assert number_text(DEFAULT_FORMAT, 7, "P1302180101", date(2026, 2, 3)) == "0007/RJK/P1302180101/II/2026"
    assert number_text("{kode}-{yy}{bulan}-{urut}", 12, "RS1", date(2026, 12, 1)) == "RS1-2612-12"


def test_a_number_that_looks_like_bpjs_is_refused():
    with pytest.raises(ValueError, match="menyerupai nomor BPJS") as e:
        number_text("{kode}{bulan}{yy}Y{urut:06d}", 4, "0301R001", date(2023, 2, 1))
    assert str(e.value) == BPJS_LIKE_MESSAGE


def test_a_broken_pattern_raises_for_the_caller_to_report():
    with pytest.raises(KeyError):
        number_text("{nomor}", 1, "X", date(2026, 1, 1))


def test_facility_code_never_holds_a_slash_and_falls_back_to_the_id():
    assert facility_code(SimpleNamespace(facility_code="1302/PKM", id=5)) == "1302-PKM"
    assert facility_code(SimpleNamespace(facility_code=None, id=5)) == "F5"


# ---- lifecycle table ----------------------------------------------------------------------------------------


def test_who_may_take_which_step():
    assert allowed_steps("draf", "sender") == ["cancel"]
    assert allowed_steps("draf", "receiver") == []
    assert allowed_steps("diterbitkan", "sender") == [
        "send",
        "accept",
        "reject",
        "redirect",
        "arrive",
        "cancel",
    ]
    assert allowed_steps("diterbitkan", "receiver") == ["accept", "reject", "redirect", "arrive"]
    assert allowed_steps("tiba", "receiver") == ["answer"]
    assert allowed_steps("dijawab", "sender") == ["complete"]
    assert allowed_steps("dijawab", "receiver") == []
    for final in ("selesai", "dibatalkan", "ditolak", "dialihkan", "kedaluwarsa"):
        assert allowed_steps(final, "sender") == allowed_steps(final, "receiver") == []
    assert allowed_steps("diterbitkan", None) == []


def test_every_transition_leads_to_a_known_status_and_copyable_states_are_final():
    for t in TRANSITIONS.values():
        assert t.target in STATUS_LABELS and set(t.sources) <= set(STATUS_LABELS)
    sources = {s for t in TRANSITIONS.values() for s in t.sources}
    assert not sources & set(COPYABLE)


@pytest.mark.parametrize(
    ("action", "status", "side", "extra", "field", "message"),
    [
        ("fly", "draf", "sender", {}, None, "Tindakan tidak dikenal."),
        ("answer", "diterbitkan", "receiver", {}, None, "tidak dapat diubah"),
        ("cancel", "diterbitkan", "receiver", {"note": "x"}, None, "dilakukan oleh faskes asal."),
        ("send", "diterbitkan", "receiver", {}, None, "dilakukan oleh faskes asal."),
        ("accept", "diterbitkan", "sender", {"channel": "web"}, "channel", "hanya dari telepon"),
        ("cancel", "diterbitkan", "sender", {"note": "  "}, "note", "Alasan pembatalan wajib diisi."),
        ("reject", "dikirim", "receiver", {}, "note", "Alasan wajib diisi"),
        ("redirect", "dikirim", "sender", {"channel": "telepon"}, "note", "Alasan wajib diisi"),
        ("cancel", "tiba", "sender", {"note": "terlambat"}, None, "tidak dapat diubah"),
    ],
)
def test_a_refused_step_says_why_and_at_which_field(action, status, side, extra, field, message):
    refusal = step_refusal(action, status, side, **extra)
    assert isinstance(refusal, TransitionError) and message in str(refusal) and refusal.field == field


def test_allowed_steps_are_not_refused():
    assert step_refusal("accept", "dikirim", "sender", channel="telepon") is None
    assert step_refusal("reject", "diterbitkan", "receiver", note="ICU penuh") is None
    assert step_refusal("cancel", "draf", "sender", note="salah pasien") is None


# ---- validity -----------------------------------------------------------------------------------------------


def test_validity_in_calendar_and_working_days():
    assert valid_until(date(2026, 1, 30), 30) == date(2026, 3, 1)
    working = valid_until(date(2026, 1, 30), 30, "working")
    assert working > date(2026, 3, 1) and working.weekday() < 5


def test_duration_text():
    assert duration_text(None) == "—"
    assert duration_text(timedelta(minutes=-3)) == "0 menit"
    assert duration_text(timedelta(minutes=59)) == "59 menit"
    assert duration_text(timedelta(hours=47, minutes=5)) == "47 jam 5 menit"
    assert duration_text(timedelta(days=3, hours=2)) == "3 hari 2 jam"


# ---- patient: JKN card --------------------------------------------------------------------------------------


def test_jkn_card_number_is_13_digits_and_required_for_members():
    assert jkn_problems("0002035020396", "pbi_apbd") == []
    assert jkn_problems("0002-0350-20396", "pbpu") == []  # separators are ignored
    assert jkn_problems("000203502039", "pbpu") == [JKN_DIGITS_MESSAGE]
    assert jkn_problems("00020350203961", "non_jkn") == [JKN_DIGITS_MESSAGE]
    assert jkn_problems("000203502039A", "non_jkn") == [JKN_DIGITS_MESSAGE]
    assert jkn_problems("", "ppu") == [JKN_REQUIRED_MESSAGE]
    assert jkn_problems(None, "non_jkn") == []


# ---- border -------------------------------------------------------------------------------------------------


def _coverage(agreement_id, in_force, others=()):
    return SimpleNamespace(agreement_id=agreement_id, in_force=in_force, other_regency_ids=list(others))


def test_best_coverage_prefers_an_agreement_in_force_for_that_regency():
    old_not_in_force, other_regency, in_force = (
        _coverage(1, False),
        _coverage(2, True, [9]),
        _coverage(3, True, [7]),
    )
    assert best_coverage([old_not_in_force, other_regency, in_force], 7) is in_force
    assert (
        best_coverage([old_not_in_force, other_regency], 7) is old_not_in_force
    )  # names no regency: covers all
    assert best_coverage([other_regency], 7) is None
    assert best_coverage([], 7) is None


def test_border_jorong_is_a_configured_pair():
    pairs = [("13.02.18.2004", "Tigo Jangko")]
    assert is_border_jorong("13.02.18.2004", "Tigo Jangko", pairs)
    assert not is_border_jorong("13.02.18.2004", "Tigo Jangko Hilir", pairs)
    assert not is_border_jorong(None, None, [])


# ---- non-specialist list, verification code -----------------------------------------------------------------


def test_a_listed_category_covers_its_subcategories():
    listed = {"J02", "A01.0"}
    assert is_nonspecialist("J02.9", listed) and is_nonspecialist(" j02 ", listed)
    assert is_nonspecialist("A01.0", listed) and not is_nonspecialist("A01.1", listed)
    assert not is_nonspecialist("I50.0", listed)


def test_the_verification_mac_depends_on_key_and_id():
    mac = code_mac(b"key", 12)
    assert len(mac) == 8 and set(mac) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert mac == code_mac(b"key", 12) != code_mac(b"key", 13)
    assert mac != code_mac(b"other", 12)
