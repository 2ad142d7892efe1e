"""Scale data for the job pages: many finished and some running jobs of one busy user, and a few of everyone
else, so "Pekerjaan saya" pages and the job page are timed on a full table. ``build()`` runs inside an app
context on an app holding the demo data (bench/_setup.py)."""

import random
from datetime import timedelta

from sqlalchemy import insert, select

from blueprints.auth.models import User
from blueprints.core.extensions import db
from blueprints.core.jobs import DONE, FAILED, RUNNING, Job
from blueprints.core.timeutil import utcnow

BUSY_USER = "operator.solok"


def build(seed: int = 12, scale: float = 1.0) -> dict:
    rng = random.Random(seed)
    users = dict(db.session.execute(select(User.username, User.id)).all())
    busy = users[BUSY_USER]
    others = [uid for name, uid in users.items() if name != BUSY_USER]
    now = utcnow()
    rows = []
    for i in range(int(5000 * scale)):
        owner = busy if i % 5 == 0 else rng.choice(others)
        status = rng.choices((DONE, FAILED, RUNNING), (90, 8, 2))[0]
        created = now - timedelta(minutes=5 * i)
        rows.append(
            {
                "owner_id": owner,
                "kind": "sidilan_export",
                "label": f"Ekspor daftar SIDILAN Solok (CSV) {i}",
                "params_json": "{}",
                "status": status,
                "done": 2000 if status == DONE else rng.randrange(2000),
                "total": 2000,
                "message": "",
                "audit_action": "export",
                "record_type": "sidilan_person",
                "created_at": created,
                "started_at": created,
                "finished_at": None if status == RUNNING else created + timedelta(seconds=30),
            }
        )
    for start in range(0, len(rows), 1000):
        db.session.execute(insert(Job), rows[start : start + 1000])
    db.session.commit()
    newest = db.session.scalar(
        select(Job.id).where(Job.owner_id == busy).order_by(Job.created_at.desc(), Job.id.desc()).limit(1)
    )
    return {"job_user": BUSY_USER, "job_id": newest, "jobs": len(rows)}
