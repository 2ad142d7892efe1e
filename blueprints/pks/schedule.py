"""The daily reminder run (``reminders.run_reminders``, docs/pks.md §6.4) as a periodic task of the background
worker (core.jobs): every day at 08:00 WIB, the same as ``flask pks reminders`` from cron. It records each due
reminder once; it delivers nothing (no e-mail or message: the pages show the reminders)."""

import logging

from huey import crontab

from blueprints.core import jobs
from blueprints.core.extensions import db
from blueprints.core.timeutil import today_local

from .reminders import run_reminders

_log = logging.getLogger(__name__)


def record_todays_reminders() -> int:
    new = run_reminders(today_local())
    db.session.commit()
    return len(new)


@jobs.periodic
def daily_reminders(app, huey):
    @huey.periodic_task(crontab(hour="1", minute="0"), name="pks.daily_reminders")  # 01:00 UTC = 08:00 WIB
    def pks_daily_reminders():
        with app.app_context():
            _log.info("PKS reminders: %s new", record_todays_reminders())

    return pks_daily_reminders
