"""Refused attempts leave a trace: every authority check refused while answering a request is in the security
log (who, what, which object, from where), the bureau reads it for its regions, and a burst raises an alarm."""

import json

import pytest
from django.test import Client

from tests import builders
from tests.procedures import flows
from yishi.access.models import RefusedAttempt
from yishi.access.queries import ALARM_ATTEMPTS
from yishi.matters.models import Status
from yishi.people.sms import MemoryBackend


@pytest.fixture
def city_bureau(place):
    person = builders.person("市民政局")
    builders.role(person, "bureau", place.tree.city)
    return person


def signed_in(person, **extra) -> Client:
    client = Client(**extra)
    client.force_login(person)
    return client


def test_a_refused_page_post_is_logged_with_who_what_where_and_address(place):
    m = flows.raise_flood(place)
    client = signed_in(place.other_secretary, REMOTE_ADDR="10.1.2.3")
    response = client.post(f"/m/{m.pk}/screen/", {"decision": "decline", "reason": "不是本社区的事"})
    assert response.status_code == 403
    m.refresh_from_db()
    assert m.status == Status.NEW
    (logged,) = RefusedAttempt.objects.all()
    assert (logged.person, logged.action, logged.target, logged.region, logged.address, logged.path) == (
        place.other_secretary,
        "matters.screen_matter",
        f"matters.matter:{m.pk}",
        m.region,
        "10.1.2.3",
        f"/m/{m.pk}/screen/",
    )


def test_a_refused_api_call_is_logged_too(place):
    m = flows.raise_flood(place)
    client = signed_in(place.other_secretary)
    response = client.post(
        f"/api/v1/matters/{m.pk}/screen",
        json.dumps({"decision": "accept", "procedure": "eight_steps"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert RefusedAttempt.objects.get().action == "matters.screen_matter"


def test_reading_a_page_that_offers_nothing_logs_nothing(place):
    m = flows.raise_flood(place)
    assert signed_in(place.other_secretary).get(f"/m/{m.pk}/").status_code == 200
    assert signed_in(place.resident).get(f"/m/{m.pk}/").status_code == 200
    assert not RefusedAttempt.objects.exists()


def test_what_is_allowed_is_not_logged(place):
    m = flows.raise_flood(place)
    response = signed_in(place.secretary).post(
        f"/m/{m.pk}/screen/", {"decision": "decline", "reason": "属于个人纠纷，请走调解"}
    )
    assert response.status_code == 302
    assert not RefusedAttempt.objects.exists()


def test_a_burst_of_refusals_tells_the_bureau_once(place, city_bureau, django_capture_on_commit_callbacks):
    m = flows.raise_flood(place)
    client = signed_in(place.other_secretary)
    MemoryBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(ALARM_ATTEMPTS + 5):
            client.post(f"/m/{m.pk}/screen/", {"decision": "decline", "reason": "试试"})
    assert RefusedAttempt.objects.count() == ALARM_ATTEMPTS + 5
    (alarm,) = [msg.text for msg in MemoryBackend.outbox if msg.phone == city_bureau.phone]
    assert "艾丽丽" in alarm and f"{ALARM_ATTEMPTS}次" in alarm and "安全日志" in alarm
    assert city_bureau.notifications.get().link == "/security/refused/"


def test_the_bureau_reads_the_log_for_its_regions_and_no_one_else_reads_it(place, city_bureau):
    m = flows.raise_flood(place)
    signed_in(place.other_secretary).post(f"/m/{m.pk}/screen/", {"decision": "decline", "reason": "试试"})

    page = signed_in(city_bureau).get("/security/refused/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "安全日志" in text and "艾丽丽" in text and "研究协商议题" in text and "万泰丽景小区" in text

    sibling_district_bureau = builders.person("新华区民政局")
    builders.role(sibling_district_bureau, "bureau", place.tree.other_district)
    assert "艾丽丽" not in signed_in(sibling_district_bureau).get("/security/refused/").content.decode()

    assert signed_in(place.secretary).get("/security/refused/").status_code == 403
    assert signed_in(place.resident).get("/security/refused/").status_code == 403
    assert Client().get("/security/refused/").status_code == 302


def test_every_action_has_a_name_people_read():
    from yishi.access.roles import ACTION_LABELS, ACTIONS

    assert set(ACTION_LABELS) == set(ACTIONS)
