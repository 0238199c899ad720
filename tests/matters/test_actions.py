"""Every POST action on a matter, through the Django test client.

Success redirects to the matter page with the change made; input the form or the service finds wrong
re-renders the page with 400 and the error; an action the matter's state refuses re-renders with 409 and
the service's reason; a refusal leaves nothing behind, not even an audit entry.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import ngettext

from tests import builders
from tests.matters.test_pages import (
    SHORT_REASON,
    complete,
    html,
    in_words,
    messages_on,
    other_matter,
    png,
    section,
    tr,
    walk,
)
from tests.procedures import flows
from yishi.audit.models import AuditEntry
from yishi.matters import services as matters
from yishi.matters.models import Matter, Photo, Status, Support
from yishi.meetings.models import Idea, Session
from yishi.notices.models import Notice
from yishi.plans.models import Consensus, PlanPart, PlanVersion
from yishi.procedures import definitions
from yishi.procedures.models import Transition
from yishi.reviews.models import Review
from yishi.votes.models import VoteResult
from yishi.works.models import ProgressReport, Supervision, Work, WorkStatus
from yishi.works.services import assign_work, report_progress, supervise

RECORDS = (
    AuditEntry,
    Transition,
    Matter,
    Support,
    Photo,
    Session,
    Idea,
    PlanVersion,
    PlanPart,
    Consensus,
    Review,
    VoteResult,
    Work,
    ProgressReport,
    Supervision,
    Notice,
)

EIGHT = definitions.EIGHT_STEPS


def snapshot() -> dict:
    """Every record an action might write, and every matter's state."""
    counts = {model.__name__: model.objects.count() for model in RECORDS}
    states = list(
        Matter.objects.order_by("pk").values_list(
            "pk", "status", "step_key", "supporter_count", "public_reason"
        )
    )
    works = list(Work.objects.order_by("pk").values_list("pk", "status"))
    return counts | {"matters": states, "works": works}


def post(client, who, m, action: str, data=None):
    client.force_login(who)
    return client.post(f"/m/{m.pk}/{action}/", data or {})


def done(client, who, m, action: str, data=None, message: str = ""):
    """POST, expect the redirect to the matter page and its success message; return the page."""
    response = post(client, who, m, action, data)
    assert response.status_code == 302, html(response)[-3000:]
    assert response.url == f"/m/{m.pk}/"
    page = client.get(response.url)
    if message:
        assert messages_on(page) == [escape(tr(message))]
    return page


def refused(client, who, m, action: str, data, status: int, text: str):
    """POST, expect ``status`` with ``text`` on the re-rendered matter page (on the 403 page when the person
    lacks the authority: they were offered no such form), and nothing saved."""
    before = snapshot()
    response = post(client, who, m, action, data)
    assert response.status_code == status, html(response)[-3000:]
    assert escape(text) in html(response), text
    if status == 403:
        assert escape(tr("Not allowed")) in html(response)
    else:
        assert response.context["matter"].pk == m.pk
        assert escape(tr("This was not done")) in html(response)
    assert snapshot() == before
    return response


def step_label(key: str, procedure=EIGHT) -> str:
    return in_words(procedure.step(key).label)


def wrong_step(key: str, procedure=EIGHT) -> str:
    return tr("This cannot be done while the matter is at “%(step)s”.") % {"step": step_label(key, procedure)}


def required() -> str:
    return tr("This field is required.")


def at_least(n) -> str:
    return tr("Ensure this value is greater than or equal to %(limit_value)s.") % {"limit_value": n}


def fresh(m) -> Matter:
    return Matter.objects.get(pk=m.pk)


# --- support (附议) -------------------------------------------------------------------------------------


def test_a_resident_adds_their_name_and_sees_the_count_go_up(place, client):
    m = walk(place, "raise")

    page = done(client, place.outsider, m, "support", message="Your name has been added.")

    assert fresh(m).supporter_count == 2
    assert Support.objects.filter(matter=m, person=place.outsider).exists()
    with translation.override("zh-hans"):
        count = ngettext("%(n)s resident supports this", "%(n)s residents support this", 2) % {"n": 2}
    assert escape(count) in section(page, "desc-h")


def test_supporting_ones_own_matter_is_refused_with_the_reason(place, client):
    m = walk(place, "raise")
    refused(
        client,
        place.resident,
        m,
        "support",
        {},
        409,
        tr("You raised this matter yourself; it already counts you."),
    )


def test_supporting_twice_is_refused_with_the_reason(place, client):
    m = walk(place, "raise")
    refused(client, place.neighbour, m, "support", {}, 409, tr("You already support this matter."))


