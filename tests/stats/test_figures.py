"""The figures for a region and period, through the public interface, after real services."""

import pytest
from django.utils import timezone

from tests.procedures import flows
from yishi.matters import services as matters
from yishi.stats.figures import (
    Period,
    by_category,
    by_channel,
    figures,
    silent_communities,
    subregions,
    trend,
)

pytestmark = pytest.mark.django_db


def this_year():
    return Period.current_year()


def test_a_raised_and_accepted_matter_counts_up_the_tree(place):
    m = flows.raise_flood(place)
    matters.support(actor=place.neighbour, matter=m)
    matters.accept(actor=place.secretary, matter=m)
    flows.session(place, m)
    for region in (place.tree.compound, place.tree.community, place.tree.city):
        f = figures(region, this_year())
        assert (f.raised, f.accepted, f.open, f.resolved) == (1, 1, 1, 0)
        assert f.participants == 2
        assert f.steps["raise"].count == 1
    sibling = figures(place.tree.sibling, this_year())
    assert (sibling.raised, sibling.open) == (0, 0)
    assert silent_communities(place.tree.street) == [place.tree.sibling]
    months = trend(place.tree.city, this_year())
    assert sum(r.raised for r in months) == 1
    assert months[timezone.localdate().month - 1].raised == 1
    assert [(r.key, r.raised) for r in by_category(place.tree.city, this_year())] == [("environment", 1)]
    assert [(r.key, r.raised) for r in by_channel(place.tree.city, this_year())] == [("online", 1)]
    rows = {r.region: r for r in subregions(place.tree.street, this_year())}
    assert rows[place.tree.community].raised == 1 and rows[place.tree.sibling].raised == 0


def test_declined_matter_is_closed_not_open(place):
    m = flows.raise_flood(place)
    matters.decline(actor=place.secretary, matter=m, reason="不属于社区事务")
    f = figures(place.tree.city, this_year())
    assert (f.raised, f.declined, f.open, f.accepted) == (1, 1, 0, 0)


def test_a_session_recorded_outside_any_meeting_is_a_meeting_held_in_its_form(place):
    from yishi.stats import plain

    m = flows.raise_flood(place)
    matters.accept(actor=place.secretary, matter=m)
    flows.session(place, m)
    for region in (place.tree.community, place.tree.city):
        for source in (figures, plain.figures):
            f = source(region, this_year())
            assert f.meetings_held == 1
            assert f.meetings_by_form == {"consultation": 1}
            assert f.meetings_by_platform == {"other": 1}
    assert figures(place.tree.sibling, this_year()).meetings_held == 0
