"""The weekly progress report (进展通报): drafted by the worker per community, for its staff to post."""

from django.test import Client

from tests.reminders.worker import days, implementing, schedule_and_run, sms_to, task, through_the_worker
from yishi.reminders.models import Notification, ProgressDraft
from yishi.reminders.services import report_period

pytestmark = through_the_worker

BACKEND = "yishi.people.backends.PhonePasswordBackend"


def as_(person) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person, backend=BACKEND)
    return client


def test_a_draft_lists_the_communitys_matters_and_its_committee_is_told(place):
    m = implementing(place)
    task(place, m, place.today + days(20), title="维修坑洼路面")
    task(place, m, place.today + days(20), title="更换路灯")
    next_week = place.today + days(7)

    schedule_and_run(next_week)

    (draft,) = ProgressDraft.objects.all()
    assert draft.region == place.tree.community
    assert (draft.period_start, draft.period_end) == report_period(next_week)
    assert (
        "丽景社区" in draft.title
        and "小区西侧小路积水" in draft.body
        and "0" in draft.body
        and "2" in draft.body
    )
    assert draft.matters == 1
    (note,) = Notification.objects.filter(person=place.secretary, key__startswith="progress-draft")
    assert note.link == f"/notifications/drafts/{draft.pk}/"
    assert len([t for t in sms_to(place.secretary) if "丽景社区" in t]) == 1
    # The sibling community has nothing to report, so nothing is drafted or sent there.
    assert not Notification.objects.filter(person=place.other_secretary).exists()


def test_the_draft_is_drafted_once_per_week_and_not_posted(place):
    from yishi.notices.models import Notice, NoticeKind

    implementing(place)
    # Monday and Tuesday of next week: two runs in one week, whatever day the test runs on.
    next_monday = place.today + days(7 - place.today.weekday())

    schedule_and_run(next_monday)
    schedule_and_run(next_monday + days(1))

    assert ProgressDraft.objects.count() == 1
    assert not Notice.objects.filter(kind=NoticeKind.PROGRESS).exists()
    assert Notification.objects.filter(person=place.secretary, key__startswith="progress-draft").count() == 1


def test_the_draft_page_is_for_the_communitys_staff_only(place):
    implementing(place)
    schedule_and_run(place.today + days(7))
    draft = ProgressDraft.objects.get()
    url = f"/notifications/drafts/{draft.pk}/"

    page = as_(place.secretary).get(url)
    assert page.status_code == 200 and "小区西侧小路积水" in page.content.decode()
    for other in (place.other_secretary, place.outsider, place.fire_staff):
        assert as_(other).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