def test_a_closed_matter_takes_no_more_names(place, client):
    m = walk(place, "resolved")
    refused(
        client,
        place.outsider,
        m,
        "support",
        {},
        409,
        tr("This matter is closed and takes no more supporters."),
    )


def test_staff_add_the_name_of_a_resident_who_came_in_person(place, client):
    m = walk(place, "ideas")

    done(
        client,
        place.secretary,
        m,
        "support",
        {"phone": place.outsider.phone},
        message="The resident's name has been added.",
    )

    assert Support.objects.filter(matter=m, person=place.outsider).exists()
    assert not Support.objects.filter(matter=m, person=place.secretary).exists()


def test_staff_adding_an_unregistered_mobile_is_bad_input(place, client):
    m = walk(place, "ideas")
    refused(
        client,
        place.secretary,
        m,
        "support",
        {"phone": "13999999999"},
        400,
        tr("No resident is registered with this number."),
    )


def test_staff_adding_something_that_is_not_a_mobile_is_bad_input(place, client):
    m = walk(place, "ideas")
    refused(
        client,
        place.secretary,
        m,
        "support",
        {"phone": "12345"},
        400,
        tr("This is not a mainland mobile number."),
    )


def test_a_resident_may_not_add_someone_elses_name(place, client):
    m = walk(place, "ideas")
    refused(
        client,
        place.outsider,
        m,
        "support",
        {"phone": place.council.phone},
        403,
        tr("You do not have the authority to do this here."),
    )


# --- screening (研究协商议题) ----------------------------------------------------------------------------


def test_accepting_puts_the_matter_on_the_eight_steps_at_gathering_ideas(place, client):
    m = walk(place, "raise")

    page = done(
        client,
        place.secretary,
        m,
        "screen",
        {"decision": "accept", "stakeholders": "1号楼住户"},
        message="The screening is recorded.",
    )

    m = fresh(m)
    assert (m.status, m.procedure_key, m.step_key, m.stakeholders) == (
        Status.OPEN,
        "eight_steps",
        "ideas",
        "1号楼住户",
    )
    assert ("current", escape(step_label("ideas"))) in re.findall(
        r'<li class="step (\w+)"[^>]*>\s*<strong>([^<]+)</strong>', html(page)
    )


def test_accepting_onto_the_short_path_records_its_reason(place, client):
    m = walk(place, "raise")

    done(
        client,
        place.secretary,
        m,
        "screen",
        {"decision": "accept", "procedure": "short_path", "procedure_reason": SHORT_REASON},
    )

    m = fresh(m)
    assert (m.procedure_key, m.step_key, m.procedure_reason) == ("short_path", "consult", SHORT_REASON)


def test_the_short_path_without_a_reason_is_bad_input(place, client):
    m = walk(place, "raise")
    text = tr("“%(procedure)s” leaves out steps of the eight-step model: give the reason for taking it.") % {
        "procedure": in_words(definitions.SHORT_PATH.label)
    }
    refused(
        client, place.secretary, m, "screen", {"decision": "accept", "procedure": "short_path"}, 400, text
    )


def test_declining_needs_a_public_reason(place, client):
    m = walk(place, "raise")
    refused(
        client,
        place.secretary,
        m,
        "screen",
        {"decision": "decline", "reason": "  "},
        400,
        tr("Give the reason; it is shown publicly."),
    )


def test_declining_closes_the_matter_with_its_reason_shown(place, client):
    m = walk(place, "raise")

    page = done(
        client, place.secretary, m, "screen", {"decision": "decline", "reason": "属于个人纠纷，建议调解"}
    )

    assert fresh(m).status == Status.DECLINED
    assert "属于个人纠纷，建议调解" in html(page)


def test_referring_needs_the_receiving_body(place, client):
    m = walk(place, "raise")
    refused(
        client,
        place.secretary,
        m,
        "screen",
        {"decision": "refer"},
        400,
        tr("%(field)s is required.") % {"field": tr("The receiving body")},
    )


def test_referring_names_the_receiving_body(place, client):
    m = walk(place, "raise")

    page = done(client, place.secretary, m, "screen", {"decision": "refer", "referred_to": "运河区住建局"})

    assert (fresh(m).status, fresh(m).referred_to) == (Status.REFERRED, "运河区住建局")
    assert "运河区住建局" in html(page)


def test_a_referral_keeps_its_own_reason_apart_from_a_declines(place, client):
    m = walk(place, "raise")
    done(
        client,
        place.secretary,
        m,
        "screen",
        # The hidden decline field is sent empty beside it, as a browser sends every field of the form.
        {
            "decision": "refer",
            "referred_to": "运河区住建局",
            "referral_reason": "属于住建部门职责",
            "reason": "",
        },
    )
    assert fresh(m).public_reason == "属于住建部门职责"


