"""The one use-case outcome every module answers (core.outcome.Outcome): when it went through, and what the user
reads when it did not."""

from dataclasses import dataclass

from blueprints.core.outcome import Outcome


@dataclass
class Hit:  # the shape of a rule hit (pks.rules.RuleHit): text and whether it blocks
    text: str
    blocking: bool


def test_an_empty_outcome_went_through_and_says_nothing():
    out = Outcome(warnings=["NIK belum diperiksa.", Hit("Perlu paraf (Sumber: X)", blocking=False)])
    assert out.ok and out.messages() == [] and out.error is None


def test_refusals_field_messages_and_blocking_rules_stop_it_in_reading_order():
    out = Outcome(
        refusals=["Naskah terkunci.", "Alasan wajib diisi."],
        errors={"nik": "NIK harus 16 digit."},
        warnings=["hanya peringatan", Hit("Lebih dari 5 tahun (Sumber: Y)", blocking=True)],
    )
    assert not out.ok
    assert out.messages() == [
        "Naskah terkunci.",
        "Alasan wajib diisi.",
        "NIK harus 16 digit.",
        "Lebih dari 5 tahun (Sumber: Y)",
    ]
    assert out.error == "Naskah terkunci. Alasan wajib diisi."
    assert not Outcome(errors={"nik": "x"}).ok and not Outcome(warnings=[Hit("z", blocking=True)]).ok


def test_a_repeat_is_not_ok_and_carries_its_message_when_worded():
    assert not Outcome(repeated=True).ok
    out = Outcome(repeated="Status bantuan sudah Disetujui; tidak ada yang diubah.")
    assert not out.ok and out.repeated.startswith("Status bantuan") and out.messages() == []
