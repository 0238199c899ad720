"""四议两公开 end to end, and the short path with its recorded reason (story S1's way)."""

import pytest
from django.utils import translation

from tests.procedures import flows
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.matters.models import Status
from yishi.notices.services import publish_result
from yishi.plans.services import record_consensus
from yishi.procedures import services as engine
from yishi.procedures.evidence import missing
from yishi.procedures.models import Transition


def test_four_deliberations_two_disclosures_runs_end_to_end(place):
    m = flows.four_and_two_voted(place, in_favour=21)
    engine.advance(actor=place.secretary, matter=m)
    with pytest.raises(Refused):
        engine.advance(actor=place.secretary, matter=m)  # the resolution is not posted yet
    publish_result(actor=place.secretary, matter=m, kind="resolution", title="决议公开", body="决议内容")
    engine.advance(actor=place.secretary, matter=m)
    flows.implement_and_confirm(place, m, supervisor=place.resident)
    engine.advance(actor=place.secretary, matter=m)
    flows.publish(place, m)
    m = engine.advance(actor=place.secretary, matter=m)
    assert m.status == Status.RESOLVED


def test_a_failed_village_resolution_returns_to_the_party_proposal(place):
    m = flows.four_and_two_voted(place, in_favour=10)
    assert m.step_key == "party_proposal"


def test_the_short_path_needs_a_reason(place):
    with pytest.raises(Refused) as exc:
        matters.accept(actor=place.secretary, matter=flows.raise_flood(place), procedure_key="short_path")
    assert exc.value.code == "reason_required"


def test_the_short_paths_step_names_a_missing_plan_once(place):
    """Its step needs a session, a plan and a consensus on the plan: without a plan, two checks fail for it."""
    m = matters.accept(
        actor=place.secretary,
        matter=flows.raise_flood(place),
        procedure_key="short_path",
        procedure_reason="小型维修，无需表决",
    )
    with translation.override("zh-hans"):
        reasons = [str(r) for r in missing(m, m.procedure.step(m.step_key))]
    assert reasons == ["还没有记录恳谈。", "还没有拟定方案。"]


def test_the_short_path_skips_covenant_and_vote_and_shows_why(place):
    m = matters.accept(
        actor=place.secretary,
        matter=flows.raise_flood(place),
        procedure_key="short_path",
        procedure_reason="小型维修，无需表决",
    )
    assert m.step_key == "consult"
    version = flows.plan(place, m)
    flows.session(place, m)
    record_consensus(actor=place.secretary, matter=m, version=version, minutes="各单位分工")
    engine.advance(actor=place.secretary, matter=m)
    flows.implement_and_confirm(place, m, supervisor=place.resident)
    engine.advance(actor=place.secretary, matter=m)
    flows.publish(place, m)
    m = engine.advance(actor=place.secretary, matter=m)
    assert m.status == Status.RESOLVED
    assert m.procedure_reason == "小型维修，无需表决"
    assert Transition.objects.filter(matter=m, kind="start").get().reason == "小型维修，无需表决"
