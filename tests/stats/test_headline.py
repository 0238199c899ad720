"""The public headline of a region's page: the same numbers as ``figures`` for what it shows, in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.procedures import flows
from yishi.matters import services as matters
from yishi.stats.figures import Period, figures, headline
from yishi.stats.models import Counter
from yishi.stats.rollups import month_of

pytestmark = pytest.mark.django_db

SHOWN = ("raised", "resolved", "meetings_held", "ratings", "satisfaction", "rating_count")


def shown(f) -> dict:
    return {name: getattr(f, name) for name in SHOWN}


def test_the_headline_gives_what_figures_give_after_real_events(place):
    m = flows.raise_flood(place)
    matters.accept(actor=place.secretary, matter=m)
    flows.session(place, m)
    year = Period.current_year()
    for region in (place.tree.community, place.tree.city, place.tree.sibling):
        assert shown(headline(region, year)) == shown(figures(region, year))
    assert (headline(place.tree.city, year).raised, headline(place.tree.city, year).meetings_held) == (1, 1)


def test_the_headline_reads_every_counter_it_shows_and_none_outside_the_period(place):
    """Counters written as the roll-ups write them, around the edges of a quarter: the headline sums the same
    rows as ``figures`` (the by-form and by-category rows beside them change nothing)."""
    region = place.tree.community
    period = Period.quarter(2025, 2)
    first, last = month_of(period.start), month_of(period.end)
    rows = [
        ("raised", 3),
        ("raised.c:environment", 2),
        ("closed:resolved", 2),
        ("closed:declined", 1),
        ("meet", 1),
        ("meet.f:consultation", 1),
        ("meet.p:party_hall", 1),
        ("sat:5", 2),
        ("sat:2", 1),
        ("res:30", 2),
        ("open", 1),
        ("task.due", 4),
    ]
    for month in (first - 1, first, last, last + 1):
        Counter.objects.bulk_create(Counter(region=region, month=month, dim=dim, n=n) for dim, n in rows)
    Counter.objects.create(region=place.tree.sibling, month=first, dim="raised", n=7)

    f = headline(region, period)
    assert shown(f) == shown(figures(region, period))
    assert (f.raised, f.resolved, f.meetings_held, f.ratings) == (6, 4, 2, {5: 4, 2: 2})
    assert f.satisfaction == 4.0


def test_the_headline_is_one_query(place):
    flows.raise_flood(place)
    with CaptureQueriesContext(connection) as ctx:
        headline(place.tree.city, Period.current_year())
    assert len(ctx.captured_queries) == 1
