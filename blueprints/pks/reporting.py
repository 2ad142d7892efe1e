"""The period report (docs/pks.md §8): a snapshot of the agreements the user sees as they stood on the period's
last day (or today, for a period not yet over), for the Sekda to sign. What is dated is read from its own date:
stages from the event log (``pks_event``, the day a move happened; only stage moves, not proposals or the
creation), targets and postponements from the slip ledger (a slip dated by ``Slip.day``: the day it was
decided, else its meeting's, else when it was recorded; the target rebuilt from the whole ledger, voided slips
left out of the counts), numbers only of a signed agreement and dated on or before the day, reports by their
due and delivery
dates, activities and evaluations by their day, an agreement by the first day anything of it is known. An
agreement created or signed after the period is not in it; a perpanjangan signed later does not extend it. A
period that has not begun has no snapshot.

The report is a list of sections, each a title, its columns (label, width in characters) and its rows: the
page, the PDF, the .docx and the .xlsx all print the same sections (``report_files``). Reads only; the views
audit the export."""

import copy
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import (
    Date,
    Integer,
    String,
    Text,
    case,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)

from blueprints.auth.models import Organisation
from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal
from blueprints.core.scope import id_list
from blueprints.core.timeutil import UTCDateTime, to_local

from .events import STAGE_MOVES
from .models import (
    ACTIVITY_STATUS,
    FINAL_STAGES,
    JENIS,
    OBLIGATION_STATUS,
    REKOMENDASI,
    SIGNED_STAGES,
    TAHAP,
    ActionItem,
    Activity,
    Agreement,
    DocNumber,
    Evaluation,
    Event,
    Meeting,
    Obligation,
    Report,
    ScopeItem,
    ScopeLink,
    Slip,
)
from .models.meetings import meeting_agreement
from .queries import agreement_rows
from .reminders import ObligationRow
from .slips import days_late, first_target, target_on
from .target import format_target
from .validity import effective_end, status_berlaku, status_label