def test_the_screening_form_puts_each_decisions_fields_under_its_choice(place, client):
    m = walk(place, "raise")
    client.force_login(place.secretary)
    page = html(client.get(f"/m/{m.pk}/"))
    form = page[page.index('class="panel screen"') :]
    form = form[: form.index("</form>")]
    options = form.split('<div class="option">')[1:]
    assert len(options) == 3
    under = [re.findall(r'name="(\w+)"', option) for option in options]
    assert under == [
        ["decision", "procedure", "procedure_reason", "stakeholders", "category"],
        ["decision", "reason"],
        ["decision", "referred_to", "referral_reason"],
    ]
    assert 'type="radio"' in options[0]


def test_an_unknown_screening_decision_is_bad_input(place, client):
    m = walk(place, "raise")
    refused(
        client,
        place.secretary,
        m,
        "screen",
        {"decision": "ignore"},
        400,
        tr("Select a valid choice. %(value)s is not one of the available choices.") % {"value": "ignore"},
    )


def test_screening_a_matter_twice_is_refused(place, client):
    m = walk(place, "ideas")
    refused(
        client,
        place.secretary,
        m,
        "screen",
        {"decision": "decline", "reason": "重复"},
        409,
        tr("This matter has already been screened (%(status)s).") % {"status": tr("in consultation")},
    )


# --- merging a duplicate --------------------------------------------------------------------------------


def test_a_new_duplicate_is_merged_and_its_people_join_the_open_matter(place, client):
    flood = walk(place, "ideas")
    duplicate = other_matter(place, title="西侧路积水", by=place.outsider)

    page = done(
        client,
        place.secretary,
        duplicate,
        "merge",
        {"into": flood.pk},
        message="The matters have been merged.",
    )

    assert (fresh(duplicate).status, fresh(duplicate).merged_into_id) == (Status.MERGED, flood.pk)
    assert Support.objects.filter(matter=flood, person=place.outsider).exists()
    assert f'href="/m/{flood.pk}/"' in html(page)


def test_merging_into_a_number_that_does_not_exist_is_bad_input(place, client):
    duplicate = other_matter(place)
    refused(
        client,
        place.secretary,
        duplicate,
        "merge",
        {"into": 999999},
        400,
        tr("There is no matter with that number."),
    )


def test_merging_a_matter_into_itself_is_bad_input(place, client):
    duplicate = other_matter(place)
    refused(
        client,
        place.secretary,
        duplicate,
        "merge",
        {"into": duplicate.pk},
        400,
        tr("Choose another matter that is still open."),
    )


def test_a_declined_matter_cannot_be_merged(place, client):
    flood = walk(place, "ideas")
    declined = matters.decline(actor=place.secretary, matter=other_matter(place), reason="不属于社区事务")
    refused(
        client,
        place.secretary,
        declined,
        "merge",
        {"into": flood.pk},
        409,
        tr("This matter has already been screened (%(status)s).") % {"status": tr("declined")},
    )


# --- advancing, returning, withdrawing, closing ---------------------------------------------------------


def test_completing_a_step_with_its_evidence_moves_the_matter_on(place, client):
    m = walk(place, "ideas")
    flows.session(place, m)

    done(client, place.secretary, m, "advance", {"expected_step": "ideas"}, message="The step is complete.")

    assert fresh(m).step_key == "draft"


def test_completing_the_last_step_resolves_the_matter(place, client):
    m = walk(place, "publish")
    flows.publish(place, m)

    done(client, place.secretary, m, "advance", {"expected_step": "publish"})

    assert fresh(m).status == Status.RESOLVED


def test_completing_a_step_without_its_evidence_is_refused_with_what_is_missing(place, client):
    m = walk(place, "ideas")
    text = tr("%(reason)s It cannot move on to “%(step)s” yet.") % {
        "reason": tr("No consultation session has been recorded."),
        "step": step_label("draft"),
    }
    refused(client, place.secretary, m, "advance", {"expected_step": "ideas"}, 409, text)


def test_of_two_clicks_on_complete_the_second_is_told_to_reload(place, client):
    m = walk(place, "ideas")
    flows.session(place, m)
    done(client, place.secretary, m, "advance", {"expected_step": "ideas"})

    refused(
        client,
        place.secretary,
        m,
        "advance",
        {"expected_step": "ideas"},
        409,
        tr("Someone else has just moved this matter on; reload the page to see where it is now."),
    )


