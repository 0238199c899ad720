"""Services make no roll-up refresh for changes that cannot move a counter, and each skip is proved:
a full refresh forced afterwards finds nothing to change. The region tree a refresh reads takes two plain queries, and none for regions it knows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import builders
from tests.stats.test_rollups import tables as counted
from yishi.audit.models import AuditEntry
from yishi.comments.services import post_comment
from yishi.matters.services import raise_matter
from yishi.meetings import announcing, attending, closing, preparing
from yishi.stats import receivers, rollups
from yishi.stats.models import Counter, Source
from yishi.votes import drafting, tallies


def tables():
    return (*counted(), {(s.kind, s.object_id, str(s.data)) for s in Source.objects.all()})


@pytest.fixture
def refreshes(monkeypatch):
    """Every roll-up refresh started, by name."""
    calls = []
    for name in ("refresh", "refresh_new_matter", "refresh_added_participation"):
        real = getattr(rollups, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(rollups, name, spy)
    return calls


def forced_refresh_changes_nothing(entry: AuditEntry) -> bool:
    """Refresh every source the entry's target belongs to, as if the service had not skipped it."""
    before = tables()
    for kind, ids in receivers._targets(entry.target_type, int(entry.target_id)).items():
        rollups.refresh(kind, ids)
    return tables() == before


def last_entry(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).order_by("-seq").first()


def test_drafting_and_opening_a_vote_refresh_nothing_and_a_recount_agrees(place, refreshes):
    for i in range(3):
        builders.role(builders.person(f"代表{i}"), "representative", place.tree.community)
    vote = drafting.create_vote(actor=place.secretary, region=place.tree.community, question="是否同意？")
    vote = drafting.change_draft(actor=place.secretary, vote=vote, question="是否同意维修？")
    vote = drafting.open_vote(actor=place.secretary, vote=vote)
    assert refreshes == []
    for action in ("votes.create_vote", "votes.change_draft", "votes.open_vote"):
        entry = last_entry(action)
        assert entry is not None and entry.target_id == str(vote.pk)
        assert forced_refresh_changes_nothing(entry)


def test_a_vote_with_participation_is_refreshed(place, refreshes):
    """The other side of the skip: a change that counts still reaches the roll-ups."""
    rep = builders.person("代表")
    builders.role(rep, "representative", place.tree.community)
    vote = drafting.open_vote(
        actor=place.secretary,
        vote=drafting.create_vote(actor=place.secretary, region=place.tree.community, question="是否同意？"),
    )
    elector = vote.electors.get()
    tallies.record_participation(actor=place.secretary, vote=vote, channel="paper", electors=[elector])
    assert refreshes == ["refresh"]
    assert Source.objects.filter(kind=rollups.VOTE, object_id=vote.pk).exists()


def test_inviting_and_confirming_minutes_refresh_nothing_and_a_recount_agrees(place, refreshes, monkeypatch):
    starts = timezone.now() + datetime.timedelta(days=10)
    meeting = preparing.create_meeting(
        actor=place.secretary,
        region=place.tree.community,
        form="consultation",
        platform="party_hall",
        title="议事会",
        starts_at=starts,
        place="议事厅",
    )
    announcing.announce(actor=place.secretary, meeting=meeting)
    refreshes.clear()
    preparing.invite(actor=place.secretary, meeting=meeting, people=[place.resident, place.neighbour])
    assert refreshes == []
    assert forced_refresh_changes_nothing(last_entry("meetings.invite"))
    monkeypatch.setattr(timezone, "now", lambda: starts + datetime.timedelta(minutes=5))
    attending.check_in(actor=place.secretary, meeting=meeting, person=place.neighbour)
    closing.close_meeting(actor=place.secretary, meeting=meeting)
    refreshes.clear()
    closing.confirm_minutes(actor=place.secretary, meeting=meeting)
    assert refreshes == []
    assert forced_refresh_changes_nothing(last_entry("meetings.confirm_minutes"))
    assert Counter.objects.filter(dim="meet", n=1).exists()  # the meeting held was counted, by its close


def test_a_comment_refreshes_nothing_and_its_matter_recounts_the_same(place, refreshes):
    matter = raise_matter(
        actor=place.resident,
        region=place.tree.building,
        title="路灯",
        description="坏了",
        category=place.category,
    )
    refreshes.clear()
    post_comment(actor=place.neighbour, matter=matter, body="同意")
    assert refreshes == []
    before = tables()
    rollups.refresh(rollups.MATTER, [matter.pk])
    assert tables() == before


@pytest.mark.django_db
def test_the_tree_learns_regions_and_their_ancestors_in_two_reads_then_none():
    t = builders.tree()
    tree = rollups.Tree()
    with CaptureQueriesContext(connection) as captured:
        tree.ensure([t.building.pk, t.sibling_compound.pk])
    assert len(captured.captured_queries) == 2
    assert set(tree.path) == {*t.building.ancestor_ids, *t.sibling_compound.ancestor_ids}
    assert tree.ancestors(t.building.pk) == list(reversed(t.building.ancestor_ids))
    assert tree.community(t.building.pk) == t.community.pk
    with CaptureQueriesContext(connection) as captured:
        tree.ensure([t.compound.pk, t.city.pk])  # known already: both ancestors of the building
        tree.ensure([])
    assert captured.captured_queries == []
    city_only = rollups.Tree()
    city_only.ensure([t.city.pk])
    assert set(city_only.path) == {*t.city.ancestor_ids}
