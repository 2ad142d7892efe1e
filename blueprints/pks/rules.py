"""Rules marked (unverified) in docs/pks.md §7: warnings by default, switchable to blocking by an admin.

The switch lives in the ``pks_rule_setting`` table (one row per regency and switched rule), so it survives
restarts and is changed from the page /pks/aturan without a deploy. Each regency's admin switches its own
regency's rules; a check on an agreement applies the strictest switches of its party regencies (and of the
initiator and of the user who acts): blocking if any of them made the rule blocking.
"""

import re
from dataclasses import dataclass

from flask import abort, url_for
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from blueprints.auth.models import Organisation
from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome
from blueprints.core.versioning import ConflictRow, is_stale

from .models import Party, ReminderContact, ReminderContactOrg, RuleSetting
from .saving import refused, refused_as_one, saved, stale_outcome


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    source: str  # the article (pasal) it comes from, and how sure we are


RULES = {
    r.code: r
    for r in [
        Rule(
            "durasi_5_tahun",
            "Jangka waktu lebih dari 5 tahun",
            "Permendagri 22/2020 tentang Tata Cara KSDD (pasal belum diperiksa; batas 5 tahun belum diverifikasi)",
        ),
        Rule(
            "melewati_ksb",
            "PKS berakhir setelah Kesepakatan Bersama berakhir",
            "Permendagri 22/2020 (belum diverifikasi: apakah PKS boleh melewati masa KSB)",
        ),
        Rule(
            "klausul",
            "Klausul wajib belum lengkap di daftar periksa",
            "PP 28/2018 Ps. 6(4) jo. Permendagri 22/2020 bagian Naskah Kerja Sama (daftar isi belum diverifikasi)",
        ),
        Rule(
            "rpjmd",
            "Objek tidak tercantum di RPJMD maupun RKPD",
            "Permendagri 22/2009 Lampiran I (preseden 2009, sudah dicabut; belum diverifikasi untuk 2020)",
        ),
        Rule(
            "tembusan",
            "Surat penawaran tanpa tembusan kepada Gubernur",
            "Permendagri 22/2009 Lampiran I (preseden 2009: tembusan kepada Gubernur, Mendagri, kementerian terkait "
            "dan DPRD; belum diverifikasi untuk 2020)",
        ),
    ]
}


@dataclass(frozen=True)
class RuleHit:
    rule: Rule
    message: str
    blocking: bool

    @property
    def text(self) -> str:
        return f"{self.message} (Sumber: {self.rule.source})"


def _regency_of(user) -> int | None:
    if user is None:
        from flask import has_request_context
        from flask_login import current_user

        user = current_user if has_request_context() else None
    return getattr(user, "regency_id", None)


def blocking_codes(user=None, regency_id: int | None = None, agreement_id: int | None = None) -> set[str]:
    """The rules blocking for the regency of ``user`` (default: the logged-in user), and for ``regency_id`` (the
    agreement's initiator, also for a step taken outside a request), and for every party regency of
    ``agreement_id``: the strictest of them, so a rule one party regency made blocking blocks whichever
    regency's officer acts on the shared agreement. One statement; none without a regency."""
    rids = {rid for rid in (_regency_of(user), regency_id) if rid is not None}
    where = RuleSetting.regency_id.in_(rids) if rids else None
    if agreement_id is not None:
        parties = select(Party.regency_id).where(
            Party.agreement_id == agreement_id, Party.regency_id.is_not(None)
        )
        in_parties = RuleSetting.regency_id.in_(parties)
        where = in_parties if where is None else or_(where, in_parties)
    if where is None:
        return set()
    return set(db.session.scalars(select(RuleSetting.code).where(where, RuleSetting.blocking.is_(True))))


def hit(code: str, message: str, blocking: set[str]) -> RuleHit:
    return RuleHit(RULES[code], message, code in blocking)


def rule_setting(code: str, regency_id: int | None) -> RuleSetting:
    """The regency's stored switch of ``code``, or an unsaved one at version 0 for a rule never switched there (the
    rules page posts that version, so two admins switching the same rule cannot overwrite each other unseen)."""
    row = db.session.get(RuleSetting, (regency_id, code)) if regency_id is not None else None
    return row or RuleSetting(regency_id=regency_id, code=code, blocking=False, version=0)


def rule_settings(regency_id: int | None) -> dict[str, RuleSetting]:
    """``rule_setting`` of every rule for the regency, in one statement (the rules page lists them all)."""
    stored = {}
    if regency_id is not None:
        stored = {
            row.code: row
            for row in db.session.scalars(select(RuleSetting).where(RuleSetting.regency_id == regency_id))
        }
    return {
        code: stored.get(code) or RuleSetting(regency_id=regency_id, code=code, blocking=False, version=0)
        for code in RULES
    }


def set_blocking(code: str, blocking: bool, user_id: int | None, regency_id: int) -> None:
    if code not in RULES:
        raise KeyError(code)
    row = db.session.get(RuleSetting, (regency_id, code))
    if row is None:
        row = RuleSetting(regency_id=regency_id, code=code)
        db.session.add(row)
    row.blocking = blocking
    row.changed_by_id = user_id
    db.session.flush()


def switch(code: str, blocking: bool, user) -> bool:
    """An admin makes rule ``code`` blocking or a warning again for the admin's own regency, audited. False when
    another admin switched it for the first time at the same moment (nothing written; the caller answers 409)."""
    try:
        set_blocking(code, blocking, getattr(user, "id", None), user.regency_id)
    except IntegrityError:
        db.session.rollback()
        return False
    audit.record(
        "update",
        "pks_rule",
        f"{user.regency_id}:{code}",
        f"aturan {code} (wilayah #{user.regency_id}): {'memblokir' if blocking else 'peringatan'}",
        user=user,
    )
    return True