def test_completing_without_saying_which_step_is_bad_input(place, client):
    m = walk(place, "ideas")
    flows.session(place, m)
    refused(client, place.secretary, m, "advance", {}, 400, required())


def test_sending_back_to_drafting_records_the_reason(place, client):
    m = walk(place, "consensus")

    page = done(
        client,
        place.secretary,
        m,
        "return",
        {"step": "draft", "expected_step": "consensus", "reason": "预算需要重新核算"},
        message="The matter has been sent back.",
    )

    assert fresh(m).step_key == "draft"
    assert Transition.objects.filter(matter=m, kind="return", reason="预算需要重新核算").exists()
    assert "预算需要重新核算" in section(page, "dev-h")


def test_sending_back_without_a_reason_is_bad_input(place, client):
    m = walk(place, "consensus")
    refused(
        client,
        place.secretary,
        m,
        "return",
        {"step": "draft", "expected_step": "consensus", "reason": ""},
        400,
        required(),
    )


def test_sending_back_to_a_step_the_current_one_cannot_return_to_is_refused(place, client):
    m = walk(place, "consensus")
    refused(
        client,
        place.secretary,
        m,
        "return",
        {"step": "ideas", "expected_step": "consensus", "reason": "再议"},
        409,
        tr("From “%(step)s” a matter cannot go back to that step.") % {"step": step_label("consensus")},
    )


def test_the_committee_withdraws_an_accepted_matter_with_a_reason(place, client):
    # Accepted: the submitter alone may no longer withdraw it (tests/procedures/test_withdrawal.py).
    m = walk(place, "ideas")

    done(
        client,
        place.secretary,
        m,
        "withdraw",
        {"reason": "已经自行解决"},
        message="The matter has been withdrawn.",
    )

    assert fresh(m).status == Status.WITHDRAWN


def test_withdrawing_without_a_reason_is_bad_input(place, client):
    m = walk(place, "ideas")
    refused(client, place.secretary, m, "withdraw", {"reason": " "}, 400, required())


def test_a_closed_matter_cannot_be_withdrawn(place, client):
    m = walk(place, "resolved")
    refused(
        client,
        place.resident,
        m,
        "withdraw",
        {"reason": "不需要了"},
        409,
        tr("This matter is already closed."),
    )


def test_closing_unresolved_shows_the_reason_as_a_departure(place, client):
    m = walk(place, "draft")

    page = done(
        client,
        place.secretary,
        m,
        "close",
        {"reason": "多方无法达成一致"},
        message="The matter has been closed.",
    )

    assert fresh(m).status == Status.UNRESOLVED
    assert "多方无法达成一致" in section(page, "dev-h")


def test_closing_unresolved_without_a_reason_is_bad_input(place, client):
    m = walk(place, "draft")
    refused(client, place.secretary, m, "close", {}, 400, required())


def test_a_matter_waiting_to_be_screened_cannot_be_closed_unresolved(place, client):
    m = walk(place, "raise")
    refused(
        client,
        place.secretary,
        m,
        "close",
        {"reason": "无法解决"},
        409,
        tr("This matter is %(status)s; its procedure cannot move.")
        % {"status": tr("waiting to be screened")},
    )


# --- a consultation session -----------------------------------------------------------------------------


def session_data(**changes):
    return {
        "title": "让居民出行安全，对低洼路段进行维修",
        "form": "consultation",
        "held_at": "2026-10-15T19:00",
        "place": "社区协商议事厅",
        "attendance": "15",
        "other_attendees": "市消防救援支队、运河区城管",
        "ideas": "居民代表：先修补坑洼\n物业: 施工时维持秩序\n尽快通知居民",
    } | changes


def test_a_session_is_recorded_with_each_idea_and_who_voiced_it(place, client):
    m = walk(place, "ideas")

    page = done(client, place.council, m, "session", session_data(), message="The session has been recorded.")

    session = Session.objects.get(matter=m)
    assert (session.attendance, session.step_key, session.recorded_by) == (15, "ideas", place.council)
    assert list(session.ideas.values_list("voiced_by", "text")) == [
        ("居民代表", "先修补坑洼"),
        ("物业", "施工时维持秩序"),
        ("", "尽快通知居民"),
    ]
    assert "施工时维持秩序" in section(page, "sess-h")


