"""The machine-readable referral embedded in an issued letter's PDF (PDF/A-3b, docs/rujukan.md §9.1): JSON
shaped like a FHIR R4 ServiceRequest, for a later SATUSEHAT / SISRUTE upload. Times are UTC ISO 8601 ("Z").

Not a validated SATUSEHAT resource: the SATUSEHAT identifier system needs the facility's IHS organisation
number, which Sinergi does not hold, so the letter number, verification code and BPJS PPK codes use the
``urn:sinergi:`` systems below; the status mapping is the design proposal of the domain notes (unverified)."""

import json
from datetime import UTC, datetime, timedelta

from blueprints.core.timeutil import local_day_bounds

from .models import Referral

NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"
ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10"
NUMBER_SYSTEM = "urn:sinergi:rujukan:nomor-surat"
CODE_SYSTEM = "urn:sinergi:rujukan:kode-verifikasi"
PPK_SYSTEM = "urn:sinergi:bpjs:kode-ppk"
# FHIR request-status of each letter state; ended letters (cancelled, expired, refused, sent elsewhere) revoked
STATUS = {
    "draf": "draft",
    "diterbitkan": "active",
    "dikirim": "active",
    "diterima": "active",
    "tiba": "active",
    "dijawab": "completed",
    "selesai": "completed",
}
FILENAME = "rujukan-servicerequest.json"


def utc_iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _organisation(org, text: str | None = None) -> dict:
    if org is None:
        return {"display": text or ""}
    out = {"display": org.name}
    if org.facility_code:
        out["identifier"] = {"system": PPK_SYSTEM, "value": org.facility_code}
    return out


def service_request(ref: Referral, code: str | None, status: str) -> dict:
    """The referral as a ServiceRequest. ``code``: its verification code; ``status``: its effective state."""
    p = ref.patient
    subject = {"display": p.name}
    if p.nik:
        subject["identifier"] = {"system": NIK_SYSTEM, "value": p.nik}
    identifier = [{"use": "official", "system": NUMBER_SYSTEM, "value": ref.number}]
    if code:
        identifier.append({"use": "secondary", "system": CODE_SYSTEM, "value": code})
    start = ref.referred_at or ref.issued_at
    end = local_day_bounds(ref.valid_until)[1] - timedelta(seconds=1) if ref.valid_until else None
    resource = {
        "resourceType": "ServiceRequest",
        "identifier": identifier,
        "status": STATUS.get(status, "revoked"),
        "intent": "order",
        "category": [{"text": ref.kategori}],
        "priority": "stat" if ref.jenis == "igd" else "routine",
        "code": {
            "coding": [{"system": "http://snomed.info/sct", "code": "3457005", "display": "Patient referral"}]
        },
        "subject": subject,
        "authoredOn": utc_iso(ref.issued_at),
        "occurrencePeriod": {k: v for k, v in (("start", utc_iso(start)), ("end", utc_iso(end))) if v},
        "requester": _organisation(ref.origin),
        "performer": [_organisation(ref.destination, ref.destination_text)],
        "reasonCode": [
            {"coding": [{"system": ICD10_SYSTEM, "code": c, "display": name}]} for c, name in ref.diagnoses
        ],
        "note": [{"text": ref.reason}] if ref.reason else [],
    }
    if ref.poli_name:
        resource["performerType"] = {"text": ref.poli_name}
    return resource


def service_request_json(ref: Referral, code: str | None, status: str) -> bytes:
    return json.dumps(service_request(ref, code, status), ensure_ascii=False, indent=1).encode()
