"""Emergency mode (docs/rujukan.md §4.5): the short form's values as a referral, saved and issued in one step
through the one issue procedure (``referrals.save_referral``), and the timeline from the call to the arrival."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from blueprints.core.outcome import Outcome
from blueprints.core.timeutil import WIB, today_local, utcnow

from . import lists as L
from .models import Patient, Referral
from .referrals import draft_defaults, new_draft, save_referral

DEFAULT_REASON = "Kegawatdaruratan: perlu penanganan segera di IGD."
# A call or departure typed this far ahead of now is a typing slip (a wrong day), not a plan.
FUTURE_SLACK = timedelta(minutes=10)

# Referral rules that answer at a referral-form field the short form shows under another name.
RULE_FIELD = {"igd_call_time": "igd_called_at", "consent_date": "consent_signer"}


def _typed(patient: Patient):
    """The short form's values under the referral form's field names (field that failed its own validation:
    None), with the referral form's defaults for what the short form does not ask."""

    def typed(form) -> dict:
        data = {name: None if f.errors else f.data for name, f in form._fields.items()}
        values = draft_defaults(patient)
        called = data.get("igd_called_at")
        values.update(
            jenis="igd",
            kategori="igd",
            destination_id=data.get("destination_id"),
            dasar=data.get("dasar"),
            anamnesis=data.get("anamnesis"),
            diag1=data.get("diag1"),
            reason=(data.get("reason") or "").strip() or DEFAULT_REASON,
            therapy_drug=data.get("therapy_drug"),
            ambulance=data.get("ambulance"),
            escort=data.get("escort"),
            consent=data.get("consent"),
            consent_signer=data.get("consent_signer"),
            consent_relation=data.get("consent_relation"),
            consent_date=today_local(),
            igd_call_name=data.get("igd_call_name"),
            igd_call_time=f"{called.astimezone(WIB):%H:%M}" if called else None,
            igd_call_accepted=data.get("igd_call_accepted"),
            referred_at=(called or utcnow()).replace(second=0, microsecond=0),
            nakes_id=data.get("nakes_id"),
        )
        return values

    return typed


def _extra(form) -> dict:
    """The columns only the short form writes."""
    chosen = set(form.stabilisation.data or ())
    return {
        "stabilisation": ",".join(code for code in L.STABILISASI if code in chosen) or None,
        "depart_bp": form.depart_bp.data or None,
        "depart_pulse": form.depart_pulse.data,
        "depart_rr": form.depart_rr.data,
        "depart_temperature": form.depart_temperature.data,
        "depart_spo2": form.depart_spo2.data,
        "depart_gcs": form.depart_gcs.data,
        "depart_consciousness": form.depart_consciousness.data or None,
        "igd_called_at": form.igd_called_at.data,
        "departed_at": form.departed_at.data,
        "escort_role": form.escort_role.data or None,
    }


def _checks(form) -> dict[str, str]:
    """The short form's own rules: the call is required and not in the future; the departure not before it."""
    errors = {}
    now = utcnow()
    called, departed = form.igd_called_at.data, form.departed_at.data
    if called is None and not form.igd_called_at.errors:
        errors["igd_called_at"] = "Catat waktu telepon ke IGD."
    elif called is not None and called > now + FUTURE_SLACK:
        errors["igd_called_at"] = "Waktu telepon belum terjadi: periksa tanggal dan jam."
    if departed is not None and departed > now + timedelta(days=1):
        errors["departed_at"] = "Waktu berangkat terlalu jauh ke depan: periksa tanggal dan jam."
    elif departed is not None and called is not None and departed < called:
        errors["departed_at"] = "Waktu berangkat tidak boleh sebelum telepon ke IGD."
    return errors


def form_defaults(patient: Patient) -> dict:
    """What the short form starts with: a border patient's legal basis is the emergency itself."""
    now = utcnow().replace(second=0, microsecond=0)
    return {"dasar": "gawat_darurat", "igd_called_at": now, "departed_at": now, "ambulance": True}


def save_emergency(patient: Patient, form, user) -> Outcome:
    """The short form saved and issued in one transaction as a ``jenis = igd`` letter; a refusal names the
    short form's fields (a rule about a field it does not show comes back under the key '')."""
    ref = new_draft(patient, user)
    result = save_referral(
        ref, form, user, created=True, issue=True, typed=_typed(patient), extra=_extra, checks=_checks
    )
    if result.errors:
        errors: dict[str, str] = {}
        for name, message in result.errors.items():
            name = RULE_FIELD.get(name, name)
            key = name if name in form._fields else ""
            errors[key] = f"{errors[key]} {message}" if key in errors else message
        result.errors = errors
    return result


# ---- the timeline on the detail page ----------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    label: str
    at: datetime | None


def timeline(ref: Referral, events) -> list[Step]:
    """From the call to the arrival, from the stored instants (missing ones: None), in the order they happen."""
    received = next((e.at for e in events if e.to_status == "diterima"), None)
    return [
        Step("Telepon ke IGD", ref.igd_called_at),
        Step("Surat terbit", ref.issued_at),
        Step("Berangkat", ref.departed_at),
        Step("Diterima IGD tujuan", received),
        Step("Pasien tiba", ref.arrived_at),
    ]