@pytest.mark.parametrize(
    ("changes", "msgid", "params"),
    [
        (
            {"attendance": "0"},
            "Ensure this value is greater than or equal to %(limit_value)s.",
            {"limit_value": 1},
        ),
        ({"held_at": "昨天晚上"}, "Enter a valid date/time.", {}),
        ({"ideas": "：\n  \n居民："}, "Write down at least one idea from the session.", {}),
        ({"title": ""}, "This field is required.", {}),
    ],
)
def test_a_session_with_bad_input_is_refused_and_nothing_is_saved(place, client, changes, msgid, params):
    m = walk(place, "ideas")
    refused(client, place.secretary, m, "session", session_data(**changes), 400, tr(msgid) % params)


def test_a_session_cannot_be_recorded_while_the_plan_is_being_drafted(place, client):
    m = walk(place, "draft")
    refused(client, place.secretary, m, "session", session_data(), 409, wrong_step("draft"))


# --- a plan version -------------------------------------------------------------------------------------


def plan_data(place, **changes):
    return {
        "summary": "修复小区西侧坑洼路段",
        "budget": "12000",
        "cost_sharing": "由消防支队承担",
        "part_1_what": "维修坑洼路面",
        "part_1_unit": place.fire.pk,
        "part_1_due_on": "2026-11-15",
        "part_2_what": "提示辖区居民",
        "part_2_responsible": "丽景社区居委会",
    } | changes


def test_a_plan_version_is_saved_with_its_parts(place, client):
    m = walk(place, "draft")

    page = done(
        client, place.council, m, "plan", plan_data(place), message="The plan version has been saved."
    )

    version = PlanVersion.objects.get(matter=m)
    assert version.number == 1 and str(version.budget) == "12000.00"
    assert [(p.what, p.responsible_label) for p in version.parts.all()] == [
        ("维修坑洼路面", "市消防救援支队"),
        ("提示辖区居民", "丽景社区居委会"),
    ]
    assert "提示辖区居民" in section(page, "plan-h")


def test_a_plan_without_parts_is_bad_input(place, client):
    m = walk(place, "draft")
    data = plan_data(place, part_1_what="", part_1_unit="", part_2_what="", part_2_responsible="")
    refused(
        client,
        place.council,
        m,
        "plan",
        data,
        400,
        tr("Split the plan into parts, each with who is responsible."),
    )


def test_a_plan_part_nobody_is_responsible_for_is_bad_input_and_no_part_is_saved(place, client):
    m = walk(place, "draft")
    refused(
        client,
        place.council,
        m,
        "plan",
        plan_data(place, part_2_responsible=""),
        400,
        tr("Part %(n)s: name the responsible unit or person.") % {"n": 2},
    )


def test_a_plan_part_given_to_a_unit_that_does_not_serve_here_is_bad_input(place, client):
    m = walk(place, "draft")
    elsewhere = builders.unit(
        "新华区环卫所",
        kind="contractor",
        home_region=place.tree.other_district,
        serves=[place.tree.other_district],
    )
    refused(
        client,
        place.council,
        m,
        "plan",
        plan_data(place, part_1_unit=elsewhere.pk),
        400,
        tr("Select a valid choice. That choice is not one of the available choices."),
    )


def test_a_plan_cannot_be_drafted_while_ideas_are_gathered(place, client):
    m = walk(place, "ideas")
    refused(client, place.council, m, "plan", plan_data(place), 409, wrong_step("ideas"))


# --- consensus ------------------------------------------------------------------------------------------


def test_the_consensus_is_recorded_on_the_latest_version(place, client):
    m = walk(place, "consensus")
    flows.plan(place, m)  # a second version: the consensus names it

    page = done(
        client,
        place.secretary,
        m,
        "consensus",
        {"minutes": "各方同意第2版"},
        message="The consensus is recorded.",
    )

    assert Consensus.objects.get(matter=m).version.number == 2
    assert escape(tr("Consensus on version %(n)s") % {"n": 2}) in html(page)


def test_a_consensus_without_minutes_is_bad_input(place, client):
    m = walk(place, "consensus")
    refused(client, place.secretary, m, "consensus", {"minutes": ""}, 400, required())


def test_a_consensus_cannot_be_recorded_during_the_expert_review(place, client):
    m = walk(place, "review")
    refused(client, place.secretary, m, "consensus", {"minutes": "同意"}, 409, wrong_step("review"))


# --- expert review --------------------------------------------------------------------------------------


def test_an_expert_signs_an_approval(place, client):
    m = walk(place, "review")

    page = done(
        client,
        place.lawyer,
        m,
        "review",
        {"decision": "approve", "opinion": "方案合法可行。"},
        message="Your review is signed and recorded.",
    )

    review = Review.objects.get(matter=m)
    assert (review.reviewer, review.expertise, review.decision) == (place.lawyer, "legal", "approve")
    assert fresh(m).step_key == "review"
    assert "方案合法可行。" in section(page, "plan-h")


