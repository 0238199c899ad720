"""Editing a draft over the API, as the pages do: PATCH /votes/{id} and PUT /meetings/{id}."""

import datetime

import pytest
from django.utils import timezone

from tests import builders
from tests.api.conftest import anonymous, ok, problem, send, with_session, with_token
from yishi.meetings import announcing, preparing
from yishi.meetings.models import Meeting
from yishi.votes import drafting
from yishi.votes.models import Vote


@pytest.fixture
def town(place):
    for i in range(3):
        builders.role(builders.person(f"代表{i}"), "representative", place.tree.community)
    return place


def _draft_vote(town, **kwargs) -> Vote:
    kwargs.setdefault("question", "是否同意维修小区西侧道路？")
    return drafting.create_vote(actor=town.secretary, region=town.tree.community, **kwargs)


# --- votes ----------------------------------------------------------------------------------------------


def test_the_organiser_changes_a_draft_votes_question_and_proxies_and_the_rest_stays(town):
    vote = _draft_vote(town, description="说明")
    body = ok(
        send(
            with_token(town.secretary),
            "patch",
            f"/votes/{vote.pk}",
            {"question": "是否同意翻修小区西侧道路？", "proxies_allowed": True, "proxy_cap": 2},
        )
    )
    assert (
        body["question"] == "是否同意翻修小区西侧道路？"
        and body["proxies_allowed"]
        and body["proxy_cap"] == 2
    )
    vote.refresh_from_db()
    assert (vote.question, vote.description, vote.proxy_cap) == ("是否同意翻修小区西侧道路？", "说明", 2)


def test_a_choice_votes_options_are_replaced_whole(town):
    vote = _draft_vote(town, kind="options", preset="plurality", options=[{"label": "甲"}, {"label": "乙"}])
    body = ok(
        send(
            with_token(town.secretary),
            "patch",
            f"/votes/{vote.pk}",
            {"options": [{"label": "甲"}, {"label": "乙"}, {"label": "丙"}]},
        )
    )
    assert [o["label"] for o in body["options"]][:3] == ["甲", "乙", "丙"] and len(
        body["options"]
    ) == 4  # + abstain


def test_an_open_vote_no_longer_changes(town):
    vote = drafting.open_vote(actor=town.secretary, vote=_draft_vote(town))
    problem(
        send(with_token(town.secretary), "patch", f"/votes/{vote.pk}", {"question": "改过的问题？"}),
        409,
        "vote_frozen",
    )
    vote.refresh_from_db()
    assert vote.question == "是否同意维修小区西侧道路？"


def test_changing_a_draft_refuses_bad_input_and_saves_nothing(town):
    vote = _draft_vote(town)
    client = with_token(town.secretary)
    problem(send(client, "patch", f"/votes/{vote.pk}", {"preset": "whatever"}), 422, "invalid")
    problem(send(client, "patch", f"/votes/{vote.pk}", {"proxy_cap": 0}), 422, "invalid")
    problem(send(client, "patch", f"/votes/{vote.pk}", {"question": "  "}), 409, "question_required")
    problem(send(client, "patch", f"/votes/{vote.pk}", {"people": ["13900000000"]}), 409, "unknown_person")
    vote.refresh_from_db()
    assert vote.question == "是否同意维修小区西侧道路？" and vote.proxy_cap == 3


def test_only_the_organisers_see_and_change_a_draft(town):
    vote = _draft_vote(town)
    # To anyone else a draft does not exist; without a caller there is nobody to ask.
    for who in (town.other_secretary, town.resident):
        problem(
            send(with_token(who), "patch", f"/votes/{vote.pk}", {"question": "别人的问题？"}),
            404,
            "not_found",
        )
    problem(
        send(anonymous(), "patch", f"/votes/{vote.pk}", {"question": "别人的问题？"}), 401, "unauthenticated"
    )
    problem(
        send(with_token(town.secretary), "patch", "/votes/999999", {"question": "问题？"}), 404, "not_found"
    )
    assert Vote.objects.get(pk=vote.pk).question == "是否同意维修小区西侧道路？"


def test_an_opened_vote_is_public_but_changing_it_needs_authority(town):
    vote = drafting.open_vote(actor=town.secretary, vote=_draft_vote(town))
    problem(
        send(with_token(town.other_secretary), "patch", f"/votes/{vote.pk}", {"question": "别人的问题？"}),
        403,
        "forbidden",
    )


# --- meetings -------------------------------------------------------------------------------------------


def _draft_meeting(place) -> Meeting:
    return preparing.create_meeting(
        actor=place.secretary,
        region=place.tree.community,
        form="consultation",
        platform="party_hall",
        title="西侧道路积水恳谈会",
        starts_at=timezone.now() + datetime.timedelta(days=10),
        place="党群议事厅",
    )


def _edit(place, **changes) -> dict:
    starts = timezone.localtime(timezone.now() + datetime.timedelta(days=12)).replace(microsecond=0)
    return {
        "title": "西侧道路积水协商会",
        "form": "consultation",
        "platform": "party_hall",
        "starts_at": starts.isoformat(),
        "place": "社区二楼会议室",
        **changes,
    }


def test_the_convener_edits_a_meeting_being_prepared(place):
    meeting = _draft_meeting(place)
    body = ok(send(with_token(place.secretary), "put", f"/meetings/{meeting.pk}", _edit(place)))
    assert body["title"] == "西侧道路积水协商会" and body["place"] == "社区二楼会议室"
    meeting.refresh_from_db()
    assert meeting.place == "社区二楼会议室"


def test_an_announced_meeting_is_changed_by_a_posted_change_not_edited(place):
    meeting = _draft_meeting(place)
    announcing.announce(actor=place.secretary, meeting=meeting)
    problem(
        send(with_token(place.secretary), "put", f"/meetings/{meeting.pk}", _edit(place)), 409, "announced"
    )
    meeting.refresh_from_db()
    assert meeting.place == "党群议事厅"


def test_editing_a_meeting_refuses_bad_input_and_saves_nothing(place):
    meeting = _draft_meeting(place)
    client = with_token(place.secretary)
    problem(send(client, "put", f"/meetings/{meeting.pk}", _edit(place, form="party")), 422, "invalid")
    problem(
        send(client, "put", f"/meetings/{meeting.pk}", _edit(place, starts_at="tomorrow")), 422, "invalid"
    )
    problem(send(client, "put", f"/meetings/{meeting.pk}", {"title": "缺了时间"}), 422, "invalid")
    problem(
        send(client, "put", f"/meetings/{meeting.pk}", _edit(place, agenda=[999999])), 409, "unknown_matter"
    )
    problem(send(client, "put", f"/meetings/{meeting.pk}", _edit(place, convener=999999)), 404, "not_found")
    meeting.refresh_from_db()
    assert (meeting.title, meeting.place) == ("西侧道路积水恳谈会", "党群议事厅")


def test_only_who_manages_the_meeting_edits_it(place):
    meeting = _draft_meeting(place)
    for who in (place.other_secretary, place.resident):
        problem(send(with_token(who), "put", f"/meetings/{meeting.pk}", _edit(place)), 404, "not_found")
    problem(send(anonymous(), "put", f"/meetings/{meeting.pk}", _edit(place)), 401, "unauthenticated")
    announcing.announce(actor=place.secretary, meeting=meeting)
    problem(
        send(with_session(place.other_secretary), "put", f"/meetings/{meeting.pk}", _edit(place)),
        403,
        "forbidden",
    )
