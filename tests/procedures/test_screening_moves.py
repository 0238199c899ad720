"""Screening moves a matter through the engine too: accepting starts its procedure; declining, referring and
merging close it. Each is a transition row, an audit entry and news for the matter's people, like every move."""

import pytest
from django.utils import translation

from tests import builders
from tests.procedures import flows
from yishi.audit.actions import MOVE_ACTIONS
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.matters.models import Matter, Status
from yishi.procedures import services as engine
from yishi.procedures.models import Transition, TransitionKind
from yishi.reminders.models import Notification


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def entries(matter, action):
    return list(AuditEntry.objects.filter(action=action, target_id=str(matter.pk)))


def duplicate(place, submitter=None):
    return matters.record_matter(
        actor=place.secretary,
        region=place.tree.compound,
        category=place.category,
        channel="visit",
        title="西侧路积水",
        description="同一问题",
        submitter=submitter,
    )


def test_a_merged_duplicate_has_a_transition_an_audit_entry_and_its_people_are_told_once(place):
    first = flows.raise_flood(place)
    second = duplicate(place, submitter=place.neighbour)
    supporter = builders.person("第三人")
    matters.support(actor=supporter, matter=second)

    merged = matters.merge(actor=place.secretary, matter=second, into=first, reason="同一段路")

    (t,) = Transition.objects.filter(matter=second)
    assert (t.kind, t.actor, t.reason, t.from_step, t.to_step) == (
        TransitionKind.MERGE,
        place.secretary,
        "同一段路",
        "",
        "",
    )
    (entry,) = entries(second, MOVE_ACTIONS["merge"])
    assert entry.data["merged_into"] == first.pk and entry.data["status"] == Status.MERGED
    assert Matter.objects.get(pk=merged.pk).status == Status.MERGED
    for person in (place.neighbour, supporter):
        (told,) = Notification.objects.filter(person=person)
        assert "西侧路积水" in told.text and "小区西侧小路积水" in told.text
        assert told.link == f"/m/{first.pk}/"
    # The matter it joined has moved nowhere: its own people hear nothing of the merge.
    assert not Notification.objects.filter(person=place.resident).exists()


def test_an_open_matter_merged_leaves_its_step_through_the_engine(place):
    first = flows.raise_flood(place)
    second = matters.accept(actor=place.secretary, matter=duplicate(place), procedure_key="eight_steps")

    matters.merge(actor=place.secretary, matter=second, into=first)

    t = Transition.objects.filter(matter=second).last()
    assert (t.kind, t.procedure_key, t.from_step, t.to_step) == ("merge", "eight_steps", "ideas", "ideas")
    assert "小区西侧小路积水" in t.reason  # the default reason names the matter it joined
    assert Matter.objects.get(pk=second.pk).closed_at is not None


def test_a_refused_merge_writes_nothing_and_tells_no_one(place):
    first = flows.raise_flood(place)
    second = duplicate(place, submitter=place.neighbour)
    with pytest.raises(Refused) as exc:
        matters.merge(actor=place.other_secretary, matter=second, into=first)
    assert exc.value.code == Refused.FORBIDDEN
    with pytest.raises(Refused) as exc:
        matters.merge(actor=place.secretary, matter=second, into=second)
    assert exc.value.code == "invalid_merge_target"
    assert not Transition.objects.filter(matter=second).exists()
    assert not entries(second, MOVE_ACTIONS["merge"])
    assert not Notification.objects.filter(person=place.neighbour).exists()
    assert Matter.objects.get(pk=second.pk).status == Status.NEW


@pytest.mark.parametrize(
    ("decide", "kind", "status"),
    [
        (
            lambda p, m: matters.decline(actor=p.secretary, matter=m, reason="属于个人纠纷"),
            "decline",
            "declined",
        ),
        (lambda p, m: matters.refer(actor=p.secretary, matter=m, to="运河区住建局"), "refer", "referred"),
    ],
)
def test_declining_and_referring_are_moves_with_a_transition_an_entry_and_news_for_the_submitter(
    place, decide, kind, status
):
    m = decide(place, flows.raise_flood(place))

    (t,) = Transition.objects.filter(matter=m)
    assert (t.kind, t.actor) == (kind, place.secretary)
    assert entries(m, MOVE_ACTIONS[kind])  # the names screening's entries have always had
    assert (m.status, Matter.objects.get(pk=m.pk).status) == (status, status)
    (told,) = Notification.objects.filter(person=place.resident)
    assert "小区西侧小路积水" in told.text


def test_the_matter_page_shows_a_close_at_screening_once(place, client):
    m = matters.decline(actor=place.secretary, matter=flows.raise_flood(place), reason="属于个人纠纷")

    page = client.get(f"/m/{m.pk}/").content.decode()

    timeline = page.split('class="timeline"')[1].split("</ol>")[0]
    assert timeline.count("<li>") == 2  # raised, declined


def test_start_checks_authority_itself_and_writes_nothing_when_refused(place):
    m = flows.raise_flood(place)
    for who in (place.resident, place.council, place.other_secretary):
        with pytest.raises(Refused) as exc:
            engine.start(actor=who, matter=m, procedure_key="eight_steps")
        assert exc.value.code == Refused.FORBIDDEN
    assert not Transition.objects.filter(matter=m).exists()
    assert Matter.objects.get(pk=m.pk).status == Status.NEW


def test_start_moves_a_matter_waiting_for_screening_only_once(place):
    m = flows.raise_flood(place)
    started = engine.start(actor=place.secretary, matter=m, procedure_key="eight_steps")
    assert (started.status, started.step_key) == (Status.OPEN, "raise")
    with pytest.raises(Refused) as exc:
        engine.start(actor=place.secretary, matter=m, procedure_key="short_path", reason="小事")
    assert exc.value.code == "already_screened"
    assert Transition.objects.filter(matter=m, kind="start").count() == 1
