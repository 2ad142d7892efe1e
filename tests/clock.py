"""The one place the suite takes 'now' from. The whole session runs on a pinned clock (time-machine, ticking
from 10:00 WIB of ``TODAY``), so no test and no demo reads the wall clock.

``SINERGI_TEST_TODAY=YYYY-MM-DD`` pins another day: `.ci/run` runs the date-sensitive tests (marker ``dates``)
on the first and the last day of a month, on 31 December and on 29 February of a leap year.
"""

import os
from datetime import date, datetime, time

from blueprints.core.timeutil import WIB

TODAY = date.fromisoformat(os.environ.get("SINERGI_TEST_TODAY") or "2026-11-28")
NOW = datetime.combine(TODAY, time(10, 0), tzinfo=WIB)
BOUNDARY_DAYS = ("2027-01-01", "2026-11-30", "2026-12-31", "2028-02-29")
