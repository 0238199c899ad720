"""The eight-step procedure walked to the end, each guard and each return."""

import pytest
from django.utils import translation

from tests.procedures import flows
from yishi.audit.models import AuditEntry
from yishi.audit.services import verify
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.matters.models import Status
from yishi.procedures import services as engine
from yishi.procedures.models import Transition
from yishi.reviews.services import submit_review
from yishi.votes.tallies import record_result


@pytest.fixture(autouse=True)
def _english():
    """Reasons are composed in the active language when refused; these tests read them in English."""
    with translation.override("en"):
        yield


def english(exc_info) -> str:
    return str(exc_info.value.reason)


def accepted(p):
    m = flows.raise_flood(p)
    return matters.accept(
        actor=p.secretary, matter=m, procedure_key="eight_steps", stakeholders="万泰丽景小区居民"
    )


def test_accepting_a_matter_completes_the_raise_step(place):
    m = accepted(place)
    assert (m.status, m.step_key) == (Status.OPEN, "ideas")
    kinds = list(Transition.objects.filter(matter=m).values_list("kind", "from_step", "to_step"))
    assert kinds == [("start", "", "raise"), ("advance", "raise", "ideas")]


def test_the_whole_eight_steps_end_resolved_with_every_move_audited(place):
    m = accepted(place)
    flows.to_review(place, m)
    flows.approve(place, m)
    flows.vote(place, m, in_favour=20)
    engine.advance(actor=place.secretary, matter=m)
    flows.implement_and_confirm(place, m, supervisor=place.resident)
    engine.advance(actor=place.secretary, matter=m)
    flows.publish(place, m)
    m = engine.advance(actor=place.secretary, matter=m)
    assert m.status == Status.RESOLVED
    steps = [t.to_step for t in Transition.objects.filter(matter=m)]
    assert steps == [
        "raise",
        "ideas",
        "draft",
        "consensus",
        "review",
        "vote",
        "implement",
        "publish",
        "publish",
    ]
    assert AuditEntry.objects.filter(action__startswith="procedures.", target_id=str(m.pk)).count() == 9
    assert verify() is None


def test_advancing_without_a_session_is_refused_in_plain_words(place):
    m = accepted(place)
    with pytest.raises(Refused) as exc:
        engine.advance(actor=place.secretary, matter=m)
    assert exc.value.code == "evidence_missing"
    assert "No consultation session" in english(exc)
    m.refresh_from_db()
    assert m.step_key == "ideas"


def test_the_vote_cannot_be_reached_without_an_approved_review(place):
    m = accepted(place)
    flows.to_review(place, m)
    with pytest.raises(Refused) as exc:
        engine.advance(actor=place.secretary, matter=m)
    assert exc.value.code == "evidence_missing"
    assert "expert review has not approved" in english(exc)
    with pytest.raises(Refused) as exc:
        record_result(
            actor=place.secretary, matter=m, electorate=30, present=30, in_favour=30, against=0, abstain=0
        )
    assert exc.value.code == "wrong_step"


def test_implementation_cannot_be_reached_without_a_passed_vote(place):
    m = accepted(place)
    flows.to_review(place, m)
    flows.approve(place, m)
    with pytest.raises(Refused) as exc:
        engine.advance(actor=place.secretary, matter=m)
    assert "have not voted" in english(exc)


def test_a_rejected_review_returns_the_matter_to_drafting(place):
    m = accepted(place)
    flows.to_review(place, m)
    submit_review(actor=place.lawyer, matter=m, decision="reject", opinion="费用分摊缺少依据。")
    m.refresh_from_db()
    assert m.step_key == "draft"
    last = Transition.objects.filter(matter=m).last()
    assert (last.kind, last.reason) == ("return", "费用分摊缺少依据。")


