"""The temporary area: the parsed rows of an upload live server-side under UPLOAD_DIR, keyed by a random
token, between the upload, the column-mapping step and the dry run; never in the cookie session."""

import contextlib
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import url_for

from blueprints.core import submission
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome
from blueprints.core.uploads import upload_area

from .read import ImportFileError, Sheet, guess_mapping, read_upload

KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,40}")


def _area() -> Path:
    return upload_area("sidilan_import")


def _sweep(area: Path) -> None:
    """Uploads are personal data: drop the ones nobody finished within a day."""
    limit = time.time() - KEEP_SECONDS
    for p in [*area.glob("*.json"), *area.glob("*.dry")]:
        try:
            if p.stat().st_mtime < limit:
                p.unlink()
        except OSError:
            pass


@dataclass
class Pending:
    token: str
    user_id: int
    regency_id: int
    sheet: Sheet
    mapping: dict[str, int] = field(default_factory=dict)
    mapped: bool = False
    source: str = "impor_sidilan"  # sumber_data of the created records
    default_reason: str | None = None  # the no-NIK reason of a row that gives none (mapping step)
    decisions: dict[str, str] = field(default_factory=dict)  # proposed matches: file row -> 'sama' / 'beda'

    def save(self) -> None:
        path = _area() / f"{self.token}.json"
        payload = {
            "user_id": self.user_id,
            "regency_id": self.regency_id,
            "sheet": self.sheet.to_json(),
            "mapping": self.mapping,
            "mapped": self.mapped,
            "source": self.source,
            "default_reason": self.default_reason,
            "decisions": self.decisions,
        }
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload), encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(path)

    def discard(self) -> None:
        for suffix in (".json", ".dry"):
            with contextlib.suppress(OSError):
                (_area() / f"{self.token}{suffix}").unlink()


def create_pending(sheet: Sheet, user) -> Pending:
    area = _area()
    _sweep(area)
    pending = Pending(
        token=secrets.token_urlsafe(18),
        user_id=user.id,
        regency_id=user.regency_id,
        sheet=sheet,
        mapping=guess_mapping(sheet.headers),
    )
    pending.save()
    return pending


def load_pending(token: str, user) -> Pending | None:
    """The pending upload of this user, or None (unknown, expired, or someone else's)."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    path = _area() / f"{token}.json"
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if payload.get("user_id") != user.id or payload.get("regency_id") != user.regency_id:
        return None
    return Pending(
        token=token,
        user_id=payload["user_id"],
        regency_id=payload["regency_id"],
        sheet=Sheet.from_json(payload["sheet"]),
        mapping={k: int(v) for k, v in payload.get("mapping", {}).items()},
        mapped=payload.get("mapped", False),
        source=payload.get("source", "impor_sidilan"),
        default_reason=payload.get("default_reason"),
        decisions=payload.get("decisions") or {},
    )


def upload_import(form, user) -> Outcome:
    """Read an uploaded spreadsheet into the temporary area. The key is claimed before the file is written,
    so a replayed upload stores nothing twice and lands on the first upload's column mapping."""
    if not form.validate():
        return Outcome()
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    upload = form.berkas.data
    try:
        sheet = read_upload(upload.filename or "", upload.read())
    except ImportFileError as exc:
        db.session.rollback()
        form.berkas.errors.append(str(exc))
        return Outcome()
    pending = create_pending(sheet, user)
    submission.remember(form.submission_key.data, url_for("sidilan.import_mapping", token=pending.token))
    db.session.commit()
    return Outcome(record=pending)