UNKNOWN_RULE = "Aturan tidak dikenali. Muat ulang halaman lalu coba lagi."
NO_REGENCY = "Aturan berlaku per kabupaten: hanya admin sebuah kabupaten yang dapat mengubahnya."


def switch_from_form(form, user) -> Outcome:
    """The rules page's form (posted by an admin): a known rule, on the version it was shown at, then valid.
    Another admin's first switch of the same rule at the same moment answers 409."""
    if form.code.data not in RULES:
        return refused(None, UNKNOWN_RULE)
    if user.regency_id is None:
        return refused(None, NO_REGENCY)
    row = rule_setting(form.code.data, user.regency_id)
    url = url_for("pks.rules")
    if stale := stale_outcome(form, row, url=url, current={"blocking": "1" if row.blocking else "0"}):
        return stale
    if not form.validate():
        return refused_as_one(form)
    if not switch(form.code.data, form.blocking.data == "1", user):
        abort(409)  # nothing was written; the page of the race, as for any other 409
    return saved(row, url, "Aturan disimpan.")


def reminder_contact(regency_id: int | None) -> ReminderContact:
    """The regency's reminder address, or an unsaved one at version 0 when never set."""
    row = db.session.get(ReminderContact, regency_id) if regency_id is not None else None
    return row or ReminderContact(regency_id=regency_id, email="", version=0)


def save_contact(form, user) -> Outcome:
    """A regency admin sets where the regency's Kerja Sama reminders are e-mailed, on the version shown."""
    if user.regency_id is None:
        return refused(None, NO_REGENCY)
    row = reminder_contact(user.regency_id)
    url = url_for("pks.rules")
    if stale := stale_outcome(form, row, url=url):
        return stale
    if not form.validate():
        return refused(form)
    if row.version == 0:
        row = ReminderContact(regency_id=user.regency_id)
        db.session.add(row)
    row.email = form.email.data or ""
    row.changed_by_id = user.id
    try:
        db.session.flush()
    except IntegrityError:  # another admin set it first at the same moment
        db.session.rollback()
        abort(409)
    audit.record(
        "update", "pks_reminder_contact", user.regency_id, "alamat e-mail pengingat kerja sama", user=user
    )
    return saved(row, url, "Alamat e-mail pengingat disimpan.")


def opd_contacts(regency_id: int | None) -> list[tuple[Organisation, ReminderContactOrg]]:
    """The OPDs of the regency (not its Bagian Kerjasama, whose address is the regency's, nor the health
    facilities) by name, each with its reminder address (an unsaved one at version 0 when never set): one
    statement."""
    if regency_id is None:
        return []
    stmt = (
        select(Organisation, ReminderContactOrg)
        .outerjoin(ReminderContactOrg, ReminderContactOrg.organisation_id == Organisation.id)
        .where(
            Organisation.regency_id == regency_id,
            Organisation.kind != "kerjasama",
            Organisation.facility_level.is_(None),
        )
        .order_by(Organisation.name, Organisation.id)
    )
    return [
        (org, row or ReminderContactOrg(organisation_id=org.id, email="", version=0))
        for org, row in db.session.execute(stmt)
    ]


FOREIGN_FIELD = re.compile(r"^o-[ev](\d+)$")


def save_opd_contacts(form, opds, posted_names, user) -> Outcome:
    """A regency admin sets where each OPD of the regency receives its Kerja Sama reminders (``form``: the
    ``opd_contact_form`` of ``opds``, filled from the POST). An address posted for an organisation that is not
    one of these OPDs (another regency's, a facility) answers 404. Each changed address is checked against the
    version it was shown at: one changed meanwhile answers the conflict page (``data["rows"]``: what is stored,
    what was typed; ``data["versions"]``: the current versions to post again). Unchanged ones are left alone."""
    own = {org.id for org, _row in opds}
    for name in posted_names:
        if (m := FOREIGN_FIELD.match(name)) and int(m.group(1)) not in own:
            abort(404)
    url = url_for("pks.rules")
    changed = [(org, row) for org, row in opds if (form[f"e{org.id}"].data or "") != row.email]
    stale = [(org, row) for org, row in changed if is_stale(row, form[f"v{org.id}"].data)]
    if stale:
        rows = [ConflictRow(org.name, row.email or "—", form[f"e{org.id}"].data or "—") for org, row in stale]
        versions = {f"o-v{org.id}": str(row.version) for org, row in opds}
        return Outcome(stale=True, data={"url": url, "rows": rows, "versions": versions})
    if not form.validate():
        return refused(form)
    if not changed:
        return Outcome(repeated=True, data={"url": url})
    for org, row in changed:
        if row.version == 0:
            row = ReminderContactOrg(organisation_id=org.id)
            db.session.add(row)
        row.email = form[f"e{org.id}"].data or ""
        row.changed_by_id = user.id
        audit.record(
            "update",
            "pks_reminder_contact_org",
            org.id,
            f"alamat e-mail pengingat kerja sama {org.name}",
            user=user,
        )
    try:
        db.session.flush()
    except IntegrityError:  # another admin set one first at the same moment
        db.session.rollback()
        abort(409)
    return saved(changed[0][1], url, "Alamat e-mail pengingat OPD disimpan.")