def test_an_expert_rejection_sends_the_plan_back_to_drafting(place, client):
    m = walk(place, "review")

    page = done(client, place.lawyer, m, "review", {"decision": "reject", "opinion": "费用分摊没有依据。"})

    assert fresh(m).step_key == "draft"
    assert "费用分摊没有依据。" in section(page, "dev-h")


def test_a_review_without_an_opinion_is_bad_input(place, client):
    m = walk(place, "review")
    refused(client, place.lawyer, m, "review", {"decision": "approve", "opinion": ""}, 400, required())


def test_an_expert_reviews_a_version_once(place, client):
    m = walk(place, "review")
    done(client, place.lawyer, m, "review", {"decision": "approve", "opinion": "可行。"})
    refused(
        client,
        place.lawyer,
        m,
        "review",
        {"decision": "approve", "opinion": "再次同意。"},
        409,
        tr("You have already reviewed version %(n)s.") % {"n": 1},
    )


def test_a_review_outside_the_review_step_is_refused(place, client):
    m = walk(place, "vote")
    refused(
        client,
        place.lawyer,
        m,
        "review",
        {"decision": "approve", "opinion": "可行。"},
        409,
        wrong_step("vote"),
    )


# --- the representatives' vote --------------------------------------------------------------------------


def vote_data(yes, electorate=30, **changes):
    return {
        "electorate": electorate,
        "present": electorate,
        "in_favour": yes,
        "against": electorate - yes,
        "abstain": 0,
    } | changes


def test_twenty_of_thirty_passes_the_vote(place, client):
    m = walk(place, "vote")

    page = done(client, place.secretary, m, "vote", vote_data(20), message="The vote result is recorded.")

    assert VoteResult.objects.get(matter=m).passed
    assert fresh(m).step_key == "vote"
    assert escape(tr("passed")) in section(page, "plan-h")


def test_nineteen_of_thirty_fails_and_sends_the_plan_back_to_drafting(place, client):
    m = walk(place, "vote")

    page = done(client, place.secretary, m, "vote", vote_data(19))

    assert not VoteResult.objects.get(matter=m).passed
    assert fresh(m).step_key == "draft"
    # the reason the matter went back says the result in the statute's words, with every number
    assert "应到30人，实到30人，赞成19人；须全体代表三分之二以上即20人赞成：未通过" in section(page, "dev-h")


@pytest.mark.parametrize(
    ("changes", "msgid", "params"),
    [
        ({"against": 15}, "More votes than people present: check the numbers.", {}),
        ({"present": 31}, "More present than entitled to vote: check the numbers.", {}),
        (
            {"abstain": -1},
            "Ensure this value is greater than or equal to %(limit_value)s.",
            {"limit_value": 0},
        ),
        ({"in_favour": "二十"}, "Enter a whole number.", {}),
    ],
)
def test_counts_that_do_not_add_up_are_bad_input(place, client, changes, msgid, params):
    m = walk(place, "vote")
    refused(client, place.secretary, m, "vote", vote_data(20, **changes), 400, tr(msgid) % params)


def test_a_vote_cannot_be_recorded_before_the_expert_review_is_done(place, client):
    m = walk(place, "review")
    refused(client, place.secretary, m, "vote", vote_data(25), 409, wrong_step("review"))


# --- tasks, progress reports, supervision ---------------------------------------------------------------


def test_a_task_is_assigned_to_a_unit_with_a_due_date(place, client):
    m = walk(place, "implement")

    page = done(
        client,
        place.secretary,
        m,
        "works",
        {"title": "维修坑洼路面", "unit": place.fire.pk, "due_on": "2026-11-15"},
        message="The task has been assigned.",
    )

    work = Work.objects.get(matter=m)
    assert (work.unit, str(work.due_on), work.status) == (place.fire, "2026-11-15", WorkStatus.OPEN)
    assert "维修坑洼路面" in section(page, "works-h")


def test_a_task_without_a_responsible_unit_is_bad_input(place, client):
    m = walk(place, "implement")
    refused(
        client,
        place.secretary,
        m,
        "works",
        {"title": "维修", "due_on": "2026-11-15"},
        400,
        tr(
            "Say who carries out the task: a responsible unit, the community committee, or a person by their "
            "mobile number."
        ),
    )


def test_a_task_with_a_date_that_is_not_a_date_is_bad_input(place, client):
    m = walk(place, "implement")
    refused(
        client,
        place.secretary,
        m,
        "works",
        {"title": "维修", "unit": place.fire.pk, "due_on": "下个月"},
        400,
        tr("Enter a valid date."),
    )


