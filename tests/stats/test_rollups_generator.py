"""The generator's data through the rebuilt roll-ups equals the plain recount, and commands run."""

import pytest
from django.core.management import call_command

from yishi.matters.models import Matter
from yishi.regions.models import Level, Region
from yishi.stats import plain, readers
from yishi.stats.figures import Period

pytestmark = pytest.mark.django_db


def test_generated_data_rebuilt_equals_the_plain_recount(capsys):
    call_command("generate_figures_data", "--size", "tiny", "--seed", "3")
    out = capsys.readouterr().out
    assert "roll-ups rebuilt" in out
    province = Region.objects.get(level=Level.PROVINCE)
    assert Region.objects.filter(level=Level.COMMUNITY).count() == 30
    assert Matter.objects.count() > 400
    # Written as the ORM writes them (in UTC on SQLite, which compares text): each time is found by its value.
    times = list(Matter.objects.exclude(closed_at=None).values_list("pk", "closed_at"))
    assert len(times) > 100
    assert all(Matter.objects.filter(pk=pk, closed_at=at).exists() for pk, at in times)
    city = Region.objects.get(level=Level.CITY)
    street = Region.objects.filter(level=Level.STREET).first()
    community = Region.objects.filter(level=Level.COMMUNITY, matters__isnull=False).first()
    from django.utils import timezone

    today = timezone.localdate()
    for region in (province, city, street, community):
        for period in (
            Period.current_year(),
            Period.year(today.year - 1),
            Period.months_between(today.replace(year=today.year - 2), today),
        ):
            got, want = (
                readers.figures(region, period, today=today),
                plain.figures(region, period, today=today),
            )
            assert got == want, (region, period)
    f = readers.figures(city, Period.year(today.year - 1), today=today)
    assert f.resolved and f.meetings_held and f.participants and f.ratings and f.steps["vote"].count
    call_command("rebuild_figures")
    assert readers.figures(city, Period.year(today.year - 1), today=today) == f
