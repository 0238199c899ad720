"""The statutory disclosure rhythm: finances monthly, general affairs quarterly, through the real worker."""

import datetime

from tests.reminders.worker import schedule_and_run, sms_to, through_the_worker
from yishi.reminders.services import disclosures_due


def test_finances_are_due_on_the_first_of_each_month_and_affairs_each_quarter():
    assert disclosures_due(datetime.date(2026, 3, 15)) == []
    assert disclosures_due(datetime.date(2026, 3, 1)) == [("finances", "2026-02")]
    assert disclosures_due(datetime.date(2026, 1, 1)) == [("finances", "2025-12"), ("affairs", "2025-Q4")]
    assert disclosures_due(datetime.date(2026, 7, 1)) == [("finances", "2026-06"), ("affairs", "2026-Q2")]


@through_the_worker
def test_each_committee_member_is_reminded_once_per_period(place):
    first_of_april = datetime.date(2026, 4, 1)
    schedule_and_run(first_of_april)
    texts = sms_to(place.secretary)
    assert len(texts) == 2 and "2026-03" in texts[0] + texts[1] and "2026-Q1" in texts[0] + texts[1]
    schedule_and_run(first_of_april)  # the same day again: nothing twice
    assert len(sms_to(place.secretary)) == 2
    assert sms_to(place.resident) == []
    schedule_and_run(datetime.date(2026, 4, 2))  # not a disclosure day
    assert len(sms_to(place.secretary)) == 2
