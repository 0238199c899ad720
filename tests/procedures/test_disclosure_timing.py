"""Each disclosure step takes its own notice, posted after what it reports (issue 13, point 3): under 四议两公开 the
resolution is posted at 决议公开 and the result at 实施结果公开, never one for the other; a notice posted before
the vote or the residents' confirmation it reports does not complete the step."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import translation

from tests.procedures import flows
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.matters.models import Status
from yishi.notices.models import Notice
from yishi.notices.services import board_of, publish_result
from yishi.plans.services import record_consensus
from yishi.procedures import services as engine

BACKEND = "yishi.people.backends.PhonePasswordBackend"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def at_publish_resolution(p):
    m = engine.advance(actor=p.secretary, matter=flows.four_and_two_voted(p, in_favour=21))
    assert m.step_key == "publish_resolution"
    return m


def post(p, m, kind):
    return publish_result(actor=p.secretary, matter=m, kind=kind, title="公告", body="内容")


def test_the_resolution_step_takes_the_resolution_not_a_result(place):
    m = at_publish_resolution(place)
    with pytest.raises(Refused) as exc:
        post(place, m, "result")
    assert (exc.value.code, exc.value.field) == ("wrong_kind", "kind")
    assert "posts the resolution" in str(exc.value.reason)
    assert not Notice.objects.filter(matter=m, kind__in=["result", "resolution"]).exists()
    post(place, m, "resolution")
    assert engine.advance(actor=place.secretary, matter=m).step_key == "implement"


def test_the_result_step_takes_the_result_posted_after_the_work_is_confirmed(place):
    m = at_publish_resolution(place)
    post(place, m, "resolution")
    engine.advance(actor=place.secretary, matter=m)
    flows.implement_and_confirm(place, m, supervisor=place.resident)
    m = engine.advance(actor=place.secretary, matter=m)
    assert m.step_key == "publish"
    with pytest.raises(Refused) as exc:
        post(place, m, "resolution")  # the resolution's notice is not the result's
    assert exc.value.code == "wrong_kind"
    with pytest.raises(Refused) as exc:
        engine.advance(actor=place.secretary, matter=m)
    assert "The result has not been posted" in str(exc.value.reason)
    post(place, m, "result")
    assert engine.advance(actor=place.secretary, matter=m).status == Status.RESOLVED


def test_a_result_notice_from_before_the_confirmation_does_not_count(place):
    """A notice on the board from before the rule (or put there by hand) is read by its date."""
    m = matters.accept(
        actor=place.secretary,
        matter=flows.raise_flood(place),
        procedure_key="short_path",
        procedure_reason="小修",
    )
    version = flows.plan(place, m)
    flows.session(place, m)
    record_consensus(actor=place.secretary, matter=m, version=version, minutes="分工")
    engine.advance(actor=place.secretary, matter=m)
    work = flows.implement_and_confirm(place, m, supervisor=place.resident)
    work.refresh_from_db()
    Notice.objects.create(
        region=board_of(m.region),
        matter=m,
        kind="result",
        title="提前张贴的结果",
        body="……",
        posted_at=work.confirmed_at - timedelta(days=2),
    )
    m = engine.advance(actor=place.secretary, matter=m)
    with pytest.raises(Refused) as exc:
        engine.advance(actor=place.secretary, matter=m)
    assert "was posted before the residents confirmed the work" in str(exc.value.reason)
    m.refresh_from_db()
    assert m.status == Status.OPEN  # not resolved until the result is posted after the work
    flows.publish(place, m)
    assert engine.advance(actor=place.secretary, matter=m).status == Status.RESOLVED


def test_the_page_offers_only_the_notice_the_step_takes(place):
    m = at_publish_resolution(place)
    staff = Client()
    staff.force_login(place.secretary, backend=BACKEND)
    page = staff.get(f"/m/{m.pk}/").content.decode()
    form = page[page.index('id="id_publish_kind"') :]
    form = form[: form.index("</select>")]
    assert 'value="resolution"' in form and 'value="result"' not in form
    assert "应到30人，实到30人，赞成21人" in page  # the resolution's text starts from the result in words
    sent = staff.post(
        f"/m/{m.pk}/publish/", {"kind": "result", "title": "结果", "body": "内容", "period_days": 10}
    )
    assert sent.status_code == 400
    assert not Notice.objects.filter(matter=m, kind__in=["result", "resolution"]).exists()


def test_the_api_refuses_the_wrong_kind_in_words(place):
    m = at_publish_resolution(place)
    staff = Client()
    staff.force_login(place.secretary, backend=BACKEND)
    answer = staff.post(
        f"/api/v1/matters/{m.pk}/notices",
        {"kind": "result", "title": "结果", "body": "内容"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "wrong_kind"
    assert answer.json()["detail"].startswith("这一步公开的是决议")