@dataclass(frozen=True)
class Period:
    year: int
    semester: int  # 0 = whole year

    @property
    def start(self) -> date:
        return date(self.year, 7 if self.semester == 2 else 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.semester == 1 else date(self.year, 12, 31)

    @property
    def label(self) -> str:
        return (
            f"Tahun {self.year}"
            if not self.semester
            else f"Semester {'I' if self.semester == 1 else 'II'} {self.year}"
        )

    def holds(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


def period_from(args, today: date) -> Period:
    """The period asked for (``tahun``, ``semester``): this year by default, 2000..2100."""
    try:
        year = int(args.get("tahun") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2100)
    semester = args.get("semester", "0")
    return Period(year, int(semester) if semester in ("0", "1", "2") else 0)


@dataclass
class Section:
    key: str
    title: str
    sheet: str  # the .xlsx sheet's name (at most 31 characters)
    columns: list[tuple[str, int]]  # label, width in characters (the .xlsx column width)
    rows: list[list] = field(default_factory=list)
    empty: str = "Tidak ada."

    @property
    def print_widths(self) -> list[float]:
        """Each column's share of the printed A4 width (per cent) for a fixed table layout (pdf_report.html):
        first room for its header's longest word, then what is left shared by the widths in characters."""
        need = [
            PRINT_HEAD_MM * max(len(w) for w in label.split()) + PRINT_PAD_MM for label, _w in self.columns
        ]
        want = [
            max(PRINT_CHAR_MM * w + PRINT_PAD_MM - n, 0)
            for (_l, w), n in zip(self.columns, need, strict=True)
        ]
        left = max(PRINT_WIDTH_MM - sum(need), 0)
        mm = [n + (left * x / sum(want) if sum(want) else 0) for n, x in zip(need, want, strict=True)]
        return [round(100 * m / sum(mm), 2) for m in mm]


# The report's A4 portrait text width (210 mm less 16 mm margins), a character of a cell and of a (bold) header,
# and a cell's padding, at 8 pt.
PRINT_WIDTH_MM, PRINT_CHAR_MM, PRINT_HEAD_MM, PRINT_PAD_MM = 178, 1.6, 1.9, 3.5


@dataclass
class PeriodReport:
    period: Period
    as_of: date  # the period's last day, or today while the period runs
    sections: list[Section]
    counts: dict[str, int]
    started: bool = True  # False: the period begins after today, nothing to report yet
    first_year: int = 2000  # the earliest year an agreement of the scope is known (the period select's first)

    @property
    def not_started(self) -> str:
        p = self.period
        return (
            f"Periode {p.label} belum dimulai (mulai {tanggal(p.start)}); belum ada keadaan untuk dilaporkan."
        )

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def kind_of(a) -> str:
    """ "KSB", "PKS"; the longer kinds by their name ("Perpanjangan")."""
    return a.jenis if a.jenis in ("KSB", "PKS") else JENIS.get(a.jenis, a.jenis)


def title_of(a) -> str:
    """ "PKS: judul"; the longer kinds by their name ("Perpanjangan: judul")."""
    return f"{kind_of(a)}: {a.judul}"


def _day(dt) -> date | None:
    return to_local(dt).date() if dt is not None else None


def _first(*days) -> date | None:
    known = [d for d in days if d is not None]
    return min(known) if known else None


def _events(ids) -> dict[int, list[tuple[date, int, str, str, str]]]:
    """Per agreement, its events as (day, id, from_state, to_state, kind), in the order they happened."""
    out: dict[int, list] = {}
    if ids:
        stmt = select(
            Event.agreement_id,
            Event.id,
            Event.at,
            Event.on_date,
            Event.from_state,
            Event.to_state,
            Event.kind,
        )
        for aid, eid, at, on_date, old, new, kind in db.session.execute(
            stmt.where(Event.agreement_id.in_(id_list(value=ids)))
        ):
            out.setdefault(aid, []).append((on_date or _day(at), eid, old, new, kind))
    for rows in out.values():
        rows.sort()
    return out


def _facts(ids) -> dict[str, list]:
    """Everything else the report reads of the agreements, in one statement: their creation instant, numbers,
    obligations, reports, activities, evaluations, the action items of their meetings and (of a KSB) the scope
    items with the agreements linked to them. Rows by kind, each (agreement id, day, day, text, text, number,
    instant), in their order."""
    out: dict[str, list] = {}
    if ids:
        for kind, aid, d1, d2, t1, t2, n, at, order in db.session.execute(_facts_statement(), {"ids": ids}):
            out.setdefault(kind, []).append((aid, d1, d2, t1, t2, n, at, order))
    return out


@cache
def _facts_statement():
    """``_facts``' statement, built once (its eight parts cost more to build than to run); the agreement ids are
    one expanding parameter."""
    ids = id_list()
    none_d, none_t = null().cast(Date), null().cast(Text)
    none_n, none_at = null().cast(Integer), null().cast(UTCDateTime())

    def part(kind, aid, d1=none_d, d2=none_d, t1=none_t, t2=none_t, n=none_n, at=none_at, order=none_n):
        return select(
            literal(kind, String).label("kind"),
            aid.label("aid"),
            d1.label("d1"),
            d2.label("d2"),
            cast(t1, Text).label("t1"),
            cast(t2, Text).label("t2"),
            cast(n, Integer).label("n"),
            at.label("at"),
            cast(order, Integer).label("ord"),
        )

    ma = meeting_agreement.c
    parts = [
        part("dibuat", Agreement.id, at=Agreement.created_at, order=Agreement.id).where(
            Agreement.id.in_(ids)
        ),
        part(
            "nomor", DocNumber.agreement_id, d1=DocNumber.tanggal, t1=DocNumber.nomor, order=DocNumber.id
        ).where(DocNumber.agreement_id.in_(ids)),
        part(
            "kewajiban",
            Obligation.agreement_id,
            d1=Obligation.due,
            t1=Obligation.text,
            t2=Obligation.status,
            order=Obligation.id,
        ).where(Obligation.agreement_id.in_(ids)),
        part(
            "laporan",
            Report.agreement_id,
            d1=Report.jatuh_tempo,
            d2=Report.disampaikan_pada,
            t1=Report.periode,
            order=Report.id,
        ).where(Report.agreement_id.in_(ids)),
        part(
            "kegiatan",
            Activity.agreement_id,
            d1=Activity.tanggal,
            t1=Activity.jenis,
            t2=Activity.status,
            n=Activity.peserta,
            order=Activity.id,
        ).where(Activity.agreement_id.in_(ids)),
        part(
            "evaluasi",
            Evaluation.agreement_id,
            d1=Evaluation.tanggal,
            t1=Evaluation.temuan,
            t2=Evaluation.rekomendasi,
            order=Evaluation.id,
        ).where(Evaluation.agreement_id.in_(ids)),
        part(
            "tindak_lanjut",
            ma.agreement_id,
            d1=ActionItem.due,
            d2=case(
                (ActionItem.done.is_(True), func.coalesce(ActionItem.done_on, Meeting.tanggal)), else_=none_d
            ),
            t1=ActionItem.text,
            t2=func.coalesce(Organisation.name, ActionItem.owner),
            order=ActionItem.id,
        )
        .join(Meeting, Meeting.id == ma.meeting_id)
        .join(ActionItem, ActionItem.meeting_id == Meeting.id)
        .outerjoin(Organisation, Organisation.id == ActionItem.organisation_id)
        .where(ma.agreement_id.in_(ids), Meeting.deleted_at.is_(None)),
        part(
            "ruang_lingkup",
            ScopeItem.ksb_id,
            d1=ScopeItem.dicatat_pada,
            t1=ScopeItem.nama,
            n=ScopeLink.agreement_id,
            at=ScopeItem.created_at,
            order=ScopeItem.id,
        )
        .outerjoin(ScopeLink, ScopeLink.scope_item_id == ScopeItem.id)
        .where(ScopeItem.ksb_id.in_(ids)),
    ]
    union = union_all(*parts).subquery()
    return select(union).order_by(union.c.kind, union.c.d1, union.c.ord)


def _slips(ids) -> dict[int, list[Slip]]:
    """Per agreement, its whole slip ledger (voided slips too: the target chain runs through them), in ledger
    order as ``slips.slips_of`` reads it (a slip's meeting and void come joined with it)."""
    out: dict[int, list] = {}
    if ids:
        for slip in db.session.scalars(
            select(Slip).where(Slip.agreement_id.in_(id_list(value=ids))).order_by(Slip.recorded_at, Slip.id)
        ):
            out.setdefault(slip.agreement_id, []).append(slip)
    return out


def _stage_on(events, current: str, as_of: date) -> str:
    """The stage on ``as_of``: where the first stage move after that day started from; with no later move,
    today's stage. Only stage moves count (a proposal moves nothing), and a move from no stage (the creation
    "" → first stage, logged the day the record was made) says nothing of an earlier stage: skipped."""
    for day, _eid, old, new, kind in events:
        if day > as_of and kind in STAGE_MOVES and old in TAHAP and new in TAHAP:
            return old
    return current


def _known_from(created: date | None, events, slips, tgl_ttd: date | None) -> date | None:
    return _first(created, tgl_ttd, *(e[0] for e in events), *(s.day for s in slips))


def _snapshots(agreements, created, events, slips, as_of: date) -> dict:
    """id -> (the agreement as it stood on ``as_of``, its target then, its live slips until then as (day, slip),
    its first target as (label, last day)), for the agreements known by then."""
    rows = {}
    for a in agreements:
        evs, sls = events.get(a.id, []), slips.get(a.id, [])
        if (_known_from(created.get(a.id), evs, sls, a.tgl_ttd) or as_of) > as_of:
            continue  # not yet known on the period's last day
        signed = a.tgl_ttd is not None and a.tgl_ttd <= as_of
        snap = copy.copy(a)
        snap.tahap = _stage_on(evs, a.tahap, as_of)
        if not signed:
            snap.tgl_ttd = None
            if snap.tahap in SIGNED_STAGES:
                snap.tahap = "siap_ttd"
        if a.tgl_diakhiri is not None and a.tgl_diakhiri > as_of:
            snap.tgl_diakhiri = None
        snap.children = [c for c in a.children if c.tgl_ttd is not None and c.tgl_ttd <= as_of]
        live = sorted((s for s in sls if s.void is None and s.day <= as_of), key=lambda s: (s.day, s.id))
        rows[a.id] = (snap, target_on(a, sls, as_of), [(s.day, s) for s in live], first_target(a, sls))
    snaps = {aid: r[0] for aid, r in rows.items()}  # one dict for all: a parent seen by its children is the
    for snap in snaps.values():  # snapshot too
        snap._rows = snaps
    return rows


def period_report(period: Period, user, today: date) -> PeriodReport:
    """The snapshot of ``period`` for ``user``'s scope, in a fixed number of queries however many agreements."""
    as_of = min(today, period.end)
    started = period.start <= today
    agreements, _names = agreement_rows(user)
    ids = [a.id for a in agreements]
    facts = _facts(ids)
    created = {aid: _day(at) for aid, *_x, at, _o in facts.get("dibuat", ())}
    first_year = _first_year(agreements, created, today)
    if not started:  # no snapshot of today under a future period's label
        agreements = []
    dated: dict[int, list[str]] = {}  # the numbers given on or before the day (an undated one counts)
    for aid, on, _d2, nomor, *_rest in facts.get("nomor", ()):
        if on is None or on <= as_of:
            dated.setdefault(aid, []).append(nomor)
    events, slips = _events(ids), _slips(ids)

    rows = _snapshots(agreements, created, events, slips, as_of)
    kept = list(rows)
    # an agreement's numbers are printed only once it is signed on the day
    numbers = {aid: dated.get(aid, []) for aid in kept if rows[aid][0].tgl_ttd is not None}

    overview = Section(
        "ringkasan",
        "Daftar kesepakatan",
        "Kesepakatan",
        [
            ("No", 5),
            ("Jenis", 12),
            ("Judul", 48),
            ("Tahap", 22),
            ("Status berlaku", 16),
            ("Nomor", 30),
            ("Tanggal TTD", 14),
            ("Berakhir", 14),
            ("Penundaan", 11),
            ("Hari tertunda", 13),
        ],
    )
    signed_s = Section(
        "ditandatangani",
        "Kesepakatan yang ditandatangani dalam periode",
        "Ditandatangani",
        [
            ("No", 5),
            ("Kesepakatan", 48),
            ("Nomor", 30),
            ("Target awal", 24),
            ("Tanggal TTD", 14),
            ("Terlambat (hari)", 15),
            ("Berakhir", 14),
        ],
    )
    progress = Section(
        "proses",
        "Kesepakatan dalam proses: target dan keterlambatan",
        "Dalam proses",
        [
            ("No", 5),
            ("Kesepakatan", 48),
            ("Tahap", 22),
            ("Target TTD", 26),
            ("Terlambat (hari)", 15),
            ("Penundaan", 11),
        ],
    )
    lapsed = Section(
        "terlewat",
        "Target tanda tangan yang terlewat",
        "Target terlewat",
        [("No", 5), ("Kesepakatan", 48), ("Keterangan", 60)],
    )
    slip_s = Section(
        "penundaan",
        "Penundaan penandatanganan dalam periode",
        "Penundaan",
        [
            ("No", 5),
            ("Kesepakatan", 48),
            ("Target lama", 24),
            ("Target baru", 24),
            ("Hari", 8),
            ("Alasan", 50),
            ("Diputuskan oleh", 30),
        ],
    )
    for aid in kept:
        snap, target, sls, (first_label, first_end) = rows[aid]
        a_title = title_of(snap)
        days = sum(s.days for _d, s in sls)
        overview.rows.append(
            [
                None,
                kind_of(snap),
                snap.judul,
                TAHAP.get(snap.tahap, snap.tahap),
                status_label(status_berlaku(snap, as_of)),
                "; ".join(numbers.get(aid, ())),
                snap.tgl_ttd,
                effective_end(snap) if snap.tgl_ttd else None,
                len(sls),
                days,
            ]
        )
        for day, s in sls:
            if period.holds(day):
                slip_s.rows.append(
                    [
                        None,
                        a_title,
                        format_target(s.old_mulai, s.old_selesai, s.old_presisi),
                        format_target(s.new_mulai, s.new_selesai, s.new_presisi),
                        s.days,
                        s.alasan,
                        s.diputuskan_oleh,
                    ]
                )
        label = format_target(*target) if target[0] else ""
        if snap.tgl_ttd is not None and period.holds(snap.tgl_ttd):
            signed_s.rows.append(
                [
                    None,
                    a_title,
                    "; ".join(numbers.get(aid, ())),
                    first_label,
                    snap.tgl_ttd,
                    days_late(snap.tgl_ttd, first_end),
                    effective_end(snap),
                ]
            )
        elif snap.tgl_ttd is None and snap.tahap not in FINAL_STAGES:
            late = (as_of - target[1]).days if target[1] and target[1] < as_of else 0
            progress.rows.append(
                [
                    None,
                    a_title,
                    TAHAP.get(snap.tahap, snap.tahap),
                    label or "belum ditetapkan",
                    late,
                    len(sls),
                ]
            )
            if late:
                lapsed.rows.append([None, a_title, f"target {label} terlewat {late} hari"])

    obligations, reports, work, issues, uncovered = _work_sections(period, as_of, rows, facts)
    sections = [overview, signed_s, progress, lapsed, slip_s, obligations, reports, work, issues, uncovered]
    for s in sections:
        for n, row in enumerate(s.rows, 1):
            row[0] = n
    counts = {s.key: len(s.rows) for s in sections}
    return PeriodReport(period, as_of, sections, counts, started, first_year)


def _first_year(agreements, created: dict, today: date) -> int:
    """The first year an agreement of the scope is known (signed, started or recorded), else 2000; between
    2000 and this year."""
    days = [d for a in agreements for d in (a.tgl_ttd, a.tgl_mulai, created.get(a.id)) if d is not None]
    return min(max(min(days).year if days else 2000, 2000), today.year)


def _work_sections(period: Period, as_of: date, rows: dict, facts: dict) -> tuple[Section, ...]:
    """Obligations and reports due, activities, issues (evaluation findings, overdue action items) and the KSB
    scope items no PKS implements, on ``as_of``; of the agreements in the snapshot only."""
    titles = {aid: title_of(r[0]) for aid, r in rows.items()}

    def of(kind):
        return [f for f in facts.get(kind, ()) if f[0] in rows]

    return (
        _obligations(period, as_of, titles, of("kewajiban")),
        _reports(period, as_of, titles, of("laporan")),
        _activities(period, titles, of("kegiatan")),
        _issues(period, as_of, titles, of("evaluasi"), of("tindak_lanjut")),
        _uncovered(as_of, rows, titles, of("ruang_lingkup")),
    )


def _obligations(period, as_of, titles, facts) -> Section:
    obligations = Section(
        "kewajiban",
        "Kewajiban yang jatuh tempo",
        "Kewajiban",
        [("No", 5), ("Kesepakatan", 40), ("Kewajiban", 50), ("Tenggat", 14), ("Status", 16)],
    )
    for aid, due, _d2, text, status, _n, _at, oid in sorted(facts, key=lambda f: f[7]):
        ob = ObligationRow(oid, aid, text, due, status)
        if ob.due is None or ob.due > period.end:
            continue
        status = ob.status_on(as_of)
        if period.holds(ob.due) or status != "dipenuhi":
            obligations.rows.append([None, titles[aid], ob.text, ob.due, OBLIGATION_STATUS[status]])
    return obligations


def _reports(period, as_of, titles, facts) -> Section:
    reports = Section(
        "laporan",
        "Laporan yang jatuh tempo",
        "Laporan",
        [("No", 5), ("Kesepakatan", 40), ("Periode laporan", 22), ("Jatuh tempo", 14), ("Status", 30)],
    )
    for aid, due, delivered, periode, *_rest in sorted(facts, key=lambda f: f[7]):
        done = delivered is not None and delivered <= as_of
        if not (period.holds(due) or period.holds(delivered) or (due and due <= as_of and not done)):
            continue
        if done:
            status = f"Disampaikan {tanggal(delivered)}"
        elif due is not None and due < as_of:
            status = f"Belum disampaikan, terlambat {(as_of - due).days} hari"
        else:
            status = "Belum disampaikan"
        reports.rows.append([None, titles[aid], periode, due, status])
    return reports


def _activities(period, titles, facts) -> Section:
    work = Section(
        "kegiatan",
        "Kegiatan dalam periode",
        "Kegiatan",
        [("No", 5), ("Kesepakatan", 40), ("Tanggal", 14), ("Kegiatan", 36), ("Peserta", 9), ("Status", 14)],
    )
    for aid, day, _d2, jenis, status, peserta, *_rest in facts:
        if period.holds(day):
            work.rows.append([None, titles[aid], day, jenis, peserta, ACTIVITY_STATUS.get(status, status)])
    return work


def _issues(period, as_of, titles, evaluations, actions) -> Section:
    issues = Section(
        "isu",
        "Permasalahan dan tindak lanjut",
        "Permasalahan",
        [("No", 5), ("Kesepakatan", 40), ("Tanggal", 14), ("Permasalahan", 60), ("Keterangan", 30)],
    )
    for aid, day, _d2, temuan, rekomendasi, *_rest in evaluations:
        if period.holds(day):
            issues.rows.append(
                [None, titles[aid], day, temuan, f"Evaluasi: {REKOMENDASI.get(rekomendasi, rekomendasi)}"]
            )
    # one row per action item, naming every agreement of the snapshot its meeting discussed
    open_items: dict[int, list] = {}
    for aid, due, done_on, text, owner, _n, _at, item_id in actions:
        if due is not None and due < as_of and (done_on is None or done_on > as_of):
            row = open_items.setdefault(item_id, [[], due, text, owner])
            row[0].append(titles[aid])
    for names, due, text, owner in open_items.values():
        issues.rows.append(
            [
                None,
                "; ".join(names),
                due,
                f"Tindak lanjut belum selesai: {text}",
                f"{owner or 'tanpa penanggung jawab'}; lewat {(as_of - due).days} hari",
            ]
        )
    return issues


def _uncovered(as_of, rows, titles, facts) -> Section:
    uncovered = Section(
        "tanpa_pks",
        "Ruang lingkup KSB yang belum memiliki PKS",
        "Tanpa PKS",
        [("No", 5), ("KSB", 40), ("Ruang lingkup", 44), ("Dicatat", 14), ("Tanpa PKS (hari)", 16)],
    )
    items: dict[int, list] = {}
    for ksb_id, since, _d2, nama, _t2, linked, created_at, sid in sorted(facts, key=lambda f: f[7]):
        if rows[ksb_id][0].jenis != "KSB":
            continue
        item = items.setdefault(sid, [ksb_id, nama, since or _day(created_at), False])
        live = rows.get(linked)
        if live is not None and live[0].tahap != "dibatalkan":
            item[3] = True
    for ksb_id, nama, since, covered in items.values():
        if not covered and since <= as_of:
            uncovered.rows.append([None, titles[ksb_id], nama, since, (as_of - since).days])
    return uncovered
