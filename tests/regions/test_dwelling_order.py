"""Households are listed as people number their doors: 101 before 1001, entrance 2 before entrance 10."""

from tests import builders
from yishi.regions.models import Household


def test_rooms_and_entrances_sort_as_numbers(place):
    building = place.tree.building
    for unit, room in [("10", "101"), ("2", "1001"), ("2", "101"), ("2", "12"), ("1", "B1"), ("1", "102")]:
        builders.household(building, room=room, unit=unit)
    listed = [(h.unit, h.room) for h in Household.objects.filter(region=building)]
    assert listed == [("1", "B1"), ("1", "102"), ("2", "12"), ("2", "101"), ("2", "1001"), ("10", "101")]
