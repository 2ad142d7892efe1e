"""The admin's switches of the unverified rules (docs/pks.md §7; the rules are in ``pks/rules.py``)."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from blueprints.core.extensions import db
from blueprints.core.timeutil import UTCDateTime, utcnow
from blueprints.core.versioning import Versioned


class RuleSetting(Versioned, db.Model):
    """An admin's switch of an (unverified) rule from warning to blocking."""

    __tablename__ = "pks_rule_setting"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    blocking: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