def test_a_revised_version_goes_back_through_consensus_and_review(place):
    m = accepted(place)
    flows.to_review(place, m)
    submit_review(actor=place.lawyer, matter=m, decision="changes", opinion="请写明施工时间。")
    m.refresh_from_db()
    assert m.step_key == "draft"
    v2 = flows.plan(place, m)
    assert v2.number == 2
    engine.advance(actor=place.secretary, matter=m)
    with pytest.raises(Refused):  # consensus named version 1, not the revision
        engine.advance(actor=place.secretary, matter=m)


def test_nineteen_of_thirty_fails_and_returns_to_drafting_twenty_passes(place):
    m = accepted(place)
    flows.to_review(place, m)
    flows.approve(place, m)
    result = flows.vote(place, m, in_favour=19)
    m.refresh_from_db()
    assert not result.passed and m.step_key == "draft"
    reason = Transition.objects.filter(matter=m).last().reason
    assert "19" in reason and "30" in reason and "20" in reason


def test_vote_counts_that_do_not_add_up_are_refused_and_nothing_is_saved(place):
    m = accepted(place)
    flows.to_review(place, m)
    flows.approve(place, m)
    with pytest.raises(Refused) as exc:
        record_result(
            actor=place.secretary, matter=m, electorate=30, present=20, in_favour=15, against=10, abstain=0
        )
    assert exc.value.code == "votes_exceed_present"
    assert not m.vote_results.exists()


def test_two_clicks_on_advance_the_second_is_refused_as_stale(place):
    m = accepted(place)
    flows.session(place, m)
    engine.advance(actor=place.secretary, matter=m, expected_step="ideas")
    with pytest.raises(Refused) as exc:
        engine.advance(actor=place.secretary, matter=m, expected_step="ideas")
    assert exc.value.code == "stale_step"


def test_a_sibling_communitys_secretary_cannot_move_the_matter(place):
    m = accepted(place)
    flows.session(place, m)
    with pytest.raises(Refused) as exc:
        engine.advance(actor=place.other_secretary, matter=m)
    assert exc.value.code == "forbidden"


def test_withdraw_by_the_committee_and_close_unresolved_by_staff_need_reasons(place):
    m = accepted(place)
    with pytest.raises(Refused):
        engine.withdraw(actor=place.secretary, matter=m, reason="")
    m = engine.withdraw(actor=place.secretary, matter=m, reason="提出人已自行解决，申请撤回")
    assert m.status == Status.WITHDRAWN
    m2 = matters.accept(actor=place.secretary, matter=flows.raise_flood(place), procedure_key="eight_steps")
    with pytest.raises(Refused):
        engine.withdraw(actor=place.neighbour, matter=m2, reason="不想办")
    m2 = engine.close_unresolved(actor=place.secretary, matter=m2, reason="超出社区职权，已向上级反映")
    assert m2.status == Status.UNRESOLVED and m2.public_reason


def test_the_submitter_is_told_of_each_move_after_it_is_committed(place, django_capture_on_commit_callbacks):
    from yishi.people.sms import MemoryBackend

    m = flows.raise_flood(place, back_to_back=True)
    with django_capture_on_commit_callbacks(execute=True):
        matters.accept(actor=place.secretary, matter=m, procedure_key="eight_steps")
    # Two moves in a moment: the first by SMS, the second held for the hour's one message (send_held_news).
    texts = [msg.text for msg in MemoryBackend.outbox if msg.phone == place.resident.phone]
    assert len(texts) == 1 and "小区西侧小路积水" in texts[0]
    assert place.resident.notifications.count() == 2
    assert all(msg.phone == place.resident.phone for msg in MemoryBackend.outbox)


def test_nothing_is_sent_for_changes_made_while_muted(place, django_capture_on_commit_callbacks):
    from yishi.notifications import muted
    from yishi.people.sms import MemoryBackend

    m = flows.raise_flood(place)
    with muted(), django_capture_on_commit_callbacks(execute=True):
        matters.accept(actor=place.secretary, matter=m, procedure_key="eight_steps")
    assert MemoryBackend.outbox == []