def test_tasks_cannot_be_assigned_before_the_vote(place, client):
    m = walk(place, "vote")
    refused(
        client,
        place.secretary,
        m,
        "works",
        {"title": "维修", "unit": place.fire.pk, "due_on": "2026-11-15"},
        409,
        wrong_step("vote"),
    )


@pytest.fixture
def task(place):
    m = walk(place, "implement")
    return assign_work(
        actor=place.secretary, matter=m, title="维修坑洼路面", unit=place.fire, due_on=place.soon
    )


def report(work):
    return f"works/{work.pk}/report"


def verdict(work):
    return f"works/{work.pk}/supervise"


def test_the_responsible_unit_reports_the_task_finished_with_a_photo(place, client, task):
    client.force_login(place.fire_staff)
    response = client.post(
        f"/m/{task.matter_id}/{report(task)}/",
        {"text": "4处破损路面已维修", "done": "on", "photo": png("road.png")},
    )

    assert response.status_code == 302 and response.url == f"/m/{task.matter_id}/"
    progress = ProgressReport.objects.get(work=task)
    assert progress.done and progress.photo.name.endswith(".jpg")
    task.refresh_from_db()
    assert task.status == WorkStatus.DONE
    page = client.get(response.url)
    assert messages_on(page) == [escape(tr("Your progress report is recorded."))]
    assert "4处破损路面已维修" in section(page, "works-h")


def test_a_report_without_text_is_bad_input(place, client, task):
    refused(client, place.fire_staff, task.matter, report(task), {"text": ""}, 400, required())


def test_a_report_with_a_file_that_is_not_a_photo_is_refused_and_nothing_is_saved(place, client, task):
    fake = SimpleUploadedFile("road.jpg", b"GIF89a but not really", content_type="image/jpeg")
    response = refused(
        client,
        place.fire_staff,
        task.matter,
        report(task),
        {"text": "已维修", "photo": fake},
        400,
        tr("This file is not a photo that can be read."),
    )
    row = next(row for row in response.context["works"] if row["work"].pk == task.pk)
    assert row["report_form"].errors["photo"] == [tr("This file is not a photo that can be read.")]


def test_a_confirmed_task_takes_no_more_reports(place, client, task):
    report_progress(actor=place.fire_staff, work=task, text="已维修", done=True)
    supervise(actor=place.neighbour, work=task, verdict="confirm", rating=5)
    refused(
        client,
        place.fire_staff,
        task.matter,
        report(task),
        {"text": "再次维修"},
        409,
        tr("This task is already confirmed by the residents."),
    )


def test_a_task_of_another_matter_or_none_at_all_is_not_found(place, client, task):
    other = walk(place, "raise")
    client.force_login(place.fire_staff)
    assert client.post(f"/m/{other.pk}/{report(task)}/", {"text": "x"}).status_code == 404
    assert client.post(f"/m/{task.matter_id}/works/999999/report/", {"text": "x"}).status_code == 404
    assert client.post(f"/m/{other.pk}/{verdict(task)}/", {"verdict": "confirm"}).status_code == 404


def test_a_resident_who_supports_the_matter_confirms_the_finished_task(place, client, task):
    report_progress(actor=place.fire_staff, work=task, text="已维修", done=True)

    page = done(
        client,
        place.neighbour,
        task.matter,
        verdict(task),
        {"verdict": "confirm", "rating": "5"},
        message="Thank you: your verdict is recorded.",
    )

    task.refresh_from_db()
    assert task.status == WorkStatus.CONFIRMED
    assert "5★" in section(page, "works-h")


def test_saying_not_fixed_without_what_is_wrong_is_bad_input(place, client, task):
    report_progress(actor=place.fire_staff, work=task, text="已维修", done=True)
    refused(
        client,
        place.neighbour,
        task.matter,
        verdict(task),
        {"verdict": "reopen"},
        400,
        tr("Say what is still wrong, so the unit can fix it."),
    )


def test_saying_not_fixed_reopens_the_task(place, client, task):
    report_progress(actor=place.fire_staff, work=task, text="已维修", done=True)

    done(
        client, place.resident, task.matter, verdict(task), {"verdict": "reopen", "reason": "东头还有一个坑"}
    )

    task.refresh_from_db()
    assert task.status == WorkStatus.OPEN


def test_a_task_not_reported_finished_cannot_be_confirmed(place, client, task):
    refused(
        client,
        place.neighbour,
        task.matter,
        verdict(task),
        {"verdict": "confirm"},
        409,
        tr("The unit has not reported this task finished yet."),
    )


# --- publishing the result ------------------------------------------------------------------------------


