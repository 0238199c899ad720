"""The region tree the authority tests place roles in: the builders' tree and a few more nodes.

Every role needs a node with a parent, a child and a sibling at a level it may be held at. The builders'
tree gives most of them; a second compound gives the compound a sibling, and a province with two cities
gives the system administrator (held at a city or a province) a city with a parent.
"""

from types import SimpleNamespace

import pytest

from tests import builders
from yishi.people.models import Person
from yishi.regions.models import Level
from yishi.regions.services import create_region


@pytest.fixture
def world(db) -> SimpleNamespace:
    t = builders.tree()
    t.compound_beside = create_region(
        actor=None, parent=t.community, level=Level.COMPOUND, name="金色家园小区"
    )
    t.province = create_region(
        actor=None, parent=None, level=Level.PROVINCE, name="河北省", code="130000000000"
    )
    t.province_city = create_region(
        actor=None, parent=t.province, level=Level.CITY, name="保定市", code="130600"
    )
    t.province_city_beside = create_region(
        actor=None, parent=t.province, level=Level.CITY, name="廊坊市", code="131000"
    )
    t.province_district = create_region(
        actor=None, parent=t.province_city, level=Level.DISTRICT, name="莲池区", code="130606"
    )
    return t


def fresh(person) -> Person:
    """The person as the next request would load them: nothing cached on the object."""
    return Person.objects.get(pk=person.pk)
