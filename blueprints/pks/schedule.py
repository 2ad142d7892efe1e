"""The daily reminder run (``reminders.run_reminders``, docs/pks.md §6.4) as a periodic task of the background
worker (core.jobs): every day at 08:00 WIB, the same as ``flask pks reminders`` from cron. It records each due
reminder once and hands it to its recipients (reminders.deliver_reminders): in-app notifications, and e-mails
sent by the worker after the commit."""

import logging

from huey import crontab

from blueprints import notify
from blueprints.core import jobs
from blueprints.core.extensions import db
from blueprints.core.timeutil import today_local

from .reminders import run_reminders

_log = logging.getLogger(__name__)


def record_todays_reminders() -> int:
    new = run_reminders(today_local())
    db.session.commit()
    notify.send_pending()
    return len(new)


@jobs.periodic
def daily_reminders(app, huey):
    @huey.periodic_task(crontab(hour="1", minute="0"), name="pks.daily_reminders")  # 01:00 UTC = 08:00 WIB
    def pks_daily_reminders():
        with app.app_context():
            _log.info("PKS reminders: %s new", record_todays_reminders())

    return pks_daily_reminders