def publish_data(**changes):
    return {
        "kind": "result",
        "title": "小路维修完成",
        "body": "4处破损路面已维修，感谢各单位。",
        "period_days": "10",
    } | changes


def test_the_result_is_posted_on_the_communitys_board(place, client):
    m = walk(place, "publish")

    page = done(client, place.secretary, m, "publish", publish_data(), message="The notice is posted.")

    notice = Notice.objects.get(matter=m, kind="result")
    assert (notice.region, notice.kind, notice.period_days) == (place.tree.community, "result", 10)
    assert "小路维修完成" in section(page, "notice-h")
    assert "小路维修完成" in html(client.get(f"/r/{place.tree.community.pk}/"))


def test_a_posting_period_of_no_days_is_bad_input(place, client):
    m = walk(place, "publish")
    refused(client, place.secretary, m, "publish", publish_data(period_days="0"), 400, at_least(1))


def test_the_result_cannot_be_posted_before_the_work_is_done(place, client):
    m = walk(place, "implement")
    refused(client, place.secretary, m, "publish", publish_data(), 409, wrong_step("implement"))


# --- the whole procedure through the pages --------------------------------------------------------------


def test_the_eight_steps_can_be_walked_through_the_pages_alone(place, client):
    client.force_login(place.resident)
    client.post(
        "/m/new/",
        {
            "region": place.tree.compound.pk,
            "category": place.category.pk,
            "title": "小区西侧小路积水",
            "description": "一下雨就积水，有老人摔伤。",
        },
    )
    m = Matter.objects.get()
    done(client, place.neighbour, m, "support")
    steps = [
        (place.secretary, "screen", {"decision": "accept"}),
        (place.secretary, "session", session_data()),
        (place.secretary, "advance", {"expected_step": "ideas"}),
        (place.council, "plan", plan_data(place)),
        (place.secretary, "advance", {"expected_step": "draft"}),
        (place.secretary, "consensus", {"minutes": "同意第1版"}),
        (place.secretary, "advance", {"expected_step": "consensus"}),
        (place.lawyer, "review", {"decision": "approve", "opinion": "可行。"}),
        (place.secretary, "advance", {"expected_step": "review"}),
        (place.secretary, "vote", vote_data(20)),
        (place.secretary, "advance", {"expected_step": "vote"}),
    ]
    for who, action, data in steps:
        done(client, who, m, action, data)
    # Each part of the plan gets its task: the repair goes to the unit the plan names, with its words and date;
    # telling the residents goes to the committee itself.
    repair, inform = PlanPart.objects.filter(version__matter=m).order_by("position")
    done(client, place.secretary, m, "works", {"part": repair.pk, "responsible": "unit"})
    done(
        client,
        place.secretary,
        m,
        "works",
        {"part": inform.pk, "responsible": "committee", "due_on": "2026-11-20"},
    )
    fix, tell = Work.objects.filter(matter=m).order_by("pk")
    assert (fix.unit, fix.title, str(fix.due_on), tell.to_committee) == (
        place.fire,
        "维修坑洼路面",
        "2026-11-15",
        True,
    )
    done(client, place.fire_staff, m, report(fix), {"text": "已维修", "done": "on"})
    done(client, place.secretary, m, report(tell), {"text": "已在楼栋张贴提示", "done": "on"})
    for work in (fix, tell):
        done(client, place.neighbour, m, verdict(work), {"verdict": "confirm", "rating": "4"})
    done(client, place.secretary, m, "advance", {"expected_step": "implement"})
    done(client, place.secretary, m, "publish", publish_data())
    done(client, place.secretary, m, "advance", {"expected_step": "publish"})

    assert fresh(m).status == Status.RESOLVED
    assert [t.kind for t in Transition.objects.filter(matter=m)] == ["start"] + ["advance"] * 7 + ["resolve"]


def test_the_short_path_can_be_walked_through_the_pages_alone(place, client):
    m = walk(place, "raise")
    done(
        client,
        place.secretary,
        m,
        "screen",
        {"decision": "accept", "procedure": "short_path", "procedure_reason": SHORT_REASON},
    )
    done(client, place.secretary, m, "session", session_data())
    done(client, place.secretary, m, "plan", plan_data(place))
    done(client, place.secretary, m, "consensus", {"minutes": "同意"})
    done(client, place.secretary, m, "advance", {"expected_step": "consult"})
    complete(place, fresh(m), "implement")
    done(client, place.secretary, m, "publish", publish_data())
    done(client, place.secretary, m, "advance", {"expected_step": "publish"})

    assert fresh(m).status == Status.RESOLVED
