"""Kerja Sama tables, one file per part of the record; ``from blueprints.pks.models import X`` reaches all.

Imports run one way: values <- agreements <- areas, meetings; history, documents, work and rules name other
tables only by string (resolved when the mappers are configured), so no model file imports back.
"""

from .agreements import Agreement, DocNumber, Party, ScopeItem, ScopeLink, Signatory
from .areas import ServiceArea
from .documents import Document, Letter, MeetingDocument
from .history import Event, Note, ReminderLog, Slip, SlipVoid, StageProposal
from .meetings import ActionItem, Attendee, Decision, Meeting, meeting_agreement
from .rules import ReminderContact, ReminderContactOrg, RuleSetting
from .values import (
    ACTIVITY_STATUS,
    ALASAN_AKHIR,
    DOC_KINDS,
    FINAL_STAGES,
    JENIS,
    KATEGORI,
    KLAUSUL,
    LETTER_DIRECTION,
    MEETING_DOC_ROLES,
    MENUNGGU_TETAP,
    MITRA_JENIS,
    NOTE_KINDS,
    OBLIGATION_STATUS,
    PERAN_PIHAK,
    REKOMENDASI,
    REPORT_TO,
    SIGNED_STAGES,
    STATUS_BERLAKU,
    TAHAP,
    URUSAN,
)
from .work import Activity, Evaluation, Obligation, Report

__all__ = [
    "ACTIVITY_STATUS",
    "ALASAN_AKHIR",
    "DOC_KINDS",
    "FINAL_STAGES",
    "JENIS",
    "KATEGORI",
    "KLAUSUL",
    "LETTER_DIRECTION",
    "MEETING_DOC_ROLES",
    "MENUNGGU_TETAP",
    "NOTE_KINDS",
    "OBLIGATION_STATUS",
    "MITRA_JENIS",
    "PERAN_PIHAK",
    "REKOMENDASI",
    "REPORT_TO",
    "SIGNED_STAGES",
    "STATUS_BERLAKU",
    "TAHAP",
    "URUSAN",
    "ActionItem",
    "Activity",
    "Agreement",
    "Attendee",
    "Decision",
    "DocNumber",
    "Document",
    "Evaluation",
    "Event",
    "Letter",
    "Meeting",
    "MeetingDocument",
    "Note",
    "Obligation",
    "Party",
    "ReminderLog",
    "Report",
    "ReminderContact",
    "ReminderContactOrg",
    "RuleSetting",
    "ScopeItem",
    "ScopeLink",
    "ServiceArea",
    "Signatory",
    "Slip",
    "SlipVoid",
    "StageProposal",
    "meeting_agreement",
]
