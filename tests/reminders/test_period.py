"""The week a progress report covers."""

import datetime

from yishi.reminders.services import report_period


def test_the_report_period_is_the_last_full_week():
    wednesday = datetime.date(2025, 10, 15)
    assert report_period(wednesday) == (datetime.date(2025, 10, 6), datetime.date(2025, 10, 12))
    monday = datetime.date(2025, 10, 13)
    assert report_period(monday) == (datetime.date(2025, 10, 6), datetime.date(2025, 10, 12))
